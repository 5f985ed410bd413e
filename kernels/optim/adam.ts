import { computeOp, flatDispatch, type GpuOp } from '../gpu/compute-op';
import type { GpuScope } from '../gpu/scope';

/**
 * Adam and AdamW exactly as torch.optim.Adam / AdamW (PyTorch 2.x, non-amsgrad,
 * single-tensor path) compute one step t (counted from 1):
 *   Adam:  g <- g + wd * p                      (L2 penalty added to the gradient)
 *   AdamW: p <- p * (1 - lr * wd)               (decoupled weight decay, Loshchilov & Hutter 2019)
 *   m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
 *   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
export interface AdamConfig {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** true: AdamW's decoupled decay; false: Adam's L2 penalty. */
  decoupled?: boolean;
  /**
   * Decay the learning rate linearly to zero over this many steps, as transformers' default
   * schedule (get_linear_schedule_with_warmup without warm-up): step t (from 1) uses
   * lr * (decaySteps - (t - 1)) / decaySteps. 0 or absent: constant.
   */
  decaySteps?: number;
}

export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  /** Steps taken so far. */
  step: number;
}

export function createAdamState(size: number): AdamState {
  return { m: new Float32Array(size), v: new Float32Array(size), step: 0 };
}

function resolved(c: AdamConfig) {
  const cfg = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true, decaySteps: 0, ...c };
  if (!(cfg.lr > 0) || !Number.isFinite(cfg.lr)) throw new Error(`Adam: lr must be a positive number, got ${cfg.lr}`);
  return cfg;
}

/** Learning rate of step t (from 1) under the config's schedule. */
export function scheduledLr(config: AdamConfig, step: number): number {
  const { lr, decaySteps } = resolved(config);
  return decaySteps > 0 ? lr * Math.max(0, (decaySteps - (step - 1)) / decaySteps) : lr;
}

/** One step on `params` in place; `gradScale` multiplies the gradient first (gradient clipping). */
export function adamStepCpu(params: Float32Array, grads: Float32Array, state: AdamState, config: AdamConfig, gradScale = 1): void {
  const { beta1, beta2, eps, weightDecay, decoupled } = resolved(config);
  state.step += 1;
  const lr = scheduledLr(config, state.step);
  const bc1 = 1 - beta1 ** state.step;
  const bc2Sqrt = Math.sqrt(1 - beta2 ** state.step);
  const stepSize = lr / bc1;
  const { m, v } = state;
  for (let i = 0; i < params.length; i++) {
    let g = grads[i] * gradScale;
    let p = params[i];
    if (weightDecay !== 0) {
      if (decoupled) p *= 1 - lr * weightDecay;
      else g += weightDecay * p;
    }
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    params[i] = p - (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps);
  }
}

const WORKGROUP = 256;

/**
 * The step counter lives in a GPU buffer, bumped by a one-thread dispatch before each update, so
 * hundreds of steps can be recorded into one command buffer with no CPU round trip.
 */
const ADAM_WGSL = /* wgsl */ `
struct Config { n: u32, decoupled: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, rowStride: u32, decaySteps: f32 }
@group(0) @binding(0) var<uniform> c: Config;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> step: array<f32>;
@group(0) @binding(6) var<storage, read> gradScale: array<f32>;

@compute @workgroup_size(1)
fn countStep() { step[0] = step[0] + 1.0; }

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * c.rowStride + gid.x;
  if (i >= c.n) { return; }
  let t = step[0];
  var lr = c.lr;
  if (c.decaySteps > 0.0) { lr = c.lr * max(0.0, (c.decaySteps - (t - 1.0)) / c.decaySteps); }
  let bc1 = 1.0 - pow(c.beta1, t);
  let bc2Sqrt = sqrt(1.0 - pow(c.beta2, t));
  var g = grads[i] * gradScale[0];
  var p = params[i];
  if (c.weightDecay != 0.0) {
    if (c.decoupled != 0u) { p = p * (1.0 - lr * c.weightDecay); } else { g = g + c.weightDecay * p; }
  }
  let mi = c.beta1 * m[i] + (1.0 - c.beta1) * g;
  let vi = c.beta2 * v[i] + (1.0 - c.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  params[i] = p - (lr / bc1) * mi / (sqrt(vi) / bc2Sqrt + c.eps);
}`;

export interface GpuAdam extends GpuOp {
  /** Optimizer state buffers (first and second moments, step counter as f32), owned by the scope. */
  readonly m: GPUBuffer;
  readonly v: GPUBuffer;
  readonly step: GPUBuffer;
}

/**
 * A fused Adam/AdamW update of `params` from `grads` (both `n` floats); its state buffers live in
 * `scope`. `gradScale` (one f32, e.g. from gradient clipping) multiplies the gradient; 1 when absent.
 */
export function createAdam(
  scope: GpuScope,
  buffers: { params: GPUBuffer; grads: GPUBuffer; gradScale?: GPUBuffer },
  n: number,
  config: AdamConfig,
): GpuAdam {
  const cfg = resolved(config);
  const { groups, rowStride } = flatDispatch(n, WORKGROUP);
  const uniform = new ArrayBuffer(36);
  new Uint32Array(uniform, 0, 2).set([n, cfg.decoupled ? 1 : 0]);
  new Float32Array(uniform, 8, 5).set([cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay]);
  new Uint32Array(uniform, 28, 1)[0] = rowStride;
  new Float32Array(uniform, 32, 1)[0] = cfg.decaySteps;
  const m = scope.empty(n);
  const v = scope.empty(n);
  const step = scope.empty(1);
  const count = computeOp(scope, { code: ADAM_WGSL, entryPoint: 'countStep', buffers: [null, null, null, null, null, step], groups: 1 });
  const gradScale = buffers.gradScale ?? scope.upload(new Float32Array([1]));
  const update = computeOp(scope, { code: ADAM_WGSL, uniform, buffers: [buffers.params, buffers.grads, m, v, step, gradScale], groups });
  return {
    m,
    v,
    step,
    encode(pass) {
      count.encode(pass);
      update.encode(pass);
    },
  };
}
