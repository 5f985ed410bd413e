/**
 * WGSL kernels of the preference trainer: per-prompt log-softmax, KTO's reference point, and the
 * fused loss + gradient that ends in the log-softmax backward pass. They compute what
 * objective.ts computes on the CPU (that file and losses.ts hold the formulas and their sources).
 *
 * Layouts (prompt-major, K candidates per prompt):
 *  scores, refLogits, logp, dLogits: prompts * K floats
 *  candidates: 2 floats per candidate, [log pi_ref, token length]
 *  examples: 4 u32 per example, [prompt, first, second, desirable] (candidate indices within the prompt)
 *  promptStart: prompts + 1 u32, examples of prompt p are promptStart[p] .. promptStart[p + 1]
 *  stats: [KTO reference point z] (4 floats allocated)
 * One thread per prompt in the loss kernel: every gradient entry of a prompt is written by one
 * thread, so no atomics are needed (WGSL has no float atomics).
 */
import { computeOp, flatDispatch, type GpuOp } from '../gpu/compute-op';
import type { GpuScope } from '../gpu/scope';
import { LOSS_NAMES, type LossConfig } from './objective';
import { MAX_CANDIDATES, type PreferenceData } from './task';

const WORKGROUP = 64;
const REDUCE_WORKGROUP = 256;

const CONFIG_STRUCT = /* wgsl */ `
struct Config {
  prompts: u32, k: u32, examples: u32, lossKind: u32,
  beta: f32, gamma: f32, desirableWeight: f32, undesirableWeight: f32,
  rowStride: u32, pad0: u32, pad1: u32, pad2: u32,
}
@group(0) @binding(0) var<uniform> cfg: Config;`;

export const LOG_SOFTMAX_WGSL = /* wgsl */ `${CONFIG_STRUCT}
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read> refLogits: array<f32>;
@group(0) @binding(3) var<storage, read_write> logp: array<f32>;

// log pi(k | p) = (refLogit + score) - logsumexp over the prompt's K candidates.
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.y * cfg.rowStride + gid.x;
  if (p >= cfg.prompts) { return; }
  let o = p * cfg.k;
  var mx = -3.4e38;
  for (var j = 0u; j < cfg.k; j = j + 1u) { mx = max(mx, refLogits[o + j] + scores[o + j]); }
  var sum = 0.0;
  for (var j = 0u; j < cfg.k; j = j + 1u) { sum = sum + exp(refLogits[o + j] + scores[o + j] - mx); }
  let lse = mx + log(sum);
  for (var j = 0u; j < cfg.k; j = j + 1u) { logp[o + j] = refLogits[o + j] + scores[o + j] - lse; }
}`;

export const KTO_REFERENCE_POINT_WGSL = /* wgsl */ `${CONFIG_STRUCT}
@group(0) @binding(1) var<storage, read> logp: array<f32>;
@group(0) @binding(2) var<storage, read> candidates: array<f32>;
@group(0) @binding(3) var<storage, read> examples: array<u32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
var<workgroup> partial: array<f32, ${REDUCE_WORKGROUP}>;

// z = max(0, mean over examples of log pi - log pi_ref on the mismatched (KL) completion).
@compute @workgroup_size(${REDUCE_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var i = lid.x; i < cfg.examples; i = i + ${REDUCE_WORKGROUP}u) {
    let idx = examples[4u * i] * cfg.k + examples[4u * i + 2u];
    acc = acc + logp[idx] - candidates[2u * idx];
  }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var stride = ${REDUCE_WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { partial[lid.x] = partial[lid.x] + partial[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { stats[0] = max(0.0, partial[0] / f32(cfg.examples)); }
}`;

