/**
 * Every WGSL op of the language-model engine against its CPU twin, in real WebGPU (SwiftShader in
 * CI), through the two backends on identical inputs. Shapes are deliberately not multiples of the
 * workgroup sizes. Then whole training steps of a small random model, GPU against CPU, for each
 * fine-tuning method.
 */
import { describe, expect, it } from 'vitest';
import { LINEAR_MODULES } from '../../../kernels/lm/config';
import type { Backend, Buf, Op } from '../../../kernels/lm/engine/backend';
import { createCpuBackend } from '../../../kernels/lm/engine/cpu-backend';
import { createGpuBackend } from '../../../kernels/lm/engine/gpu-backend';
import { ROW, SOFTWARE_ROW } from '../../../kernels/lm/ops/wgsl';
import { buildModel, optimizerOps, type AdapterConfig } from '../../../kernels/lm/engine/program';
import { createRng } from '../../../kernels/random/rng';
import { SMALL_CONFIG, randomWeights } from '../../../kernels/lm/random-model';
import { maxRelDiff, testGpu } from '../gpu-setup';

const rng = createRng(20261130);
const CONFIG = SMALL_CONFIG;

/**
 * Runs `build` on both backends with the same inputs; returns the named outputs of each. `row`: the
 * GPU backend's threads per row, by the adapter when absent.
 */
async function both(
  build: (be: Backend, input: (values: Float32Array | Int32Array) => Buf) => { ops: Op[]; outputs: Record<string, Buf> },
  row?: number,
) {
  const gpu = await testGpu();
  const results: Record<string, Float32Array>[] = [];
  for (const be of [createCpuBackend(CONFIG), createGpuBackend(gpu, CONFIG, row)]) {
    const input = (values: Float32Array | Int32Array) =>
      values instanceof Int32Array ? be.i32(values.length, values) : be.f32(values.length, values);
    const { ops, outputs } = build(be, input);
    be.run(ops);
    const out: Record<string, Float32Array> = {};
    for (const [name, buf] of Object.entries(outputs)) out[name] = await be.read(buf);
    results.push(out);
    be.destroy();
  }
  return { cpu: results[0], gpu: results[1] };
}

function expectClose(cpu: Record<string, Float32Array>, gpu: Record<string, Float32Array>, tolerance = 1e-5) {
  for (const name of Object.keys(cpu)) expect(maxRelDiff(gpu[name], cpu[name]), name).toBeLessThan(tolerance);
}

const ints = (n: number, max: number) => Int32Array.from({ length: n }, () => rng.int(max));
/** The per-row kernels' workgroup sizes: a GPU's, and a CPU-emulated adapter's (CI runs SwiftShader, which would pick only the second). */
const ROW_SIZES = [ROW, SOFTWARE_ROW];

