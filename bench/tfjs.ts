/**
 * TensorFlow.js 4.22 with the backends the benches compare against: webgpu, webgl (browser only),
 * wasm (XNNPACK with SIMD, held to one thread like our CPU kernel) and cpu (plain JavaScript).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// The backend's .wasm files: read from disk in Node, served from node_modules by Vite in Chromium.
const inNode = typeof process !== 'undefined' && Boolean(process.versions?.node);
setWasmPaths(`${inNode ? process.cwd() : ''}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
setThreadsCount(1);

export type TfBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Switches TF.js to `backend`; false where it cannot run here (no WebGPU, no WebGL in Node). */
export async function useTfBackend(backend: TfBackend): Promise<boolean> {
  // Asking first keeps TF.js from printing a stack trace where there is no adapter.
  if (backend === 'webgpu' && !(await globalThis.navigator?.gpu?.requestAdapter())) return false;
  if (!(await tf.setBackend(backend).catch(() => false))) return false;
  await tf.ready();
  return true;
}

export { tf };
