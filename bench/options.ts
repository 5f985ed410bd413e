/**
 * `npm run bench -- --gpu-only`: the benches skip their CPU rows. For a GPU server, where the GPU
 * rows and their ratios are what the run is for and device time is short. Read from the
 * environment in Node and from the page's address in Chromium.
 */
const inNode = typeof process !== 'undefined' && Boolean(process.versions?.node);
export const GPU_ONLY = inNode ? process.env.BENCH_GPU_ONLY === '1' : new URLSearchParams(globalThis.location?.search).has('gpu-only');
