import { computeOp, type GpuOp } from '../gpu/compute-op';
import type { GpuScope } from '../gpu/scope';

/** Sum (or sum of squares) of `n` values, in float64 on the CPU. */
export function sumCpu(x: Float32Array, n = x.length, squares = false): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += squares ? x[i] * x[i] : x[i];
  return s;
}

const WORKGROUP = 256;

/**
 * One workgroup strides over the input and reduces in shared memory, writing the total to
 * `output[outIndex]`. One workgroup is plenty for what it serves: reading a loss back every few
 * steps, not a hot loop.
 */
function sumWgsl(squares: boolean): string {
  return /* wgsl */ `
struct Params { n: u32, outIndex: u32, scale: f32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
var<workgroup> partial: array<f32, ${WORKGROUP}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var i = lid.x; i < p.n; i = i + ${WORKGROUP}u) {
    let v = input[i];
    acc = acc + ${squares ? 'v * v' : 'v'};
  }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { partial[lid.x] = partial[lid.x] + partial[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { output[p.outIndex] = p.scale * partial[0]; }
}`;
}

/** output[outIndex] = scale * sum(input[0..n)) (of squares when `squares`). */
export function createSum(
  scope: GpuScope,
  buffers: { input: GPUBuffer; output: GPUBuffer },
  args: { n: number; outIndex?: number; scale?: number; squares?: boolean },
): GpuOp {
  const { n, outIndex = 0, scale = 1, squares = false } = args;
  if (!Number.isInteger(n) || n < 1) throw new Error(`sum: n must be a positive integer, got ${n}`);
  const params = new ArrayBuffer(16);
  new Uint32Array(params, 0, 2).set([n, outIndex]);
  new Float32Array(params, 8, 1)[0] = scale;
  return computeOp(scope, { code: sumWgsl(squares), uniform: params, buffers: [buffers.input, buffers.output], groups: 1 });
}

/**
 * history[counter[0]] = scale * sum(input[0..n)), then counter[0] += 1 (unless `advance` is 0): a
 * training step's loss kept on the GPU, so many steps fit in one command buffer and one readback
 * returns them all.
 */
const SUM_INTO_HISTORY_WGSL = /* wgsl */ `
struct Params { n: u32, historyLength: u32, scale: f32, advance: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> history: array<f32>;
@group(0) @binding(3) var<storage, read_write> counter: array<u32>;
var<workgroup> partial: array<f32, ${WORKGROUP}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var i = lid.x; i < p.n; i = i + ${WORKGROUP}u) { acc = acc + input[i]; }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { partial[lid.x] = partial[lid.x] + partial[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let step = counter[0];
    if (step < p.historyLength) { history[step] = p.scale * partial[0]; }
    counter[0] = step + p.advance;
  }
}`;

export function createSumIntoHistory(
  scope: GpuScope,
  buffers: { input: GPUBuffer; history: GPUBuffer; counter: GPUBuffer },
  args: { n: number; historyLength: number; scale?: number; advance?: boolean },
): GpuOp {
  const { n, historyLength, scale = 1, advance = true } = args;
  if (!Number.isInteger(n) || n < 1) throw new Error(`sum: n must be a positive integer, got ${n}`);
  const params = new ArrayBuffer(16);
  new Uint32Array(params, 0, 2).set([n, historyLength]);
  new Float32Array(params, 8, 1)[0] = scale;
  new Uint32Array(params, 12, 1)[0] = advance ? 1 : 0;
  return computeOp(scope, { code: SUM_INTO_HISTORY_WGSL, uniform: params, buffers: [buffers.input, buffers.history, buffers.counter], groups: 1 });
}
