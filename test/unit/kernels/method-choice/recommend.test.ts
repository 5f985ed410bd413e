import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { GiB } from '../../../../kernels/memory/training-memory';
import { MODEL_PRESETS, presetById } from '../../../../kernels/models/presets';
import {
  FEW_EXAMPLES,
  LARGE_DATASET,
  USABLE_FRACTION,
  objectiveFor,
  recommendMethod,
  type MethodChoiceInput,
  type PreferenceData,
} from '../../../../kernels/method-choice/recommend';
import { shapeForParams } from '../../../../kernels/models/custom-shape';

const base: MethodChoiceInput = {
  gpuMemoryGiB: 24,
  gpuCount: 1,
  model: presetById('7b'),
  examples: 5000,
  preference: 'none',
  seqLen: 2048,
  microBatch: 1,
  checkpointing: true,
  loraRank: 16,
};
type Overrides = Omit<Partial<MethodChoiceInput>, 'model'> & { model?: string | MethodChoiceInput['model'] };
const choose = (overrides: Overrides) => {
  const model = typeof overrides.model === 'string' ? presetById(overrides.model) : (overrides.model ?? base.model);
  return recommendMethod({ ...base, ...overrides, model });
};

// Hand-computed LLaMA-2-7B figures at s = 2048, b = 1, checkpointing (see memory-figures.test.ts):
// LoRA 14.116 GB states + 0.822 GB activations + 0.393 GB logits = 15.33 GB = 14.28 GiB;
// QLoRA 4.505 + 1.215 = 5.72 GB = 5.33 GiB; full 107.81 + 1.215 = 109.03 GB = 101.5 GiB.
describe('the recommendation on typical budgets', () => {
  test.each([
    // [GiB per GPU, GPUs, model, examples, method, placement]
    [24, 1, '7b', 5000, 'lora', 'single-gpu'],
    [12, 1, '7b', 5000, 'qlora', 'single-gpu'],
    [24, 4, '7b', 5000, 'lora', 'data-parallel'],
    [24, 1, '13b', 5000, 'qlora', 'single-gpu'],
    [48, 1, '70b', 5000, 'qlora', 'single-gpu'],
    [80, 2, '70b', 5000, 'lora', 'sharded'],
    [80, 8, '7b', 200_000, 'full', 'sharded'],
    [80, 2, '7b', 200_000, 'full', 'sharded'],
    [80, 1, '7b', 200_000, 'lora', 'single-gpu'],
    [24, 1, '1.3b', 200_000, 'full', 'single-gpu'],
    [24, 1, '1.3b', 99_999, 'lora', 'single-gpu'],
  ] as const)('%d GiB x %d, %s, %d examples -> %s (%s)', (gpuMemoryGiB, gpuCount, model, examples, method, placement) => {
    const r = choose({ gpuMemoryGiB, gpuCount, model, examples });
    expect(r.verdict).toBe('fine-tune');
    expect(r.method).toBe(method);
    expect(r.options[method].placement).toBe(placement);
    expect(r.options[method].perGpuBytes).toBeLessThanOrEqual(r.usableBytesPerGpu);
  });

  test('7B on one 24 GiB card: LoRA at 14.3 GiB, QLoRA at 5.3 GiB, full at 101.5 GiB', () => {
    const r = choose({});
    expect(r.options.lora.perGpuBytes / GiB).toBeCloseTo(14.28, 2);
    expect(r.options.qlora.perGpuBytes / GiB).toBeCloseTo(5.33, 2);
    expect(r.options.full.perGpuBytes / GiB).toBeCloseTo(101.54, 2);
    expect(r.usableBytesPerGpu).toBe(24 * GiB * 0.9);
    expect(r.reasons[0]).toContain('LoRA fits: 14.3 GiB on one GPU (21.6 GiB usable of 24 GiB)');
    // 2P = 12.55 GiB, 16 x 39,976,960 = 0.596 GiB, activations + logits 1.13 GiB: the parts of 14.28 GiB.
    expect(r.reasons[0]).toContain('base in bf16 (2 bytes per parameter) takes 12.6 GiB');
    expect(r.reasons[0]).toContain('40.0M trained parameters 0.596 GiB');
    expect(r.reasons[0]).toContain('activations with logits 1.13 GiB');
  });

  test('full fine-tuning that does not fit is explained with the GPUs it would need', () => {
    const r = choose({ gpuMemoryGiB: 80, examples: 200_000 });
    expect(r.options.full.fits).toBe(false);
    expect(r.options.full.minGpus).toBe(2);
    expect(r.reasons.join(' ')).toContain('2 GPUs of 80 GiB would hold it with ZeRO-3 / FSDP sharding');
  });

  test('full fine-tuning that fits beside LoRA on a small dataset is mentioned, not chosen', () => {
    const r = choose({ model: '1.3b', examples: 10_000 });
    expect(r.method).toBe('lora');
    expect(r.options.full.fits).toBe(true);
    expect(r.reasons.join(' ')).toContain('Full fine-tuning would fit too');
  });
});

