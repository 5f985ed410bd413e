import { describe, expect, test } from 'vitest';
import { compareComputeDtypes } from '../../../../kernels/quant/compute-dtype';
import { BFLOAT16, FLOAT16, maxFinite, minSubnormal, toBfloat16, toFloat16 } from '../../../../kernels/quant/float-formats';
import { createRng } from '../../../../kernels/random/rng';

/** bfloat16 rounding of a float32 the way PyTorch does it: round-to-nearest-even on the top 16 bits. */
function bf16ViaBits(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  const lsb = (u[0] >>> 16) & 1;
  u[0] = ((u[0] + 0x7fff + lsb) >>> 16) << 16;
  return f[0];
}

describe('float16 and bfloat16 rounding', () => {
  test('float16 agrees with Math.f16round (ECMAScript 2025) on 100k values across the range', () => {
    const rng = createRng(5);
    for (let i = 0; i < 100000; i++) {
      const x = (rng.next() < 0.5 ? -1 : 1) * 2 ** (-30 + 50 * rng.next());
      expect(toFloat16(x)).toBe(Math.f16round(x));
    }
  });
  test('bfloat16 agrees with the bit-rounding PyTorch uses, on float32 inputs', () => {
    const rng = createRng(6);
    for (let i = 0; i < 100000; i++) {
      const x = Math.fround((rng.next() < 0.5 ? -1 : 1) * 2 ** (-140 + 270 * rng.next()));
      expect(toBfloat16(x)).toBe(bf16ViaBits(x));
    }
  });
  test('float16 limits: 65504 largest, 65520 overflows, 2^-24 smallest, 2^-25 rounds to 0 (tie to even)', () => {
    expect(maxFinite(FLOAT16)).toBe(65504);
    expect(toFloat16(65519)).toBe(65504);
    expect(toFloat16(65520)).toBe(Infinity);
    expect(minSubnormal(FLOAT16)).toBe(2 ** -24);
    expect(toFloat16(2 ** -24)).toBe(2 ** -24);
    expect(toFloat16(2 ** -25)).toBe(0);
    expect(toFloat16(1.5 * 2 ** -25)).toBe(2 ** -24);
  });
  test('bfloat16 keeps float32 range: 1e38 is finite, 1e-38 is not zero; 1 + 2^-8 rounds to 1', () => {
    expect(Number.isFinite(toBfloat16(1e38))).toBe(true);
    expect(toBfloat16(1e-38)).not.toBe(0);
    expect(maxFinite(BFLOAT16)).toBeCloseTo(3.3895e38, -34);
    expect(toBfloat16(1 + 2 ** -8)).toBe(1);
  });
});

describe('compute dtype on realistic tensors', () => {
  const r = compareComputeDtypes(createRng(1));
  test('squaring a hidden state with large channels overflows float16, not bfloat16', () => {
    expect(r.meanSquareFloat16).toBe(Infinity);
    expect(Number.isFinite(r.meanSquareBfloat16)).toBe(true);
    expect(Math.abs(r.meanSquareBfloat16 - r.meanSquareExact) / r.meanSquareExact).toBeLessThan(0.05);
  });
  test('RMSNorm with a float32 upcast (as transformers computes it) stays finite in float16 storage', () => {
    // The largest channel divided by the RMS: at most sqrt(4096) = 64 when one channel holds all the energy.
    expect(r.rmsNormFloat16Upcast).toBeGreaterThan(10);
    expect(r.rmsNormFloat16Upcast).toBeLessThanOrEqual(64);
  });
  test('a value above 65504 stored in float16 is infinite; bfloat16 keeps it to 3 significant digits', () => {
    expect(r.largeOutputFloat16).toBe(Infinity);
    expect(r.largeOutputBfloat16).toBe(70144); // 137 * 2^9: bfloat16 spacing is 512 in [2^16, 2^17)
  });
  test('float16 flushes a visible share of small gradients to zero; bfloat16 none', () => {
    expect(r.gradientsUnderflowFloat16).toBeGreaterThan(0.01);
    expect(r.gradientsUnderflowBfloat16).toBe(0);
  });
  test('bfloat16 pays in precision: its relative rounding error is 8x larger', () => {
    expect(r.relErrorFloat16).toBeLessThanOrEqual(2 ** -11);
    expect(r.relErrorBfloat16).toBeLessThanOrEqual(2 ** -8);
    expect(r.relErrorBfloat16).toBeGreaterThan(4 * r.relErrorFloat16);
  });
});
