import { describe, expect, it } from 'vitest';
import { createMatmul, matmulCpu } from '../../../kernels/linalg/matmul';
import { submitOps } from '../../../kernels/gpu/compute-op';
import { createElementwise, elementwiseCpu, type ElementwiseOp } from '../../../kernels/linalg/elementwise';
import { createSum, sumCpu } from '../../../kernels/linalg/reduce';
import { createRng } from '../../../kernels/random/rng';
import { GpuScope } from '../../../kernels/gpu/scope';
import { maxRelDiff, testGpu } from '../gpu-setup';

const rng = createRng(20261122);
const randomDim = () => 1 + rng.int(70); // mostly not multiples of the 16-wide tile

describe('matmul on WebGPU (tiled, simple and blocked kernels) against the CPU reference', () => {
  it('reports the adapter it runs on', async () => {
    const gpu = await testGpu();
    expect(gpu.adapter.architecture.length + gpu.adapter.vendor.length).toBeGreaterThan(0);
  });

  for (const [transA, transB, kernel] of [
    [false, false, 'tiled'],
    [true, false, 'tiled'],
    [false, true, 'tiled'],
    [true, true, 'tiled'],
    [false, false, 'simple'],
    [true, false, 'simple'],
    [false, true, 'simple'],
    [true, true, 'simple'],
    [false, false, 'blocked'],
    [true, false, 'blocked'],
    [false, true, 'blocked'],
    [true, true, 'blocked'],
  ] as const) {
    it(`${kernel} kernel, op(A)=${transA ? 'A^T' : 'A'}, op(B)=${transB ? 'B^T' : 'B'} on 12 random shapes`, async () => {
      const gpu = await testGpu();
      const scope = new GpuScope(gpu);
      for (let trial = 0; trial < 12; trial++) {
        const [m, k, n] = [randomDim(), randomDim(), randomDim()];
        const a = rng.normals(m * k);
        const b = rng.normals(k * n);
        const c0 = rng.normals(m * n);
        const opts = { transA, transB, alpha: 0.5 + rng.next(), beta: trial % 2 ? 0.7 : 0 };
        const expected = matmulCpu(a, b, m, k, n, opts, c0.slice());
        const [ga, gb, gc] = [scope.upload(a), scope.upload(b), scope.upload(c0)];
        submitOps(gpu, [createMatmul(scope, { a: ga, b: gb, c: gc, m, k, n, kernel, ...opts })]);
        const actual = await gpu.read(gc, m * n);
        expect(maxRelDiff(actual, expected), `m=${m} k=${k} n=${n}`).toBeLessThan(1e-4);
      }
    });
  }

  it('a larger 130 x 257 x 67 product', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const [m, k, n] = [130, 257, 67];
    const a = rng.normals(m * k);
    const b = rng.normals(k * n);
    const gc = scope.empty(m * n);
    submitOps(gpu, [createMatmul(scope, { a: scope.upload(a), b: scope.upload(b), c: gc, m, k, n })]);
    expect(maxRelDiff(await gpu.read(gc, m * n), matmulCpu(a, b, m, k, n))).toBeLessThan(1e-4);
  });

  it('rejects buffers too small for the shape', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    expect(() => createMatmul(scope, { a: scope.empty(4), b: scope.empty(100), c: scope.empty(100), m: 10, k: 10, n: 10 })).toThrow(/A holds/);
  });
});

describe('CPU matmul reference', () => {
  it('matches a hand-computed 2x3 by 3x2 product, and its transposed forms', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // [[1,2,3],[4,5,6]]
    const b = Float32Array.from([7, 8, 9, 10, 11, 12]); // [[7,8],[9,10],[11,12]]
    expect(Array.from(matmulCpu(a, b, 2, 3, 2))).toEqual([58, 64, 139, 154]);
    const aT = Float32Array.from([1, 4, 2, 5, 3, 6]);
    const bT = Float32Array.from([7, 9, 11, 8, 10, 12]);
    expect(Array.from(matmulCpu(aT, bT, 2, 3, 2, { transA: true, transB: true }))).toEqual([58, 64, 139, 154]);
  });
});

describe('element-wise ops on WebGPU against the CPU reference', () => {
  const ops: ElementwiseOp[] = ['add', 'sub', 'mul', 'axpy', 'scale', 'mulRows'];
  for (const op of ops) {
    it(`${op}, out of place and in place`, async () => {
      const gpu = await testGpu();
      const scope = new GpuScope(gpu);
      const cols = 1 + rng.int(40);
      const rows = 1 + rng.int(40);
      const n = op === 'mulRows' ? rows * cols : 1 + rng.int(70_000);
      const a = rng.normals(n);
      const b = rng.normals(op === 'mulRows' ? rows : n);
      const args = { n, s: -0.37, cols };
      const expected = elementwiseCpu(op, a, b, args);
      const out = scope.empty(n);
      const ga = scope.upload(a);
      submitOps(gpu, [createElementwise(scope, op, { a: ga, b: scope.upload(b), out }, args)]);
      expect(maxRelDiff(await gpu.read(out, n), expected)).toBeLessThan(1e-6);
      // In place: out aliases a.
      submitOps(gpu, [createElementwise(scope, op, { a: ga, b: scope.upload(b), out: ga }, args)]);
      expect(maxRelDiff(await gpu.read(ga, n), expected)).toBeLessThan(1e-6);
    });
  }

  it('spans more than 65535 workgroups (2D dispatch)', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const n = 65536 * 256 + 1000;
    const a = rng.normals(n);
    const out = scope.empty(n);
    submitOps(gpu, [createElementwise(scope, 'scale', { a: scope.upload(a), out }, { n, s: 2 })]);
    const tail = await gpu.read(out, 1000, n - 1000);
    expect(maxRelDiff(tail, elementwiseCpu('scale', a, null, { n, s: 2 }).subarray(n - 1000))).toBe(0);
  });
});

describe('sum reduction on WebGPU', () => {
  it('sum and sum of squares of 100,003 values match float64 on the CPU', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const n = 100_003;
    const x = rng.normals(n);
    const out = scope.empty(2);
    const input = scope.upload(x);
    submitOps(gpu, [
      createSum(scope, { input, output: out }, { n }),
      createSum(scope, { input, output: out }, { n, outIndex: 1, squares: true, scale: 1 / n }),
    ]);
    const [sum, meanSq] = await gpu.read(out, 2);
    expect(sum).toBeCloseTo(sumCpu(x), 1);
    expect(meanSq).toBeCloseTo(sumCpu(x, n, true) / n, 4);
  });
});
