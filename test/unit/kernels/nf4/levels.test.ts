import { describe, expect, test } from 'vitest';
import { BITSANDBYTES_FP4_RAW, BITSANDBYTES_NF4 } from '../../../../kernels/nf4/bitsandbytes-tables';
import {
  createNormalMap,
  DYNAMIC8_LEVELS,
  FP4_LEVELS,
  INT4_LEVELS,
  linspaceFloat32,
  NF4_LEVELS,
  symmetricNormalLevels,
} from '../../../../kernels/nf4/levels';
import { normalCdf, normalQuantile } from '../../../../kernels/nf4/normal';

describe('normal distribution', () => {
  // Reference values from scipy 1.17.1 (scipy.stats.norm.ppf / norm.cdf).
  const ppf: [number, number][] = [
    [1e-10, -6.361340902404056],
    [0.001, -3.090232306167813],
    [0.025, -1.9599639845400545],
    [0.3, -0.5244005127080409],
    [0.5, 0],
    [0.6, 0.2533471031357997],
    [0.9, 1.2815515655446004],
    [0.9677083, 1.8481309597573734],
    [0.999999, 4.753424308817087],
  ];
  test.each(ppf)('Phi^-1(%s) matches scipy to 1e-14', (p, q) => {
    expect(Math.abs(normalQuantile(p) - q)).toBeLessThan(1e-14 * Math.max(1, Math.abs(q)));
  });
  const cdf: [number, number][] = [
    [-8, 6.22096057427174e-16],
    [-3, 0.0013498980316300933],
    [-1, 0.15865525393145707],
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [5, 0.9999997133484281],
  ];
  test.each(cdf)('Phi(%s) matches scipy to 1e-14', (x, p) => {
    expect(Math.abs(normalCdf(x) - p)).toBeLessThan(1e-14);
  });
  test('Phi(Phi^-1(p)) = p across (0, 1)', () => {
    for (let p = 0.0005; p < 1; p += 0.0137) expect(Math.abs(normalCdf(normalQuantile(p)) - p)).toBeLessThan(1e-13);
  });
  test('out-of-range probabilities give NaN or infinities, not numbers', () => {
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });
});

describe('NF4 code book', () => {
  test('equals bitsandbytes get_4bit_type("nf4") to 1e-7 (in fact bit for bit)', () => {
    expect(NF4_LEVELS.length).toBe(16);
    NF4_LEVELS.forEach((v, i) => expect(Math.abs(v - BITSANDBYTES_NF4[i])).toBeLessThan(1e-7));
    expect(Array.from(NF4_LEVELS)).toEqual([...BITSANDBYTES_NF4]);
  });
  test('is asymmetric: 8 positive levels, 7 negative, one exact zero, ends at -1 and 1', () => {
    expect(NF4_LEVELS.filter((v) => v > 0).length).toBe(8);
    expect(NF4_LEVELS.filter((v) => v < 0).length).toBe(7);
    expect(NF4_LEVELS.filter((v) => v === 0).length).toBe(1);
    expect(NF4_LEVELS[0]).toBe(-1);
    expect(NF4_LEVELS[15]).toBe(1);
  });
  test('float32 linspace matters: exact decimals instead move some levels by more than 1e-7', () => {
    const exactP = (n: number) => Array.from({ length: n }, (_, i) => 0.9677083 + ((0.5 - 0.9677083) * i) / (n - 1));
    const f32 = linspaceFloat32(0.9677083, 0.5, 9);
    expect(f32.some((p, i) => p !== exactP(9)[i])).toBe(true);
  });
  test('use_extra_value=false gives a symmetric book with a doubled zero', () => {
    const sym = createNormalMap(0.9677083, false);
    expect(sym.filter((v) => v === 0).length).toBe(2);
    for (let i = 0; i < 16; i++) expect(sym[i]).toBeCloseTo(-sym[15 - i], 7);
  });
  test('the symmetric Phi^-1((2i+1)/32) book has no zero and differs from NF4', () => {
    const s = symmetricNormalLevels();
    expect(s.some((v) => v === 0)).toBe(false);
    expect(Math.min(...Array.from(s, Math.abs))).toBeGreaterThan(0.03);
    for (let i = 0; i < 16; i++) expect(s[i]).toBeCloseTo(-s[15 - i], 6);
    expect(Math.max(...Array.from(s, (v, i) => Math.abs(v - NF4_LEVELS[i])))).toBeGreaterThan(0.02);
  });
});

describe('FP4, INT4 and the 8-bit dynamic code', () => {
  test('FP4 is bitsandbytes {0, 0.0625, 2, 3, 4, 6, 8, 12}/12 with both signs', () => {
    const expected = [...BITSANDBYTES_FP4_RAW].map((v) => Math.fround(v / 12) + 0).sort((a, b) => a - b);
    expect(Array.from(FP4_LEVELS, (v) => v + 0)).toEqual(expected); // + 0 turns -0 into 0
    expect(new Set(Array.from(FP4_LEVELS, Math.abs)).size).toBe(8);
  });
  test('INT4 is the uniform grid k/7, k = -7..7', () => {
    const distinct = [...new Set(Array.from(INT4_LEVELS))];
    expect(distinct.length).toBe(15);
    distinct.forEach((v, i) => expect(v).toBeCloseTo((i - 7) / 7, 7));
  });
  test('the dynamic 8-bit code has 256 sorted values from -1 to 1 including 0', () => {
    expect(DYNAMIC8_LEVELS.length).toBe(256);
    expect(DYNAMIC8_LEVELS[0]).toBe(-Math.fround(0.99296875)); // midpoint of 0.9859375 and 1, the last two points of linspace(0.1, 1, 65)
    expect(DYNAMIC8_LEVELS[255]).toBe(1);
    expect(DYNAMIC8_LEVELS.includes(0)).toBe(true);
    for (let i = 1; i < 256; i++) expect(DYNAMIC8_LEVELS[i]).toBeGreaterThan(DYNAMIC8_LEVELS[i - 1]);
    // Smallest magnitude: 1e-6 * (0.1 + 1) / 2.
    expect(Math.min(...Array.from(DYNAMIC8_LEVELS).filter((v) => v > 0))).toBeCloseTo(5.5e-7, 12);
  });
});
