/**
 * The tiled matmul's shape, swept on a real GPU: GFLOP/s of each tile shape (rows and columns per
 * invocation, k-slice depth) at 1024, 2048 and 4096 square, for the three forms, so that one run
 * on a GPU shows which shape `TILE_SHAPES` should hold. Every shape fits WebGPU's default 16 KiB of
 * workgroup memory. Skipped on a CPU-emulated adapter, where it would take minutes and say nothing.
 */
import { acquireGpu } from '../kernels/gpu/device';
import { GpuScope } from '../kernels/gpu/scope';
import { createMatmul, TILE_SHAPES, type TileShape } from '../kernels/linalg/matmul';
import { createRng } from '../kernels/random/rng';
import { FORMS } from './matmul.bench';
import { opsPerSecond } from './timing';
import type { BenchReport } from './types';

const SIZES = [1024, 2048, 4096];
const MIN_SECONDS = 0.4;
const SHAPES: TileShape[] = [
  { rm: 4, vn: 1, bk: 8 },
  { rm: 4, vn: 1, bk: 16 },
  { rm: 4, vn: 1, bk: 32 },
  { rm: 8, vn: 1, bk: 8 },
  { rm: 8, vn: 1, bk: 16 },
  { rm: 4, vn: 2, bk: 8 },
  { rm: 4, vn: 2, bk: 16 },
  { rm: 8, vn: 2, bk: 8 },
  { rm: 8, vn: 2, bk: 16 },
];

const shapeLabel = (s: TileShape) => {
  const named = Object.entries(TILE_SHAPES).find(([, t]) => t.rm === s.rm && t.vn === s.vn && t.bk === s.bk)?.[0];
  return `${16 * s.rm} x ${64 * s.vn} block, ${s.rm} x ${4 * s.vn} per invocation, k-slice ${s.bk}${named ? ` ('${named}')` : ''}`;
};

export default async function matmulTilesBench(): Promise<BenchReport> {
  const gpu = await acquireGpu();
  const rows: BenchReport['rows'] = [];
  const ratios: BenchReport['ratios'] = [];
  if (!gpu || gpu.adapter.software) {
    return { title: `Matmul tile shapes: skipped (${gpu ? 'CPU-emulated adapter' : 'no WebGPU'})`, rows, ratios };
  }
  const best = new Map<string, { shape: TileShape; value: number }>();
  for (const size of SIZES) {
    const rng = createRng(size);
    const scope = new GpuScope(gpu);
    try {
      const a = scope.upload(rng.normals(size * size, 1));
      const b = scope.upload(rng.normals(size * size, 1));
      const c = scope.empty(size * size);
      for (const shape of SHAPES) {
        for (const form of FORMS) {
          const op = createMatmul(scope, { ...form.opts, kernel: shape, a, b, c, m: size, k: size, n: size });
          const value = (2 * size ** 3 * (await opsPerSecond(gpu, [op], MIN_SECONDS))) / 1e9;
          rows.push({ label: `${size}³, C = ${form.name}: ${shapeLabel(shape)}`, value, unit: 'GFLOP/s' });
          const key = `${size}³, C = ${form.name}`;
          if (value > (best.get(key)?.value ?? 0)) best.set(key, { shape, value });
        }
      }
    } finally {
      scope.destroy();
    }
  }
  for (const [key, { shape, value }] of best) rows.push({ label: `best at ${key}: ${shapeLabel(shape)}`, value, unit: 'GFLOP/s' });
  const adapter = gpu.adapter.description || [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ');
  return { title: `Matmul tile shapes, GFLOP/s (float32; ${adapter})`, rows, ratios };
}