describe('language-model ops on WebGPU against the CPU reference', () => {
  it('embedding lookup and its gradient (scatter-add by token)', async () => {
    const [rows, d, vocab] = [37, 24, 41];
    const tokens = ints(rows, vocab);
    const table = rng.normals(vocab * d);
    const dOut = rng.normals(rows * d);
    const r = await both((be, inp) => {
      const out = be.f32(rows * d);
      const dTable = be.f32(vocab * d, rng.normals(vocab * d, 0).fill(0.5));
      const tok = inp(tokens);
      return { ops: [be.embed(out, inp(table), tok, rows, d), be.embedBackward(dTable, inp(dOut), tok, rows, d, vocab)], outputs: { out, dTable } };
    });
    expectClose(r.cpu, r.gpu);
  });

  it('RMSNorm forward and backward (dx accumulated, dw accumulated, dw absent)', async () => {
    const [rows, d] = [19, 70];
    const x = rng.normals(rows * d, 2);
    const w = rng.normals(d).map((v) => 1 + 0.2 * v);
    const dOut = rng.normals(rows * d);
    const start = rng.normals(rows * d);
    for (const row of ROW_SIZES) {
      const r = await both((be, inp) => {
        const out = be.f32(rows * d);
        const rstd = be.f32(rows);
        const dx = inp(start);
        const dx2 = inp(start);
        const dw = be.f32(d);
        const [xb, wb, db] = [inp(x), inp(w), inp(dOut)];
        return {
          ops: [
            be.rmsnorm(out, rstd, xb, wb, rows, d, 1e-5),
            be.rmsnormBackward(dx, dw, db, xb, wb, rstd, rows, d),
            be.rmsnormBackward(dx2, null, db, xb, wb, rstd, rows, d),
          ],
          outputs: { out, rstd, dx, dw, dx2 },
        };
      }, row);
      expectClose(r.cpu, r.gpu);
    }
  });

  it('rotary embeddings, and the inverse rotation restores the input', async () => {
    const [rows, heads, hd] = [13, 3, 10];
    const x = rng.normals(rows * heads * hd);
    const positions = ints(rows, 64);
    const r = await both((be, inp) => {
      const a = inp(x);
      const b = inp(x);
      const pos = inp(positions);
      return {
        ops: [be.rope(a, pos, rows, heads, hd, false), be.rope(b, pos, rows, heads, hd, false), be.rope(b, pos, rows, heads, hd, true)],
        outputs: { a, b },
      };
    });
    expectClose(r.cpu, r.gpu);
    expect(maxRelDiff(r.gpu.b, x)).toBeLessThan(1e-5);
  });

  it('causal attention within segments, forward and backward', async () => {
    const [batch, seq, heads, hd] = [2, 29, 2, 12];
    const n = batch * seq * heads * hd;
    const [q, k, v, dOut] = [rng.normals(n), rng.normals(n), rng.normals(n), rng.normals(n)];
    // Row 0: two packed sequences and padding; row 1: one sequence.
    const segments = Int32Array.from({ length: batch * seq }, (_, i) => (i < seq ? (i < 11 ? 0 : i < 25 ? 1 : -1) : 0));
    for (const row of ROW_SIZES) {
      const r = await both((be, inp) => {
        const out = be.f32(n);
        const probs = be.f32(batch * heads * seq * seq);
        const [dq, dk, dv] = [be.f32(n), be.f32(n), be.f32(n)];
        const [qb, kb, vb] = [inp(q), inp(k), inp(v)];
        return {
          ops: [
            be.attention(out, probs, qb, kb, vb, inp(segments), batch, seq, heads, hd),
            be.attentionBackward(dq, dk, dv, inp(dOut), probs, qb, kb, vb, batch, seq, heads, hd),
          ],
          outputs: { out, probs, dq, dk, dv },
        };
      }, row);
      expectClose(r.cpu, r.gpu, 2e-5);
    }
  });

  it('SwiGLU forward and backward', async () => {
    const n = 1000 + rng.int(500);
    const [gate, up, dOut] = [rng.normals(n, 3), rng.normals(n), rng.normals(n)];
    const r = await both((be, inp) => {
      const [out, dGate, dUp] = [be.f32(n), be.f32(n), be.f32(n)];
      const [gb, ub] = [inp(gate), inp(up)];
      return { ops: [be.swiglu(out, gb, ub, n), be.swigluBackward(dGate, dUp, inp(dOut), gb, ub, n)], outputs: { out, dGate, dUp } };
    });
    expectClose(r.cpu, r.gpu);
  });

  it('weighted cross-entropy with and without the gradient; zero-weight rows get no gradient', async () => {
    const [rows, vocab] = [23, 101];
    const logits = rng.normals(rows * vocab, 3);
    const targets = ints(rows, vocab);
    const weights = Float32Array.from({ length: rows }, (_, i) => (i % 4 === 0 ? 0 : 1 / 17));
    for (const row of ROW_SIZES) {
      const r = await both((be, inp) => {
        const [dLogits, loss, loss2] = [be.f32(rows * vocab), be.f32(rows), be.f32(rows)];
        const [lb, tb, wb] = [inp(logits), inp(targets), inp(weights)];
        return {
          ops: [be.crossEntropy(dLogits, loss, lb, tb, wb, rows, vocab), be.crossEntropy(null, loss2, lb, tb, wb, rows, vocab)],
          outputs: { dLogits, loss, loss2 },
        };
      }, row);
      expectClose(r.cpu, r.gpu);
      expect(Array.from(r.gpu.dLogits.subarray(0, vocab)).every((g) => g === 0)).toBe(true);
    }
  });

  it('gradient clipping scale over several buffers, and AdamW with it and a linear decay', async () => {
    const sizes = [300, 7, 1200];
    const grads = sizes.map((n) => rng.normals(n, 0.3));
    const params = sizes.map((n) => rng.normals(n));
    const r = await both((be, inp) => {
      const scale = be.f32(1, new Float32Array([1]));
      const gb = grads.map((x) => inp(x));
      const pb = params.map((x) => inp(x));
      const options = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decaySteps: 5 };
      const ops = [be.clipScale(scale, gb, 1), ...pb.map((p, i) => be.adam(p, gb[i], scale, options))];
      return { ops: [...ops, ...ops, ...ops], outputs: { scale, p0: pb[0], p1: pb[1], p2: pb[2] } };
    });
    expect(r.cpu.scale[0]).toBeLessThan(1);
    expectClose(r.cpu, r.gpu, 2e-5);
  });

  it('loadRows takes the step counter’s slice (wrapping), recordLoss stores it and advances', async () => {
    const per = 10;
    const src = Int32Array.from({ length: 35 }, (_, i) => 100 + i);
    const fsrc = Float32Array.from({ length: 35 }, (_, i) => i / 7);
    const r = await both((be, inp) => {
      const counter = be.i32(1, new Int32Array([3]));
      const dst = be.i32(per);
      const fdst = be.f32(per);
      const history = be.f32(6);
      return {
        ops: [
          be.loadRows(
            [
              [dst, inp(src)],
              [fdst, inp(fsrc)],
            ],
            per,
            counter,
          ),
          be.recordLoss(history, fdst, per, counter, false),
          be.recordLoss(history, fdst, 3, counter),
        ],
        outputs: { fdst, history, counter },
      };
    });
    // Step 3 starts at 30 of 35: 30..34 then 0..4.
    expect(Array.from(r.gpu.fdst)).toEqual(Array.from(r.cpu.fdst));
    expect(r.cpu.fdst[0]).toBeCloseTo(30 / 7, 6);
    expect(r.cpu.fdst[5]).toBe(0);
    expectClose(r.cpu, r.gpu);
  });
});

