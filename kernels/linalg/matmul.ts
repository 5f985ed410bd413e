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

export const TILE = 16;

/** Shared-memory tiled matmul: each 16x16 workgroup computes a 16x16 block of C, staging 16x16 tiles of A and B. */
export const MATMUL_WGSL = /* wgsl */ `
struct Dims { m: u32, k: u32, n: u32, flags: u32, alpha: f32, beta: f32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TILE: u32 = ${TILE}u;
var<workgroup> tileA: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, ${TILE}>;

fn loadA(row: u32, col: u32) -> f32 {
  if (row >= dims.m || col >= dims.k) { return 0.0; }
  if ((dims.flags & 1u) != 0u) { return a[col * dims.m + row]; }
  return a[row * dims.k + col];
}

fn loadB(row: u32, col: u32) -> f32 {
  if (row >= dims.k || col >= dims.n) { return 0.0; }
  if ((dims.flags & 2u) != 0u) { return b[col * dims.k + row]; }
  return b[row * dims.n + col];
}

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.y * TILE + lid.y;
  let col = wid.x * TILE + lid.x;
  var acc = 0.0;
  let tiles = (dims.k + TILE - 1u) / TILE;
  for (var t = 0u; t < tiles; t = t + 1u) {
    tileA[lid.y][lid.x] = loadA(row, t * TILE + lid.x);
    tileB[lid.y][lid.x] = loadB(t * TILE + lid.y, col);
    workgroupBarrier();
    for (var i = 0u; i < TILE; i = i + 1u) {
      acc = acc + tileA[lid.y][i] * tileB[i][lid.x];
    }
    workgroupBarrier();
  }
  if (row < dims.m && col < dims.n) {
    let idx = row * dims.n + col;
    var value = dims.alpha * acc;
    if (dims.beta != 0.0) { value = value + dims.beta * c[idx]; }
    c[idx] = value;
  }
}`;

/**
 * One thread per output element, no shared memory and no barriers. For the small products of the
 * course's trainers (64-wide layers, batches of 32) it beats the tiled kernel: there the barriers
 * cost more than the reuse they buy, most of all on SwiftShader.
 */
export const MATMUL_SIMPLE_WGSL = /* wgsl */ `
struct Dims { m: u32, k: u32, n: u32, flags: u32, alpha: f32, beta: f32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y;
  let col = gid.x;
  if (row >= dims.m || col >= dims.n) { return; }
  let transA = (dims.flags & 1u) != 0u;
  let transB = (dims.flags & 2u) != 0u;
  var acc = 0.0;
  for (var p = 0u; p < dims.k; p = p + 1u) {
    let av = select(a[row * dims.k + p], a[p * dims.m + row], transA);
    let bv = select(b[p * dims.n + col], b[col * dims.k + p], transB);
    acc = acc + av * bv;
  }
  let idx = row * dims.n + col;
  var value = dims.alpha * acc;
  if (dims.beta != 0.0) { value = value + dims.beta * c[idx]; }
  c[idx] = value;
}`;

/**
 * Register-blocked, no shared memory and no barriers: each invocation computes a 4 x 4 block of C,
 * so every value it loads from A or B feeds four multiply-adds instead of one. An 8 x 8 workgroup
 * covers a 32 x 32 block. For the language model's mid-sized products (hundreds of rows by a few
 * hundred columns) it needs a quarter of the simple kernel's loads and none of the tiled kernel's
 * barriers.
 */
export const BLOCK = 4;
export const MATMUL_BLOCKED_WGSL = /* wgsl */ `
struct Dims { m: u32, k: u32, n: u32, flags: u32, alpha: f32, beta: f32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

fn loadA(row: u32, p: u32) -> f32 {
  if (row >= dims.m) { return 0.0; }
  if ((dims.flags & 1u) != 0u) { return a[p * dims.m + row]; }
  return a[row * dims.k + p];
}

fn loadB(p: u32, col: u32) -> f32 {
  if (col >= dims.n) { return 0.0; }
  if ((dims.flags & 2u) != 0u) { return b[col * dims.k + p]; }
  return b[p * dims.n + col];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * ${BLOCK}u;
  let col0 = gid.x * ${BLOCK}u;
  if (row0 >= dims.m || col0 >= dims.n) { return; }
  var acc: array<vec4<f32>, 4>;
  for (var p = 0u; p < dims.k; p = p + 1u) {
    let av = vec4<f32>(loadA(row0, p), loadA(row0 + 1u, p), loadA(row0 + 2u, p), loadA(row0 + 3u, p));
    let bv = vec4<f32>(loadB(p, col0), loadB(p, col0 + 1u), loadB(p, col0 + 2u), loadB(p, col0 + 3u));
    acc[0] = acc[0] + av.x * bv;
    acc[1] = acc[1] + av.y * bv;
    acc[2] = acc[2] + av.z * bv;
    acc[3] = acc[3] + av.w * bv;
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let row = row0 + i;
    if (row >= dims.m) { break; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let col = col0 + j;
      if (col >= dims.n) { break; }
      let idx = row * dims.n + col;
      var value = dims.alpha * acc[i][j];
      if (dims.beta != 0.0) { value = value + dims.beta * c[idx]; }
      c[idx] = value;
    }
  }
}`;

/**
 * Which kernel for a product, by size. Measured on SwiftShader (2 cores, one run): for the tiny
 * model's 128 x 128 x 352 product the blocked kernel took 35 ms, the simple one 66 ms and the tiled
 * one 122 ms; at 512 x 352 x 128, 95, 269 and 351 ms. Outputs of a few thousand values (the
 * 64-wide layers of the LoRA trainers) keep the simple kernel: sixteen outputs per invocation
 * would leave most of a GPU idle. The tiled kernel keeps the largest products, where staging
 * tiles in shared memory pays for its barriers on a real GPU.
 */
export const SIMPLE_MATMUL_MAX_OUTPUTS = 4096;
export const BLOCKED_MATMUL_MAX_MACS = 1 << 27;

export function matmulKernelFor(m: number, k: number, n: number): 'simple' | 'blocked' | 'tiled' {
  if (m * n <= SIMPLE_MATMUL_MAX_OUTPUTS) return 'simple';
  return m * k * n <= BLOCKED_MATMUL_MAX_MACS ? 'blocked' : 'tiled';
}

export interface GpuMatmulArgs extends MatmulOptions {
  /** Which kernel: chosen by size when absent. */
  kernel?: 'tiled' | 'simple' | 'blocked';
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
  if (Math.ceil(m / TILE) > 65535 || Math.ceil(n / TILE) > 65535) throw new Error(`matmul: ${m} x ${n} output exceeds the dispatch limit`);
  const dims = new ArrayBuffer(32);
  new Uint32Array(dims, 0, 4).set([m, k, n, (transA ? 1 : 0) | (transB ? 2 : 0)]);
  new Float32Array(dims, 16, 2).set([alpha, beta]);
  const kernel = args.kernel ?? matmulKernelFor(m, k, n);
  if (kernel === 'blocked')
    return computeOp(scope, {
      code: MATMUL_BLOCKED_WGSL,
      uniform: dims,
      buffers: [args.a, args.b, args.c],
      groups: [Math.ceil(n / (8 * BLOCK)), Math.ceil(m / (8 * BLOCK))],
    });
  return computeOp(scope, {
    code: kernel === 'simple' ? MATMUL_SIMPLE_WGSL : MATMUL_WGSL,
    uniform: dims,
    buffers: [args.a, args.b, args.c],
    groups: [Math.ceil(n / TILE), Math.ceil(m / TILE)],
  });
}
