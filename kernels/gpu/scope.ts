import type { GpuContext } from './device';

const STORAGE = 0x80; // GPUBufferUsage.STORAGE, spelled out so this module also loads where WebGPU is absent
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const UNIFORM = 0x40;

/** Storage usable as a copy source and destination too: every tensor the kernels read or write. */
export const STORAGE_USAGE = STORAGE | COPY_SRC | COPY_DST;

/**
 * Owns every GPU buffer it creates (storage and uniform alike) and frees them all in one call.
 * A trainer or a widget run makes one scope, builds its ops in it and calls `destroy()` when it
 * ends, so no buffer outlives the work that needed it.
 */
export class GpuScope {
  private readonly buffers = new Set<GPUBuffer>();

  constructor(readonly gpu: GpuContext) {}

  /** A storage buffer holding `data`. An empty array still gets a (16-byte) buffer, so it can be bound. */
  upload(data: Float32Array | Uint32Array | Int32Array | Uint8Array, usage = STORAGE_USAGE): GPUBuffer {
    const buffer = this.create(Math.max(16, align4(data.byteLength)), usage, true);
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
    return buffer;
  }

  /** A zero-filled storage buffer of `elements` 4-byte values. */
  empty(elements: number, usage = STORAGE_USAGE): GPUBuffer {
    if (!(elements >= 0) || !Number.isFinite(elements)) throw new Error(`buffer size must be a non-negative number, got ${elements}`);
    return this.create(Math.max(16, align4(elements * 4)), usage, false);
  }

  /** A uniform buffer holding `data` (padded to 16 bytes). */
  uniform(data: ArrayBuffer | ArrayBufferView): GPUBuffer {
    const view = data instanceof ArrayBuffer ? { buffer: data, byteOffset: 0, byteLength: data.byteLength } : data;
    const buffer = this.create(Math.max(16, Math.ceil(view.byteLength / 16) * 16), UNIFORM | COPY_DST, false);
    this.gpu.device.queue.writeBuffer(buffer, 0, view.buffer as ArrayBuffer, view.byteOffset, view.byteLength);
    return buffer;
  }

  /** Buffers this scope holds now. */
  get size(): number {
    return this.buffers.size;
  }

  /** Bytes of the buffers this scope holds now. */
  get bytes(): number {
    let total = 0;
    for (const b of this.buffers) total += b.size;
    return total;
  }

  /** Frees every buffer the scope created; the scope stays usable. */
  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.clear();
  }

  private create(size: number, usage: GPUBufferUsageFlags, mappedAtCreation: boolean): GPUBuffer {
    const buffer = this.gpu.device.createBuffer({ size, usage, mappedAtCreation });
    this.buffers.add(buffer);
    return buffer;
  }
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
