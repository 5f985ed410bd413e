import { computeOp, type GpuOp } from '../gpu/compute-op';
import type { GpuScope } from '../gpu/scope';

/**
 * General matrix multiply, C = alpha * op(A) op(B) + beta * C, row-major, where op(X) is X or
 * its transpose. Backward passes need the transposed forms (dX = dY W, dW = dY^T X), so both
 * operands can be read transposed without materialising the transpose.
 *
 * Shapes: op(A) is m x k, op(B) is k x n, C is m x n. A is stored m x k (or k x m when
 * transA); B is stored k x n (or n x k when transB).
 */
export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  /** 0 overwrites C (C is then never read, so it may hold garbage). */
  beta?: number;
}

/** The signature every CPU matmul shares, so callers can be handed the fast kernel or the oracle. */
export type Matmul = typeof matmulCpu;

export function matmulCpu(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  opts: MatmulOptions = {},
  out: Float32Array = new Float32Array(m * n),
): Float32Array {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
  checkSizes(a.length, b.length, out.length, m, k, n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = transA ? a[p * m + i] : a[i * k + p];
      if (aip === 0) continue;
      if (transB) for (let j = 0; j < n; j++) row[j] += aip * b[j * k + p];
      else {
        const base = p * n;
        for (let j = 0; j < n; j++) row[j] += aip * b[base + j];
      }
    }
    const o = i * n;
    for (let j = 0; j < n; j++) out[o + j] = alpha * row[j] + (beta === 0 ? 0 : beta * out[o + j]);
  }
  return out;
}

function checkSizes(aLen: number, bLen: number, cLen: number, m: number, k: number, n: number): void {
  for (const [name, v] of Object.entries({ m, k, n })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`matmul: ${name} must be a positive integer, got ${v}`);
  }
  if (aLen < m * k) throw new Error(`matmul: A holds ${aLen} values, needs ${m * k} (${m} x ${k})`);
  if (bLen < k * n) throw new Error(`matmul: B holds ${bLen} values, needs ${k * n} (${k} x ${n})`);
  if (cLen < m * n) throw new Error(`matmul: C holds ${cLen} values, needs ${m * n} (${m} x ${n})`);
}

/**
 * The shape of a tiled kernel's work. A 16 x 16 workgroup computes a (16 rm) x (64 vn) block of C,
 * staging bk-deep slices of op(A) and op(B) in workgroup memory; each invocation accumulates rm
 * rows by 4 vn columns in registers, so every value it reads from workgroup memory feeds rm or
 * 4 vn multiply-adds. rm and bk are multiples of 4.
 */
export interface TileShape {
  rm: number;
  vn: number;
  bk: number;
}

/**
 * The two shapes the size rule picks from, chosen by bench/matmul-tiles.bench.ts on an NVIDIA H200
 * through Dawn/Vulkan (one run, 2026-11-30, nine shapes at 1024-4096 square, three forms each).
 * 'tiled' (64 x 64 blocks, 4 x 4 per invocation, k-slices of 16) was the best all-round shape at
 * 1024: 17-19 TFLOP/s. 'tiled-wide' (64 x 128, 4 x 8 per invocation, k-slices of 8) was the best
 * at 2048 and 4096: 27-33 TFLOP/s in every form. 128 x 128 blocks with 8 x 8 per invocation ran at
 * 1.5-2.2 TFLOP/s there, so the 64 accumulators evidently do not stay in registers.
 */
export const TILE_SHAPES = {
  tiled: { rm: 4, vn: 1, bk: 16 },
  'tiled-wide': { rm: 4, vn: 2, bk: 8 },
} as const satisfies Record<string, TileShape>;
export type TiledKernel = keyof typeof TILE_SHAPES;
export type MatmulKernel = 'simple' | 'blocked' | TiledKernel;
const THREADS = 16;

/** Which operands' stored rows are a multiple of 4 long, so four neighbours load as one vec4. */
interface VectorLoads {
  vecA: boolean;
  vecB: boolean;
}

/** The stored row length of A (k, or m when transposed) and of B (n, or k when transposed) allow vec4 loads. */
function vectorLoadsFor(m: number, k: number, n: number, transA: boolean, transB: boolean): VectorLoads {
  return { vecA: (transA ? m : k) % 4 === 0, vecB: (transB ? k : n) % 4 === 0 };
}

/** The uniform and bindings every matmul kernel shares; A and B are vec4 arrays where aligned. */
function matmulBindings({ vecA, vecB }: VectorLoads): string {
  return `struct Dims { m: u32, k: u32, n: u32, flags: u32, alpha: f32, beta: f32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<${vecA ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(2) var<storage, read> b: array<${vecB ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;`;
}

