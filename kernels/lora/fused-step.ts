import { computeOp, type GpuOp } from '../gpu/compute-op';
import type { GpuScope } from '../gpu/scope';

/**
 * A whole LoRA or DoRA step of a small layer in one workgroup, many steps per dispatch. The
 * unfused step (trainer-gpu.ts) is 12 dispatches (LoRA) or 16 (DoRA) of a few microseconds of
 * work each, so on a fast GPU its speed is set by launch overhead, not arithmetic. Here one
 * workgroup of 256 invocations runs every step, keeping the minibatch's activations and output
 * gradient in workgroup memory; each gradient element is computed by the invocation that applies
 * its AdamW update, so no gradient touches memory. The arithmetic is the unfused step's (same
 * formulas, AdamW as torch.optim.AdamW, same minibatch order); only the order of floating-point
 * sums differs.
 *
 * Step t (s = the adapter scale, rows (start + j) mod trainSize, start = ((t mod trainSize) * batch) mod trainSize):
 *   LoRA  H = X A^T;  Y = X W0^T + s H B^T;  G = 2 (Y - T) / (batch * out);  GB = G B
 *         dB = s G^T H;  dA = s GB^T X
 *   DoRA  with V = W0 + s B A, n_o = ||V_o||, k_o = m_o / n_o, P = X W0^T + s H B^T (= X V^T):
 *         Y = k P (row o of W' = k_o V_o);  dW' = G^T X, which is never formed:
 *         dm_o = (G^T P)_oo / n_o;  c_o = m_o dm_o / n_o^2 (0 with the norm detached)
 *         dV_o = k_o dW'_o - c_o V_o, so dB = s (k (G^T H) - c (V A^T)) and
 *         dA = s ((G diag k) B)^T X - s sum_o c_o B_o^T V_o
 *   then AdamW on A, B (and m) at lr and lr * loraPlusRatio.
 *
 * The step counter and AdamW's step are one value (both start at 0 and count every step),
 * stored as the last float of the moments buffer; the uniform's `stopAt` says where a run of
 * dispatches stops.
 */
const WORKGROUP = 256;
/** Workgroup memory (floats): G (batch x out), H and GB (batch x rank), and for DoRA per-row values and V A^T. */
const G_MAX = 2048;
const H_MAX = 256;
const ROWS_MAX = 256;
/** DoRA keeps one column of A per invocation in registers. */
const RANK_MAX = 16;
/**
 * One workgroup does all of a step's work, about batch x out x in multiply-adds. Past this many
 * inputs the unfused ops, which spread the work over the whole GPU, are the better choice.
 */
const IN_MAX = 1024;
/** Steps one dispatch runs at most, so that no dispatch runs long enough to trip a GPU watchdog. */
export const FUSED_STEPS_PER_DISPATCH = 64;

export type FusedMethod = 'lora' | 'dora';

/** Whether a layer's step fits the fused kernel: its workgroup memory, and work one workgroup should do. */
export function fusedStepFits(method: FusedMethod, s: { batch: number; inFeatures: number; outFeatures: number; rank: number }): boolean {
  const fits = s.batch * s.outFeatures <= G_MAX && s.batch * s.rank <= H_MAX && s.inFeatures <= IN_MAX;
  if (method === 'lora') return fits;
  return fits && s.outFeatures <= ROWS_MAX && s.outFeatures * s.rank <= H_MAX && s.rank <= RANK_MAX;
}

