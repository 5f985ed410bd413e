import { describe, expect, test } from 'vitest';
import { BITSANDBYTES_NF4 } from '../../../../kernels/nf4/bitsandbytes-tables';
import {
  dequantizeBlockwise,
  FP4_LEVELS,
  INT4_LEVELS,
  levelThresholds,
  meanSquaredError,
  NF4_LEVELS,
  quantizeBlockwise,
  sqnrDb,
} from '../../../../kernels/nf4/nf4';
import { sampleWeights } from '../../../../kernels/nf4/weights';
import { createRng } from '../../../../kernels/random/rng';

describe('hand-checked block', () => {
  // absmax = 2, so the normalised values are [0.25, -0.5, 0.02, 0.01985, 0.15, -0.025, 0.45, 1].
  // Nearest NF4 levels (midpoints between table entries decide): 0.25 -> 0.2461 (code 10, the
  // midpoint to 0.3379 is 0.292); -0.5 -> -0.5251 (code 2, midpoint to -0.3949 is -0.4600);
  // 0.02 and 0.01985 -> 0 (code 7, midpoint to 0.0796 is 0.0398); 0.15 -> 0.1609 (code 9);
  // -0.025 -> 0 (midpoint to -0.0911 is -0.0455); 0.45 -> 0.4407 (code 12, midpoint to
  // 0.5626 is 0.5017); 1 -> 1 (code 15).
  const w = Float32Array.from([0.5, -1.0, 0.04, 0.0397, 0.3, -0.05, 0.9, 2.0]);

  test('NF4 codes and scale', () => {
    const { codes, absmax } = quantizeBlockwise(w, 8, NF4_LEVELS);
    expect(Array.from(absmax)).toEqual([2]);
    expect(Array.from(codes)).toEqual([10, 2, 7, 7, 9, 7, 12, 15]);
  });

  test('NF4 reconstruction is table value times absmax, and the errors follow', () => {
    const { codes, absmax } = quantizeBlockwise(w, 8, NF4_LEVELS);
    const r = dequantizeBlockwise(codes, absmax, 8, NF4_LEVELS);
    const expected = [10, 2, 7, 7, 9, 7, 12, 15].map((c) => 2 * BITSANDBYTES_NF4[c]);
    r.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    // The largest error is at 0.04 (stored as 0): 0.04. Next, -1 stored as -1.0501: 0.0501.
    const errors = Array.from(r, (v, i) => Math.abs(v - w[i]));
    expect(Math.max(...errors)).toBeCloseTo(0.0501461, 6);
    expect(errors[2]).toBeCloseTo(0.04, 6);
  });

  test('INT4 codes: k/7 grid, index = 8 + k for k >= 0 and 7 + k for k <= -0', () => {
    // 7 x normalised = [1.75, -3.5, 0.14, 0.139, 1.05, -0.175, 3.15, 7]; -3.5 is a tie and goes down to -4.
    // Small positive values land on +0 (code 8), small negative ones on -0 (code 7): the sign bit survives.
    const { codes } = quantizeBlockwise(w, 8, INT4_LEVELS);
    expect(Array.from(codes)).toEqual([10, 3, 8, 8, 9, 7, 11, 15]);
  });

  test('FP4 codes: magnitudes {0, 0.0052, 0.1667, 0.25, 0.3333, 0.5, 0.6667, 1}', () => {
    // 0.25 -> 0.25 (code 11); -0.5 -> -0.5 (code 2); 0.02, 0.01985 -> 0.0052 (code 9, midpoint to 0.1667 is 0.0859);
    // 0.15 -> 0.1667 (code 10); -0.025 -> -0.0052 (code 6); 0.45 -> 0.5 (code 13, midpoint to 0.3333 is 0.4167); 1 -> code 15.
    const { codes } = quantizeBlockwise(w, 8, FP4_LEVELS);
    expect(Array.from(codes)).toEqual([11, 2, 9, 9, 10, 6, 13, 15]);
  });
});

