/**
 * Blockwise 4-bit quantization on the GPU: the one NF4 GPU path (the quantizer widget, the QLoRA
 * trainers' frozen bases). The CPU reference (and test oracle) is `nf4.ts`; both follow
 * bitsandbytes 0.48. Codes are packed two per byte, eight per u32: code i sits in bits
 * 4*(i%8) .. 4*(i%8)+3 of word i/8, so a base of n weights takes n/2 bytes plus one f32 scale per
 * block, the bytes the QLoRA chapter's memory formula counts (`packedNf4Bytes`).
 *
 * API
 *   packCodes(codes) / unpackCodes(words, n)                    the packing above
 *   createQuantizeOp(scope, w, n, blockSize, levels)            w (n f32 on the GPU) -> packed codes + absmax (three dispatches)
 *   createDequantizeOp(scope, q, levels, out)                   packed codes + absmax -> out (n f32)
 *   quantizeOnGpu / dequantizeOnGpu                             upload, run, read back, free
 *   nf4WeightWgsl(group, firstBinding)                          WGSL `fn nf4_weight(i: u32) -> f32`
 *       for kernels that dequantize inside: bindings firstBinding..+3 are nf4_codes (array<u32>),
 *       nf4_absmax (array<f32>), nf4_levels (array<f32>, 16), nf4_params (uniform: block size in .x).
 *
 * Limits: blockSize must be a multiple of 8 (a block fills whole u32 words) and the level table
 * has 16 entries. Codes equal the CPU's except where w * (1 / absmax) sits within float32
 * rounding of a threshold (WGSL's division may differ from JS's by an ulp or two).
 */
import type { GpuContext } from '../gpu/device';
import { computeOp, flatDispatch, submitOps, type GpuOp } from '../gpu/compute-op';
import { GpuScope } from '../gpu/scope';
import { blockCount, levelThresholds, type Quantized } from './nf4';

const WORKGROUP = 64;

/** The sizes every kernel here reads (binding 0), and the entry point they share. */
const PARAMS = /* wgsl */ `struct Params { n: u32, block_size: u32, blocks: u32, pad: u32 };
@group(0) @binding(0) var<uniform> params: Params;`;
const ENTRY = /* wgsl */ `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32)`;

/** Index of this invocation in a dispatch split over x and y by `flatDispatch`. */
const GLOBAL_INDEX = /* wgsl */ `
fn global_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * ${WORKGROUP}u + lid;
}`;

/**
 * Quantizing takes three dispatches in which neighbouring invocations read neighbouring memory, so
 * a GPU coalesces the loads (one invocation walking a whole block would read memory 256 bytes
 * apart across a warp), and none waits at a barrier:
 *   WORD_MAX_WGSL: one invocation per u32 word: the largest |w| of its eight weights;
 *   BLOCK_MAX_WGSL: one invocation per block: the largest of its words' maxima (absmax);
 *   ENCODE_WGSL: one invocation per word: the nearest level of each weight, by counting the 15
 *                thresholds it exceeds, packed into the word.
 */
export const WORD_MAX_WGSL = /* wgsl */ `
${PARAMS}
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> word_max: array<f32>;
${GLOBAL_INDEX}

${ENTRY} {
  let word = global_index(wid, nwg, lid);
  if (word * 8u >= params.n) { return; }
  var m = 0.0;
  for (var i = word * 8u; i < min(params.n, word * 8u + 8u); i++) { m = max(m, abs(w[i])); }
  word_max[word] = m;
}`;

export const BLOCK_MAX_WGSL = /* wgsl */ `
${PARAMS}
@group(0) @binding(1) var<storage, read> word_max: array<f32>;
@group(0) @binding(2) var<storage, read_write> absmax: array<f32>;
${GLOBAL_INDEX}

${ENTRY} {
  let b = global_index(wid, nwg, lid);
  if (b >= params.blocks) { return; }
  // A block holds whole words (block_size is a multiple of 8); the last may be short.
  let words = params.block_size / 8u;
  let first = b * words;
  let end = min((params.n + 7u) / 8u, first + words);
  var m = 0.0;
  for (var i = first; i < end; i++) { m = max(m, word_max[i]); }
  absmax[b] = m;
}`;

