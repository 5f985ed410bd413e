/**
 * Analysis the LoRA and DoRA chapters compute beside their derivations: finite-difference
 * gradients, the magnitude/direction decomposition of a weight update (DoRA paper, section 2),
 * and the size of the first update under alpha/r and rsLoRA's alpha/sqrt(r).
 *
 * The layer math itself (forward passes, hand-derived gradients, merging, rank) is in
 * ./reference.ts; this file only measures it.
 */
import { createRng } from '../random/rng';
import { adamStepCpu, createAdamState } from '../optim/adam';
import { matmulCpu } from '../linalg/matmul';
import {
  doraRowsForward,
  initLoraA,
  initLoraB,
  linearForward,
  lowRankGradients,
  loraScaling,
  mergeDora,
  mergeLora,
  mseLoss,
  rowNorms,
  type ScalingRule,
} from './reference';
import type { Task } from './task';
import { trainLoop } from '../training/loop';
import { layerDims, scalingOf, type AdapterParameters, type LayerTrainer, type TrainerConfig } from './trainer';

// ---------------------------------------------------------------------------------------
// Finite differences.

/**
 * Central differences (f(p + h) - f(p - h)) / (actual step) of `loss` with respect to the given
 * entries of `param`, which is restored afterwards. The step is measured after rounding to
 * float32, so storage precision does not bias the quotient.
 */
export function centralDifferences(loss: () => number, param: Float32Array, indices: readonly number[], step = 1e-2): Float64Array {
  const out = new Float64Array(indices.length);
  const probe = new Float32Array(1);
  indices.forEach((index, k) => {
    const keep = param[index];
    probe[0] = keep + step;
    const up = probe[0];
    probe[0] = keep - step;
    const down = probe[0];
    param[index] = up;
    const lossUp = loss();
    param[index] = down;
    const lossDown = loss();
    param[index] = keep;
    out[k] = (lossUp - lossDown) / (up - down);
  });
  return out;
}