describe('blockwise quantization', () => {
  const rng = createRng(7);
  const w = sampleWeights('normal', 64 * 50 + 17, rng); // a short last block too

  test.each([
    ['NF4', NF4_LEVELS],
    ['INT4', INT4_LEVELS],
    ['FP4', FP4_LEVELS],
  ] as const)('%s round trip: quantizing the reconstruction reproduces it exactly', (_name, levels) => {
    const q = quantizeBlockwise(w, 64, levels);
    const r = dequantizeBlockwise(q.codes, q.absmax, 64, levels);
    const q2 = quantizeBlockwise(r, 64, levels);
    expect(Array.from(q2.absmax)).toEqual(Array.from(q.absmax));
    // + 0 maps -0 to 0: INT4 and FP4 have both zeros, and 0 * absmax re-quantizes to -0's code.
    expect(Array.from(dequantizeBlockwise(q2.codes, q2.absmax, 64, levels), (v) => v + 0)).toEqual(Array.from(r, (v) => v + 0));
  });

  test('NF4 round trip returns the same codes (it has a single zero)', () => {
    const q = quantizeBlockwise(w, 64, NF4_LEVELS);
    const q2 = quantizeBlockwise(dequantizeBlockwise(q.codes, q.absmax, 64, NF4_LEVELS), 64, NF4_LEVELS);
    expect(Array.from(q2.codes)).toEqual(Array.from(q.codes));
  });

  test.each([
    ['NF4', NF4_LEVELS],
    ['INT4', INT4_LEVELS],
    ['FP4', FP4_LEVELS],
  ] as const)('%s error never exceeds half the widest gap times absmax', (_name, levels) => {
    const q = quantizeBlockwise(w, 64, levels);
    const r = dequantizeBlockwise(q.codes, q.absmax, 64, levels);
    let widest = 0;
    for (let k = 1; k < levels.length; k++) widest = Math.max(widest, levels[k] - levels[k - 1]);
    for (let i = 0; i < w.length; i++) {
      expect(Math.abs(w[i] - r[i])).toBeLessThanOrEqual((widest / 2) * q.absmax[Math.floor(i / 64)] * (1 + 1e-6));
    }
  });

  test('every block keeps its largest magnitude exactly (codes 0 or 15 hit +-absmax)', () => {
    const q = quantizeBlockwise(w, 64, NF4_LEVELS);
    const r = dequantizeBlockwise(q.codes, q.absmax, 64, NF4_LEVELS);
    for (let b = 0; b < q.absmax.length; b++) {
      const block = r.subarray(b * 64, (b + 1) * 64);
      expect(Math.max(...Array.from(block, Math.abs))).toBe(q.absmax[b]);
    }
  });

  test('an all-zero block stores zeros', () => {
    const q = quantizeBlockwise(new Float32Array(64), 64, NF4_LEVELS);
    expect(q.absmax[0]).toBe(0);
    expect(Array.from(dequantizeBlockwise(q.codes, q.absmax, 64, NF4_LEVELS)).every((v) => v === 0)).toBe(true);
  });

  test('thresholds are the float32 midpoints bitsandbytes hard-codes in its CUDA decision tree', () => {
    const t = levelThresholds(NF4_LEVELS);
    expect(t[7]).toBe(Math.fround(0.03979014977812767));
    expect(t[0]).toBe(Math.fround(-0.8480964004993439));
  });

  test('bad input is refused with a message', () => {
    expect(() => quantizeBlockwise(Float32Array.from([1, NaN]), 64, NF4_LEVELS)).toThrow(/finite/);
    expect(() => quantizeBlockwise(w, 0, NF4_LEVELS)).toThrow(/block size/);
    expect(() => quantizeBlockwise(w, 64, Float32Array.from([1, 0]))).toThrow(/sorted/);
    expect(() => dequantizeBlockwise(new Uint8Array(65), new Float32Array(1), 64, NF4_LEVELS)).toThrow(/scales/);
  });

  test('SQNR and MSE agree: SQNR = 10 log10(mean w^2 / MSE)', () => {
    const q = quantizeBlockwise(w, 64, NF4_LEVELS);
    const r = dequantizeBlockwise(q.codes, q.absmax, 64, NF4_LEVELS);
    const power = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(sqnrDb(w, r)).toBeCloseTo(10 * Math.log10(power / meanSquaredError(w, r)), 9);
  });
});

describe('NF4 against INT4: which grid wins depends on the block', () => {
  const error = (w: Float32Array, levels: Float32Array, block = 64) => {
    const q = quantizeBlockwise(w, block, levels);
    return meanSquaredError(w, dequantizeBlockwise(q.codes, q.absmax, block, levels));
  };
  test('normal weights: NF4 has the lower error', () => {
    const w = sampleWeights('normal', 64 * 4096, createRng(1));
    expect(error(w, NF4_LEVELS)).toBeLessThan(0.85 * error(w, INT4_LEVELS));
  });
  test('weights crowded near +-absmax: INT4 has the lower error', () => {
    const w = sampleWeights('crowded', 64 * 4096, createRng(2));
    expect(error(w, INT4_LEVELS)).toBeLessThan(0.7 * error(w, NF4_LEVELS));
  });
  test('larger blocks cost NF4 accuracy on normal weights (absmax grows with the block)', () => {
    const w = sampleWeights('normal', 256 * 1024, createRng(3));
    expect(error(w, NF4_LEVELS, 32)).toBeLessThan(error(w, NF4_LEVELS, 64));
    expect(error(w, NF4_LEVELS, 64)).toBeLessThan(error(w, NF4_LEVELS, 256));
  });
});
