/**
 * Model-state memory of the alignment methods for one model size, before sharding and
 * activations, with mixed-precision AdamW (kernels/memory/training-memory.ts: 16 bytes per trained
 * parameter, 2 per frozen one). PPO as InstructGPT runs it holds four models: the policy and the
 * value model train (the value model is a copy of the reward model with a scalar head), the
 * reference and the reward model are frozen. DPO holds the policy and a frozen reference (none
 * with precomputed log-probs); GRPO with beta = 0 (TRL's default) holds the policy alone.
 */
import { modelStateBytes } from '../memory/training-memory';

export const ALIGNMENT_SETUPS = ['ppo', 'dpo', 'dpo-precomputed', 'grpo', 'grpo-kl'] as const;
export type AlignmentSetup = (typeof ALIGNMENT_SETUPS)[number];

export interface AlignmentModels {
  trained: number;
  frozen: number;
}

/** How many full-size models each setup trains and keeps frozen. */
export const MODELS_OF: Record<AlignmentSetup, AlignmentModels> = {
  ppo: { trained: 2, frozen: 2 },
  dpo: { trained: 1, frozen: 1 },
  'dpo-precomputed': { trained: 1, frozen: 0 },
  grpo: { trained: 1, frozen: 0 },
  'grpo-kl': { trained: 1, frozen: 1 },
};

/** Bytes of weights, gradients and optimizer states for all the models of a setup, each of `params` parameters. */
export function alignmentStateBytes(setup: AlignmentSetup, params: number): number {
  const trained = modelStateBytes({ method: 'full', params });
  const perTrained = trained.weights + trained.gradients + trained.optimizer;
  const perFrozen = modelStateBytes({ method: 'lora', params, adapterParams: 0 }).weights;
  const m = MODELS_OF[setup];
  return m.trained * perTrained + m.frozen * perFrozen;
}
