/**
 * The CPU trainers' fast float32 matmul, C = alpha op(A) op(B) + beta C (row-major; the same
 * contract as `matmulCpu`, which stays the float64-accumulating oracle). Once `prepareCpuGemm()`
 * has loaded it, the WebAssembly SIMD kernel (gemm-wasm.ts) does the work; until then, or where
 * WebAssembly SIMD is missing, this TypeScript kernel does. Here every form is turned into
 * the dot-product form C[i, j] = sum_p A'[i, p] B'[j, p] with both operands contiguous along p
 * (an operand that is not is transposed into a scratch buffer first, O(size) against the
 * product's O(m k n)), then computed four rows by four columns at a time so each loaded value
 * is used four times.
 */
import { loadWasmGemm, type WasmGemm } from './gemm-wasm';
import type { MatmulOptions } from './matmul';

let wasm: WasmGemm | null = null;

let loaded: WasmGemm | null = null;

/**
 * Loads the WebAssembly SIMD kernel (once) and uses it, or with `false` goes back to the
 * TypeScript kernel; resolves with whether the WebAssembly kernel is in use.
 */
export async function prepareCpuGemm(useWasm = true): Promise<boolean> {
  if (useWasm) loaded ??= await loadWasmGemm();
  wasm = useWasm ? loaded : null;
  return wasm !== null;
}

let scratchA = new Float32Array(0);
let scratchB = new Float32Array(0);

function transposeInto(scratch: 'a' | 'b', src: Float32Array, rows: number, cols: number): Float32Array {
  const n = rows * cols;
  let dst = scratch === 'a' ? scratchA : scratchB;
  if (dst.length < n) {
    dst = new Float32Array(n);
    if (scratch === 'a') scratchA = dst;
    else scratchB = dst;
  }
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  return dst;
}

export function gemmCpu(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  opts: MatmulOptions = {},
  out: Float32Array = new Float32Array(m * n),
): Float32Array {
  if (a.length < m * k || b.length < k * n || out.length < m * n) {
    throw new Error(`gemm: operands too small for ${m} x ${k} x ${n} (A ${a.length}, B ${b.length}, C ${out.length})`);
  }
  return wasm ? wasm(a, b, m, k, n, opts, out) : gemmTs(a, b, m, k, n, opts, out);
}

/** The TypeScript kernel: four rows by four columns of dot products. */
export function gemmTs(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  opts: MatmulOptions = {},
  out: Float32Array = new Float32Array(m * n),
): Float32Array {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
  // A' is m x k with rows contiguous; B' is n x k with rows contiguous.
  const A = transA ? transposeInto('a', a, k, m) : a;
  const B = transB ? b : transposeInto('b', b, k, n);
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p],
          x1 = A[a1 + p],
          x2 = A[a2 + p],
          x3 = A[a3 + p];
        const y0 = B[b0 + p],
          y1 = B[b1 + p],
          y2 = B[b2 + p],
          y3 = B[b3 + p];
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3;
      }
      store(out, i * n + j, n, alpha, beta, c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33);
    }
    for (let j = n4; j < n; j++) for (let r = 0; r < 4; r++) storeOne(out, (i + r) * n + j, alpha, beta, dot(A, (i + r) * k, B, j * k, k));
  }
  for (let i = m4; i < m; i++) for (let j = 0; j < n; j++) storeOne(out, i * n + j, alpha, beta, dot(A, i * k, B, j * k, k));
  return out;
}

function dot(A: Float32Array, ao: number, B: Float32Array, bo: number, k: number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s += A[ao + p] * B[bo + p];
  return s;
}

function storeOne(out: Float32Array, idx: number, alpha: number, beta: number, v: number): void {
  out[idx] = alpha * v + (beta === 0 ? 0 : beta * out[idx]);
}

// prettier-ignore
function store(out: Float32Array, o: number, n: number, alpha: number, beta: number,
  c00: number, c01: number, c02: number, c03: number, c10: number, c11: number, c12: number, c13: number,
  c20: number, c21: number, c22: number, c23: number, c30: number, c31: number, c32: number, c33: number): void {
  if (beta === 0) {
    out[o] = alpha * c00; out[o + 1] = alpha * c01; out[o + 2] = alpha * c02; out[o + 3] = alpha * c03; o += n;
    out[o] = alpha * c10; out[o + 1] = alpha * c11; out[o + 2] = alpha * c12; out[o + 3] = alpha * c13; o += n;
    out[o] = alpha * c20; out[o + 1] = alpha * c21; out[o + 2] = alpha * c22; out[o + 3] = alpha * c23; o += n;
    out[o] = alpha * c30; out[o + 1] = alpha * c31; out[o + 2] = alpha * c32; out[o + 3] = alpha * c33;
    return;
  }
  out[o] = alpha * c00 + beta * out[o]; out[o + 1] = alpha * c01 + beta * out[o + 1]; out[o + 2] = alpha * c02 + beta * out[o + 2]; out[o + 3] = alpha * c03 + beta * out[o + 3]; o += n;
  out[o] = alpha * c10 + beta * out[o]; out[o + 1] = alpha * c11 + beta * out[o + 1]; out[o + 2] = alpha * c12 + beta * out[o + 2]; out[o + 3] = alpha * c13 + beta * out[o + 3]; o += n;
  out[o] = alpha * c20 + beta * out[o]; out[o + 1] = alpha * c21 + beta * out[o + 1]; out[o + 2] = alpha * c22 + beta * out[o + 2]; out[o + 3] = alpha * c23 + beta * out[o + 3]; o += n;
  out[o] = alpha * c30 + beta * out[o]; out[o + 1] = alpha * c31 + beta * out[o + 1]; out[o + 2] = alpha * c32 + beta * out[o + 2]; out[o + 3] = alpha * c33 + beta * out[o + 3];
}
