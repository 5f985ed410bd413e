/**
 * One place that acquires the WebGPU device for the whole page: widgets share it, pipelines are
 * compiled once per WGSL source, and when WebGPU is missing, refused or lost the caller gets
 * `null` plus a reason, and falls back to the CPU reference. Buffers are made by a `GpuScope`
 * (scope.ts), kernels are bound and dispatched by `computeOp` (compute-op.ts).
 */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU that implements WebGPU (SwiftShader, llvmpipe), where kernels are chosen differently. */
  software: boolean;
}

/** What the kernels need to know about an adapter, from its `info`. */
export function describeAdapter(info: GPUAdapterInfo): AdapterDescription {
  const { vendor, architecture, description } = info;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    vendor,
    architecture,
    description,
    software: fallback || /swiftshader|llvmpipe|lavapipe/i.test(`${vendor} ${architecture} ${description}`),
  };
}

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterDescription;
  /** A compute pipeline for `code`, compiled once and cached by source and entry point. */
  pipeline(code: string, entryPoint?: string): GPUComputePipeline;
  /** Copies `floats` 4-byte values back to the CPU (through a staging buffer it frees). */
  read(buffer: GPUBuffer, floats: number, offsetFloats?: number): Promise<Float32Array>;
  /** Resolves with a reason when the device is lost (including `destroy()`). */
  lost: Promise<string>;
}

export type CpuReason = 'forced' | 'no-webgpu' | 'no-adapter' | 'device-failed' | 'lost';

export const CPU_REASON_TEXT: Record<CpuReason, string> = {
  forced: 'CPU chosen by the page settings',
  'no-webgpu': 'this browser has no WebGPU',
  'no-adapter': 'WebGPU found no usable GPU adapter',
  'device-failed': 'the GPU refused to create a device',
  lost: 'the GPU device was lost',
};

const COPY_DST = 0x08; // GPUBufferUsage flags, spelled out so this module also loads where WebGPU is absent
const MAP_READ = 0x01;

let current: Promise<GpuContext | null> | null = null;
let lastReason: CpuReason | null = null;

/** Why the last `acquireGpu()` returned null (or null if it returned a device). */
export function cpuReason(): CpuReason | null {
  return lastReason;
}

/** The page's GPU context, or null (see `cpuReason()`). Cached; re-acquired after a loss. */
export function acquireGpu(): Promise<GpuContext | null> {
  current ??= requestContext();
  return current;
}

async function requestContext(): Promise<GpuContext | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return fail('no-webgpu');
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    adapter = null;
  }
  if (!adapter) return fail('no-adapter');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
  } catch {
    return fail('device-failed');
  }
  lastReason = null;
  const lost = device.lost.then((l) => {
    // The next acquireGpu() asks for a fresh device; running work falls back to the CPU.
    current = null;
    lastReason = 'lost';
    return l.message || l.reason || 'unknown';
  });
  return makeContext(device, describeAdapter(adapter.info), lost);
}

function fail(reason: CpuReason): null {
  lastReason = reason;
  current = null;
  return null;
}

/** Wraps a device in the helpers above. Exported for tests that create their own device. */
export function makeContext(device: GPUDevice, adapter: AdapterDescription, lost: Promise<string>): GpuContext {
  const pipelines = new Map<string, GPUComputePipeline>();
  return {
    device,
    adapter,
    lost,
    pipeline(code, entryPoint = 'main') {
      const key = entryPoint + '\u0000' + code;
      let p = pipelines.get(key);
      if (!p) {
        const module = device.createShaderModule({ code });
        p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint } });
        pipelines.set(key, p);
      }
      return p;
    },
    async read(buffer, floats, offsetFloats = 0) {
      const staging = device.createBuffer({ size: Math.max(16, floats * 4), usage: MAP_READ | COPY_DST });
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(buffer, offsetFloats * 4, staging, 0, floats * 4);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(MAP_READ);
      const out = new Float32Array(staging.getMappedRange().slice(0, floats * 4));
      staging.unmap();
      staging.destroy();
      return out;
    },
  };
}
