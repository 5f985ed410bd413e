/**
 * Live checks beside the PEFT family chapter (content/chapters/peft-family.mdx): the parameter
 * counts of kernels/peft-family/ against the definitions written out by hand, He et al.'s view of
 * prefix tuning as a gated parallel branch of attention, and (IA)^3 folding into the weights.
 */
import { presetById, type ModelShape } from '../../../kernels/models/presets';
import { DEFAULT_PEFT_SETTINGS, peftTrainable, prefixProjectionTrainable } from '../../../kernels/peft-family/param-counts';
import { applyLinear, foldIa3 } from '../../../kernels/peft-family/ia3';
import type { Rng } from '../../../kernels/random/rng';
import type { CheckFn } from '../types';
import { formatInteger, formatNumber } from './lora';

const PRESETS = ['1.3b', '7b', '13b', '70b'];
const randomModel = (rng: Rng): ModelShape => presetById(PRESETS[rng.int(PRESETS.length)]);
const kv = (m: ModelShape) => (m.hidden / m.heads) * m.kvHeads;

/** Softmax attention of one query over keys and values (rows), scaled by 1/sqrt(d). */
function attend(q: Float64Array, keys: Float64Array[], values: Float64Array[]): { out: Float64Array; mass: number; max: number } {
  const d = q.length;
  const scores = keys.map((k) => k.reduce((s, kj, j) => s + kj * q[j], 0) / Math.sqrt(d));
  const max = Math.max(...scores);
  const w = scores.map((s) => Math.exp(s - max));
  const mass = w.reduce((a, b) => a + b, 0);
  const out = new Float64Array(values[0].length);
  w.forEach((wi, i) => values[i].forEach((v, j) => (out[j] += (wi * v) / mass)));
  return { out, mass, max };
}

