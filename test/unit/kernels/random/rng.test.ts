import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../kernels/random/rng';

describe('seeded random numbers', () => {
  it('the same seed gives the same stream; another seed another one', () => {
    const a = createRng(42).normals(5);
    expect(createRng(42).normals(5)).toEqual(a);
    expect(createRng(43).normals(5)).not.toEqual(a);
  });

  it('uniforms lie in [0, 1) and normals have mean 0 and variance 1 (200,000 draws)', () => {
    const rng = createRng(7);
    let mean = 0;
    let sq = 0;
    let outside = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outside++;
      const z = rng.normal();
      mean += z / n;
      sq += (z * z) / n;
    }
    expect(outside).toBe(0);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sq - 1)).toBeLessThan(0.02);
  });

  it('int(n) covers 0..n-1 evenly', () => {
    const rng = createRng(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
});