/**
 * load4A / load4B(row, col, rows, cols): four neighbours along a stored row of A or B, zero outside
 * the matrix. One vec4 when aligned (col is then a multiple of 4 and cols too, so the four are all
 * in or all out), else four guarded loads.
 */
function load4Functions({ vecA, vecB }: VectorLoads): string {
  const load4 = (name: 'a' | 'b', vec: boolean) =>
    vec
      ? `fn load4${name.toUpperCase()}(row: u32, col: u32, rows: u32, cols: u32) -> vec4<f32> {
  if (row >= rows || col >= cols) { return vec4<f32>(0.0); }
  return ${name}[(row * cols + col) / 4u];
}`
      : `fn load4${name.toUpperCase()}(row: u32, col: u32, rows: u32, cols: u32) -> vec4<f32> {
  var out = vec4<f32>(0.0);
  if (row >= rows) { return out; }
  for (var q = 0u; q < 4u; q = q + 1u) {
    if (col + q < cols) { out[q] = ${name}[row * cols + col + q]; }
  }
  return out;
}`;
  return `${load4('a', vecA)}

${load4('b', vecB)}`;
}

/** Writes alpha * acc (+ beta * C) to C[row][col] when inside C. */
const STORE_C = `fn storeC(row: u32, col: u32, value: f32) {
  if (row >= dims.m || col >= dims.n) { return; }
  let idx = row * dims.n + col;
  var out = dims.alpha * value;
  if (dims.beta != 0.0) { out = out + dims.beta * c[idx]; }
  c[idx] = out;
}`;

interface TiledVariant extends VectorLoads {
  shape: TileShape;
}

/**
 * WGSL for one variant (tile shape, vector loads). The inner loop is the same for all four forms:
 * the tile loads do the transposing (a branch on a uniform flag), and workgroup memory holds
 * op(A) and op(B) with k outermost either way.
 */
export function tiledMatmulWgsl(v: TiledVariant): string {
  const { rm, vn, bk: BK } = v.shape;
  const bm = THREADS * rm;
  const bn = THREADS * 4 * vn;
  // Stage op(A)'s BM x BK slice as tileA[p][i] and op(B)'s BK x BN slice as tileB[p][j].
  const stageA = `if ((dims.flags & 1u) != 0u) {
      for (var g = lid; g < ${(BK * bm) / 4}u; g = g + ${THREADS * THREADS}u) {
        let p = g / ${bm / 4}u;
        let i4 = g % ${bm / 4}u;
        tileA[p * ${bm / 4}u + i4] = load4A(k0 + p, m0 + i4 * 4u, dims.k, dims.m);
      }
    } else {
      for (var g = lid; g < ${(BK * bm) / 4}u; g = g + ${THREADS * THREADS}u) {
        let i = g / ${BK / 4}u;
        let p4 = (g % ${BK / 4}u) * 4u;
        let v = load4A(m0 + i, k0 + p4, dims.m, dims.k);
        for (var q = 0u; q < 4u; q = q + 1u) { tileA[(p4 + q) * ${bm / 4}u + i / 4u][i % 4u] = v[q]; }
      }
    }`;
  const stageB = `if ((dims.flags & 2u) != 0u) {
      for (var g = lid; g < ${(BK * bn) / 4}u; g = g + ${THREADS * THREADS}u) {
        let j = g / ${BK / 4}u;
        let p4 = (g % ${BK / 4}u) * 4u;
        let v = load4B(n0 + j, k0 + p4, dims.n, dims.k);
        for (var q = 0u; q < 4u; q = q + 1u) { tileB[(p4 + q) * ${bn / 4}u + j / 4u][j % 4u] = v[q]; }
      }
    } else {
      for (var g = lid; g < ${(BK * bn) / 4}u; g = g + ${THREADS * THREADS}u) {
        let p = g / ${bn / 4}u;
        let j4 = g % ${bn / 4}u;
        tileB[p * ${bn / 4}u + j4] = load4B(k0 + p, n0 + j4 * 4u, dims.k, dims.n);
      }
    }`;
  return /* wgsl */ `
${matmulBindings(v)}

var<workgroup> tileA: array<vec4<f32>, ${(BK * bm) / 4}>;
var<workgroup> tileB: array<vec4<f32>, ${(BK * bn) / 4}>;

${load4Functions(v)}

${STORE_C}

@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(local_invocation_id) local: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let m0 = wid.y * ${bm}u;
  let n0 = wid.x * ${bn}u;
  var acc: array<vec4<f32>, ${rm * vn}>;
  for (var k0 = 0u; k0 < dims.k; k0 = k0 + ${BK}u) {
    ${stageA}
    ${stageB}
    workgroupBarrier();
    for (var p = 0u; p < ${BK}u; p = p + 1u) {
      var rows: array<f32, ${rm}>;
      for (var q = 0u; q < ${rm / 4}u; q = q + 1u) {
        let four = tileA[p * ${bm / 4}u + local.y * ${rm / 4}u + q];
        rows[4u * q] = four.x;
        rows[4u * q + 1u] = four.y;
        rows[4u * q + 2u] = four.z;
        rows[4u * q + 3u] = four.w;
      }
      var cols: array<vec4<f32>, ${vn}>;
      for (var w = 0u; w < ${vn}u; w = w + 1u) { cols[w] = tileB[p * ${bn / 4}u + w * ${THREADS}u + local.x]; }
      for (var i = 0u; i < ${rm}u; i = i + 1u) {
        for (var w = 0u; w < ${vn}u; w = w + 1u) { acc[i * ${vn}u + w] = fma(vec4<f32>(rows[i]), cols[w], acc[i * ${vn}u + w]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${rm}u; i = i + 1u) {
    let row = m0 + local.y * ${rm}u + i;
    for (var w = 0u; w < ${vn}u; w = w + 1u) {
      let col0 = n0 + w * ${4 * THREADS}u + local.x * 4u;
      for (var q = 0u; q < 4u; q = q + 1u) { storeC(row, col0 + q, acc[i * ${vn}u + w][q]); }
    }
  }
}`;
}

