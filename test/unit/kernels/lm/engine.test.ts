/**
 * The engine's hand-derived backward pass against central finite differences of its own forward
 * pass (float64-accurate enough on a small random model), packing against padding, the KV-cache
 * generator against the training forward pass, and merging.
 */
import { describe, expect, it } from 'vitest';
import { LINEAR_MODULES } from '../../../../kernels/lm/config';
import { finishRows, packRows, padRows, type Sequence } from '../../../../kernels/lm/data/batches';
import { createCpuBackend } from '../../../../kernels/lm/engine/cpu-backend';
import { buildModel, type AdapterConfig } from '../../../../kernels/lm/engine/program';
import { generate } from '../../../../kernels/lm/generate';
import { mergedWeights } from '../../../../kernels/lm/trainer';
import { createRng } from '../../../../kernels/random/rng';
import { SMALL_CONFIG, randomWeights } from '../../../../kernels/lm/random-model';
import { sampledGradientError } from '../../../shared/finite-differences';

const rng = createRng(77);
const weights = randomWeights(SMALL_CONFIG, rng);
const C = SMALL_CONFIG;
const [batch, seq] = [2, 11];
const rows = batch * seq;
const data = {
  tokens: Int32Array.from({ length: rows }, () => rng.int(C.vocab_size)),
  targets: Int32Array.from({ length: rows }, () => rng.int(C.vocab_size)),
  positions: Int32Array.from({ length: rows }, (_, i) => (i % seq < 6 ? i % seq : (i % seq) - 6)),
  segments: Int32Array.from({ length: rows }, (_, i) => Math.floor(i / seq) * 2 + (i % seq < 6 ? 0 : 1)),
  weights: Float32Array.from({ length: rows }, (_, i) => (i % 4 === 3 ? 0 : 1 / 17)),
};
const ADAPTER: AdapterConfig = {
  method: 'lora',
  base: 'fp32',
  rank: 2,
  alpha: 4,
  scaling: 'alpha/r',
  targets: LINEAR_MODULES,
  loraPlusRatio: 1,
  seed: 5,
};

/** A model on the CPU with data loaded, and a function that runs forward (and backward) and returns the loss. */
function setUp(adapter: AdapterConfig) {
  const be = createCpuBackend(C);
  const m = buildModel(be, C, weights, adapter, { batch, seq });
  for (const key of ['tokens', 'targets', 'positions', 'segments', 'weights'] as const) be.write(m.inputs[key], data[key]);
  const rowLoss = be.f32(rows);
  const forward = [...m.forward(), ...m.loss(m.inputs.weights, rowLoss, true)];
  const loss = () => {
    be.run(forward);
    return (rowLoss as unknown as { data: Float32Array }).data.reduce((a, b) => a + b, 0);
  };
  return { be, m, loss, backward: () => be.run(m.backward()) };
}

describe('hand-derived gradients against finite differences', () => {
  const cases: [string, AdapterConfig][] = [
    ['full fine-tuning', { ...ADAPTER, method: 'full', targets: [] }],
    ['LoRA (B made non-zero so A has a gradient)', ADAPTER],
    // DoRA treats the row norm as a constant in the backward pass (paper section 4.3, PEFT), so only
    // the magnitude's gradient is the exact derivative; A's and B's are checked against PyTorch.
    ['DoRA: the magnitude vector m', { ...ADAPTER, method: 'dora', targets: ['q_proj', 'up_proj'] }],
  ];
  for (const [name, adapter] of cases) {
    it(`${name}: sampled entries of every trainable tensor`, async () => {
      const { m, loss, backward } = setUp(adapter);
      // LoRA's B starts at zero; move it so every path carries gradient.
      for (const t of m.trainables) {
        if (t.name.endsWith('lora_B.weight')) (t.param as unknown as { data: Float32Array }).data.set(rng.normals(t.param.length, 0.3));
      }
      loss();
      backward();
      const tensors = adapter.method === 'dora' ? m.trainables.filter((t) => t.name.endsWith('lora_magnitude_vector')) : m.trainables;
      const { worst, checked } = await sampledGradientError(tensors, loss, rng, 3);
      expect(checked).toBeGreaterThan(5);
      expect(worst, `${checked} entries`).toBeLessThan(2e-2);
    });
  }
});

