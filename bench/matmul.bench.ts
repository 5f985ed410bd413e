/**
 * Matmul throughput in GFLOP/s (2 m k n per product) for square sizes and the three forms the
 * trainers use: C = A B, C = A B^T (forward passes against stored weights) and C = A^T B (weight
 * gradients). CPU: our WebAssembly SIMD kernel (kernels/linalg/wasm/gemm.c) and our TypeScript
 * kernel against TensorFlow.js 4.22's wasm backend (XNNPACK, SIMD, one thread) and cpu backend.
 * jax-js 0.1.25's wasm device (its own generated kernels, multi-threaded where the runtime allows)
 * is listed too. GPU: our WGSL matmul (the kernel `matmulKernelFor` picks) against TF.js's webgpu
 * `matMul` and jax-js's webgpu device, with the operands already on the GPU. Sizes above 1024 run on the GPU only, and not on SwiftShader,
 * where they would take minutes and say nothing about GPUs.
 */
import { acquireGpu, type GpuContext } from '../kernels/gpu/device';
import { GpuScope } from '../kernels/gpu/scope';
import { gemmCpu, gemmTs, prepareCpuGemm } from '../kernels/linalg/gemm-cpu';
import { createMatmul, matmulKernelFor, type MatmulKernel, type MatmulOptions } from '../kernels/linalg/matmul';
import { createRng } from '../kernels/random/rng';
import { jit } from '@jax-js/jax';
import { np, useJaxDevice } from './jax';
import { tf, useTfBackend, type TfBackend } from './tfjs';
import { GPU_ONLY } from './options';
import { opsPerSecond, unitsPerSecond } from './timing';
import type { BenchReport } from './types';

const CPU_SIZES = [64, 256, 512, 1024];
const GPU_SIZES = [256, 1024, 2048, 4096];
const MIN_SECONDS = 0.5;
/** The three forms the trainers use (also swept by matmul-tiles.bench.ts). */
export const FORMS: { name: string; opts: MatmulOptions }[] = [
  { name: 'A B', opts: {} },
  { name: 'A B^T', opts: { transB: true } },
  { name: 'A^T B', opts: { transA: true } },
];

type Contender = (size: number, opts: MatmulOptions) => Promise<number | null>;

function operands(size: number): { a: Float32Array; b: Float32Array } {
  const rng = createRng(size);
  return { a: rng.normals(size * size, 1), b: rng.normals(size * size, 1) };
}

const gflops = (size: number, perSecond: number) => (2 * size ** 3 * perSecond) / 1e9;

function cpuKernel(kernel: typeof gemmCpu): Contender {
  return async (size, opts) => {
    const { a, b } = operands(size);
    const out = new Float32Array(size * size);
    const rate = await unitsPerSecond((count) => {
      for (let i = 0; i < count; i++) kernel(a, b, size, size, size, opts, out);
    }, MIN_SECONDS);
    return gflops(size, rate);
  };
}

function tfMatmul(backend: TfBackend): Contender {
  return async (size, opts) => {
    if (!(await useTfBackend(backend))) return null;
    const { a, b } = operands(size);
    const ta = tf.tensor2d(a, [size, size]);
    const tb = tf.tensor2d(b, [size, size]);
    try {
      const rate = await unitsPerSecond(async (count) => {
        for (let i = 0; i < count; i++) {
          const c = tf.matMul(ta, tb, opts.transA, opts.transB);
          // Waiting for the last product waits for all: each backend runs them in order.
          if (i === count - 1) await c.data();
          c.dispose();
        }
      }, MIN_SECONDS);
      return gflops(size, rate);
    } finally {
      tf.dispose([ta, tb]);
    }
  };
}

function jaxMatmul(device: 'wasm' | 'webgpu'): Contender {
  return async (size, opts) => {
    if (!(await useJaxDevice(device))) return null;
    const { a, b } = operands(size);
    const ja = np.array(a.slice()).reshape([size, size]);
    const jb = np.array(b.slice()).reshape([size, size]);
    const product = jit((x: np.Array, y: np.Array) => np.matmul(opts.transA ? x.transpose() : x, opts.transB ? y.transpose() : y));
    try {
      const rate = await unitsPerSecond(async (count) => {
        for (let i = 0; i < count; i++) {
          // jax-js is lazy: a product disposed before it is needed is never computed.
          const c = await product(ja.ref, jb.ref).blockUntilReady();
          c.dispose();
        }
      }, MIN_SECONDS);
      return gflops(size, rate);
    } finally {
      ja.dispose();
      jb.dispose();
    }
  };
}