/**
 * One thread per output element, no shared memory and no barriers. For the small products of the
 * course's trainers (64-wide layers, batches of 32) it beats the tiled kernel: there the barriers
 * cost more than the reuse they buy, most of all on SwiftShader. Like the blocked kernel, it has the
 * form written into its code.
 */
const SIMPLE_WORKGROUP = 16;
function simpleMatmulWgsl(transA: boolean, transB: boolean): string {
  return /* wgsl */ `
${matmulBindings({ vecA: false, vecB: false })}

${STORE_C}

@compute @workgroup_size(${SIMPLE_WORKGROUP}, ${SIMPLE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y;
  let col = gid.x;
  if (row >= dims.m || col >= dims.n) { return; }
  var acc = 0.0;
  for (var p = 0u; p < dims.k; p = p + 1u) {
    acc = fma(${transA ? 'a[p * dims.m + row]' : 'a[row * dims.k + p]'}, ${transB ? 'b[col * dims.k + p]' : 'b[p * dims.n + col]'}, acc);
  }
  storeC(row, col, acc);
}`;
}

/**
 * Register-blocked, no shared memory and no barriers: each invocation computes a 4 x 4 block of C,
 * so every value it loads from A or B feeds four multiply-adds instead of one. An 8 x 8 workgroup
 * covers a 32 x 32 block. It needs a quarter of the simple kernel's loads and none of the tiled
 * kernel's barriers, which makes it the fastest kernel on a CPU-emulated adapter (the language
 * model's products on SwiftShader); on a GPU the tiled kernels beat it from 256³ up.
 *
 * The form is written into the code and the loop has no bounds checks: rows and columns past the
 * edge of C read the last one instead, and storeC drops what they add up to. On SwiftShader, which
 * runs each invocation as a SIMD lane and so executes both sides of a branch, that made the
 * kernel 2-3x as fast (128³, every form: 0.4 GFLOP/s before, 0.7-1.2 after) and a training step of
 * the tiny model about twice as fast. Loading four neighbours as a vec4, as the tiled kernels do,
 * made it 1.3-1.4x slower there: a lane's vec4 load is four loads all the same.
 */
export const BLOCK = 4;
function blockedMatmulWgsl(transA: boolean, transB: boolean): string {
  const four = (load: (q: number) => string) => [0, 1, 2, 3].map(load).join(', ');
  return /* wgsl */ `
${matmulBindings({ vecA: false, vecB: false })}

${STORE_C}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * ${BLOCK}u;
  let col0 = gid.x * ${BLOCK}u;
  if (row0 >= dims.m || col0 >= dims.n) { return; }
  let rows = min(vec4<u32>(row0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(dims.m - 1u));
  let cols = min(vec4<u32>(col0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(dims.n - 1u));
  var acc: array<vec4<f32>, 4>;
  for (var p = 0u; p < dims.k; p = p + 1u) {
    let av = vec4<f32>(${four((q) => (transA ? `a[p * dims.m + rows[${q}]]` : `a[rows[${q}] * dims.k + p]`))});
    let bv = vec4<f32>(${four((q) => (transB ? `b[cols[${q}] * dims.k + p]` : `b[p * dims.n + cols[${q}]]`))});
    acc[0] = fma(vec4<f32>(av.x), bv, acc[0]);
    acc[1] = fma(vec4<f32>(av.y), bv, acc[1]);
    acc[2] = fma(vec4<f32>(av.z), bv, acc[2]);
    acc[3] = fma(vec4<f32>(av.w), bv, acc[3]);
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    for (var j = 0u; j < 4u; j = j + 1u) { storeC(row0 + i, col0 + j, acc[i][j]); }
  }
}`;
}

