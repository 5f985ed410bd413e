import { computeOp, type GpuOp } from '../gpu/compute-op';
import type { GpuScope } from '../gpu/scope';

/**
 * A whole LoRA step of a small layer in one workgroup, many steps per dispatch. The unfused step
 * (trainer-gpu.ts) is ten dispatches of a few microseconds of work each, so on a fast GPU its speed
 * is set by launch overhead, not arithmetic. Here one workgroup of 256 invocations runs, for each
 * step t:
 *   rows      training rows (start + j) mod trainSize, start = ((t mod trainSize) * batch) mod trainSize
 *   H = X A^T                                   (workgroup memory)
 *   Y = X W0^T + s H B^T;  G = 2 (Y - T) / (batch * out);  loss -> history[t]
 *   GB = G B                                    (workgroup memory)
 *   B <- AdamW(B, s G^T H, lr * loraPlusRatio);  A <- AdamW(A, s GB^T X, lr)
 * Each gradient element is computed by the invocation that applies its AdamW update, so dA and dB
 * never touch memory. The arithmetic is the unfused step's (same formulas, same AdamW as
 * torch.optim.AdamW, same minibatch order); only the order of floating-point sums differs.
 *
 * The step counter and AdamW's step are one value (both start at 0 and count every step), stored
 * in `counter[0]`; the uniform's `stopAt` says where a run of dispatches stops.
 */
const WORKGROUP = 256;
/** Workgroup memory for G (batch x out) and for H and GB (batch x rank each): 15 KiB with the reduction, under WebGPU's 16 KiB minimum. */
const G_MAX = 3072;
const H_MAX = 256;
/** Steps one dispatch runs at most, so that no dispatch runs long enough to trip a GPU watchdog. */
export const FUSED_STEPS_PER_DISPATCH = 64;

/** Whether a layer's step fits the fused kernel's workgroup memory. */
export function fusedStepFits(s: { batch: number; outFeatures: number; rank: number }): boolean {
  return s.batch * s.outFeatures <= G_MAX && s.batch * s.rank <= H_MAX;
}

export const FUSED_LORA_STEP_WGSL = /* wgsl */ `
struct P {
  batch: u32, trainSize: u32, inF: u32, outF: u32,
  rank: u32, historyLength: u32, stepsPerDispatch: u32, stopAt: u32,
  scale: f32, lrA: f32, lrB: f32, beta1: f32,
  beta2: f32, eps: f32, pad0: u32, pad1: u32,
}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> trainX: array<f32>;
@group(0) @binding(2) var<storage, read> trainY: array<f32>;
@group(0) @binding(3) var<storage, read> w0: array<f32>;
@group(0) @binding(4) var<storage, read_write> a: array<f32>;
@group(0) @binding(5) var<storage, read_write> b: array<f32>;
// AdamW moments: m of A, v of A, m of B, v of B, one after the other.
@group(0) @binding(6) var<storage, read_write> moments: array<f32>;
@group(0) @binding(7) var<storage, read_write> history: array<f32>;
@group(0) @binding(8) var<storage, read_write> counter: array<u32>;

var<workgroup> g: array<f32, ${G_MAX}>;
var<workgroup> h: array<f32, ${H_MAX}>;
var<workgroup> gb: array<f32, ${H_MAX}>;
var<workgroup> partial: array<f32, ${WORKGROUP}>;
var<workgroup> firstStep: u32;

fn xAt(start: u32, row: u32, col: u32) -> f32 {
  return trainX[((start + row) % p.trainSize) * p.inF + col];
}

// torch.optim.AdamW without weight decay, step t counted from 1 (see optim/adam.ts).
fn adamw(param: f32, grad: f32, mIndex: u32, vIndex: u32, lr: f32, t: f32) -> f32 {
  let mi = p.beta1 * moments[mIndex] + (1.0 - p.beta1) * grad;
  let vi = p.beta2 * moments[vIndex] + (1.0 - p.beta2) * grad * grad;
  moments[mIndex] = mi;
  moments[vIndex] = vi;
  return param - (lr / (1.0 - pow(p.beta1, t))) * mi / (sqrt(vi) / sqrt(1.0 - pow(p.beta2, t)) + p.eps);
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { firstStep = counter[0]; }
  let first = workgroupUniformLoad(&firstStep);
  let last = min(first + p.stepsPerDispatch, p.stopAt);
  let batchOut = p.batch * p.outF;
  let batchRank = p.batch * p.rank;
  let sizeA = p.rank * p.inF;
  let sizeB = p.outF * p.rank;
  for (var t = first; t < last; t = t + 1u) {
    let start = ((t % p.trainSize) * p.batch) % p.trainSize;
    // H = X A^T
    for (var e = lid; e < batchRank; e = e + ${WORKGROUP}u) {
      let row = e / p.rank;
      let r = e % p.rank;
      var acc = 0.0;
      for (var i = 0u; i < p.inF; i = i + 1u) { acc = acc + xAt(start, row, i) * a[r * p.inF + i]; }
      h[e] = acc;
    }
    workgroupBarrier();
    // Y = X W0^T + s H B^T, G and the squared error
    var squares = 0.0;
    for (var e = lid; e < batchOut; e = e + ${WORKGROUP}u) {
      let row = e / p.outF;
      let o = e % p.outF;
      var base = 0.0;
      for (var i = 0u; i < p.inF; i = i + 1u) { base = base + xAt(start, row, i) * w0[o * p.inF + i]; }
      var adapter = 0.0;
      for (var r = 0u; r < p.rank; r = r + 1u) { adapter = adapter + h[row * p.rank + r] * b[o * p.rank + r]; }
      let d = base + p.scale * adapter - trainY[((start + row) % p.trainSize) * p.outF + o];
      g[e] = 2.0 * d / f32(batchOut);
      squares = squares + d * d;
    }
    partial[lid] = squares;
    workgroupBarrier();
    for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
      if (lid < stride) { partial[lid] = partial[lid] + partial[lid + stride]; }
      workgroupBarrier();
    }
    if (lid == 0u && t < p.historyLength) { history[t] = partial[0] / f32(batchOut); }
    // GB = G B, with B as it was before this step's update
    for (var e = lid; e < batchRank; e = e + ${WORKGROUP}u) {
      let row = e / p.rank;
      let r = e % p.rank;
      var acc = 0.0;
      for (var o = 0u; o < p.outF; o = o + 1u) { acc = acc + g[row * p.outF + o] * b[o * p.rank + r]; }
      gb[e] = acc;
    }
    workgroupBarrier();
    storageBarrier();
    let step = f32(t + 1u);
    // B (out x rank): dB = s G^T H
    for (var e = lid; e < sizeB; e = e + ${WORKGROUP}u) {
      let o = e / p.rank;
      let r = e % p.rank;
      var acc = 0.0;
      for (var j = 0u; j < p.batch; j = j + 1u) { acc = acc + g[j * p.outF + o] * h[j * p.rank + r]; }
      b[e] = adamw(b[e], p.scale * acc, 2u * sizeA + e, 2u * sizeA + sizeB + e, p.lrB, step);
    }
    // A (rank x in): dA = s GB^T X
    for (var e = lid; e < sizeA; e = e + ${WORKGROUP}u) {
      let r = e / p.inF;
      let i = e % p.inF;
      var acc = 0.0;
      for (var j = 0u; j < p.batch; j = j + 1u) { acc = acc + gb[j * p.rank + r] * xAt(start, j, i); }
      a[e] = adamw(a[e], p.scale * acc, e, sizeA + e, p.lrA, step);
    }
    // The next step reads A and B as other invocations left them.
    storageBarrier();
    workgroupBarrier();
  }
  if (lid == 0u && last > first) { counter[0] = last; }
}`;

