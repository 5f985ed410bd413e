import { describe, expect, it } from 'vitest';
import { dareLinearMerge, linearMerge, tiesMerge, trimByMagnitude, dropAndRescale } from '../../../../kernels/lora/merge-adapters';
import { createRng } from '../../../../kernels/random/rng';

const f = (...v: number[]) => Float64Array.from(v);

describe('merging updates as PEFT’s add_weighted_adapter does', () => {
  it('linear: the weighted sum', () => {
    expect([...linearMerge([f(1, -2, 0), f(3, 2, 1)], [0.5, 0.5])]).toEqual([2, 0, 0.5]);
  });

  it('trim keeps int(density * n) entries of largest magnitude', () => {
    expect([...trimByMagnitude(f(0.1, -3, 2, -0.5), 0.5)]).toEqual([0, -3, 2, 0]);
    expect([...trimByMagnitude(f(0.1, -3, 2, -0.5), 0.3)]).toEqual([0, -3, 0, 0]); // int(0.3 * 4) = 1
  });

  it('TIES, worked by hand: trim, elect the sign of the sum, average the agreeing weighted values', () => {
    // a = (4, -1, 2, 0.1), b = (-3, -2, 2, 0.2); density 0.75 keeps 3 of 4 in each:
    // a' = (4, -1, 2, 0), b' = (-3, -2, 2, 0); sums (1, -3, 4, 0) -> signs (+, -, +, +)
    // entry 0: only a agrees -> 4; entry 1: both -> (-1 - 2) / 2; entry 2: both -> 2; entry 3: none -> 0
    expect([...tiesMerge([f(4, -1, 2, 0.1), f(-3, -2, 2, 0.2)], [1, 1], 0.75)]).toEqual([4, -1.5, 2, 0]);
  });

  it('where updates conflict, linear merging cancels them and TIES keeps the elected one', () => {
    const a = f(1, 1, 1, 1);
    const b = f(-0.9, 1, -0.9, 1);
    const lin = linearMerge([a, b], [1, 1]);
    const ties = tiesMerge([a, b], [1, 1], 1);
    expect(lin[0]).toBeCloseTo(0.1, 12);
    expect(ties[0]).toBe(1);
    expect(ties[1]).toBe(1); // agreeing entries are averaged, not summed
  });

  it('DARE keeps the expectation: the mean of many drops converges to the update', () => {
    const rng = createRng(3);
    const u = Float64Array.from({ length: 64 }, () => rng.normal());
    const mean = new Float64Array(64);
    const trials = 4000;
    for (let t = 0; t < trials; t++) dropAndRescale(u, 0.3, rng).forEach((v, i) => (mean[i] += v / trials));
    // the standard error of each mean is |u| sqrt((1 - p) / (p trials)) = 0.024 |u|
    for (let i = 0; i < 64; i++) expect(Math.abs(mean[i] - u[i])).toBeLessThan(5 * 0.0242 * Math.abs(u[i]) + 1e-12);
    expect(dareLinearMerge([u], [1], 1, rng)).toEqual(u);
  });

  it('refuses mismatched inputs', () => {
    expect(() => linearMerge([f(1), f(1, 2)], [1, 1])).toThrow(/different sizes/);
    expect(() => tiesMerge([f(1)], [1], 0)).toThrow(/density/);
  });
});
