import { describe, expect, it } from 'vitest';
import { createMatmul, matmulCpu, matmulKernelFor, type MatmulKernel, type TileShape } from '../../../kernels/linalg/matmul';
import { submitOps } from '../../../kernels/gpu/compute-op';
import { createElementwise, elementwiseCpu, type ElementwiseOp } from '../../../kernels/linalg/elementwise';
import { createSum, sumCpu } from '../../../kernels/linalg/reduce';
import { createRng } from '../../../kernels/random/rng';
import { GpuScope } from '../../../kernels/gpu/scope';
import { maxRelDiff, testGpu } from '../gpu-setup';

const rng = createRng(20261122);
const randomDim = () => 1 + rng.int(70); // mostly not multiples of a tile or of 4
const randomQuarter = () => 1 + rng.int(18);

describe('matmul on WebGPU (simple, blocked and both tiled kernels) against the CPU reference', () => {
  it('reports the adapter it runs on', async () => {
    const gpu = await testGpu();
    expect(gpu.adapter.architecture.length + gpu.adapter.vendor.length).toBeGreaterThan(0);
  });

  const forms = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;

  async function expectMatches(kernel: MatmulKernel | TileShape, transA: boolean, transB: boolean, [m, k, n]: readonly number[], beta: number) {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const a = rng.normals(m * k);
    const b = rng.normals(k * n);
    const c0 = rng.normals(m * n);
    const opts = { transA, transB, alpha: 0.5 + rng.next(), beta };
    const expected = matmulCpu(a, b, m, k, n, opts, c0.slice());
    const [ga, gb, gc] = [scope.upload(a), scope.upload(b), scope.upload(c0)];
    submitOps(gpu, [createMatmul(scope, { a: ga, b: gb, c: gc, m, k, n, kernel, ...opts })]);
    const actual = await gpu.read(gc, m * n);
    expect(maxRelDiff(actual, expected), `${JSON.stringify(kernel)} m=${m} k=${k} n=${n}`).toBeLessThan(1e-4);
    scope.destroy();
  }

  for (const kernel of ['simple', 'blocked', 'tiled', 'tiled-wide'] as const) {
    for (const [transA, transB] of forms) {
      it(`${kernel} kernel, op(A)=${transA ? 'A^T' : 'A'}, op(B)=${transB ? 'B^T' : 'B'} on 8 random shapes`, async () => {
        for (let trial = 0; trial < 8; trial++) {
          // Odd trials: every side a multiple of 4, where the tiled kernels load vec4s.
          const shape = trial % 2 ? [randomDim(), randomDim(), randomDim()] : [4 * randomQuarter(), 4 * randomQuarter(), 4 * randomQuarter()];
          await expectMatches(kernel, transA, transB, shape, trial % 3 ? 0.7 : 0);
        }
      });
    }
  }

  it('the tiled kernels across several tiles and k-slices, every form, aligned (200 x 36 x 264) and not (131 x 37 x 133)', async () => {
    for (const kernel of ['tiled', 'tiled-wide'] as const)
      for (const [transA, transB] of forms)
        for (const shape of [
          [200, 36, 264],
          [131, 37, 133],
        ])
          await expectMatches(kernel, transA, transB, shape, 0);
  });

  it('tile shapes of their own (the tile-shape bench sweeps them): deeper k-slices and unequal blocks, a different form each, on 131 x 77 x 133 or 132 x 76 x 136', async () => {
    const shapes = [
      { rm: 4, vn: 1, bk: 32 },
      { rm: 8, vn: 1, bk: 16 },
    ];
    for (const [i, shape] of shapes.entries()) {
      const [transA, transB] = forms[i];
      await expectMatches(shape, transA, transB, i % 2 ? [131, 77, 133] : [132, 76, 136], i % 2 ? 0.5 : 0);
    }
  });

  it('picks a kernel by size: simple for a few thousand outputs, blocked up to 2^21 multiply-adds, then the tiled kernels', () => {
    expect(matmulKernelFor(32, 64, 64)).toBe('simple');
    expect(matmulKernelFor(64, 128, 128)).toBe('blocked');
    expect(matmulKernelFor(128, 128, 352)).toBe('tiled');
    expect(matmulKernelFor(1024, 1024, 1024)).toBe('tiled');
    expect(matmulKernelFor(2048, 2048, 2048)).toBe('tiled-wide');
    expect(matmulKernelFor(4096, 4096, 4096)).toBe('tiled-wide');
    // On a CPU-emulated adapter (SwiftShader) the barrier-free blocked kernel is faster at every size.
    expect(matmulKernelFor(4096, 4096, 4096, { software: true })).toBe('blocked');
    expect(matmulKernelFor(32, 64, 64, { software: true })).toBe('blocked');
  });

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