describe('packing', () => {
  const seqs: Sequence[] = [
    { ids: [1, 5, 6, 7, 8], lossMask: [0, 0, 1, 1, 1] },
    { ids: [1, 9, 10], lossMask: [0, 1, 1] },
    { ids: [1, 11, 12, 13, 14, 15, 16], lossMask: [0, 0, 0, 1, 1, 1, 1] },
  ];
  it('packs by best-fit decreasing, as TRL: longest first, each into the fullest row that holds it; positions restart, one segment each', () => {
    const r = packRows(seqs, 8, 0);
    expect(r.rows).toBe(2);
    // Row 0: the 6-position sequence, then the 2-position one fills it exactly; row 1: the 4-position one and padding.
    expect(Array.from(r.positions.subarray(0, 8))).toEqual([0, 1, 2, 3, 4, 5, 0, 1]);
    expect(Array.from(r.segments.subarray(0, 8))).toEqual([2, 2, 2, 2, 2, 2, 1, 1]);
    expect(Array.from(r.segments.subarray(8))).toEqual([0, 0, 0, 0, -1, -1, -1, -1]);
    expect(Array.from(r.targets.subarray(0, 4))).toEqual([11, 12, 13, 14]);
    expect(Array.from(r.weights.subarray(0, 6))).toEqual([0, 0, 1, 1, 1, 1]);
  });
  it('gives the same loss as padding one sequence per row, with fewer rows: no sequence sees another', () => {
    const lossOf = (layout: ReturnType<typeof packRows>) => {
      const finished = finishRows(layout, layout.rows, 0);
      const be = createCpuBackend(C);
      const m = buildModel(be, C, weights, { ...ADAPTER, method: 'full', targets: [] }, { batch: finished.rows, seq: 8 });
      for (const key of ['tokens', 'targets', 'positions', 'segments', 'weights'] as const) be.write(m.inputs[key], finished[key]);
      const rowLoss = be.f32(finished.rows * 8);
      be.run([...m.forward(), ...m.loss(m.inputs.weights, rowLoss, false)]);
      return (rowLoss as unknown as { data: Float32Array }).data.reduce((a, b) => a + b, 0);
    };
    const packed = packRows(seqs, 8, 0);
    const padded = padRows(seqs, 8, 0);
    expect(packed.rows).toBeLessThan(padded.rows);
    expect(lossOf(packed)).toBeCloseTo(lossOf(padded), 5);
  });
});

describe('generation with a KV cache', () => {
  const options = { maxNewTokens: 12, temperature: 0, topK: 0, seed: 1, stopTokens: [] };
  it('greedy decoding picks, at every position, the argmax of the training forward pass', () => {
    const prompt = [1, 7, 3, 19];
    const out = generate(weights, C, prompt, options);
    expect(out.ids).toHaveLength(12);
    const all = [...prompt, ...out.ids];
    const be = createCpuBackend(C);
    const m = buildModel(be, C, weights, { ...ADAPTER, method: 'full', targets: [] }, { batch: 1, seq: all.length });
    be.write(m.inputs.tokens, Int32Array.from(all));
    be.write(m.inputs.positions, Int32Array.from(all.keys()));
    be.write(m.inputs.segments, new Int32Array(all.length));
    be.run(m.forward());
    const logits = (m.logits as unknown as { data: Float32Array }).data;
    for (let t = prompt.length - 1; t < all.length - 1; t++) {
      const row = logits.subarray(t * C.vocab_size, (t + 1) * C.vocab_size);
      expect(all[t + 1]).toBe(row.indexOf(Math.max(...row)));
    }
  });
  it('sampling is deterministic for a seed, differs across seeds; a stop token ends the reply', () => {
    const sampled = (seed: number) => generate(weights, C, [1, 2, 3], { ...options, temperature: 1, topK: 10, seed }).ids.join(',');
    expect(sampled(4)).toBe(sampled(4));
    expect(new Set([4, 5, 6, 7].map(sampled)).size).toBeGreaterThan(1);
    const first = generate(weights, C, [1, 2, 3], options).ids[0];
    const stopped = generate(weights, C, [1, 2, 3], { ...options, stopTokens: [first] });
    expect(stopped).toMatchObject({ ids: [], stoppedBy: 'stop-token' });
  });
  it('a prompt longer than the context is cut from the start, and says by how much', () => {
    const long = Array.from({ length: 80 }, (_, i) => 1 + (i % 30));
    const out = generate(weights, C, long, { ...options, maxNewTokens: 20 });
    expect(out.promptTruncated).toBe(80 - (C.max_position_embeddings - 20));
  });
});

describe('merging trained adapters (merge_and_unload)', () => {
  it('the merged weights give the logits of the unmerged LoRA and DoRA model', () => {
    for (const adapter of [ADAPTER, { ...ADAPTER, method: 'dora' as const, targets: ['v_proj', 'down_proj'] as const }]) {
      const { be, m } = setUp(adapter as AdapterConfig);
      const trained = new Map<string, Float32Array>();
      for (const t of m.trainables) {
        const data = (t.param as unknown as { data: Float32Array }).data;
        if (t.name.endsWith('lora_B.weight')) data.set(rng.normals(data.length, 0.3));
        trained.set(t.name, data.slice());
      }
      be.run(m.forward());
      const unmerged = (m.logits as unknown as { data: Float32Array }).data.slice();
      const merged = mergedWeights(weights, C, adapter as AdapterConfig, trained);
      const be2 = createCpuBackend(C);
      const m2 = buildModel(be2, C, merged, { ...ADAPTER, method: 'full', targets: [] }, { batch, seq });
      for (const key of ['tokens', 'targets', 'positions', 'segments', 'weights'] as const) be2.write(m2.inputs[key], data[key]);
      be2.run(m2.forward());
      const mergedLogits = (m2.logits as unknown as { data: Float32Array }).data;
      let worst = 0;
      for (let i = 0; i < unmerged.length; i++) worst = Math.max(worst, Math.abs(unmerged[i] - mergedLogits[i]));
      expect(worst).toBeLessThan(1e-4);
    }
  });
});
