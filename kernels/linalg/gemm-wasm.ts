/**
 * The WebAssembly SIMD matmul (wasm/gemm.c) behind `gemmCpu`'s contract: operands are copied into
 * the module's memory as they are (the kernel's packing reads either layout, so no form needs a
 * transpose here), multiplied, and C is copied back. Loaded on demand (`loadWasmGemm`), so a page
 * that never trains on the CPU never fetches or compiles it.
 */
import type { MatmulOptions } from './matmul';

interface GemmExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  gemm(m: number, k: number, n: number, a: number, transA: number, b: number, transB: number, c: number, alpha: number, beta: number): void;
}

export type WasmGemm = (a: Float32Array, b: Float32Array, m: number, k: number, n: number, opts: MatmulOptions, out: Float32Array) => Float32Array;

let loading: Promise<WasmGemm | null> | null = null;

/** The WASM matmul, or null where WebAssembly SIMD is unavailable. */
export function loadWasmGemm(): Promise<WasmGemm | null> {
  loading ??= (async () => {
    try {
      const { GEMM_WASM_BASE64 } = await import('./wasm/gemm-binary');
      const bytes = Uint8Array.from(atob(GEMM_WASM_BASE64), (c) => c.charCodeAt(0));
      const { instance } = await WebAssembly.instantiate(bytes);
      return wrap(instance.exports as unknown as GemmExports);
    } catch {
      return null;
    }
  })();
  return loading;
}

function wrap(ex: GemmExports): WasmGemm {
  const base = Math.ceil((ex.__heap_base.value as number) / 16) * 16;
  let heap = new Float32Array(ex.memory.buffer);
  const ensure = (floats: number) => {
    const bytes = base + floats * 4;
    if (bytes > ex.memory.buffer.byteLength) {
      ex.memory.grow(Math.ceil((bytes - ex.memory.buffer.byteLength) / 65536));
      heap = new Float32Array(ex.memory.buffer);
    }
  };
  return (a, b, m, k, n, opts, out) => {
    const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
    ensure(m * k + k * n + m * n);
    const offA = base / 4;
    const offB = offA + m * k;
    const offC = offB + k * n;
    heap.set(a.subarray(0, m * k), offA);
    heap.set(b.subarray(0, k * n), offB);
    if (beta !== 0) heap.set(out.subarray(0, m * n), offC);
    ex.gemm(m, k, n, offA * 4, Number(transA), offB * 4, Number(transB), offC * 4, alpha, beta);
    out.set(heap.subarray(offC, offC + m * n));
    return out;
  };
}
