/**
 * NF4 quantize + dequantize throughput on a 4096 x 4096 matrix (block 64): the WGSL kernels
 * against the CPU reference, in the same browser. The GPU time covers the two kernels with the
 * weights already on the GPU (median of 5 runs after a warm-up); the CPU time is the best of 2.
 * Also reports the largest difference between the two reconstructions (expected 0 except for
 * values that sit on a decision threshold).
 *
 * Against memory: the quantize and dequantize kernels repeated back to back in one submission (no
 * per-submit latency), per run, beside the time the least traffic a round trip needs would take at
 * the best bandwidth measured in the same run: copyBufferToBuffer, and a WGSL kernel that copies
 * vec4s. That least traffic is reading the weights and writing the 4-bit codes and fp32 scales,
 * then reading those and writing the weights: 4 + 0.5 + 4/64 bytes per weight each way.
 */
import { acquireGpu, type GpuContext } from '../kernels/gpu/device';
import { computeOp, flatDispatch, type GpuOp } from '../kernels/gpu/compute-op';
import { GpuScope } from '../kernels/gpu/scope';
import { NF4_LEVELS } from '../kernels/nf4/levels';
import { createDequantizeOp, createQuantizeOp } from '../kernels/nf4/nf4-gpu';
import { roundTripCpu, timedRoundTripGpu, warmUpGpu } from '../kernels/nf4/roundtrip';
import { sampleWeights } from '../kernels/nf4/weights';
import { createRng } from '../kernels/random/rng';
import { gpuRepetitionsPerSecond, opsPerSecond } from './timing';
import type { BenchReport } from './types';

const SIDE = 4096;
const BLOCK = 64;
const GPU_RUNS = 5;
const CPU_RUNS = 2;
const MIN_SECONDS = 0.3;

export default async function nf4Bench(): Promise<BenchReport> {
  const n = SIDE * SIDE;
  const w = sampleWeights('normal', n, createRng(1));
  let cpuMs = Infinity;
  let cpuOut: Float32Array = new Float32Array(0);
  for (let r = 0; r < CPU_RUNS; r++) {
    const rt = roundTripCpu(w, BLOCK, NF4_LEVELS);
    if (rt.ms < cpuMs) cpuMs = rt.ms;
    cpuOut = rt.reconstructed;
  }
  const throughput = (ms: number) => n / (ms / 1000) / 1e6;
  const rows: BenchReport['rows'] = [
    { label: 'CPU quantize + dequantize (4096 x 4096, block 64)', value: cpuMs, unit: 'ms' },
    { label: 'CPU throughput', value: throughput(cpuMs), unit: 'M weights/s' },
  ];
  const ratios: BenchReport['ratios'] = [];
  const gpu = await acquireGpu();
  if (!gpu) {
    rows.push({ label: 'WebGPU available', value: 0, unit: '' });
    return { title: 'NF4 blockwise quantize + dequantize: no WebGPU adapter, CPU only', rows, ratios };
  }
  const inputScope = new GpuScope(gpu);
  const input = inputScope.upload(w);
  await warmUpGpu(gpu, BLOCK, NF4_LEVELS);
  const times: number[] = [];
  let maxDiff = 0;
  for (let r = 0; r < GPU_RUNS; r++) {
    const runScope = new GpuScope(gpu);
    const { out, ms } = await timedRoundTripGpu(runScope, input, n, BLOCK, NF4_LEVELS);
    times.push(ms);
    if (r === GPU_RUNS - 1) {
      const got = await gpu.read(out, n);
      for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - cpuOut[i]));
    }
    runScope.destroy();
  }
  const repeated = await repeatedTimes(gpu, inputScope, input, n);
  inputScope.destroy();
  const bandwidth = Math.max(repeated.copyBytesPerSecond, repeated.shaderCopyBytesPerSecond);
  const leastBytes = 2 * n * (4 + 0.5 + 4 / BLOCK);
  const memoryMs = (leastBytes / bandwidth) * 1000;
  const gpuMs = times.sort((a, b) => a - b)[Math.floor(GPU_RUNS / 2)];
  rows.push(
    { label: 'GPU quantize + dequantize (WGSL, median of 5)', value: gpuMs, unit: 'ms' },
    { label: 'GPU throughput', value: throughput(gpuMs), unit: 'M weights/s' },
    { label: 'largest |GPU - CPU| in the reconstruction', value: maxDiff, unit: '' },
    { label: 'GPU quantize, repeated in one submission, each', value: repeated.quantizeMs, unit: 'ms' },
    { label: 'GPU dequantize, repeated in one submission, each', value: repeated.dequantizeMs, unit: 'ms' },
    { label: 'GPU quantize + dequantize, repeated, each', value: repeated.roundTripMs, unit: 'ms' },
    { label: 'copy bandwidth, copyBufferToBuffer (read + write)', value: repeated.copyBytesPerSecond / 1e9, unit: 'GB/s' },
    { label: 'copy bandwidth, WGSL vec4 copy kernel (read + write)', value: repeated.shaderCopyBytesPerSecond / 1e9, unit: 'GB/s' },
    { label: 'least traffic of a round trip at the better bandwidth', value: memoryMs, unit: 'ms' },
  );
  ratios.push(
    { label: 'GPU speed-up over CPU (CPU time / GPU time)', value: cpuMs / gpuMs },
    { label: 'round trip (repeated) / its least memory time', value: repeated.roundTripMs / memoryMs },
  );
  const adapter = gpu.adapter.description || [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ') || 'GPU';
  return { title: `NF4 blockwise quantize + dequantize, 4096 x 4096 on ${adapter}`, rows, ratios };
}

/** Each kernel, the round trip and two copies of the n weights, timed repeated back to back in one submission. */
async function repeatedTimes(gpu: GpuContext, scope: GpuScope, input: GPUBuffer, n: number) {
  const msPerRun = (ops: GpuOp[]) => opsPerSecond(gpu, ops, MIN_SECONDS).then((perSecond) => 1000 / perSecond);
  const { op: quantize, quantized } = createQuantizeOp(scope, input, n, BLOCK, NF4_LEVELS);
  const target = scope.empty(n);
  const dequantize = createDequantizeOp(scope, quantized, NF4_LEVELS, target);
  const copyDispatch = flatDispatch(n / 4, 256);
  const shaderCopy = computeOp(scope, {
    code: /* wgsl */ `
@group(0) @binding(0) var<uniform> rowStride: u32;
@group(0) @binding(1) var<storage, read> source: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> copy: array<vec4<f32>>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.y * rowStride + id.x;
  if (i < arrayLength(&copy)) { copy[i] = source[i]; }
}`,
    uniform: new Uint32Array([copyDispatch.rowStride, 0, 0, 0]),
    buffers: [input, target],
    groups: copyDispatch.groups,
  });
  const bytes = 2 * 4 * n;
  return {
    quantizeMs: await msPerRun([quantize]),
    dequantizeMs: await msPerRun([dequantize]),
    roundTripMs: await msPerRun([quantize, dequantize]),
    copyBytesPerSecond:
      bytes *
      (await gpuRepetitionsPerSecond(
        gpu,
        (encoder, count) => {
          for (let r = 0; r < count; r++) encoder.copyBufferToBuffer(input, 0, target, 0, n * 4);
        },
        MIN_SECONDS,
      )),
    shaderCopyBytesPerSecond: bytes * (await opsPerSecond(gpu, [shaderCopy], MIN_SECONDS)),
  };
}
