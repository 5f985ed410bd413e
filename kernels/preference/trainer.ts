/**
 * The preference trainer on the trainer protocol (kernels/training/): full-batch steps on the
 * training table; an evaluation reads the parameters theta and measures the policy exactly
 * (metrics.ts). Backends: trainer-cpu.ts (fallback and oracle) and trainer-gpu.ts.
 */
import type { AdamConfig } from '../optim/adam';
import type { Trainer } from '../training/trainer';
import { preferenceMetrics, type PreferenceMetrics } from './metrics';
import type { LossConfig } from './objective';
import type { PreferenceTask } from './task';
import { trainingLoss } from './policy';

export interface TrainerOptions {
  loss: LossConfig;
  adam: AdamConfig;
}

export interface PreferenceEvaluation extends PreferenceMetrics {
  /** The mean training loss at the current parameters. */
  loss: number;
  theta: Float32Array;
}

export type PreferenceTrainer = Trainer<PreferenceEvaluation>;

export function evaluatePolicy(task: PreferenceTask, loss: LossConfig, theta: Float32Array): PreferenceEvaluation {
  return { loss: trainingLoss(task, loss, theta), theta, ...preferenceMetrics(task, loss, theta) };
}

/** The losses the training loop watches: the training loss, and NaN when a parameter is no longer finite. */
export function watchPreference(e: PreferenceEvaluation): number[] {
  return [e.theta.every(Number.isFinite) ? e.loss : NaN];
}