export const ENCODE_WGSL = /* wgsl */ `
${PARAMS}
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> thresholds: array<f32>;
@group(0) @binding(3) var<storage, read> absmax: array<f32>;
@group(0) @binding(4) var<storage, read_write> codes: array<u32>;
${GLOBAL_INDEX}

${ENTRY} {
  let word = global_index(wid, nwg, lid);
  if (word * 8u >= params.n) { return; }
  // A block holds whole words, so all eight weights share one scale. bitsandbytes multiplies by
  // the reciprocal; an all-zero block maps every weight to 0.
  let m = absmax[(word * 8u) / params.block_size];
  var inv = 0.0;
  if (m > 0.0) { inv = 1.0 / m; }
  var packed = 0u;
  for (var k = 0u; k < 8u; k++) {
    let i = word * 8u + k;
    if (i >= params.n) { break; }
    let x = clamp(w[i] * inv, -1.0, 1.0);
    var code = 0u;
    for (var t = 0u; t < 15u; t++) { code += select(0u, 1u, x > thresholds[t]); }
    packed |= code << (4u * k);
  }
  codes[word] = packed;
}`;

/**
 * One invocation per four weights (half a u32 word): level[code] * absmax[block]. Neighbouring
 * invocations write neighbouring 16-byte runs, so a warp's stores cover whole memory sectors; with
 * one invocation per word each store instruction wrote 4 bytes out of every 32, and on an H200 the
 * kernel took 2.2x as long as quantizing, which reads more (0.181 against 0.081 ms for 4096²).
 * `vec`: n is a multiple of 4, so `out` is written as vec4s; otherwise four guarded scalar writes.
 */
export function dequantizeWgsl(vec: boolean): string {
  return /* wgsl */ `
${PARAMS}
@group(0) @binding(1) var<storage, read> codes: array<u32>;
@group(0) @binding(2) var<storage, read> absmax: array<f32>;
@group(0) @binding(3) var<storage, read> levels: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<${vec ? 'vec4<f32>' : 'f32'}>;
${GLOBAL_INDEX}

${ENTRY} {
  let quad = global_index(wid, nwg, lid);
  if (quad * 4u >= params.n) { return; }
  let nibbles = codes[quad / 2u] >> (16u * (quad % 2u));
  // Four weights never straddle a block (block_size is a multiple of 8), so they share one scale.
  let scale = absmax[(quad * 4u) / params.block_size];
  ${
    vec
      ? `out[quad] = scale * vec4<f32>(levels[nibbles & 15u], levels[(nibbles >> 4u) & 15u], levels[(nibbles >> 8u) & 15u], levels[(nibbles >> 12u) & 15u]);`
      : `for (var k = 0u; k < 4u; k++) {
    let i = quad * 4u + k;
    if (i >= params.n) { break; }
    out[i] = levels[(nibbles >> (4u * k)) & 15u] * scale;
  }`
  }
}`;
}

/** WGSL for kernels that read NF4 weights directly (see the API above). */
export function nf4WeightWgsl(group: number, firstBinding: number): string {
  const b = firstBinding;
  return /* wgsl */ `
@group(${group}) @binding(${b}) var<storage, read> nf4_codes: array<u32>;
@group(${group}) @binding(${b + 1}) var<storage, read> nf4_absmax: array<f32>;
@group(${group}) @binding(${b + 2}) var<storage, read> nf4_levels: array<f32>;
@group(${group}) @binding(${b + 3}) var<uniform> nf4_params: vec4<u32>;
fn nf4_weight(i: u32) -> f32 {
  let code = (nf4_codes[i / 8u] >> (4u * (i % 8u))) & 15u;
  return nf4_levels[code] * nf4_absmax[i / nf4_params.x];
}`;
}

export function packCodes(codes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(codes.length / 8));
  for (let i = 0; i < codes.length; i++) words[i >> 3] |= (codes[i] & 15) << (4 * (i & 7));
  return words;
}

export function unpackCodes(words: Uint32Array, n: number): Uint8Array {
  const codes = new Uint8Array(n);
  for (let i = 0; i < n; i++) codes[i] = (words[i >> 3] >>> (4 * (i & 7))) & 15;
  return codes;
}

export interface GpuQuantized {
  /** Packed codes, ceil(n / 8) u32 words. */
  codes: GPUBuffer;
  /** One f32 per block. */
  absmax: GPUBuffer;
  n: number;
  blockSize: number;
}

/** Bytes of a packed 4-bit tensor of n weights: n/2 for the codes (whole u32 words) plus an f32 scale per block. */
export function packedNf4Bytes(n: number, blockSize: number): number {
  return 4 * Math.ceil(n / 8) + 4 * blockCount(n, blockSize);
}