export const PREFERENCE_LOSS_WGSL = /* wgsl */ `${CONFIG_STRUCT}
@group(0) @binding(1) var<storage, read> logp: array<f32>;
@group(0) @binding(2) var<storage, read> candidates: array<f32>;
@group(0) @binding(3) var<storage, read> examples: array<u32>;
@group(0) @binding(4) var<storage, read> promptStart: array<u32>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;
@group(0) @binding(6) var<storage, read_write> dLogits: array<f32>;
@group(0) @binding(7) var<storage, read_write> lossPerPrompt: array<f32>;

fn sigmoid(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn logSigmoid(x: f32) -> f32 { return min(x, 0.0) - log(1.0 + exp(-abs(x))); }
fn refLogp(i: u32) -> f32 { return candidates[2u * i]; }
fn tokens(i: u32) -> f32 { return candidates[2u * i + 1u]; }

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.y * cfg.rowStride + gid.x;
  if (p >= cfg.prompts) { return; }
  let o = p * cfg.k;
  let beta = cfg.beta;
  let z = stats[0];
  var g: array<f32, ${MAX_CANDIDATES}>;
  var lossSum = 0.0;
  for (var e = promptStart[p]; e < promptStart[p + 1u]; e = e + 1u) {
    let a = examples[4u * e + 1u];
    let b = examples[4u * e + 2u];
    let fa = o + a;
    let fb = o + b;
    switch cfg.lossKind {
      case 0u: { // DPO sigmoid
        let h = beta * ((logp[fa] - logp[fb]) - (refLogp(fa) - refLogp(fb)));
        lossSum = lossSum - logSigmoid(h);
        let d = -beta * sigmoid(-h);
        g[a] = g[a] + d;
        g[b] = g[b] - d;
      }
      case 1u: { // IPO on per-token averaged log-ratios
        let gap = (logp[fa] - refLogp(fa)) / tokens(fa) - (logp[fb] - refLogp(fb)) / tokens(fb) - 1.0 / (2.0 * beta);
        lossSum = lossSum + gap * gap;
        g[a] = g[a] + 2.0 * gap / tokens(fa);
        g[b] = g[b] - 2.0 * gap / tokens(fb);
      }
      case 2u: { // SimPO, no reference
        let h = beta * (logp[fa] / tokens(fa) - logp[fb] / tokens(fb)) - cfg.gamma;
        lossSum = lossSum - logSigmoid(h);
        let d = -sigmoid(-h) * beta;
        g[a] = g[a] + d / tokens(fa);
        g[b] = g[b] - d / tokens(fb);
      }
      default: { // KTO; z is a constant here (detached)
        let r = logp[fa] - refLogp(fa);
        let good = examples[4u * e + 3u] == 1u;
        let v = select(beta * (z - r), beta * (r - z), good);
        let w = select(cfg.undesirableWeight, cfg.desirableWeight, good);
        let s = sigmoid(v);
        lossSum = lossSum + w * (1.0 - s);
        g[a] = g[a] + w * (-s * sigmoid(-v)) * select(-beta, beta, good);
      }
    }
  }
  let n = f32(cfg.examples);
  lossPerPrompt[p] = lossSum / n;
  // Backward through log_softmax: dLogit_k = dLogp_k - pi_k * sum_j dLogp_j (the batch mean divides by n).
  var total = 0.0;
  for (var j = 0u; j < cfg.k; j = j + 1u) { total = total + g[j]; }
  for (var j = 0u; j < cfg.k; j = j + 1u) { dLogits[o + j] = (g[j] - exp(logp[o + j]) * total) / n; }
}`;

/** The uniform shared by the three kernels. */
export function preferenceConfigUniform(scope: GpuScope, prompts: number, k: number, examples: number, loss: LossConfig): GPUBuffer {
  if (k > MAX_CANDIDATES) throw new Error(`at most ${MAX_CANDIDATES} candidates per prompt, got ${k}`);
  const data = new ArrayBuffer(48);
  new Uint32Array(data, 0, 4).set([prompts, k, examples, LOSS_NAMES.indexOf(loss.loss)]);
  new Float32Array(data, 16, 4).set([loss.beta, loss.gamma, loss.desirableWeight, loss.undesirableWeight]);
  new Uint32Array(data, 32, 1)[0] = flatDispatch(prompts, WORKGROUP).rowStride;
  return scope.uniform(data);
}

/** Packs examples as [prompt, first, second, desirable] u32 quadruples. */
export function packExamples(data: PreferenceData): Uint32Array {
  const out = new Uint32Array(4 * Math.max(1, data.count));
  for (let p = 0; p + 1 < data.promptStart.length; p++) {
    for (let i = data.promptStart[p]; i < data.promptStart[p + 1]; i++) out.set([p, data.first[i], data.second[i], data.desirable[i]], 4 * i);
  }
  return out;
}

/** Interleaves [log pi_ref, length] per candidate. */
export function packCandidates(refLogp: Float32Array, lengths: Float32Array): Float32Array {
  const out = new Float32Array(2 * refLogp.length);
  for (let i = 0; i < refLogp.length; i++) {
    out[2 * i] = refLogp[i];
    out[2 * i + 1] = lengths[i];
  }
  return out;
}

export function createLogSoftmaxOp(
  scope: GpuScope,
  b: { config: GPUBuffer; scores: GPUBuffer; refLogits: GPUBuffer; logp: GPUBuffer },
  prompts: number,
): GpuOp {
  return computeOp(scope, {
    code: LOG_SOFTMAX_WGSL,
    uniform: b.config,
    buffers: [b.scores, b.refLogits, b.logp],
    groups: flatDispatch(prompts, WORKGROUP).groups,
  });
}

export function createKtoReferencePointOp(
  scope: GpuScope,
  b: { config: GPUBuffer; logp: GPUBuffer; candidates: GPUBuffer; examples: GPUBuffer; stats: GPUBuffer },
): GpuOp {
  return computeOp(scope, { code: KTO_REFERENCE_POINT_WGSL, uniform: b.config, buffers: [b.logp, b.candidates, b.examples, b.stats], groups: 1 });
}

export function createPreferenceLossOp(
  scope: GpuScope,
  b: {
    config: GPUBuffer;
    logp: GPUBuffer;
    candidates: GPUBuffer;
    examples: GPUBuffer;
    promptStart: GPUBuffer;
    stats: GPUBuffer;
    dLogits: GPUBuffer;
    lossPerPrompt: GPUBuffer;
  },
  prompts: number,
): GpuOp {
  return computeOp(scope, {
    code: PREFERENCE_LOSS_WGSL,
    uniform: b.config,
    buffers: [b.logp, b.candidates, b.examples, b.promptStart, b.stats, b.dLogits, b.lossPerPrompt],
    groups: flatDispatch(prompts, WORKGROUP).groups,
  });
}
