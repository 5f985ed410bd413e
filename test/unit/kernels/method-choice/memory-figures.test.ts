import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { GiB, activationBytes, logitsBytes, modelStateBytes, nf4BitsPerParam } from '../../../../kernels/memory/training-memory';
import { loraParamCount } from '../../../../kernels/lora/param-count';
import { linearParamCount } from '../../../../kernels/nf4/model-memory';
import { ALL_LINEAR_MODULES, MODEL_PRESETS, modelParamCount, presetById } from '../../../../kernels/models/presets';
import {
  bytesPerGpu,
  estimateMemory,
  perGpuParts,
  minGpusSharded,
  stateTotal,
  type TrainingSetup,
} from '../../../../kernels/method-choice/memory-estimate';

const llama7b = presetById('7b');
// LLaMA-2-7B by hand from its config: hidden 4096, 32 layers, MLP 11008, vocab 32000, untied head.
const attention7b = 4 * 4096 * 4096;
const mlp7b = 3 * 4096 * 11008;
const P7 = 32 * (attention7b + mlp7b + 2 * 4096) + 2 * 32000 * 4096 + 4096;
const blockLinear7b = 32 * (attention7b + mlp7b);
// r(in + out) for q, k, v, o (4096 -> 4096), gate and up (4096 -> 11008), down (11008 -> 4096).
const lora7bR16 = 32 * 16 * (4 * (4096 + 4096) + 3 * (4096 + 11008));

const sft7b: TrainingSetup = { model: llama7b, seqLen: 2048, microBatch: 1, checkpointing: true, loraRank: 16, objective: 'sft' };

describe('parameter counts from the shapes', () => {
  test('LLaMA-2-7B has 6,738,415,616 parameters', () => {
    expect(P7).toBe(6_738_415_616);
    expect(modelParamCount(llama7b)).toBe(P7);
  });
  test('LLaMA-2-13B and -70B match their released counts', () => {
    expect(modelParamCount(presetById('13b'))).toBe(13_015_864_320);
    expect(modelParamCount(presetById('70b'))).toBe(68_976_648_192);
  });
  test('QLoRA quantizes the block linear layers: 6,476,005,376 of LLaMA-2-7B', () => {
    expect(linearParamCount(llama7b)).toBe(blockLinear7b);
    expect(blockLinear7b).toBe(6_476_005_376);
    // The rest is the two embedding matrices and the norms.
    expect(P7 - blockLinear7b).toBe(2 * 32000 * 4096 + 65 * 4096);
  });
  test('LoRA r = 16 on all linear layers of LLaMA-2-7B trains 39,976,960 parameters', () => {
    expect(loraParamCount(llama7b, 16, ALL_LINEAR_MODULES)).toBe(lora7bR16);
    expect(lora7bR16).toBe(39_976_960);
  });
});

describe('model-state memory of LLaMA-2-7B (mixed-precision AdamW)', () => {
  test('full fine-tuning is 16 bytes per parameter: 107.8 GB', () => {
    const e = estimateMemory(sft7b, 'full');
    expect(stateTotal(e)).toBe(16 * P7);
    expect(e.states).toEqual({ weights: 2 * P7, gradients: 2 * P7, optimizer: 12 * P7 });
    expect((16 * P7) / 1e9).toBeCloseTo(107.81, 2);
  });
  test('the errata round figures: 16 B x 7e9 = 112 GB; 56 GB is 8 B per parameter', () => {
    const round7b = modelStateBytes({ method: 'full', params: 7e9 });
    expect(round7b.weights + round7b.gradients + round7b.optimizer).toBe(112e9);
    expect(8 * 7e9).toBe(56e9);
  });
  test('LoRA: frozen bf16 base (2 B/param) + 16 B per adapter parameter = 14.12 GB', () => {
    const e = estimateMemory(sft7b, 'lora');
    expect(e.trainableParams).toBe(lora7bR16);
    expect(stateTotal(e)).toBe(2 * P7 + 16 * lora7bR16);
    expect(stateTotal(e) / 1e9).toBeCloseTo(14.116, 3);
  });
  test('QLoRA: NF4 + double quantization (4.126953125 bits) on the linear layers, bf16 elsewhere = 4.505 GB', () => {
    expect(nf4BitsPerParam(true)).toBe(4 + 8 / 64 + 32 / (64 * 256));
    expect(nf4BitsPerParam(true)).toBe(4.126953125);
    expect(nf4BitsPerParam(false)).toBe(4.5);
    const e = estimateMemory(sft7b, 'qlora');
    const expected = (blockLinear7b * 4.126953125) / 8 + 2 * (P7 - blockLinear7b) + 16 * lora7bR16;
    expect(stateTotal(e)).toBeCloseTo(expected, 0);
    expect(expected).toBe(3_340_771_328 + 524_820_480 + 639_631_360);
    expect(stateTotal(e) / 1e9).toBeCloseTo(4.5052, 3);
  });
});

