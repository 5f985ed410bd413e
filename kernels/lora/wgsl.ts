import { computeOp, flatDispatch, type GpuOp } from '../gpu/compute-op';
import type { GpuScope } from '../gpu/scope';

/**
 * The LoRA trainer's own WGSL kernels: what the shared matmul, element-wise, NF4 and Adam kernels
 * do not cover. Each has a CPU twin in `reference.ts` or `trainer-cpu.ts` and a test in
 * test/gpu/lora/kernels.test.ts.
 *
 * A step counter (one u32 in a storage buffer) lives on the GPU so that many steps can be
 * recorded into one command buffer: `gatherBatch` reads it to pick the step's rows and
 * `mseStep` writes the step's loss at that index and then advances it.
 */

const ROW_WORKGROUP = 64;
const FLAT_WORKGROUP = 256;
const REDUCE_WORKGROUP = 256;

/** Copies the rows of step t's minibatch: row j of the batch is training row (t * batch + j) mod trainSize. */
export const GATHER_WGSL = /* wgsl */ `
struct P { batch: u32, trainSize: u32, inFeatures: u32, outFeatures: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> trainX: array<f32>;
@group(0) @binding(2) var<storage, read> trainY: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> counter: array<u32>;

@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.rowStride + gid.x;
  let start = ((counter[0] % p.trainSize) * p.batch) % p.trainSize;
  if (i < p.batch * p.inFeatures) {
    let row = i / p.inFeatures;
    x[i] = trainX[((start + row) % p.trainSize) * p.inFeatures + i % p.inFeatures];
  }
  if (i < p.batch * p.outFeatures) {
    let row = i / p.outFeatures;
    y[i] = trainY[((start + row) % p.trainSize) * p.outFeatures + i % p.outFeatures];
  }
}`;

/**
 * MSE over n outputs: writes G = 2 (pred - target) / n, stores the loss in history[step] and
 * advances the step counter. One workgroup: n is a minibatch (at most a few tens of thousands).
 */
export const MSE_STEP_WGSL = /* wgsl */ `
struct P { n: u32, historyLength: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> pred: array<f32>;
@group(0) @binding(2) var<storage, read> expected: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> history: array<f32>;
@group(0) @binding(5) var<storage, read_write> counter: array<u32>;
var<workgroup> partial: array<f32, ${REDUCE_WORKGROUP}>;

@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let scale = 2.0 / f32(p.n);
  var acc = 0.0;
  for (var i = lid.x; i < p.n; i = i + ${REDUCE_WORKGROUP}u) {
    let d = pred[i] - expected[i];
    grad[i] = scale * d;
    acc = acc + d * d;
  }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var stride = ${REDUCE_WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { partial[lid.x] = partial[lid.x] + partial[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    let step = counter[0];
    if (step < p.historyLength) { history[step] = partial[0] / f32(p.n); }
    counter[0] = step + 1u;
  }
}`;

/** Shared row reduction: the sum over one row of `value(j)`, left in partial[0] for every thread. */
const ROW_SUM = (value: string) => /* wgsl */ `
  var acc = 0.0;
  for (var j = lid.x; j < p.cols; j = j + ${ROW_WORKGROUP}u) { acc = acc + ${value}; }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var stride = ${ROW_WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { partial[lid.x] = partial[lid.x] + partial[lid.x + stride]; }
    workgroupBarrier();
  }
  let total = partial[0];`;

/** DoRA forward, one workgroup per output row i: n_i = ||V_i||, W'_i = (m_i / n_i) V_i. */
export const DORA_ROWS_FORWARD_WGSL = /* wgsl */ `
struct P { rows: u32, cols: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> direction: array<f32>;
@group(0) @binding(2) var<storage, read> magnitude: array<f32>;
@group(0) @binding(3) var<storage, read_write> norms: array<f32>;
@group(0) @binding(4) var<storage, read_write> weight: array<f32>;
var<workgroup> partial: array<f32, ${ROW_WORKGROUP}>;

@compute @workgroup_size(${ROW_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x * p.cols;
  ${ROW_SUM('direction[row + j] * direction[row + j]')}
  let norm = sqrt(total);
  if (lid.x == 0u) { norms[wid.x] = norm; }
  let keep = magnitude[wid.x] / norm;
  for (var j = lid.x; j < p.cols; j = j + ${ROW_WORKGROUP}u) { weight[row + j] = keep * direction[row + j]; }
}`;

