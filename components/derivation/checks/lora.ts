/**
 * Live checks beside the derivation steps of the LoRA chapter (content/chapters/lora.mdx).
 * Each draws a fresh random problem from the reader's seed and measures one claim with the
 * code in kernels/lora/.
 */
import { createRng, type Rng } from '../../../kernels/random/rng';
import type { CheckFn } from '../types';
import { centralDifferences, firstStepOutputChange, pick, randomAdapterOutput, relativeMaxError } from '../../../kernels/lora/analysis';
import { dropAndRescale, linearMerge, tiesMerge } from '../../../kernels/lora/merge-adapters';
import { loraParamCount } from '../../../kernels/lora/param-count';
import {
  initLoraA,
  initLoraB,
  linearForward,
  loraForward,
  loraGradients,
  mergeLora,
  mseLoss,
  numericRank,
  type LayerDims,
} from '../../../kernels/lora/reference';
import { matmulCpu } from '../../../kernels/linalg/matmul';
import { ATTENTION_MODULES, ALL_LINEAR_MODULES, linearShape, presetById } from '../../../kernels/models/presets';

/** Tolerance for a finite-difference gradient in float32 storage, relative to its largest entry. */
export const FD_TOLERANCE = 5e-3;
/** Tolerance for two float32 computations of the same outputs, relative to their largest entry. */
export const FLOAT32_TOLERANCE = 1e-5;

export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? v.toPrecision(3) : v.toExponential(2);
}

export function formatInteger(v: number): string {
  return v.toLocaleString('en-US');
}

/** A few distinct indices into an array of length n, drawn from rng. */
export function sampleIndices(rng: Rng, n: number, count: number): number[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, n)) picked.add(rng.int(n));
  return [...picked];
}

