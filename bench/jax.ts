/**
 * jax-js 0.1.25 (`@jax-js/jax`): JAX's API with kernels it generates for WebAssembly and WebGPU.
 * Its wasm device runs everywhere; its webgpu device where the page (or Dawn in Node) has WebGPU.
 */
import { defaultDevice, init, numpy as np, type Device } from '@jax-js/jax';

let available: Promise<Device[]> | null = null;

/** Makes `device` jax-js's default; false where it cannot run here. */
export async function useJaxDevice(device: 'wasm' | 'webgpu'): Promise<boolean> {
  available ??= init().catch(() => init('wasm'));
  if (!(await available).includes(device)) return false;
  defaultDevice(device);
  return true;
}

export { np };
