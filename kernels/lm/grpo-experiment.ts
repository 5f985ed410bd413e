/**
 * One GRPO run of the tiny model as the page shows it: sampled replies to held-out sums before,
 * the run on the training loop (the reward of every step's own completions, held-out reward,
 * accuracy and format), and the same replies after. The runtime supplies the trainer.
 */
import { trainLoop } from '../training/loop';
import { promptIds, type LmRuntime } from './experiment';
import { accuracyReward, formatReward, sumPrompts, type GrpoEvaluation, type GrpoRunConfig } from './grpo-trainer';
import type { LoadedModel } from './model-files';

/** Held-out sums whose sampled replies the page shows before and after. */
export const GRPO_DEMO_PROMPTS = 4;

export interface GrpoSample {
  question: string;
  reply: string;
  accuracy: number;
  format: number;
}

export interface GrpoPoint extends Omit<GrpoEvaluation, 'stepRewards'> {
  step: number;
}

export interface GrpoResult {
  steps: number;
  trainableParams: number;
  curve: GrpoPoint[];
  /** Mean reward of each step's own completions. */
  stepRewards: number[];
  stepsPerSecond: number;
  before: GrpoSample[];
  after: GrpoSample[];
}

export interface GrpoHooks {
  tick?: () => Promise<void>;
  onPhase?: (phase: 'before' | 'training' | 'after') => void;
  onStep?: (done: number) => void;
  onPoint?: (point: GrpoPoint, stepRewards: readonly number[]) => void;
}

async function samples(
  runtime: LmRuntime,
  model: LoadedModel,
  run: GrpoRunConfig,
  trained: Parameters<LmRuntime['generate']>[2],
): Promise<GrpoSample[]> {
  const prompts = sumPrompts().heldOut.slice(0, GRPO_DEMO_PROMPTS);
  const stopTokens = [model.tokenizer.id('<|im_end|>'), model.tokenizer.id('</s>')];
  return Promise.all(
    prompts.map(async (p, i) => {
      const [g] = await runtime.generate(
        [promptIds(model, p.question)],
        { maxNewTokens: run.maxNewTokens, temperature: 1, topK: 0, seed: 31337 * (i + 1), stopTokens },
        trained,
      );
      const reply = model.tokenizer.decode(g.ids, { skipSpecial: true });
      return { question: p.question, reply, accuracy: accuracyReward(p, reply), format: formatReward(reply) };
    }),
  );
}

export async function runGrpo(
  runtime: LmRuntime,
  model: LoadedModel,
  run: GrpoRunConfig,
  evaluations: number,
  hooks: GrpoHooks = {},
): Promise<GrpoResult> {
  hooks.onPhase?.('before');
  const before = await samples(runtime, model, run, null);
  await hooks.tick?.();
  hooks.onPhase?.('training');
  const trainer = await runtime.createGrpoTrainer(run);
  const curve: GrpoPoint[] = [];
  let stepRewards: number[] = [];
  let trained: Map<string, Float32Array>;
  let stepsPerSecond: number;
  try {
    const loop = await trainLoop(trainer, {
      steps: run.steps,
      evalEvery: Math.max(1, Math.ceil(run.steps / evaluations)),
      // The surrogate's value is about 0 by construction (advantages are centred): the divergence limit is on the reward scale.
      reference: 1,
      watch: (e) => [e.length / run.maxNewTokens],
      tick: hooks.tick,
      onProgress: (done) => hooks.onStep?.(done),
      onEvaluation: (step, e) => {
        const { stepRewards: rewards, ...rest } = e;
        stepRewards = rewards;
        const point = { step, ...rest };
        curve.push(point);
        hooks.onPoint?.(point, rewards);
      },
    });
    stepsPerSecond = loop.trainingStepsPerSecond;
    trained = await trainer.trainables();
  } finally {
    trainer.destroy();
  }
  hooks.onPhase?.('after');
  const after = await samples(runtime, model, run, { adapter: run.adapter, tensors: trained });
  return { steps: run.steps, trainableParams: trainer.trainableParams, curve, stepRewards, stepsPerSecond, before, after };
}
