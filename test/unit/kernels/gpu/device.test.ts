import { describe, expect, it } from 'vitest';
import { describeAdapter } from '../../../../kernels/gpu/device';

const info = (fields: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }) =>
  ({ vendor: '', architecture: '', description: '', device: '', ...fields }) as GPUAdapterInfo;

describe('describeAdapter', () => {
  it('marks a CPU implementation of WebGPU as software, by its flag or its name', () => {
    expect(describeAdapter(info({ vendor: 'google', architecture: 'swiftshader' })).software).toBe(true);
    expect(describeAdapter(info({ description: 'llvmpipe (LLVM 15.0.7, 256 bits)' })).software).toBe(true);
    expect(describeAdapter(info({ vendor: 'mesa', isFallbackAdapter: true })).software).toBe(true);
  });

  it('leaves a GPU as hardware', () => {
    const nvidia = describeAdapter(info({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }));
    expect(nvidia).toEqual({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', software: false });
    expect(describeAdapter(info({ vendor: 'apple', architecture: 'metal-3', isFallbackAdapter: false })).software).toBe(false);
  });
});