/** Our WGSL matmul: the kernel `matmulKernelFor` picks, or the one named. */
function oursGpu(gpu: GpuContext, kernel?: MatmulKernel): Contender {
  return async (size, opts) => {
    const scope = new GpuScope(gpu);
    const { a, b } = operands(size);
    try {
      const op = createMatmul(scope, {
        ...opts,
        kernel,
        a: scope.upload(a),
        b: scope.upload(b),
        c: scope.empty(size * size),
        m: size,
        k: size,
        n: size,
      });
      return gflops(size, await opsPerSecond(gpu, [op], MIN_SECONDS));
    } finally {
      scope.destroy();
    }
  };
}

export default async function matmulBench(): Promise<BenchReport> {
  const rows: BenchReport['rows'] = [];
  const ratios: BenchReport['ratios'] = [];
  const measure = async (label: string, contender: Contender, sizes: number[]) => {
    const results = new Map<string, number | null>();
    for (const size of sizes) {
      for (const form of FORMS) {
        const value = await contender(size, form.opts);
        results.set(`${size} ${form.name}`, value);
        rows.push({ label: `${label}, ${size}³, C = ${form.name}`, value: value ?? 0, unit: value === null ? 'backend unavailable' : 'GFLOP/s' });
      }
    }
    return results;
  };
  const ratio = (label: string, x: Map<string, number | null>, y: Map<string, number | null>) => {
    for (const [key, value] of x) {
      const other = y.get(key);
      if (value && other) ratios.push({ label: `${label}, ${key}`, value: value / other });
    }
  };

  if (!GPU_ONLY) {
    const wasmLoaded = await prepareCpuGemm();
    const wasm = await measure(`ours, CPU (${wasmLoaded ? 'WebAssembly SIMD' : 'WebAssembly missing: TypeScript'})`, cpuKernel(gemmCpu), CPU_SIZES);
    const typescript = await measure('ours, CPU (TypeScript kernel)', cpuKernel(gemmTs), CPU_SIZES);
    const tfWasm = await measure('TF.js wasm (XNNPACK, 1 thread)', tfMatmul('wasm'), CPU_SIZES);
    const tfCpu = await measure('TF.js cpu', tfMatmul('cpu'), CPU_SIZES.slice(0, 3));
    const jaxWasm = await measure('jax-js wasm', jaxMatmul('wasm'), CPU_SIZES);
    ratio('ours WebAssembly / TF.js wasm', wasm, tfWasm);
    ratio('ours WebAssembly / ours TypeScript', wasm, typescript);
    ratio('ours WebAssembly / TF.js cpu', wasm, tfCpu);
    ratio('ours WebAssembly / jax-js wasm', wasm, jaxWasm);
  }

  const gpu = await acquireGpu();
  const adapter = gpu ? gpu.adapter.description || [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ') : 'no WebGPU';
  if (gpu) {
    const emulated = gpu.adapter.software;
    const sizes = emulated ? GPU_SIZES.slice(0, 2) : GPU_SIZES;
    const kernels = sizes.map((s) => `${s}: ${matmulKernelFor(s, s, s, gpu.adapter)}`).join(', ');
    const ours = await measure(`ours, WebGPU (${kernels})`, oursGpu(gpu), sizes);
    const tfWebgpu = await measure('TF.js webgpu', tfMatmul('webgpu'), sizes);
    const jaxWebgpu = await measure('jax-js webgpu', jaxMatmul('webgpu'), sizes);
    ratio('ours WebGPU / TF.js webgpu', ours, tfWebgpu);
    ratio('ours WebGPU / jax-js webgpu', ours, jaxWebgpu);
    // Each kernel at every size, so that one run on a GPU can re-choose matmulKernelFor's thresholds.
    if (!emulated) {
      for (const kernel of ['blocked', 'tiled', 'tiled-wide'] as const) {
        const one = await measure(`ours, WebGPU, ${kernel} kernel`, oursGpu(gpu, kernel), sizes);
        ratio(`ours ${kernel} / chosen kernel`, one, ours);
      }
    }
  }
  return { title: `Matmul GFLOP/s (float32; GPU: ${adapter})`, rows, ratios };
}
