/**
 * Why QLoRA computes in bfloat16 rather than float16: the same realistic tensors pushed
 * through both formats with exact rounding (float-formats.ts).
 *
 * - A hidden state with a few very large channels, as LLMs have (Dettmers et al. 2022,
 *   "LLM.int8()"; Sun et al. 2024, "Massive Activations in Large Language Models"). Squaring it in
 *   float16 overflows (x^2 > 65504 once |x| > 255.9), which is why transformers' RMSNorm upcasts
 *   to float32 before the mean of squares (LlamaRMSNorm); computed that way it stays finite.
 *   Matmuls accumulate in float32 too. What does overflow is a value above 65504 written back
 *   to float16 storage: an output or an activation, not an intermediate sum.
 * - Gradients spread over many orders of magnitude (Micikevicius et al. 2018, "Mixed Precision
 *   Training", who added loss scaling for exactly this): in float16 those below 2^-25 become 0.
 */
import type { Rng } from '../random/rng';
import { BFLOAT16, FLOAT16, type FloatFormat, roundToFormat } from './float-formats';

export interface ActivationSpec {
  hidden: number;
  /** How many channels carry a large activation. */
  outliers: number;
  /** Magnitude of those channels. */
  outlierMagnitude: number;
}

export const REALISTIC_ACTIVATIONS: ActivationSpec = { hidden: 4096, outliers: 4, outlierMagnitude: 1500 };

/** A hidden-state vector: N(0, 1) everywhere, +-outlierMagnitude (times U(0.5, 1)) on a few channels. */
export function sampleActivations(rng: Rng, spec: ActivationSpec = REALISTIC_ACTIVATIONS): Float64Array {
  const x = Float64Array.from({ length: spec.hidden }, () => rng.normal());
  for (let k = 0; k < spec.outliers; k++) {
    const sign = rng.next() < 0.5 ? -1 : 1;
    x[rng.int(spec.hidden)] = sign * spec.outlierMagnitude * (0.5 + 0.5 * rng.next());
  }
  return x;
}

/** Gradient-like values: sign * 10^N(mu, sigma) (log-normal magnitudes). */
export function sampleGradients(rng: Rng, count = 10000, log10Mean = -6, log10Std = 1.5): Float64Array {
  return Float64Array.from({ length: count }, () => (rng.next() < 0.5 ? -1 : 1) * 10 ** (log10Mean + log10Std * rng.normal()));
}

/** Mean of squares with every product and partial sum rounded to the format (what a kernel in that dtype does). */
export function meanSquareIn(x: Float64Array, f: FloatFormat): number {
  let acc = 0;
  for (const v of x) {
    const r = roundToFormat(v, f);
    acc = roundToFormat(acc + roundToFormat(r * r, f), f);
  }
  return roundToFormat(acc / x.length, f);
}

/**
 * RMSNorm as transformers' LlamaRMSNorm computes it for a float16 input: upcast to float32, mean of
 * squares and rsqrt in float32, result written back in float16 (gain 1). Returns the largest |y|.
 */
export function rmsNormUpcastMax(x: Float64Array, storage: FloatFormat): number {
  const stored = Float32Array.from(x, (v) => roundToFormat(v, storage));
  let sum = 0;
  for (const v of stored) sum = Math.fround(sum + Math.fround(v * v));
  const inv = Math.fround(1 / Math.sqrt(Math.fround(sum / x.length) + 1e-6));
  let worst = 0;
  for (const v of stored) worst = Math.max(worst, Math.abs(roundToFormat(Math.fround(v * inv), storage)));
  return worst;
}

/** An output accumulated in float32 that exceeds float16's range, as it reads back from each storage format. */
export const LARGE_OUTPUT = 70000;

/** Fraction of non-zero values that round to zero in the format. */
export function underflowFraction(x: Float64Array, f: FloatFormat): number {
  let zero = 0;
  for (const v of x) if (v !== 0 && roundToFormat(v, f) === 0) zero++;
  return zero / x.length;
}

/** Largest relative rounding error over the values (precision: 2^-11 for float16, 2^-8 for bfloat16). */
export function maxRelativeError(x: Float64Array, f: FloatFormat): number {
  let worst = 0;
  for (const v of x) {
    const r = roundToFormat(v, f);
    if (v !== 0 && r !== 0 && Number.isFinite(r)) worst = Math.max(worst, Math.abs(r - v) / Math.abs(v));
  }
  return worst;
}

export interface DtypeComparison {
  /** Mean of squares of the activations in float64 (the truth). */
  meanSquareExact: number;
  meanSquareFloat16: number;
  meanSquareBfloat16: number;
  /** Largest |RMSNorm(x)| with float16 storage and float32 inside, as transformers computes it. */
  rmsNormFloat16Upcast: number;
  /** LARGE_OUTPUT written back to float16 and to bfloat16. */
  largeOutputFloat16: number;
  largeOutputBfloat16: number;
  gradientsUnderflowFloat16: number;
  gradientsUnderflowBfloat16: number;
  relErrorFloat16: number;
  relErrorBfloat16: number;
}

export function compareComputeDtypes(rng: Rng): DtypeComparison {
  const x = sampleActivations(rng);
  const g = sampleGradients(rng);
  let exact = 0;
  for (const v of x) exact += v * v;
  return {
    meanSquareExact: exact / x.length,
    meanSquareFloat16: meanSquareIn(x, FLOAT16),
    meanSquareBfloat16: meanSquareIn(x, BFLOAT16),
    rmsNormFloat16Upcast: rmsNormUpcastMax(x, FLOAT16),
    largeOutputFloat16: roundToFormat(LARGE_OUTPUT, FLOAT16),
    largeOutputBfloat16: roundToFormat(LARGE_OUTPUT, BFLOAT16),
    gradientsUnderflowFloat16: underflowFraction(g, FLOAT16),
    gradientsUnderflowBfloat16: underflowFraction(g, BFLOAT16),
    relErrorFloat16: maxRelativeError(x, FLOAT16),
    relErrorBfloat16: maxRelativeError(x, BFLOAT16),
  };
}
