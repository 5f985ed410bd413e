/**
 * Merging a LoRA update into a QLoRA base: three ways a practitioner can do it, measured against
 * the model that was actually trained, y = x (deq(Q(W)) + delta).
 *
 * - into the dequantized base, kept in bfloat16: deq(Q(W)) + delta rounded to bf16 (faithful up to
 *   bf16 rounding).
 * - into the original 16-bit W: W + delta. The adapter learned to serve the task on deq(Q(W)), so
 *   this swaps the base it was trained with for a different one (the quantization error returns).
 * - back into 4 bits, as PEFT's merge on a bitsandbytes Linear4bit does (peft 0.20,
 *   `tuners/lora/bnb.py`: dequantize, add, re-quantize into `Params4bit`, with a warning that
 *   generations may change "due to rounding errors"): Q(deq(Q(W)) + delta).
 *
 * Each error is reported relative to |delta|, the size of what fine-tuning changed.
 */
import type { Rng } from '../random/rng';
import { toBfloat16 } from '../quant/float-formats';
import { dequantizeBlockwise, NF4_LEVELS, quantizeBlockwise } from './nf4';

export interface MergeErrors {
  /** |delta| / |W|: how large the fine-tuning update is. */
  updateToWeight: number;
  /** |merged - trained| / |delta| for each way of merging. */
  intoDequantizedBf16: number;
  intoOriginalWeights: number;
  requantizedNf4: number;
}

export interface MergeCase {
  rows: number;
  cols: number;
  rank: number;
  /** Target |delta| / |W|. */
  updateScale: number;
  blockSize: number;
}

export const DEFAULT_MERGE_CASE: MergeCase = { rows: 128, cols: 128, rank: 8, updateScale: 0.05, blockSize: 64 };

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** A normal weight matrix (std 0.02) and a rank-r update B A scaled to updateScale |W|. */
export function sampleMergeCase(rng: Rng, c: MergeCase = DEFAULT_MERGE_CASE): { w: Float32Array; delta: Float32Array } {
  const w = Float32Array.from({ length: c.rows * c.cols }, () => 0.02 * rng.normal());
  const b = Float64Array.from({ length: c.rows * c.rank }, () => rng.normal());
  const a = Float64Array.from({ length: c.rank * c.cols }, () => rng.normal());
  const raw = new Float64Array(c.rows * c.cols);
  for (let i = 0; i < c.rows; i++)
    for (let k = 0; k < c.rank; k++) {
      const bik = b[i * c.rank + k];
      for (let j = 0; j < c.cols; j++) raw[i * c.cols + j] += bik * a[k * c.cols + j];
    }
  const s = (c.updateScale * norm(w)) / norm(raw);
  return { w, delta: Float32Array.from(raw, (v) => v * s) };
}

export function mergeErrors(w: Float32Array, delta: Float32Array, blockSize = DEFAULT_MERGE_CASE.blockSize): MergeErrors {
  const q = quantizeBlockwise(w, blockSize, NF4_LEVELS);
  const base = dequantizeBlockwise(q.codes, q.absmax, blockSize, NF4_LEVELS);
  const trained = Float32Array.from(base, (v, i) => v + delta[i]);
  const intoBf16 = Float32Array.from(trained, toBfloat16);
  const intoOriginal = Float32Array.from(w, (v, i) => v + delta[i]);
  const q2 = quantizeBlockwise(trained, blockSize, NF4_LEVELS);
  const requantized = dequantizeBlockwise(q2.codes, q2.absmax, blockSize, NF4_LEVELS);
  const d = norm(delta);
  return {
    updateToWeight: d / norm(w),
    intoDequantizedBf16: distance(intoBf16, trained) / d,
    intoOriginalWeights: distance(intoOriginal, trained) / d,
    requantizedNf4: distance(requantized, trained) / d,
  };
}
