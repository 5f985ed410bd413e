/**
 * A real WebGPU device for kernel tests: these files run inside Chromium (Vitest browser mode),
 * on SwiftShader where there is no GPU, so they check correctness, not speed. When no adapter
 * appears the tests fail, they never skip: a green run always means the kernels ran.
 */
import { describeAdapter, makeContext, type GpuContext } from '../../kernels/gpu/device';

let context: Promise<GpuContext> | null = null;

export function testGpu(): Promise<GpuContext> {
  context ??= create();
  return context;
}

async function create(): Promise<GpuContext> {
  if (!navigator.gpu) throw new Error('This browser has no WebGPU (navigator.gpu is missing): launch Chromium with --enable-unsafe-webgpu.');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('No WebGPU adapter: launch Chromium with --use-webgpu-adapter=swiftshader on machines without a GPU.');
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (e) => errors.push((e as GPUUncapturedErrorEvent).error.message));
  const ctx = makeContext(
    device,
    describeAdapter(adapter.info),
    device.lost.then((l) => l.message),
  );
  // Reading back waits for the queue, so any validation error from the work before it is known by then.
  const read = ctx.read.bind(ctx);
  ctx.read = async (...args) => {
    const out = await read(...args);
    if (errors.length) throw new Error(`WebGPU error: ${errors.splice(0).join('; ')}`);
    return out;
  };
  return ctx;
}

/** Largest absolute difference, scaled by max(1, |expected|), between two arrays; Infinity on NaN. */
export function maxRelDiff(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}