describe('whole training steps of a small random model, GPU against CPU', () => {
  const weights = randomWeights(CONFIG, rng);
  const [batch, seq] = [2, 17];
  const rows = batch * seq;
  const tokens = ints(rows, CONFIG.vocab_size);
  const targets = ints(rows, CONFIG.vocab_size);
  const positions = Int32Array.from({ length: rows }, (_, i) => (i % seq < 9 ? i % seq : (i % seq) - 9));
  const segments = Int32Array.from({ length: rows }, (_, i) => Math.floor(i / seq) * 2 + (i % seq < 9 ? 0 : 1));
  const lossWeights = Float32Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? 0 : 1 / (rows - Math.ceil(rows / 5))));
  const cases: [string, Partial<AdapterConfig>][] = [
    ['full fine-tuning', { method: 'full' }],
    ['LoRA on every linear layer, rsLoRA, LoRA+', { method: 'lora', scaling: 'rslora', loraPlusRatio: 4 }],
    ['DoRA on q, v and down', { method: 'dora', targets: ['q_proj', 'v_proj', 'down_proj'] }],
    ['QLoRA: LoRA on an NF4 base', { method: 'lora', base: 'nf4' }],
  ];
  for (const [name, override] of cases) {
    it(`${name}: three steps, the same losses and parameters`, async () => {
      const adapter: AdapterConfig = {
        method: 'lora',
        base: 'fp32',
        rank: 3,
        alpha: 6,
        scaling: 'alpha/r',
        targets: LINEAR_MODULES,
        loraPlusRatio: 1,
        seed: 3,
        ...override,
      };
      const r = await both((be) => {
        const m = buildModel(be, CONFIG, weights, adapter, { batch, seq });
        be.write(m.inputs.tokens, tokens);
        be.write(m.inputs.targets, targets);
        be.write(m.inputs.positions, positions);
        be.write(m.inputs.segments, segments);
        be.write(m.inputs.weights, lossWeights);
        const rowLoss = be.f32(rows);
        const history = be.f32(3);
        const counter = be.i32(1);
        const step = [
          ...m.forward(),
          ...m.loss(m.inputs.weights, rowLoss, true),
          ...m.backward(),
          ...optimizerOps(be, m.trainables, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decaySteps: 0, maxGradNorm: 1 }),
          be.recordLoss(history, rowLoss, rows, counter),
        ];
        const outputs: Record<string, Buf> = { history };
        for (const t of m.trainables.slice(0, 12)) outputs[t.name] = t.param;
        return { ops: [...step, ...step, ...step], outputs };
      });
      expect(r.cpu.history[2]).toBeLessThan(r.cpu.history[0]);
      expectClose(r.cpu, r.gpu, 1e-4);
    });
  }
});
