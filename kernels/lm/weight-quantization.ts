/**
 * The three 4-bit grids on a trained model's own weights: for each kind of linear layer of the
 * tiny LLaMA, all its layers' weights quantized blockwise (64 per block, as QLoRA does) to NF4,
 * INT4 and FP4, with the SQNR of each and how normal the absmax-normalised blocks are (excess
 * kurtosis: 0 for a normal distribution, below 0 for flatter, above 0 for heavier tails). Normal
 * weights of the same count are the reference.
 */
import { FOUR_BIT_TYPES, type FourBitType } from '../nf4/levels';
import { dequantizeBlockwise, quantizeBlockwise, sqnrDb } from '../nf4/nf4';
import type { Rng } from '../random/rng';
import { LINEAR_MODULES, type LinearModule } from './config';
import type { ModelWeights } from './weights';

export const WEIGHT_BLOCK = 64;
const GRIDS: readonly FourBitType[] = ['nf4', 'int4', 'fp4'];

export interface GridQuality {
  /** What was quantized: a module kind of the model, or normal samples. */
  source: LinearModule | 'normal';
  values: number;
  /** Excess kurtosis of the weights, pooled over blocks after dividing each by its standard deviation. */
  excessKurtosis: number;
  sqnrDb: Record<FourBitType, number>;
}

function excessKurtosis(w: Float32Array, block: number): number {
  let m4 = 0;
  let count = 0;
  for (let start = 0; start < w.length; start += block) {
    const end = Math.min(w.length, start + block);
    let mean = 0;
    for (let i = start; i < end; i++) mean += w[i];
    mean /= end - start;
    let v = 0;
    for (let i = start; i < end; i++) v += (w[i] - mean) ** 2;
    v /= end - start;
    if (v === 0) continue;
    for (let i = start; i < end; i++) m4 += (w[i] - mean) ** 4 / (v * v);
    count += end - start;
  }
  return m4 / count - 3;
}

export function gridQuality(source: GridQuality['source'], w: Float32Array): GridQuality {
  const sqnr = {} as Record<FourBitType, number>;
  for (const g of GRIDS) {
    const levels = FOUR_BIT_TYPES[g].levels;
    const q = quantizeBlockwise(w, WEIGHT_BLOCK, levels);
    sqnr[g] = sqnrDb(w, dequantizeBlockwise(q.codes, q.absmax, WEIGHT_BLOCK, levels));
  }
  return { source, values: w.length, excessKurtosis: excessKurtosis(w, WEIGHT_BLOCK), sqnrDb: sqnr };
}

/** Every linear module kind of the model (its layers concatenated), then normal samples of the same size as the largest. */
export function modelGridQuality(weights: ModelWeights, rng: Rng): GridQuality[] {
  const rows = LINEAR_MODULES.map((m) => {
    const parts = weights.layers.map((l) => l.linear[m]);
    const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) all.set(p, (o += p.length) - p.length);
    return gridQuality(m, all);
  });
  const n = Math.max(...rows.map((r) => r.values));
  rows.push(
    gridQuality(
      'normal',
      Float32Array.from({ length: n }, () => rng.normal()),
    ),
  );
  return rows;
}