/** DoRA backward through W' = diag(m / n) V, one workgroup per row (see `doraBackwardRows`). */
export const DORA_ROWS_BACKWARD_WGSL = /* wgsl */ `
struct P { rows: u32, cols: u32, detachNorm: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dWeight: array<f32>;
@group(0) @binding(2) var<storage, read> direction: array<f32>;
@group(0) @binding(3) var<storage, read> magnitude: array<f32>;
@group(0) @binding(4) var<storage, read> norms: array<f32>;
@group(0) @binding(5) var<storage, read_write> dDirection: array<f32>;
@group(0) @binding(6) var<storage, read_write> dMagnitude: array<f32>;
var<workgroup> partial: array<f32, ${ROW_WORKGROUP}>;

@compute @workgroup_size(${ROW_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x * p.cols;
  ${ROW_SUM('dWeight[row + j] * direction[row + j]')}
  let n = norms[wid.x];
  let m = magnitude[wid.x];
  if (lid.x == 0u) { dMagnitude[wid.x] = total / n; }
  let keep = m / n;
  var normTerm = 0.0;
  if (p.detachNorm == 0u) { normTerm = m * total / (n * n * n); }
  for (var j = lid.x; j < p.cols; j = j + ${ROW_WORKGROUP}u) {
    dDirection[row + j] = keep * dWeight[row + j] - normTerm * direction[row + j];
  }
}`;

function u32s(...values: number[]): ArrayBuffer {
  return new Uint32Array(values).buffer;
}

export function createGatherBatch(
  scope: GpuScope,
  b: { trainX: GPUBuffer; trainY: GPUBuffer; x: GPUBuffer; y: GPUBuffer; counter: GPUBuffer },
  s: { batch: number; trainSize: number; inFeatures: number; outFeatures: number },
): GpuOp {
  const { groups, rowStride } = flatDispatch(s.batch * Math.max(s.inFeatures, s.outFeatures), FLAT_WORKGROUP);
  const uniform = u32s(s.batch, s.trainSize, s.inFeatures, s.outFeatures, rowStride);
  return computeOp(scope, { code: GATHER_WGSL, uniform, buffers: [b.trainX, b.trainY, b.x, b.y, b.counter], groups });
}

export function createMseStep(
  scope: GpuScope,
  b: { pred: GPUBuffer; target: GPUBuffer; grad: GPUBuffer; history: GPUBuffer; counter: GPUBuffer },
  s: { n: number; historyLength: number },
): GpuOp {
  return computeOp(scope, {
    code: MSE_STEP_WGSL,
    uniform: u32s(s.n, s.historyLength),
    buffers: [b.pred, b.target, b.grad, b.history, b.counter],
    groups: 1,
  });
}

export function createDoraRowsForward(
  scope: GpuScope,
  b: { direction: GPUBuffer; magnitude: GPUBuffer; norms: GPUBuffer; weight: GPUBuffer },
  s: { rows: number; cols: number },
): GpuOp {
  return computeOp(scope, {
    code: DORA_ROWS_FORWARD_WGSL,
    uniform: u32s(s.rows, s.cols),
    buffers: [b.direction, b.magnitude, b.norms, b.weight],
    groups: s.rows,
  });
}

export function createDoraRowsBackward(
  scope: GpuScope,
  b: { dWeight: GPUBuffer; direction: GPUBuffer; magnitude: GPUBuffer; norms: GPUBuffer; dDirection: GPUBuffer; dMagnitude: GPUBuffer },
  s: { rows: number; cols: number; detachNorm: boolean },
): GpuOp {
  return computeOp(scope, {
    code: DORA_ROWS_BACKWARD_WGSL,
    uniform: u32s(s.rows, s.cols, s.detachNorm ? 1 : 0),
    buffers: [b.dWeight, b.direction, b.magnitude, b.norms, b.dDirection, b.dMagnitude],
    groups: s.rows,
  });
}