/** What both kernels declare: parameters, bindings, workgroup memory, the minibatch and AdamW. */
const COMMON = /* wgsl */ `
struct P {
  batch: u32, trainSize: u32, inF: u32, outF: u32,
  rank: u32, historyLength: u32, stepsPerDispatch: u32, stopAt: u32,
  scale: f32, lrA: f32, lrB: f32, beta1: f32,
  beta2: f32, eps: f32, detachNorm: u32, pad0: u32,
}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> trainX: array<f32>;
@group(0) @binding(2) var<storage, read> trainY: array<f32>;
@group(0) @binding(3) var<storage, read> w0: array<f32>;
@group(0) @binding(4) var<storage, read_write> a: array<f32>;
@group(0) @binding(5) var<storage, read_write> b: array<f32>;
// AdamW's moments (m then v of A, of B, of DoRA's magnitude), then the step counter.
@group(0) @binding(6) var<storage, read_write> moments: array<f32>;
@group(0) @binding(7) var<storage, read_write> history: array<f32>;

var<workgroup> g: array<f32, ${G_MAX}>;
var<workgroup> h: array<f32, ${H_MAX}>;
var<workgroup> gb: array<f32, ${H_MAX}>;
var<workgroup> partial: array<f32, ${WORKGROUP}>;
var<workgroup> firstStep: u32;

fn xAt(start: u32, row: u32, col: u32) -> f32 {
  return trainX[((start + row) % p.trainSize) * p.inF + col];
}

fn yAt(start: u32, row: u32, col: u32) -> f32 {
  return trainY[((start + row) % p.trainSize) * p.outF + col];
}

// torch.optim.AdamW without weight decay, step t counted from 1 (see optim/adam.ts).
fn adamw(param: f32, grad: f32, mIndex: u32, vIndex: u32, lr: f32, t: f32) -> f32 {
  let mi = p.beta1 * moments[mIndex] + (1.0 - p.beta1) * grad;
  let vi = p.beta2 * moments[vIndex] + (1.0 - p.beta2) * grad * grad;
  moments[mIndex] = mi;
  moments[vIndex] = vi;
  return param - (lr / (1.0 - pow(p.beta1, t))) * mi / (sqrt(vi) / sqrt(1.0 - pow(p.beta2, t)) + p.eps);
}

// H = X A^T, into workgroup memory.
fn adapterInputs(lid: u32, start: u32) {
  for (var e = lid; e < p.batch * p.rank; e = e + ${WORKGROUP}u) {
    let row = e / p.rank;
    let r = e % p.rank;
    var acc = 0.0;
    for (var i = 0u; i < p.inF; i = i + 1u) { acc = acc + xAt(start, row, i) * a[r * p.inF + i]; }
    h[e] = acc;
  }
}

// P = X W0^T + s H B^T for one output element: the LoRA output, and DoRA's before the row scale.
fn adaptedOutput(start: u32, row: u32, o: u32) -> f32 {
  var base = 0.0;
  for (var i = 0u; i < p.inF; i = i + 1u) { base = base + xAt(start, row, i) * w0[o * p.inF + i]; }
  var adapter = 0.0;
  for (var r = 0u; r < p.rank; r = r + 1u) { adapter = adapter + h[row * p.rank + r] * b[o * p.rank + r]; }
  return base + p.scale * adapter;
}

// The minibatch's mean squared error from each invocation's share, into history[t].
fn recordLoss(lid: u32, squares: f32, t: u32) {
  partial[lid] = squares;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid] = partial[lid] + partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u && t < p.historyLength) { history[t] = partial[0] / f32(p.batch * p.outF); }
}

// B <- AdamW(B, s (k (G^T H) - normTermB)): LoRA's dB = s G^T H, DoRA's s (k (G^T H) - c (V A^T)).
fn updateB(lid: u32, step: f32) {
  let sizeA = p.rank * p.inF;
  let sizeB = p.outF * p.rank;
  for (var e = lid; e < sizeB; e = e + ${WORKGROUP}u) {
    let o = e / p.rank;
    let r = e % p.rank;
    var acc = 0.0;
    for (var j = 0u; j < p.batch; j = j + 1u) { acc = acc + g[j * p.outF + o] * h[j * p.rank + r]; }
    let grad = rowScale(o) * acc - normTermB(e, o);
    b[e] = adamw(b[e], p.scale * grad, 2u * sizeA + e, 2u * sizeA + sizeB + e, p.lrB, step);
  }
}

// Y = k_o P (k = rowScale: 1 for LoRA), G = 2 (Y - T) / (batch * out) and the loss; then
// GB = (G diag k) B, with B as it was before this step's update.
fn outputGradients(lid: u32, start: u32, t: u32) {
  var squares = 0.0;
  for (var e = lid; e < p.batch * p.outF; e = e + ${WORKGROUP}u) {
    let row = e / p.outF;
    let o = e % p.outF;
    let d = rowScale(o) * adaptedOutput(start, row, o) - yAt(start, row, o);
    g[e] = 2.0 * d / f32(p.batch * p.outF);
    squares = squares + d * d;
  }
  recordLoss(lid, squares, t);
  for (var e = lid; e < p.batch * p.rank; e = e + ${WORKGROUP}u) {
    let row = e / p.rank;
    let r = e % p.rank;
    var acc = 0.0;
    for (var o = 0u; o < p.outF; o = o + 1u) { acc = acc + g[row * p.outF + o] * rowScale(o) * b[o * p.rank + r]; }
    gb[e] = acc;
  }
}
`;