export const checks: Record<string, CheckFn> = {
  /** Prompt tuning trains n x d; prefix tuning 2 L n d_kv (PEFT's GQA-aware width). */
  'prompt-prefix-count': (rng) => {
    const m = randomModel(rng);
    const n = [5, 10, 20, 50, 100][rng.int(5)];
    const s = { ...DEFAULT_PEFT_SETTINGS, virtualTokens: n };
    const prompt = peftTrainable(m, 'prompt', s);
    const prefix = peftTrainable(m, 'prefix', s);
    return {
      label: `${m.label}, n = ${n}: prompt tuning n·d, prefix tuning 2·L·n·d_kv (d = ${m.hidden}, d_kv = ${kv(m)}, L = ${m.layers})`,
      value: `${formatInteger(prompt)} and ${formatInteger(prefix)}`,
      ok: prompt === n * m.hidden && prefix === 2 * m.layers * n * kv(m),
    };
  },

  /** With PEFT's default MLP (hidden = d_kv), training prefix tuning through the projection trains far more than it stores. */
  'prefix-projection': (rng) => {
    const m = randomModel(rng);
    const n = 20;
    const stored = peftTrainable(m, 'prefix', { ...DEFAULT_PEFT_SETTINGS, virtualTokens: n });
    const trained = prefixProjectionTrainable(m, n);
    const d = kv(m);
    const byHand = n * d + d * d + d + d * 2 * m.layers * d + 2 * m.layers * d;
    return {
      label: `${m.label}, 20 virtual tokens: parameters trained through prefix_projection, and stored after training`,
      value: `${formatInteger(trained)} and ${formatInteger(stored)} (${(trained / stored).toFixed(0)}×)`,
      ok: trained === byHand && trained > stored,
    };
  },

  /** Houlsby: two bottleneck adapters per block; a parallel adapter: one. */
  'adapter-count': (rng) => {
    const m = randomModel(rng);
    const b = [8, 16, 64, 256][rng.int(4)];
    const s = { ...DEFAULT_PEFT_SETTINGS, bottleneck: b };
    const houlsby = peftTrainable(m, 'houlsby', s);
    const parallel = peftTrainable(m, 'parallel', s);
    const one = 2 * m.hidden * b + b + m.hidden;
    return {
      label: `${m.label}, bottleneck m = ${b}: one adapter is 2·d·m + m + d = ${formatInteger(one)}; Houlsby (2 per block), parallel (1 per block)`,
      value: `${formatInteger(houlsby)} and ${formatInteger(parallel)}`,
      ok: houlsby === 2 * m.layers * one && parallel === m.layers * one,
    };
  },

  /** (IA)^3 on LLaMA: a vector for the keys, one for the values, one for the MLP's inner activations. */
  'ia3-count': (rng) => {
    const m = randomModel(rng);
    const count = peftTrainable(m, 'ia3', DEFAULT_PEFT_SETTINGS);
    return {
      label: `${m.label}: (IA)³ trains L·(2·d_kv + d_ff) = ${m.layers}·(2·${kv(m)} + ${m.intermediate})`,
      value: `${formatInteger(count)}`,
      ok: count === m.layers * (2 * kv(m) + m.intermediate),
    };
  },

  /** AdaLoRA starts at init_r (in + out + 1) per module: LoRA's A and B plus the r singular values. */
  'adalora-count': (rng) => {
    const m = randomModel(rng);
    const r = [4, 8, 12, 16][rng.int(4)];
    const s = { ...DEFAULT_PEFT_SETTINGS, rank: r, adaloraInitRank: r };
    const ada = peftTrainable(m, 'adalora', s);
    const lora = peftTrainable(m, 'lora', s);
    const modules = m.layers * s.targets.length;
    return {
      label: `${m.label}, q_proj and v_proj, r = ${r}: AdaLoRA at init_r against LoRA; the difference is one singular value per rank per module`,
      value: `${formatInteger(ada)} − ${formatInteger(lora)} = ${formatInteger(ada - lora)} = ${r} × ${modules}`,
      ok: ada - lora === r * modules,
    };
  },

  /**
   * He et al. (2022): attention over [prefix; keys] is a gated mix of attention over the prefix alone
   * and over the keys alone, with gate lambda = the prefix's share of the softmax mass.
   */
  'prefix-as-gate': (rng) => {
    const d = 8;
    const t = 3 + rng.int(6);
    const n = 1 + rng.int(4);
    const vec = () => Float64Array.from({ length: d }, () => rng.normal());
    const q = vec();
    const [K, V, PK, PV] = [t, t, n, n].map((len) => Array.from({ length: len }, vec));
    const both = attend(q, [...PK, ...K], [...PV, ...V]);
    const p = attend(q, PK, PV);
    const x = attend(q, K, V);
    const pMass = p.mass * Math.exp(p.max);
    const xMass = x.mass * Math.exp(x.max);
    const lambda = pMass / (pMass + xMass);
    let worst = 0;
    for (let j = 0; j < d; j++) worst = Math.max(worst, Math.abs(both.out[j] - (lambda * p.out[j] + (1 - lambda) * x.out[j])));
    return {
      label: `one query, ${t} keys, ${n} prefix vectors: |Attn([P; K]) − (λ·Attn(P) + (1 − λ)·Attn(K))|, with λ = ${formatNumber(lambda)}`,
      value: formatNumber(worst),
      ok: worst < 1e-12,
    };
  },

  /** (IA)^3's vectors fold into the weights: l ⊙ (W x) = (diag(l) W) x for k and v, W (l ⊙ h) = (W diag(l)) h for down_proj. */
  'ia3-merge': (rng) => {
    const rows = 3 + rng.int(6);
    const cols = 3 + rng.int(6);
    const W = Float64Array.from({ length: rows * cols }, () => rng.normal());
    const x = Float64Array.from({ length: cols }, () => rng.normal());
    const lOut = Float64Array.from({ length: rows }, () => 1 + 0.3 * rng.normal());
    const lIn = Float64Array.from({ length: cols }, () => 1 + 0.3 * rng.normal());
    const scaledOutputs = applyLinear(W, rows, cols, x).map((y, i) => lOut[i] * y);
    const scaledInputs = applyLinear(
      W,
      rows,
      cols,
      x.map((v, j) => lIn[j] * v),
    );
    const foldedOut = applyLinear(foldIa3(W, rows, cols, lOut, false), rows, cols, x);
    const foldedIn = applyLinear(foldIa3(W, rows, cols, lIn, true), rows, cols, x);
    let worst = 0;
    for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(scaledOutputs[i] - foldedOut[i]), Math.abs(scaledInputs[i] - foldedIn[i]));
    return {
      label: `a ${rows}×${cols} layer: (IA)³ applied to activations, against the same vectors folded into W (rows for k and v, columns for down_proj)`,
      value: `largest difference ${formatNumber(worst)}`,
      ok: worst < 1e-12,
    };
  },
};
