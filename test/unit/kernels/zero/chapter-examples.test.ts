import { describe, expect, test } from 'vitest';
import { activationBytes, modelStateBytes } from '../../../../kernels/memory/training-memory';
import { modelParamCount, presetById } from '../../../../kernels/models/presets';
import { bubbleFraction } from '../../../../kernels/parallel/pipeline';
import { workedExample } from '../../../../kernels/zero/chapter-examples';
import { paperBytesPerParam } from '../../../../kernels/zero/memory';
import { linearFraction } from '../../../../kernels/zero/plan';

// The figures the ZeRO chapter states in its prose.
describe('ZeRO chapter figures', () => {
  const GB = 1e9;
  const llama7 = presetById('7b');
  const llama70 = presetById('70b');

  test('16 bytes x 7B = 112 GB; LLaMA-2-7B exactly: 107.8 GB', () => {
    expect(modelStateBytes({ method: 'full', params: 7e9 })).toEqual({ weights: 14e9, gradients: 14e9, optimizer: 84e9 });
    const s = modelStateBytes({ method: 'full', params: modelParamCount(llama7) });
    expect((s.weights + s.gradients + s.optimizer) / GB).toBeCloseTo(107.8, 1);
  });

  test('at N = 8 ZeRO-1 saves 2.9x and ZeRO-2 4.3x, not 4x and 8x', () => {
    expect(16 / paperBytesPerParam(1, 8)).toBeCloseTo(2.9, 1);
    expect(16 / paperBytesPerParam(2, 8)).toBeCloseTo(4.3, 1);
  });

  test('activations of LLaMA-2-7B at s = 2048, b = 1: 9.1 GB without checkpointing, 0.82 GB with', () => {
    const base = { seqLen: 2048, microBatch: 1, hidden: 4096, layers: 32, heads: 32 };
    expect(activationBytes({ ...base, checkpointing: false }) / GB).toBeCloseTo(9.1, 1);
    expect(activationBytes({ ...base, checkpointing: true }) / GB).toBeCloseTo(0.82, 2);
  });

  test('worked example: full DP does not fit in 80 GiB, every ZeRO stage does; LoRA ZeRO-3 moves ~170x ZeRO-2', () => {
    const { full, lora } = workedExample();
    expect(full.stages.map((s) => s.fits)).toEqual([false, true, true, true]);
    expect(full.stages.map((s) => Math.round(s.total / 1e8) / 10)).toEqual([108.6, 37.9, 26.1, 14.8]);
    expect(lora.stages.map((s) => s.fits)).toEqual([true, true, true, true]);
    expect(Math.round(lora.stages[3].comm.bytes / lora.stages[2].comm.bytes)).toBe(170);
    // "about half a gigabyte" saved by ZeRO-2 over DP; frozen weights 13.5 GB.
    expect((lora.stages[0].total - lora.stages[2].total) / GB).toBeCloseTo(0.49, 2);
    expect((2 * modelParamCount(llama7)) / GB).toBeCloseTo(13.5, 1);
    // LoRA under ZeRO-3 moves as much as full fine-tuning under DP (within 1%).
    expect(lora.stages[3].comm.bytes / full.stages[0].comm.bytes).toBeCloseTo(1, 1);
    // DP traffic and time: 23.6 GB, 0.236 s at 100 GB/s, 0.736 s of compute.
    expect(full.stages[0].comm.bytes / GB).toBeCloseTo(23.6, 1);
    expect(full.stages[0].time.commSeconds).toBeCloseTo(0.236, 3);
    expect(full.stages[0].time.computeSeconds).toBeCloseTo(0.736, 3);
  });

  test('LLaMA-2-70B: 138 GB in bf16, about 36 GB in NF4 with double quantization', () => {
    const psi = modelParamCount(llama70);
    expect((2 * psi) / GB).toBeCloseTo(138, 0);
    const nf4 = modelStateBytes({ method: 'qlora', params: psi, adapterParams: 0, quantizedFraction: linearFraction(llama70) });
    expect(nf4.weights / GB).toBeGreaterThan(35);
    expect(nf4.weights / GB).toBeLessThan(37);
  });

  test('bubble: p = 4, m = 8 gives 27%; m = 32 gives 8.6%', () => {
    expect(bubbleFraction(4, 8)).toBeCloseTo(0.273, 3);
    expect(bubbleFraction(4, 32)).toBeCloseTo(0.0857, 4);
  });
});