/** The loop over this dispatch's steps around a method's step body; `counterIndex` is where the step counter lives. */
const stepLoop = (counterIndex: string, body: string) => /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32) {
  let sizeA = p.rank * p.inF;
  let sizeB = p.outF * p.rank;
  if (lid == 0u) { firstStep = u32(moments[${counterIndex}]); }
  let first = workgroupUniformLoad(&firstStep);
  let last = min(first + p.stepsPerDispatch, p.stopAt);
  for (var t = first; t < last; t = t + 1u) {
    let start = ((t % p.trainSize) * p.batch) % p.trainSize;
    let step = f32(t + 1u);
${body}
    // The next step reads the parameters as other invocations left them.
    storageBarrier();
    workgroupBarrier();
  }
  if (lid == 0u && last > first) { moments[${counterIndex}] = f32(last); }
}`;

export const FUSED_LORA_STEP_WGSL =
  COMMON +
  /* wgsl */ `
fn rowScale(o: u32) -> f32 { return 1.0; }
fn normTermB(e: u32, o: u32) -> f32 { return 0.0; }
` +
  stepLoop(
    '2u * (sizeA + sizeB)',
    /* wgsl */ `
    adapterInputs(lid, start);
    workgroupBarrier();
    outputGradients(lid, start, t);
    workgroupBarrier();
    storageBarrier();
    updateB(lid, step);
    for (var e = lid; e < sizeA; e = e + ${WORKGROUP}u) {
      let r = e / p.inF;
      let i = e % p.inF;
      var acc = 0.0;
      for (var j = 0u; j < p.batch; j = j + 1u) { acc = acc + gb[j * p.rank + r] * xAt(start, j, i); }
      a[e] = adamw(a[e], p.scale * acc, e, sizeA + e, p.lrA, step);
    }`,
  );

export const FUSED_DORA_STEP_WGSL =
  COMMON +
  /* wgsl */ `
@group(0) @binding(8) var<storage, read_write> magnitude: array<f32>;
var<workgroup> norms: array<f32, ${ROWS_MAX}>;
var<workgroup> dMagnitude: array<f32, ${ROWS_MAX}>;
var<workgroup> va: array<f32, ${H_MAX}>;

// k_o = m_o / n_o, the row scale of W' = diag(k) V
fn rowScale(o: u32) -> f32 { return magnitude[o] / norms[o]; }

// c_o (V A^T)[o][r], the differentiated norm's part of dB / s (0 with the norm detached)
fn normTermB(e: u32, o: u32) -> f32 {
  if (p.detachNorm != 0u) { return 0.0; }
  return magnitude[o] * dMagnitude[o] / (norms[o] * norms[o]) * va[e];
}