/**
 * Which kernel for a product, by size. Outputs of a few thousand values (the 64-wide layers of the
 * LoRA trainers) keep the simple kernel: more outputs per invocation would leave most of a GPU idle.
 * On a GPU (the H200 run above) the tiled kernels win from 256³ up: 0.80-0.93 TFLOP/s there against
 * 0.20-0.26 for the blocked kernel, and 11-13 against 3.0-3.3 at 1024³. Below about 128³ (2^21
 * multiply-adds) a product takes less time than a dispatch costs (9-22 µs there), so the choice
 * matters little and the blocked kernel keeps them. On a CPU-emulated adapter
 * (SwiftShader) the blocked kernel is faster at every size: workgroup barriers are dear there (it
 * ran the 4096 x 128 x 352 product 1.9x as fast as a 128 x 128 tile and 3.3x as fast as a 64 x 64
 * one), and so are loads, which makes it 2.6-5.8x as fast as the simple kernel even on outputs of
 * 512 x 8 and 8 x 128.
 */
export const SIMPLE_MATMUL_MAX_OUTPUTS = 4096;
export const BLOCKED_MATMUL_MAX_MACS = 1 << 21;
/** Workgroups the wide tile must still make: about two per multiprocessor of an H200 (132). */
export const WIDE_TILE_MIN_WORKGROUPS = 256;

export function matmulKernelFor(m: number, k: number, n: number, adapter: { software: boolean } = { software: false }): MatmulKernel {
  if (adapter.software) return 'blocked';
  if (m * n <= SIMPLE_MATMUL_MAX_OUTPUTS) return 'simple';
  if (m * k * n <= BLOCKED_MATMUL_MAX_MACS) return 'blocked';
  const wide = TILE_SHAPES['tiled-wide'];
  const wideGroups = Math.ceil(m / (THREADS * wide.rm)) * Math.ceil(n / (THREADS * 4 * wide.vn));
  return wideGroups >= WIDE_TILE_MIN_WORKGROUPS ? 'tiled-wide' : 'tiled';
}

export interface GpuMatmulArgs extends MatmulOptions {
  /** Which kernel, or a tile shape of its own (bench/matmul-tiles.bench.ts): chosen by size when absent. */
  kernel?: MatmulKernel | TileShape;
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  m: number;
  k: number;
  n: number;
}

export function createMatmul(scope: GpuScope, args: GpuMatmulArgs): GpuOp {
  const { m, k, n, transA = false, transB = false, alpha = 1, beta = 0 } = args;
  checkSizes(args.a.size / 4, args.b.size / 4, args.c.size / 4, m, k, n);
  const dims = new ArrayBuffer(32);
  new Uint32Array(dims, 0, 4).set([m, k, n, (transA ? 1 : 0) | (transB ? 2 : 0)]);
  new Float32Array(dims, 16, 2).set([alpha, beta]);
  const kernel = args.kernel ?? matmulKernelFor(m, k, n, scope.gpu.adapter);
  const buffers = [args.a, args.b, args.c];
  if (kernel === 'simple' || kernel === 'blocked') {
    const block = kernel === 'simple' ? SIMPLE_WORKGROUP : 8 * BLOCK;
    return computeOp(scope, {
      code: (kernel === 'simple' ? simpleMatmulWgsl : blockedMatmulWgsl)(transA, transB),
      uniform: dims,
      buffers,
      groups: [dispatchCount(n, block, m, n), dispatchCount(m, block, m, n)],
    });
  }
  const shape = typeof kernel === 'string' ? TILE_SHAPES[kernel] : kernel;
  const { rm, vn } = shape;
  const code = tiledMatmulWgsl({ shape, ...vectorLoadsFor(m, k, n, transA, transB) });
  return computeOp(scope, {
    code,
    uniform: dims,
    buffers,
    groups: [dispatchCount(n, THREADS * 4 * vn, m, n), dispatchCount(m, THREADS * rm, m, n)],
  });
}

function dispatchCount(extent: number, perGroup: number, m: number, n: number): number {
  const groups = Math.ceil(extent / perGroup);
  if (groups > 65535) throw new Error(`matmul: ${m} x ${n} output exceeds the dispatch limit`);
  return groups;
}