/** A random LoRA problem: base layer, adapter (B non-zero unless `fresh`), batch and targets. */
export function randomLoraProblem(rng: Rng, options: { fresh?: boolean } = {}) {
  const dims: LayerDims = { outFeatures: 12, inFeatures: 10, rank: 1 + rng.int(4) };
  const batch = 6;
  const { outFeatures: out, inFeatures: inf, rank } = dims;
  const seeded = createRng(rng.int(2 ** 31));
  return {
    dims,
    batch,
    scaling: 0.5 + seeded.next() * 2,
    w0: seeded.normals(out * inf, 1 / Math.sqrt(inf)),
    a: initLoraA(rank, inf, seeded),
    // Mid-training B (non-zero) so that every gradient term is exercised, or B = 0 at step 0.
    b: options.fresh ? initLoraB(out, rank) : seeded.normals(out * rank, 0.5),
    x: seeded.normals(batch * inf),
    target: seeded.normals(batch * out),
  };
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

const LLAMA_7B = presetById('7b');

export const checks: Record<string, CheckFn> = {
  /** rank(BA) <= r: BA factors through r dimensions. */
  'rank-of-ba': (rng) => {
    const d = 48;
    const k = 40;
    const r = 1 + rng.int(8);
    const seeded = createRng(rng.int(2 ** 31));
    const b = seeded.normals(d * r);
    const a = seeded.normals(r * k);
    const ba = matmulCpu(b, a, d, r, k);
    const rank = numericRank(ba, d, k);
    return {
      label: `rank of B A for random B (${d} × ${r}) and A (${r} × ${k})`,
      value: `${rank} (r = ${r}; a full ${d} × ${k} matrix could reach ${Math.min(d, k)})`,
      ok: rank <= r && rank === r,
    };
  },

  /** B = 0: the adapted layer is the base layer, dL/dA = 0, dL/dB != 0. */
  'zero-init': (rng) => {
    const p = randomLoraProblem(rng, { fresh: true });
    const adapted = loraForward(p.w0, p.a, p.b, p.scaling, p.x, p.batch, p.dims).y;
    const base = linearForward(p.w0, p.x, p.batch, p.dims.inFeatures, p.dims.outFeatures);
    const diff = maxAbsDifference(adapted, base);
    const g = loraGradients(p.w0, p.a, p.b, p.scaling, p.x, p.target, p.batch, p.dims);
    const nA = norm(g.dA);
    const nB = norm(g.dB);
    return {
      label: 'step 0 (B = 0): max |adapted − base| output, ‖∂L/∂A‖, ‖∂L/∂B‖',
      value: `${formatNumber(diff)}, ${formatNumber(nA)}, ${formatNumber(nB)}`,
      ok: diff === 0 && nA === 0 && nB > 0,
    };
  },

  /** dL/dB = s G^T (X A^T) against central differences. */
  'grad-b': (rng) => {
    const p = randomLoraProblem(rng);
    const g = loraGradients(p.w0, p.a, p.b, p.scaling, p.x, p.target, p.batch, p.dims);
    const loss = () => mseLoss(loraForward(p.w0, p.a, p.b, p.scaling, p.x, p.batch, p.dims).y, p.target);
    const idx = sampleIndices(rng, p.b.length, 6);
    const err = relativeMaxError(centralDifferences(loss, p.b, idx), pick(g.dB, idx));
    return {
      label: `∂L/∂B by hand vs central differences (${idx.length} entries, r = ${p.dims.rank})`,
      value: `relative error ${formatNumber(err)}`,
      ok: err < FD_TOLERANCE,
    };
  },

  /** dL/dA = s (G B)^T X against central differences. */
  'grad-a': (rng) => {
    const p = randomLoraProblem(rng);
    const g = loraGradients(p.w0, p.a, p.b, p.scaling, p.x, p.target, p.batch, p.dims);
    const loss = () => mseLoss(loraForward(p.w0, p.a, p.b, p.scaling, p.x, p.batch, p.dims).y, p.target);
    const idx = sampleIndices(rng, p.a.length, 6);
    const err = relativeMaxError(centralDifferences(loss, p.a, idx), pick(g.dA, idx));
    return {
      label: `∂L/∂A by hand vs central differences (${idx.length} entries, r = ${p.dims.rank})`,
      value: `relative error ${formatNumber(err)}`,
      ok: err < FD_TOLERANCE,
    };
  },

  /** X (W0 + s B A)^T equals X W0^T + s (X A^T) B^T. */
  merge: (rng) => {
    const p = randomLoraProblem(rng);
    const unmerged = loraForward(p.w0, p.a, p.b, p.scaling, p.x, p.batch, p.dims).y;
    const merged = linearForward(mergeLora(p.w0, p.a, p.b, p.scaling, p.dims), p.x, p.batch, p.dims.inFeatures, p.dims.outFeatures);
    const err = relativeMaxError(merged, unmerged);
    return {
      label: 'merged W0 + s B A vs unmerged adapter: outputs',
      value: `relative difference ${formatNumber(err)} (float32)`,
      ok: err < FLOAT32_TOLERANCE,
    };
  },

  /** r (in + out) per module per layer, for LLaMA-2-7B's shapes. */
  'param-count': () => {
    const r = 16;
    const byHand = (modules: typeof ATTENTION_MODULES) =>
      LLAMA_7B.layers * modules.reduce((s, m) => s + r * (linearShape(LLAMA_7B, m)!.in + linearShape(LLAMA_7B, m)!.out), 0);
    const qkvo = loraParamCount(LLAMA_7B, r, ATTENTION_MODULES);
    const all = loraParamCount(LLAMA_7B, r, ALL_LINEAR_MODULES);
    return {
      label: 'LoRA parameters, LLaMA-2-7B, r = 16: q,k,v,o and all linear layers',
      value: `${formatInteger(qkvo)} and ${formatInteger(all)}`,
      ok: qkvo === 16_777_216 && qkvo === byHand(ATTENTION_MODULES) && all === byHand(ALL_LINEAR_MODULES),
    };
  },

  /** The first SGD step from B = 0 moves the output by ~ s^2 r: constant under alpha/sqrt(r). */
  'rslora-first-step': (rng) => {
    const seed = rng.int(2 ** 31);
    const probe = (rank: number, rule: 'alpha/r' | 'rslora') =>
      firstStepOutputChange({ rank, rule, alpha: 16, inFeatures: 256, outFeatures: 32, trials: 32, seed }, 'sgd');
    const plain = probe(64, 'alpha/r') / probe(4, 'alpha/r');
    const stable = probe(64, 'rslora') / probe(4, 'rslora');
    return {
      label: 'first SGD step: output change at r = 64 ÷ at r = 4',
      value: `α/r: ${formatNumber(plain)} (1/16 = 0.0625), α/√r: ${formatNumber(stable)}`,
      ok: Math.abs(Math.log(plain * 16)) < Math.log(1.5) && Math.abs(Math.log(stable)) < Math.log(1.5),
    };
  },

  /** A random adapter's output grows like s sqrt(r): constant under alpha/sqrt(r). */
  'rslora-forward': (rng) => {
    const seed = rng.int(2 ** 31);
    const probe = (rank: number, rule: 'alpha/r' | 'rslora') =>
      randomAdapterOutput({ rank, rule, alpha: 16, inFeatures: 256, outFeatures: 32, trials: 32, seed });
    const plain = probe(64, 'alpha/r') / probe(4, 'alpha/r');
    const stable = probe(64, 'rslora') / probe(4, 'rslora');
    return {
      label: 'random A, B: adapter output RMS at r = 64 ÷ at r = 4',
      value: `α/r: ${formatNumber(plain)} (1/4 = 0.25), α/√r: ${formatNumber(stable)}`,
      ok: Math.abs(Math.log(plain * 4)) < Math.log(1.5) && Math.abs(Math.log(stable)) < Math.log(1.5),
    };
  },

  /** Under grouped-query attention k_proj and v_proj are narrow, and so are their adapters (LLaMA-2-70B: 8 key/value heads of 64). */
  'gqa-kv': (rng) => {
    const m = presetById('70b');
    const r = [8, 16, 64][rng.int(3)];
    const q = loraParamCount(m, r, ['q']) / m.layers;
    const k = loraParamCount(m, r, ['k']) / m.layers;
    const kv = (m.hidden / m.heads) * m.kvHeads;
    return {
      label: `LLaMA-2-70B, r = ${r}, one layer: LoRA on q_proj (8192 → 8192) and on k_proj (8192 → ${kv})`,
      value: `${formatInteger(q)} and ${formatInteger(k)}`,
      ok: q === r * (8192 + 8192) && k === r * (8192 + kv),
    };
  },

  /** Where two updates disagree in sign, a linear merge cancels them; TIES keeps the elected sign at full size. */
  'merge-ties': (rng) => {
    const n = 400;
    const a = Float64Array.from({ length: n }, () => rng.normal());
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const lin = linearMerge([a, b], [0.5, 0.5]);
    const ties = tiesMerge([a, b], [1, 1], 1);
    let conflicts = 0;
    let sumLinear = 0;
    let sumTies = 0;
    for (let i = 0; i < n; i++) {
      if (Math.sign(a[i]) === Math.sign(b[i])) continue;
      conflicts++;
      sumLinear += Math.abs(lin[i]);
      sumTies += Math.abs(ties[i]);
    }
    return {
      label: `two random updates of ${n} entries; where their signs conflict (${conflicts} entries): mean |merged|, linear average against TIES`,
      value: `${formatNumber(sumLinear / conflicts)} against ${formatNumber(sumTies / conflicts)}`,
      ok: conflicts > 0 && sumTies > 1.5 * sumLinear,
    };
  },

  /** DARE drops entries with probability 1 - p and divides the rest by p: the mean of many drops is the update. */
  'merge-dare': (rng) => {
    const n = 64;
    const p = [0.1, 0.3, 0.5][rng.int(3)];
    const u = Float64Array.from({ length: n }, () => rng.normal());
    const trials = 2000;
    const mean = new Float64Array(n);
    for (let t = 0; t < trials; t++) dropAndRescale(u, p, rng).forEach((v, i) => (mean[i] += v / trials));
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(mean[i] - u[i]) / Math.abs(u[i]));
    const stdErr = Math.sqrt((1 - p) / (p * trials));
    return {
      label: `DARE at density ${p}: largest relative gap between the mean of ${trials} drops and the update (standard error ${formatNumber(stdErr)})`,
      value: formatNumber(worst),
      ok: worst < 5 * stdErr,
    };
  },
};
