import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { gemmCpu, gemmTs, prepareCpuGemm } from '../../../../kernels/linalg/gemm-cpu';
import { matmulCpu, type MatmulOptions } from '../../../../kernels/linalg/matmul';
import { GEMM_SOURCE_SHA256 } from '../../../../kernels/linalg/wasm/gemm-binary';
import { createRng } from '../../../../kernels/random/rng';

// Sizes that cross every blocking edge of gemm.c: the 4 x 8 micro-tile, MC = 64, KC = 256, NC = 512.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [13, 17, 9],
  [65, 33, 70],
  [31, 257, 19],
  [67, 300, 515],
  [130, 513, 9],
];
const FORMS: MatmulOptions[] = [{}, { transB: true }, { transA: true }, { transA: true, transB: true }];

/** Largest |ours - oracle| relative to the largest |oracle|. */
function relativeError(ours: Float32Array, oracle: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < oracle.length; i++) {
    worst = Math.max(worst, Math.abs(ours[i] - oracle[i]));
    scale = Math.max(scale, Math.abs(oracle[i]));
  }
  return worst / scale;
}

function checkAgainstOracle(gemm: typeof gemmCpu): void {
  const rng = createRng(20261130);
  for (const [m, k, n] of SHAPES) {
    for (const form of FORMS) {
      const a = rng.normals(m * k, 1);
      const b = rng.normals(k * n, 1);
      const c0 = rng.normals(m * n, 1);
      // beta = 0 must ignore C entirely, NaN included.
      const garbage = new Float32Array(m * n).fill(Number.NaN);
      const plain = gemm(a, b, m, k, n, form, garbage);
      expect(relativeError(plain, matmulCpu(a, b, m, k, n, form)), `${m}x${k}x${n} ${JSON.stringify(form)}`).toBeLessThan(1e-5);
      const opts = { ...form, alpha: -0.7, beta: 0.3 };
      const scaled = gemm(a, b, m, k, n, opts, c0.slice());
      expect(relativeError(scaled, matmulCpu(a, b, m, k, n, opts, c0.slice())), `${m}x${k}x${n} ${JSON.stringify(opts)}`).toBeLessThan(1e-5);
    }
  }
}

describe('CPU matmul kernels against the float64-accumulating oracle', () => {
  afterAll(() => prepareCpuGemm(false));

  it('the TypeScript kernel agrees on every form and on sizes that are not tile multiples', () => {
    checkAgainstOracle(gemmTs);
  });

  it('the WebAssembly SIMD kernel loads in Node and agrees on every form and blocking edge', async () => {
    expect(await prepareCpuGemm()).toBe(true);
    checkAgainstOracle(gemmCpu);
  });

  it('the committed WebAssembly binary was built from the committed gemm.c', () => {
    const source = readFileSync(new URL('../../../../kernels/linalg/wasm/gemm.c', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex'), 'gemm.c changed: run npm run build:wasm').toBe(GEMM_SOURCE_SHA256);
  });

  it('rejects operands too small for the shape', () => {
    expect(() => gemmCpu(new Float32Array(5), new Float32Array(6), 2, 3, 2)).toThrow(/operands too small for 2 x 3 x 2/);
  });
});