// V[o][i] = W0[o][i] + s (B A)[o][i]
fn direction(o: u32, i: u32) -> f32 {
  var acc = 0.0;
  for (var r = 0u; r < p.rank; r = r + 1u) { acc = acc + b[o * p.rank + r] * a[r * p.inF + i]; }
  return w0[o * p.inF + i] + p.scale * acc;
}
` +
  stepLoop(
    '2u * (sizeA + sizeB + p.outF)',
    /* wgsl */ `
    adapterInputs(lid, start);
    // n_o = ||V_o|| and, when the norm is differentiated, (V A^T)[o][r], from one pass over row o of V
    for (var o = lid; o < p.outF; o = o + ${WORKGROUP}u) {
      let differentiated = p.detachNorm == 0u;
      if (differentiated) {
        for (var r = 0u; r < p.rank; r = r + 1u) { va[o * p.rank + r] = 0.0; }
      }
      var sum = 0.0;
      for (var i = 0u; i < p.inF; i = i + 1u) {
        let v = direction(o, i);
        sum = sum + v * v;
        if (differentiated) {
          for (var r = 0u; r < p.rank; r = r + 1u) { va[o * p.rank + r] = va[o * p.rank + r] + v * a[r * p.inF + i]; }
        }
      }
      norms[o] = sqrt(sum);
    }
    workgroupBarrier();
    outputGradients(lid, start, t);
    // dm_o = (G^T P)_oo / n_o, with P = Y / k_o = (d + T) / k_o
    let half = 0.5 * f32(p.batch * p.outF);
    for (var o = lid; o < p.outF; o = o + ${WORKGROUP}u) {
      let k = rowScale(o);
      var acc = 0.0;
      for (var j = 0u; j < p.batch; j = j + 1u) {
        let gj = g[j * p.outF + o];
        acc = acc + gj * (gj * half + yAt(start, j, o)) / k;
      }
      dMagnitude[o] = acc / norms[o];
    }
    workgroupBarrier();
    storageBarrier();
    // A first, by column (it reads the old B and the column's old A): dA = s (GB^T X - sum_o c_o B_o^T V_o)
    for (var i = lid; i < p.inF; i = i + ${WORKGROUP}u) {
      var column: array<f32, ${RANK_MAX}>;
      var normPart: array<f32, ${RANK_MAX}>;
      // Zeroed here, not by the declaration: SwiftShader kept the last step's sums in it.
      for (var r = 0u; r < p.rank; r = r + 1u) {
        column[r] = a[r * p.inF + i];
        normPart[r] = 0.0;
      }
      if (p.detachNorm == 0u) {
        for (var o = 0u; o < p.outF; o = o + 1u) {
          var adapter = 0.0;
          for (var r = 0u; r < p.rank; r = r + 1u) { adapter = adapter + b[o * p.rank + r] * column[r]; }
          let c = magnitude[o] * dMagnitude[o] / (norms[o] * norms[o]);
          let cv = c * (w0[o * p.inF + i] + p.scale * adapter);
          for (var r = 0u; r < p.rank; r = r + 1u) { normPart[r] = normPart[r] + cv * b[o * p.rank + r]; }
        }
      }
      for (var r = 0u; r < p.rank; r = r + 1u) {
        var acc = 0.0;
        for (var j = 0u; j < p.batch; j = j + 1u) { acc = acc + gb[j * p.rank + r] * xAt(start, j, i); }
        let e = r * p.inF + i;
        a[e] = adamw(column[r], p.scale * (acc - normPart[r]), e, sizeA + e, p.lrA, step);
      }
    }
    storageBarrier();
    workgroupBarrier();
    updateB(lid, step);
    // then m
    storageBarrier();
    workgroupBarrier();
    for (var o = lid; o < p.outF; o = o + ${WORKGROUP}u) {
      magnitude[o] = adamw(magnitude[o], dMagnitude[o], 2u * (sizeA + sizeB) + o, 2u * (sizeA + sizeB) + p.outF + o, p.lrB, step);
    }`,
  );

export interface FusedStep {
  /** The dispatches that bring the step counter from `from` to `from + count`. */
  opsFor(from: number, count: number): GpuOp[];
}

export interface FusedStepSpec {
  method: FusedMethod;
  batch: number;
  trainSize: number;
  inFeatures: number;
  outFeatures: number;
  rank: number;
  historyLength: number;
  scale: number;
  lrA: number;
  lrB: number;
  /** DoRA: treat ||V|| as a constant in the backward pass. */
  detachNorm: boolean;
}

/** AdamW's defaults in torch and in optim/adam.ts. */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export function createFusedStep(
  scope: GpuScope,
  buffers: { trainX: GPUBuffer; trainY: GPUBuffer; w0: GPUBuffer; a: GPUBuffer; b: GPUBuffer; magnitude: GPUBuffer; history: GPUBuffer },
  s: FusedStepSpec,
): FusedStep {
  if (!fusedStepFits(s.method, s)) throw new Error(`this ${s.method} step does not fit the fused kernel`);
  const data = new ArrayBuffer(64);
  new Uint32Array(data, 0, 8).set([s.batch, s.trainSize, s.inFeatures, s.outFeatures, s.rank, s.historyLength, FUSED_STEPS_PER_DISPATCH, 0]);
  new Float32Array(data, 32, 6).set([s.scale, s.lrA, s.lrB, BETA1, BETA2, EPS]);
  new Uint32Array(data, 56, 1)[0] = s.detachNorm ? 1 : 0;
  const uniform = scope.uniform(data);
  const adapted = s.rank * s.inFeatures + s.outFeatures * s.rank + (s.method === 'dora' ? s.outFeatures : 0);
  const moments = scope.empty(2 * adapted + 1);
  const common = [buffers.trainX, buffers.trainY, buffers.w0, buffers.a, buffers.b, moments, buffers.history];
  const op =
    s.method === 'lora'
      ? computeOp(scope, { code: FUSED_LORA_STEP_WGSL, uniform, buffers: common, groups: 1 })
      : computeOp(scope, { code: FUSED_DORA_STEP_WGSL, uniform, buffers: [...common, buffers.magnitude], groups: 1 });
  return {
    opsFor(from, count) {
      // The last step goes into the uniform before the dispatches that read it are submitted.
      scope.gpu.device.queue.writeBuffer(uniform, 28, new Uint32Array([from + count]));
      return Array.from({ length: Math.ceil(count / FUSED_STEPS_PER_DISPATCH) }, () => op);
    },
  };
}
