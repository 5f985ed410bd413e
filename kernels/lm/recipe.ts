/**
 * A fine-tuning recipe for the tiny model, in the reader's terms (the widget's controls), and the
 * engine's run configuration it stands for. The widget's defaults and the chapters' measured runs
 * (chapter-runs.ts) both start from DEFAULT_RECIPE.
 */
import type { LinearModule } from './config';
import type { SftTaskId } from './data/sft-tasks';
import type { AdapterConfig } from './engine/program';
import type { GrpoRunConfig } from './grpo-trainer';
import type { PreferenceMethod, PreferenceRunConfig } from './preference-trainer';
import type { RewardRunConfig } from './reward-trainer';
import type { LmRunConfig } from './trainer';

export type FineTuneMethod = 'lora' | 'dora' | 'qlora' | 'full';

export interface FineTuneRecipe {
  task: SftTaskId;
  method: FineTuneMethod;
  rank: number;
  alpha: number;
  scaling: AdapterConfig['scaling'];
  loraPlusRatio: number;
  targets: readonly LinearModule[];
  lr: number;
  steps: number;
  batch: number;
  completionOnly: boolean;
  /** Share of each batch that replays pretraining text. */
  replay: number;
  /** Share of the task's training conversations used, and share of those given a wrong reply. */
  data: number;
  noisy: number;
  seed: number;
}

export const DEFAULT_RECIPE: FineTuneRecipe = {
  task: 'json',
  method: 'lora',
  rank: 8,
  alpha: 16,
  scaling: 'alpha/r',
  loraPlusRatio: 1,
  targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  lr: 0.003,
  steps: 120,
  batch: 4,
  completionOnly: true,
  replay: 0,
  data: 1,
  noisy: 0,
  seed: 1,
};

/** The default recipe's LoRA adapter (all seven linear layers) at another rank, alpha and seed: what the alignment recipes train. */
function loraAdapter(r: { rank: number; alpha: number; seed: number }): AdapterConfig {
  return runConfigFor({ ...DEFAULT_RECIPE, rank: r.rank, alpha: r.alpha, seed: r.seed }).adapter;
}

/** QLoRA is LoRA on an NF4 base; clipping at 1 and a linear decay are transformers' Trainer defaults. */
export function runConfigFor(r: FineTuneRecipe): LmRunConfig {
  return {
    adapter: {
      method: r.method === 'qlora' ? 'lora' : r.method,
      base: r.method === 'qlora' ? 'nf4' : 'fp32',
      rank: r.rank,
      alpha: r.alpha,
      scaling: r.scaling,
      targets: [...r.targets],
      loraPlusRatio: r.loraPlusRatio,
      seed: r.seed,
    },
    lr: r.lr,
    steps: r.steps,
    batch: r.batch,
    completionOnly: r.completionOnly,
    replayShare: r.replay,
    dataShare: r.data,
    noisyShare: r.noisy,
    seed: r.seed,
    maxGradNorm: 1,
    schedule: 'linear',
  };
}

/**
 * Preference tuning of the shipped model (preference-trainer.ts) with a LoRA adapter. The
 * learning rate is a sixth of SFT's: measured over 60 steps of DPO at beta 0.1, 5e-4 removes the
 * filler without hurting correctness, 1e-3 already lowers the chosen replies' likelihood and
 * 3e-3 collapses the model (content/data/lm-preference-runs.json).
 */
export interface PreferenceRecipe {
  method: PreferenceMethod;
  beta: number;
  gamma: number;
  rank: number;
  alpha: number;
  lr: number;
  steps: number;
  pairs: number;
  /** Held-out pairs evaluated (0: all). */
  heldOut: number;
  seed: number;
}

export const DEFAULT_PREFERENCE_RECIPE: PreferenceRecipe = {
  method: 'dpo',
  beta: 0.1,
  gamma: 0.5,
  rank: 8,
  alpha: 16,
  lr: 5e-4,
  steps: 60,
  pairs: 4,
  heldOut: 0,
  seed: 1,
};

/** Replies sampled per held-out prompt at temperature 1, before and after a preference run (the chapter's runs; the widget lets the reader choose). */
export const SAMPLES_PER_PROMPT = 4;

export function preferenceRunConfigFor(r: PreferenceRecipe): PreferenceRunConfig {
  const adapter = loraAdapter(r);
  return {
    method: r.method,
    beta: r.beta,
    gamma: r.gamma,
    adapter,
    lr: r.lr,
    steps: r.steps,
    pairs: r.pairs,
    seed: r.seed,
    maxGradNorm: 1,
    heldOutPairs: r.heldOut,
  };
}

/**
 * GRPO on sums (grpo-trainer.ts) with a LoRA adapter: TRL's defaults where they carry over
 * (8 generations per prompt, temperature 1, epsilon 0.2, beta 0, one step per batch), a learning
 * rate for a LoRA adapter on a tiny model rather than TRL's 1e-6 for full models.
 */
export interface GrpoRecipe {
  rank: number;
  alpha: number;
  lr: number;
  steps: number;
  prompts: number;
  generations: number;
  /** Held-out sums evaluated (0: all). */
  heldOut: number;
  seed: number;
}

export const DEFAULT_GRPO_RECIPE: GrpoRecipe = { rank: 8, alpha: 16, lr: 2e-3, steps: 30, prompts: 2, generations: 8, heldOut: 0, seed: 1 };

export function grpoRunConfigFor(r: GrpoRecipe): GrpoRunConfig {
  const adapter = loraAdapter(r);
  return {
    adapter,
    lr: r.lr,
    steps: r.steps,
    prompts: r.prompts,
    generations: r.generations,
    epsilon: 0.2,
    maxNewTokens: 24,
    seed: r.seed,
    maxGradNorm: 1,
    heldOutSums: r.heldOut,
  };
}

/**
 * A reward model (reward-trainer.ts) from the shipped chat model: LoRA on the body, the scalar
 * head trained whole, on the DPO widget's pairs. The learning rate is one for a LoRA adapter on a
 * tiny model (TRL's RewardConfig defaults to 1e-4 for full models); the centring coefficient is
 * the 0.01 that RewardConfig's documentation recommends (its default is None: no centring).
 */
export interface RewardRecipe {
  rank: number;
  alpha: number;
  lr: number;
  steps: number;
  pairs: number;
  center: number;
  /** Held-out pairs evaluated (0: all). */
  heldOut: number;
  seed: number;
}

export const DEFAULT_REWARD_RECIPE: RewardRecipe = { rank: 8, alpha: 16, lr: 1e-3, steps: 60, pairs: 4, center: 0.01, heldOut: 0, seed: 1 };

export function rewardRunConfigFor(r: RewardRecipe): RewardRunConfig {
  const adapter = loraAdapter(r);
  return {
    adapter,
    lr: r.lr,
    steps: r.steps,
    pairs: r.pairs,
    centerCoefficient: r.center,
    seed: r.seed,
    maxGradNorm: 1,
    heldOutPairs: r.heldOut,
  };
}