function checkGpuArgs(n: number, blockSize: number, levels: Float32Array): void {
  if (!Number.isInteger(blockSize) || blockSize < 8 || blockSize % 8 !== 0) {
    throw new Error(`the GPU path needs a block size that is a multiple of 8, got ${blockSize}`);
  }
  if (levels.length !== 16) throw new Error(`the GPU path packs 4-bit codes and needs 16 levels, got ${levels.length}`);
  if (!(n > 0)) throw new Error(`nothing to quantize (n = ${n})`);
}

function params(n: number, blockSize: number): Uint32Array {
  return new Uint32Array([n, blockSize, blockCount(n, blockSize), 0]);
}

/** The quantize kernel on `w` (n floats on the GPU), writing packed codes and block scales into new buffers of `scope`. */
export function createQuantizeOp(
  scope: GpuScope,
  w: GPUBuffer,
  n: number,
  blockSize: number,
  levels: Float32Array,
): { op: GpuOp; quantized: GpuQuantized } {
  checkGpuArgs(n, blockSize, levels);
  const blocks = blockCount(n, blockSize);
  const quantized: GpuQuantized = { codes: scope.empty(Math.ceil(n / 8)), absmax: scope.empty(blocks), n, blockSize };
  const uniform = scope.uniform(params(n, blockSize));
  const words = Math.ceil(n / 8);
  const wordMax = scope.empty(words);
  const ops = [
    computeOp(scope, { code: WORD_MAX_WGSL, uniform, buffers: [w, wordMax], groups: flatDispatch(words, WORKGROUP).groups }),
    computeOp(scope, { code: BLOCK_MAX_WGSL, uniform, buffers: [wordMax, quantized.absmax], groups: flatDispatch(blocks, WORKGROUP).groups }),
    computeOp(scope, {
      code: ENCODE_WGSL,
      uniform,
      buffers: [w, scope.upload(levelThresholds(levels)), quantized.absmax, quantized.codes],
      groups: flatDispatch(words, WORKGROUP).groups,
    }),
  ];
  // Three dispatches in one pass: WebGPU makes each one's writes visible to the next.
  const op: GpuOp = { encode: (pass) => ops.forEach((o) => o.encode(pass)) };
  return { op, quantized };
}

/** The dequantize kernel: `out` (n floats) = levels[code] * absmax[block]. */
export function createDequantizeOp(scope: GpuScope, q: GpuQuantized, levels: Float32Array, out: GPUBuffer): GpuOp {
  checkGpuArgs(q.n, q.blockSize, levels);
  return computeOp(scope, {
    code: dequantizeWgsl(q.n % 4 === 0),
    uniform: params(q.n, q.blockSize),
    buffers: [q.codes, q.absmax, scope.upload(levels), out],
    groups: flatDispatch(Math.ceil(q.n / 4), WORKGROUP).groups,
  });
}

/** Uploads packed codes and scales from the CPU quantizer's output. */
export function uploadQuantized(scope: GpuScope, q: Quantized, blockSize: number): GpuQuantized {
  return { codes: scope.upload(packCodes(q.codes)), absmax: scope.upload(q.absmax), n: q.codes.length, blockSize };
}

async function readWords(gpu: GpuContext, buffer: GPUBuffer, count: number): Promise<Uint32Array> {
  const f = await gpu.read(buffer, count);
  return new Uint32Array(f.buffer, f.byteOffset, count);
}

export async function quantizeOnGpu(gpu: GpuContext, w: Float32Array, blockSize: number, levels: Float32Array): Promise<Quantized> {
  const scope = new GpuScope(gpu);
  try {
    const { op, quantized } = createQuantizeOp(scope, scope.upload(w), w.length, blockSize, levels);
    submitOps(gpu, [op]);
    const words = await readWords(gpu, quantized.codes, Math.ceil(w.length / 8));
    const absmax = await gpu.read(quantized.absmax, blockCount(w.length, blockSize));
    return { codes: unpackCodes(words, w.length), absmax };
  } finally {
    scope.destroy();
  }
}

export async function dequantizeOnGpu(
  gpu: GpuContext,
  codes: Uint8Array,
  absmax: Float32Array,
  blockSize: number,
  levels: Float32Array,
): Promise<Float32Array> {
  const scope = new GpuScope(gpu);
  try {
    const out = scope.empty(codes.length);
    submitOps(gpu, [createDequantizeOp(scope, uploadQuantized(scope, { codes, absmax }, blockSize), levels, out)]);
    return await gpu.read(out, codes.length);
  } finally {
    scope.destroy();
  }
}