describe('configurations that cannot train', () => {
  test('70B on one 24 GiB card does not fit even in QLoRA; 3 such GPUs would, sharded', () => {
    const r = choose({ model: '70b' });
    expect(r.verdict).toBe('does-not-fit');
    expect(r.method).toBeNull();
    expect(r.options.qlora.fits).toBe(false);
    expect(r.options.qlora.minGpus).toBe(3);
    expect(r.reasons[0]).toMatch(/does not fit even with QLoRA: it needs 40\.\d GiB per GPU/);
    expect(r.reasons[0]).toContain('3 GPUs of 24 GiB would hold it');
    expect(r.links.map((l) => l.href)).toEqual(expect.arrayContaining(['/chapters/qlora-nf4/', '/chapters/zero/']));
  });

  test('when one micro-batch of activations exceeds a GPU, no GPU count helps and the message says what to change', () => {
    const r = choose({ model: '70b', gpuMemoryGiB: 8, seqLen: 131_072, checkpointing: false });
    expect(r.verdict).toBe('does-not-fit');
    expect(r.options.qlora.minGpus).toBeNull();
    expect(r.reasons[0]).toMatch(/no number of GPUs this size helps/i);
    expect(r.reasons[0]).toContain('shorten the sequences');
  });

  test('the fit boundary is inclusive: exactly the usable memory fits, a byte less does not', () => {
    const perGpu = choose({}).options.lora.perGpuBytes;
    const exact = perGpu / (GiB * USABLE_FRACTION);
    expect(choose({ gpuMemoryGiB: exact }).method).toBe('lora');
    expect(choose({ gpuMemoryGiB: exact * (1 - 1e-9) }).method).toBe('qlora');
  });

  test.each([
    [{ gpuCount: 0 }, /gpuCount/],
    [{ gpuCount: 1.5 }, /gpuCount/],
    [{ gpuMemoryGiB: 0 }, /gpuMemoryGiB/],
    [{ gpuMemoryGiB: Number.NaN }, /gpuMemoryGiB/],
    [{ examples: -1 }, /examples/],
    [{ examples: 2.5 }, /examples/],
    [{ seqLen: 0 }, /seqLen/],
    [{ loraRank: 0 }, /rank/],
  ] as const)('invalid input %o is refused with a message', (overrides, message) => {
    expect(() => choose(overrides)).toThrow(message);
  });
});

describe('the amount of data', () => {
  test('no examples: prompt and retrieve instead of fine-tuning', () => {
    const r = choose({ examples: 0 });
    expect(r.verdict).toBe('prompt-first');
    expect(r.reasons[0]).toContain('RAG');
  });
  test(`the prompt-first threshold is ${FEW_EXAMPLES} examples`, () => {
    expect(choose({ examples: FEW_EXAMPLES - 1 }).verdict).toBe('prompt-first');
    expect(choose({ examples: FEW_EXAMPLES }).verdict).toBe('fine-tune');
    // The method that fits is still reported for when more data arrives.
    expect(choose({ examples: FEW_EXAMPLES - 1 }).method).toBe('lora');
  });
  test(`full fine-tuning needs ${LARGE_DATASET.toLocaleString('en-US')} examples even when it fits`, () => {
    expect(choose({ model: '1.3b', examples: LARGE_DATASET - 1 }).method).toBe('lora');
    expect(choose({ model: '1.3b', examples: LARGE_DATASET }).method).toBe('full');
  });
});