export interface FusedLoraStep {
  /** Encodes the dispatches that bring the step counter from `from` to `from + count`. */
  opsFor(from: number, count: number): GpuOp[];
}

export interface FusedLoraStepSpec {
  batch: number;
  trainSize: number;
  inFeatures: number;
  outFeatures: number;
  rank: number;
  historyLength: number;
  scale: number;
  lrA: number;
  lrB: number;
}

/** AdamW's defaults in torch and in optim/adam.ts. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export function createFusedLoraStep(
  scope: GpuScope,
  buffers: { trainX: GPUBuffer; trainY: GPUBuffer; w0: GPUBuffer; a: GPUBuffer; b: GPUBuffer; history: GPUBuffer; counter: GPUBuffer },
  s: FusedLoraStepSpec,
): FusedLoraStep {
  if (!fusedStepFits(s)) throw new Error(`the fused LoRA step holds at most ${G_MAX} outputs and ${H_MAX} adapter activations per batch`);
  const data = new ArrayBuffer(64);
  const u32 = new Uint32Array(data);
  u32.set([s.batch, s.trainSize, s.inFeatures, s.outFeatures, s.rank, s.historyLength, FUSED_STEPS_PER_DISPATCH, 0]);
  new Float32Array(data, 32, 6).set([s.scale, s.lrA, s.lrB, BETA1, BETA2, EPS]);
  const uniform = scope.uniform(data);
  const moments = scope.empty(2 * (s.rank * s.inFeatures + s.outFeatures * s.rank));
  const op = computeOp(scope, {
    code: FUSED_LORA_STEP_WGSL,
    uniform,
    buffers: [buffers.trainX, buffers.trainY, buffers.w0, buffers.a, buffers.b, moments, buffers.history, buffers.counter],
    groups: 1,
  });
  return {
    opsFor(from, count) {
      // The target step goes into the uniform before the dispatches that read it are submitted.
      scope.gpu.device.queue.writeBuffer(uniform, 28, new Uint32Array([from + count]));
      return Array.from({ length: Math.ceil(count / FUSED_STEPS_PER_DISPATCH) }, () => op);
    },
  };
}
