/**
 * Quantize then dequantize a whole matrix on either path, timed: what the quantizer widget shows
 * and what bench/nf4.bench.ts measures. The GPU time covers the kernels only (weights already on
 * the GPU, results not yet read back): record them, submit, wait for the queue.
 */
import type { GpuContext } from '../gpu/device';
import { submitOps } from '../gpu/compute-op';
import { GpuScope } from '../gpu/scope';
import { dequantizeBlockwise, quantizeBlockwise, type Quantized } from './nf4';
import { createDequantizeOp, createQuantizeOp, unpackCodes } from './nf4-gpu';

export interface RoundTrip extends Quantized {
  reconstructed: Float32Array;
  /** Milliseconds for quantize + dequantize. */
  ms: number;
}

export function roundTripCpu(w: Float32Array, blockSize: number, levels: Float32Array): RoundTrip {
  const t0 = performance.now();
  const q = quantizeBlockwise(w, blockSize, levels);
  const reconstructed = dequantizeBlockwise(q.codes, q.absmax, blockSize, levels);
  return { ...q, reconstructed, ms: performance.now() - t0 };
}

/**
 * Runs the kernels on `input` (n floats already on the GPU) and waits; the outputs are buffers of
 * `scope`. The time starts once the kernels and their buffers exist: it covers the GPU work.
 */
export async function timedRoundTripGpu(scope: GpuScope, input: GPUBuffer, n: number, blockSize: number, levels: Float32Array) {
  const { op, quantized } = createQuantizeOp(scope, input, n, blockSize, levels);
  const out = scope.empty(n);
  const dequantize = createDequantizeOp(scope, quantized, levels, out);
  const t0 = performance.now();
  submitOps(scope.gpu, [op, dequantize]);
  await scope.gpu.device.queue.onSubmittedWorkDone();
  return { quantized, out, ms: performance.now() - t0 };
}

/** Compiles both pipelines on a tiny input so the timed run measures kernels, not shader compilation. */
export async function warmUpGpu(gpu: GpuContext, blockSize: number, levels: Float32Array): Promise<void> {
  const scope = new GpuScope(gpu);
  try {
    await timedRoundTripGpu(scope, scope.upload(new Float32Array(blockSize)), blockSize, blockSize, levels);
  } finally {
    scope.destroy();
  }
}

export async function roundTripGpu(gpu: GpuContext, input: GPUBuffer, n: number, blockSize: number, levels: Float32Array): Promise<RoundTrip> {
  const scope = new GpuScope(gpu);
  try {
    const { quantized, out, ms } = await timedRoundTripGpu(scope, input, n, blockSize, levels);
    const reconstructed = await gpu.read(out, n);
    const words = await gpu.read(quantized.codes, Math.ceil(n / 8));
    const absmax = await gpu.read(quantized.absmax, Math.ceil(n / blockSize));
    return { codes: unpackCodes(new Uint32Array(words.buffer, words.byteOffset, words.length), n), absmax, reconstructed, ms };
  } finally {
    scope.destroy();
  }
}
