import { describe, expect, test } from 'vitest';
import { presetById } from '../../../../kernels/models/presets';
import { largestModuleParams } from '../../../../kernels/zero/shape';
import { estimateStepTime, trainingFlops } from '../../../../kernels/zero/step-time';

describe('FLOPs per step', () => {
  test('full training 6 psi per token, 8 psi with checkpointing; frozen weights skip 2 psi', () => {
    const psi = 1e9;
    expect(trainingFlops({ params: psi, trainableParams: psi, tokens: 1000, checkpointing: false })).toBe(6e12);
    expect(trainingFlops({ params: psi, trainableParams: psi, tokens: 1000, checkpointing: true })).toBe(8e12);
    expect(trainingFlops({ params: psi, trainableParams: 0, tokens: 1000, checkpointing: false })).toBe(4e12);
  });
});

describe('step time', () => {
  test('communication time is bytes over bandwidth; overlap takes the slowest part', () => {
    const t = estimateStepTime({ flops: 6e14, flopsPerSecond: 2e14, commBytes: 50e9, busBandwidth: 100e9 });
    expect(t).toMatchObject({ computeSeconds: 3, commSeconds: 0.5, pcieSeconds: 0, serialSeconds: 3.5, overlappedSeconds: 3 });
    const slower = estimateStepTime({ flops: 6e14, flopsPerSecond: 2e14, commBytes: 50e9, busBandwidth: 10e9 });
    expect(slower.commSeconds).toBe(5);
    expect(slower.overlappedSeconds).toBe(5);
  });
  test('bad bandwidth is refused', () => {
    expect(() => estimateStepTime({ flops: 1, flopsPerSecond: 1, commBytes: 1, busBandwidth: 0 })).toThrow(/busBandwidth/);
  });
});

describe('shapes for a free model size', () => {
  test('largest module of LLaMA-2-7B is the 32000 x 4096 embedding', () => {
    expect(largestModuleParams(presetById('7b'))).toBe(32000 * 4096);
  });
});
