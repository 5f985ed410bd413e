import type { GpuContext } from '../kernels/gpu/device';
import { submitOps, type GpuOp } from '../kernels/gpu/compute-op';

/**
 * Units of work per second, for work of any size: `work(count)` does `count` units (steps,
 * multiplications) and resolves when they are done. The count doubles from 1 until one call
 * takes at least a tenth of a second (that call is the warm-up), then calls are timed until
 * `minSeconds` have passed, so a 4096 x 4096 step and a 64 x 64 one are both timed fairly.
 */
export async function unitsPerSecond(work: (count: number) => Promise<void> | void, minSeconds: number): Promise<number> {
  let count = 1;
  for (;;) {
    const t0 = performance.now();
    await work(count);
    if (performance.now() - t0 >= 100) break;
    count *= 2;
  }
  let units = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minSeconds * 1000) {
    await work(count);
    units += count;
  }
  return units / ((performance.now() - t0) / 1000);
}

/** Steps per second of one of our trainers (no evaluation), which is then destroyed. */
export async function trainerStepsPerSecond(
  trainer: { runSteps(count: number, evaluate: boolean): Promise<unknown>; destroy(): void },
  minSeconds: number,
): Promise<number> {
  try {
    return await unitsPerSecond(async (count) => {
      await trainer.runSteps(count, false);
    }, minSeconds);
  } finally {
    trainer.destroy();
  }
}

/**
 * Repetitions per second of GPU work: `encode(encoder, count)` records `count` repetitions, which go
 * in one submission that is waited for, so per-submit latency is spread over the repetitions.
 */
export function gpuRepetitionsPerSecond(
  gpu: GpuContext,
  encode: (encoder: GPUCommandEncoder, count: number) => void,
  minSeconds: number,
): Promise<number> {
  return unitsPerSecond(async (count) => {
    const encoder = gpu.device.createCommandEncoder();
    encode(encoder, count);
    gpu.device.queue.submit([encoder.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
  }, minSeconds);
}

/** The same for compute ops, repeated back to back in one compute pass. */
export function opsPerSecond(gpu: GpuContext, ops: readonly GpuOp[], minSeconds: number): Promise<number> {
  return unitsPerSecond(async (count) => {
    submitOps(gpu, ops, count);
    await gpu.device.queue.onSubmittedWorkDone();
  }, minSeconds);
}