/** max_i |a_i - b_i| / max_i |b_i|: the error relative to the largest entry of b (0 when both are 0). */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeMaxError: lengths differ (${a.length} vs ${b.length})`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  if (scale === 0) return err === 0 ? 0 : Infinity;
  return err / scale;
}

/** The entries of `values` at `indices`. */
export function pick(values: ArrayLike<number>, indices: readonly number[]): Float64Array {
  return Float64Array.from(indices, (i) => values[i]);
}

// ---------------------------------------------------------------------------------------
// Magnitude and direction of an update (Liu et al. 2024, eqs. 2-4).

export interface UpdateDecomposition {
  /** Mean over output features of |m_i(W) - m_i(W0)|, m_i the L2 norm of row i. */
  magnitudeChange: number;
  /** Mean over output features of 1 - cos(W_i, W0_i). */
  directionChange: number;
}

/**
 * DoRA's weight-decomposition analysis of W against W0, both stored (out, in). The paper writes
 * W in R^{d x k} with one magnitude per column; implementations (the authors' code and PEFT)
 * take one norm per output feature, i.e. per row of PyTorch's (out, in) weight, and so does
 * this. For DoRA pass its merged weight m V / ||V||: its row norms are m and its row directions
 * those of V, which is exactly the paper's (m, V) pair.
 */
export function decomposeUpdate(w0: Float32Array, w: Float32Array, outFeatures: number, inFeatures: number): UpdateDecomposition {
  if (w0.length !== outFeatures * inFeatures || w.length !== w0.length) {
    throw new Error(`decomposeUpdate: expected two ${outFeatures} x ${inFeatures} matrices`);
  }
  const n0 = rowNorms(w0, outFeatures, inFeatures);
  const n = rowNorms(w, outFeatures, inFeatures);
  let magnitude = 0;
  let direction = 0;
  for (let i = 0; i < outFeatures; i++) {
    let dot = 0;
    for (let j = 0; j < inFeatures; j++) dot += w0[i * inFeatures + j] * w[i * inFeatures + j];
    magnitude += Math.abs(n[i] - n0[i]);
    direction += n[i] > 0 && n0[i] > 0 ? 1 - dot / (n[i] * n0[i]) : 1;
  }
  return { magnitudeChange: magnitude / outFeatures, directionChange: direction / outFeatures };
}

/**
 * Least-squares slope of y on x: the sign of the ΔM-against-ΔD trend the DoRA paper reads off
 * its figure 2 (negative for full fine-tuning and DoRA, positive for LoRA in the paper).
 */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2) throw new Error('slope: need two equal-length series of at least 2 points');
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** The weight a method's parameters amount to (merged), against which the base is compared. */
export function effectiveWeight(config: TrainerConfig, task: Task, p: AdapterParameters): Float32Array {
  if (config.method === 'full') return p.weight;
  const dims = layerDims(config, task);
  const s = scalingOf(config);
  if (config.method === 'lora') return mergeLora(task.base, p.a, p.b, s, dims);
  return mergeDora(task.base, p.a, p.b, p.magnitude, s, dims).merged;
}

export interface DecompositionPoint extends UpdateDecomposition {
  step: number;
  heldOut: number;
}

/**
 * Trains with `trainer` for `steps` steps and records, every `every` steps, the magnitude and
 * direction change of the effective weight against the frozen base (the paper's figure 2 is
 * such a trace, one point per checkpoint), reporting each point to `onPoint` as it comes.
 * Runs on the training loop, so it stops when `tick` throws and throws TrainingDiverged on a
 * divergent run, with the untrained held-out loss as the reference.
 */
export async function traceDecomposition(
  trainer: LayerTrainer,
  config: TrainerConfig,
  task: Task,
  options: {
    steps: number;
    every: number;
    tick?: () => Promise<void>;
    onPoint?: (point: DecompositionPoint) => void;
    /** After every chunk of steps, so progress shows between checkpoints. */
    onSteps?: (stepsDone: number) => void;
  },
): Promise<DecompositionPoint[]> {
  const { outFeatures, inFeatures, heldOutSize } = task.config;
  const untrained = mseLoss(linearForward(task.base, task.heldOutX, heldOutSize, inFeatures, outFeatures), task.heldOutY);
  const points: DecompositionPoint[] = [];
  await trainLoop(trainer, {
    steps: options.steps,
    evalEvery: options.every,
    evaluateStart: false,
    reference: untrained,
    watch: (losses) => [losses.heldOut],
    tick: options.tick,
    onProgress: options.onSteps,
    onEvaluation: async (step, losses) => {
      const w = effectiveWeight(config, task, await trainer.parameters());
      const point = { step, heldOut: losses.heldOut, ...decomposeUpdate(task.base, w, outFeatures, inFeatures) };
      points.push(point);
      options.onPoint?.(point);
    },
  });
  return points;
}

// ---------------------------------------------------------------------------------------
// DoRA in weight space (Liu et al. 2024, section 4.1), one row per output feature.

/** W' = diag(m / ||V||_row) V: the weight DoRA applies, from a direction V and magnitudes m. */
export function scaleRowsTo(direction: Float32Array, magnitude: Float32Array, outFeatures: number, inFeatures: number): Float32Array {
  const w = new Float32Array(direction.length);
  doraRowsForward(w, new Float32Array(outFeatures), direction, magnitude, outFeatures, inFeatures);
  return w;
}

/**
 * Gradients of the loss with respect to DoRA's direction V and magnitude m, given
 * G_W = dL/dW' (out x in), written row by row as in the paper's eqs. (6)-(7):
 *   dL/dV_i  = (m_i / n_i) (G_i - (G_i . u_i) u_i),   u_i = V_i / n_i,  n_i = ||V_i||
 *   dL/dm_i  = G_i . u_i
 * With the norm treated as a constant (section 4.3) the projection disappears:
 *   dL/dV_i ~ (m_i / n_i) G_i.
 */
export function doraWeightSpaceGradients(
  gradMerged: Float32Array,
  direction: Float32Array,
  magnitude: Float32Array,
  outFeatures: number,
  inFeatures: number,
): { dV: Float64Array; dVDetached: Float64Array; dMagnitude: Float64Array } {
  const norms = rowNorms(direction, outFeatures, inFeatures);
  const dV = new Float64Array(direction.length);
  const dVDetached = new Float64Array(direction.length);
  const dMagnitude = new Float64Array(outFeatures);
  for (let i = 0; i < outFeatures; i++) {
    const row = i * inFeatures;
    let along = 0; // G_i . u_i
    for (let j = 0; j < inFeatures; j++) along += (gradMerged[row + j] * direction[row + j]) / norms[i];
    dMagnitude[i] = along;
    const k = magnitude[i] / norms[i];
    for (let j = 0; j < inFeatures; j++) {
      const u = direction[row + j] / norms[i];
      dVDetached[row + j] = k * gradMerged[row + j];
      dV[row + j] = k * (gradMerged[row + j] - along * u);
    }
  }
  return { dV, dVDetached, dMagnitude };
}

// ---------------------------------------------------------------------------------------
// How the adapter's output scales with the rank (rsLoRA, Kalajdzievski 2023).

export interface RankScalingProbe {
  rank: number;
  rule: ScalingRule;
  alpha: number;
  inFeatures: number;
  outFeatures: number;
  /** Independent single-example probes to average over. */
  trials: number;
  seed: number;
}

/** Root mean square of an array. */
export function rms(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return values.length === 0 ? 0 : Math.sqrt(s / values.length);
}

/**
 * Mean over `trials` examples of the RMS change of the adapter's output s (x A^T) B^T on an
 * example x after one optimizer step on that example alone, from PEFT's initialisation
 * (A kaiming-uniform, B = 0), with a fixed upstream gradient g = dL/dy. Every rank sees the
 * same examples and gradients, so only the adapter differs between probes.
 *
 *   SGD:  dB = s g h^T with h = A x, so B = -lr s g h^T and the output moves by
 *         lr s^2 ||h||^2 g. ||h||^2 sums r terms of the same sign, so the change grows like
 *         s^2 r: alpha/r makes it fall as 1/r, alpha/sqrt(r) keeps it constant. This is the
 *         first step of rsLoRA's argument (Kalajdzievski 2023, section 3).
 *   Adam: the first step is lr * sign(dB) per entry (PyTorch's bias correction), and the output
 *         moves by lr s sum_j |h_j|, which grows like s r: by this count alpha/r is the
 *         rank-stable choice for Adam's first step.
 */
export function firstStepOutputChange(p: RankScalingProbe, update: 'sgd' | 'adam', lr = 1e-3): number {
  const { rank, inFeatures, outFeatures } = p;
  const dims = { outFeatures, inFeatures, rank };
  const s = loraScaling(p.alpha, rank, p.rule);
  const data = createRng(p.seed);
  const initRng = createRng(p.seed + 1);
  let total = 0;
  for (let t = 0; t < p.trials; t++) {
    const x = data.normals(inFeatures);
    const g = data.normals(outFeatures);
    const a = initLoraA(rank, inFeatures, initRng);
    const b = initLoraB(outFeatures, rank);
    const h = matmulCpu(x, a, 1, inFeatures, rank, { transB: true });
    const { dB } = lowRankGradients(g, h, x, b, s, 1, dims);
    if (update === 'sgd') {
      for (let i = 0; i < b.length; i++) b[i] = -lr * dB[i];
    } else {
      adamStepCpu(b, dB, createAdamState(b.length), { lr });
    }
    // B was zero, so the new B is the step itself.
    total += s * rms(matmulCpu(h, b, 1, rank, outFeatures, { transB: true }));
  }
  return total / p.trials;
}

/**
 * RMS of the adapter's output s (X A^T) B^T over `trials` examples when A and B both hold
 * independent entries of a fixed variance (as they do once B has grown in training): each
 * output is a sum of r independent terms, so it grows like s sqrt(r). alpha/sqrt(r) holds it
 * constant; alpha/r shrinks it like 1/sqrt(r).
 */
export function randomAdapterOutput(p: RankScalingProbe): number {
  const { rank, inFeatures, outFeatures, trials } = p;
  const s = loraScaling(p.alpha, rank, p.rule);
  const x = createRng(p.seed).normals(trials * inFeatures);
  const rng = createRng(p.seed + 2);
  const a = rng.normals(rank * inFeatures, 1 / Math.sqrt(inFeatures));
  const b = rng.normals(outFeatures * rank);
  const h = matmulCpu(x, a, trials, inFeatures, rank, { transB: true });
  return s * rms(matmulCpu(h, b, trials, rank, outFeatures, { transB: true }));
}
