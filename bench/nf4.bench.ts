/**
 * NF4 quantize + dequantize throughput on a 4096 x 4096 matrix (block 64): the WGSL kernels
 * against the CPU reference, in the same browser. The GPU time covers the two kernels with the
 * weights already on the GPU (median of 5 runs after a warm-up); the CPU time is the best of 2.
 * Also reports the largest difference between the two reconstructions (expected 0 except for
 * values that sit on a decision threshold).
 */
import { acquireGpu } from '../kernels/gpu/device';
import { GpuScope } from '../kernels/gpu/scope';
import { NF4_LEVELS } from '../kernels/nf4/levels';
import { roundTripCpu, timedRoundTripGpu, warmUpGpu } from '../kernels/nf4/roundtrip';
import { sampleWeights } from '../kernels/nf4/weights';
import { createRng } from '../kernels/random/rng';
import type { BenchReport } from './types';

const SIDE = 4096;
const BLOCK = 64;
const GPU_RUNS = 5;
const CPU_RUNS = 2;

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
  inputScope.destroy();
  const gpuMs = times.sort((a, b) => a - b)[Math.floor(GPU_RUNS / 2)];
  rows.push(
    { label: 'GPU quantize + dequantize (WGSL, median of 5)', value: gpuMs, unit: 'ms' },
    { label: 'GPU throughput', value: throughput(gpuMs), unit: 'M weights/s' },
    { label: 'largest |GPU - CPU| in the reconstruction', value: maxDiff, unit: '' },
  );
  ratios.push({ label: 'GPU speed-up over CPU (CPU time / GPU time)', value: cpuMs / gpuMs });
  const adapter = gpu.adapter.description || [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ') || 'GPU';
  return { title: `NF4 blockwise quantize + dequantize, 4096 x 4096 on ${adapter}`, rows, ratios };
}