describe('activations and logits', () => {
  test('checkpointed LLaMA-2-7B at s = 2048, b = 1: 32 x 2sbh + 34sbh = 822,083,584 bytes', () => {
    const sbh = 2048 * 4096;
    expect(estimateMemory(sft7b, 'lora').activations).toBe(32 * 2 * sbh + 34 * sbh);
    expect(32 * 2 * sbh + 34 * sbh).toBe(822_083_584);
  });
  test('without checkpointing every layer keeps 34 sbh bytes (no s x s scores under FlashAttention)', () => {
    const e = estimateMemory({ ...sft7b, checkpointing: false }, 'full');
    expect(e.activations).toBe(32 * 34 * 2048 * 4096);
  });
  test('logits: 6 s b V bytes (bf16 logits + fp32 log-softmax)', () => {
    expect(logitsBytes({ seqLen: 2048, microBatch: 1, vocab: 32000 })).toBe(393_216_000);
    expect(estimateMemory(sft7b, 'qlora').logits).toBe(393_216_000);
  });
  test('DPO runs chosen and rejected: twice the activations and logits of SFT', () => {
    const sft = estimateMemory(sft7b, 'lora');
    const dpo = estimateMemory({ ...sft7b, objective: 'dpo' }, 'lora');
    expect(dpo.activations).toBe(activationBytes({ seqLen: 2048, microBatch: 2, hidden: 4096, layers: 32, heads: 32, checkpointing: true }));
    expect(dpo.logits).toBe(2 * sft.logits);
  });
  test('a reference model costs a bf16 copy (2 B/param) under full fine-tuning only', () => {
    for (const objective of ['dpo', 'kto'] as const) {
      expect(estimateMemory({ ...sft7b, objective }, 'full').referenceWeights).toBe(2 * P7);
      expect(estimateMemory({ ...sft7b, objective }, 'lora').referenceWeights).toBe(0);
      expect(estimateMemory({ ...sft7b, objective }, 'qlora').referenceWeights).toBe(0);
    }
    expect(estimateMemory(sft7b, 'full').referenceWeights).toBe(0);
  });
});

describe('per-GPU memory', () => {
  test('ZeRO-3 sharding divides model states by N, not activations: 16 psi / N + activations', () => {
    const e = estimateMemory(sft7b, 'full');
    expect(bytesPerGpu(e, 8, true)).toBe((16 * P7) / 8 + e.activations + e.logits);
    expect(bytesPerGpu(e, 8, false)).toBe(16 * P7 + e.activations + e.logits);
    expect(bytesPerGpu(e, 1, true)).toBe(bytesPerGpu(e, 1, false));
    expect(() => bytesPerGpu(e, 0, true)).toThrow(/positive integer/);
    expect(perGpuParts(e, 8, true)).toEqual({
      weights: (2 * P7) / 8,
      gradients: (2 * P7) / 8,
      optimizer: (12 * P7) / 8,
      reference: 0,
      activations: e.activations + e.logits,
    });
    // A DPO reference copy is sharded like the weights.
    const dpo = estimateMemory({ ...sft7b, objective: 'dpo' }, 'full');
    expect(perGpuParts(dpo, 4, true).reference).toBe((2 * P7) / 4);
    expect(perGpuParts(dpo, 4, false).reference).toBe(2 * P7);
  });
  test('minGpusSharded is the smallest N that fits (property over random setups)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODEL_PRESETS.map((m) => m.id)),
        fc.constantFrom('full', 'lora', 'qlora' as const),
        fc.integer({ min: 256, max: 16384 }),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 4, max: 200, noNaN: true }),
        (id, method, seqLen, microBatch, memGiB) => {
          const e = estimateMemory({ ...sft7b, model: presetById(id), seqLen, microBatch }, method as 'full' | 'lora' | 'qlora');
          const usable = memGiB * GiB;
          const n = minGpusSharded(e, usable);
          if (n === null) {
            expect(e.activations + e.logits).toBeGreaterThanOrEqual(usable);
          } else {
            expect(bytesPerGpu(e, n, true)).toBeLessThanOrEqual(usable * (1 + 1e-12));
            if (n > 1) expect(bytesPerGpu(e, n - 1, true)).toBeGreaterThan(usable);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  test('for every preset, QLoRA < LoRA < full, whatever the setup', () => {
    for (const m of MODEL_PRESETS) {
      for (const objective of ['sft', 'dpo', 'kto'] as const) {
        const setup = { ...sft7b, model: m, objective };
        const [full, lora, qlora] = (['full', 'lora', 'qlora'] as const).map((k) => bytesPerGpu(estimateMemory(setup, k), 1, false));
        expect(qlora).toBeLessThan(lora);
        expect(lora).toBeLessThan(full);
      }
    }
  });
});

describe('the totals quoted in the chapter (one GPU, s = 2048, b = 1, checkpointing, r = 16)', () => {
  test.each([
    ['7b', 'lora', 15.3],
    ['7b', 'qlora', 5.7],
    ['13b', 'lora', 28.6],
    ['13b', 'qlora', 9.8],
    ['70b', 'qlora', 43.3],
    ['1.3b', 'full', 21.9],
  ] as const)('%s %s needs %s GB', (id, method, gb) => {
    const e = estimateMemory({ ...sft7b, model: presetById(id) }, method);
    expect(bytesPerGpu(e, 1, false) / 1e9).toBeCloseTo(gb, 1);
  });
  test('70B in QLoRA fits the usable 90% of a 48 GiB card; 13B in LoRA does not fit 24 GiB', () => {
    expect(bytesPerGpu(estimateMemory({ ...sft7b, model: presetById('70b') }, 'qlora'), 1, false)).toBeLessThan(0.9 * 48 * GiB);
    expect(bytesPerGpu(estimateMemory({ ...sft7b, model: presetById('13b') }, 'lora'), 1, false)).toBeGreaterThan(24 * GiB);
  });
});