describe('which alignment method fits which data', () => {
  test.each([
    ['none', 'sft'],
    ['pairwise', 'dpo'],
    ['binary', 'kto'],
    ['verifiable', 'rl'],
  ] as const)('%s -> %s', (preference, objective) => {
    expect(objectiveFor(preference)).toBe(objective);
    expect(choose({ preference }).objective).toBe(objective);
  });
  test('preference methods link to the DPO/KTO chapter; SFT does not', () => {
    for (const preference of ['pairwise', 'binary', 'verifiable'] as const) {
      expect(choose({ preference }).links.map((l) => l.href)).toContain('/chapters/dpo-kto/');
    }
    expect(choose({}).links.map((l) => l.href)).not.toContain('/chapters/dpo-kto/');
  });
  test('DPO doubles the sequences in memory; under full fine-tuning it adds a reference copy', () => {
    const sft = choose({ model: '1.3b', examples: 200_000 });
    const dpo = choose({ model: '1.3b', examples: 200_000, preference: 'pairwise', gpuMemoryGiB: 80 });
    expect(dpo.method).toBe('full');
    expect(dpo.options.full.estimate.activations).toBeGreaterThan(sft.options.full.estimate.activations);
    expect(dpo.options.full.estimate.referenceWeights).toBe(2 * dpo.params);
    expect(dpo.cautions.join(' ')).toContain('frozen reference model');
    // With 24 GiB the reference copy tips 1.3B full fine-tuning over: LoRA instead.
    expect(choose({ model: '1.3b', examples: 200_000, preference: 'pairwise' }).method).toBe('lora');
  });
  test('RL says its rollouts are not in the estimate', () => {
    expect(choose({ preference: 'verifiable' }).cautions.join(' ')).toContain('rollouts');
  });
});

describe('properties over random configurations', () => {
  const anyInput = fc.record({
    gpuMemoryGiB: fc.double({ min: 1, max: 512, noNaN: true }),
    gpuCount: fc.integer({ min: 1, max: 64 }),
    model: fc.oneof(fc.constantFrom(...MODEL_PRESETS), fc.double({ min: 0.5e9, max: 1000e9, noNaN: true }).map(shapeForParams)),
    examples: fc.integer({ min: 0, max: 10_000_000 }),
    preference: fc.constantFrom<PreferenceData>('none', 'pairwise', 'binary', 'verifiable'),
    seqLen: fc.integer({ min: 128, max: 32_768 }),
    microBatch: fc.integer({ min: 1, max: 16 }),
    checkpointing: fc.boolean(),
    loraRank: fc.integer({ min: 1, max: 256 }),
  });
  const rank = { null: 0, qlora: 1, lora: 2, full: 3 } as const;

  test('more memory per GPU never leads to a more compressed method', () => {
    fc.assert(
      fc.property(anyInput, fc.double({ min: 1, max: 8, noNaN: true }), (input, factor) => {
        const small = recommendMethod(input);
        const big = recommendMethod({ ...input, gpuMemoryGiB: input.gpuMemoryGiB * factor });
        expect(rank[big.method ?? 'null']).toBeGreaterThanOrEqual(rank[small.method ?? 'null']);
      }),
      { numRuns: 300 },
    );
  });
  test('more GPUs never make a method stop fitting', () => {
    fc.assert(
      fc.property(anyInput, fc.integer({ min: 1, max: 64 }), (input, extra) => {
        const few = recommendMethod(input);
        const many = recommendMethod({ ...input, gpuCount: input.gpuCount + extra });
        for (const m of ['full', 'lora', 'qlora'] as const) if (few.options[m].fits) expect(many.options[m].fits).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  test('a recommended method fits, the verdict matches, and no text shows NaN or Infinity', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const r = recommendMethod(input);
        if (r.method) expect(r.options[r.method].perGpuBytes).toBeLessThanOrEqual(r.usableBytesPerGpu);
        if (r.method === null) expect(Object.values(r.options).every((o) => !o.fits)).toBe(true);
        if (input.examples < FEW_EXAMPLES) expect(r.verdict).toBe('prompt-first');
        else expect(r.verdict).toBe(r.method ? 'fine-tune' : 'does-not-fit');
        const text = [...r.reasons, ...r.cautions].join(' ');
        expect(text).not.toMatch(/NaN|Infinity|undefined/);
        for (const link of r.links) expect(link.href).toMatch(/^\/chapters\/(lora|dora|qlora-nf4|dpo-kto|zero)\/$/);
      }),
      { numRuns: 500 },
    );
  });
});
