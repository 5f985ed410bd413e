/**
 * One reward-model run of the tiny model as the page shows it: the trainer on the training loop,
 * held-out evaluations along the way (loss, accuracy overall and by flaw, accuracy on as many
 * training pairs, each pair's rewards), and the trained tensors for download.
 */
import { trainLoop } from '../training/loop';
import type { LmRuntime } from './experiment';
import type { RewardEvaluation, RewardRunConfig } from './reward-trainer';

export interface RewardPoint extends RewardEvaluation {
  step: number;
}

export interface RewardResult {
  steps: number;
  trainableParams: number;
  curve: RewardPoint[];
  stepLosses: number[];
  stepsPerSecond: number;
}

export interface RewardHooks {
  tick?: () => Promise<void>;
  onPoint?: (point: RewardPoint) => void;
  onStep?: (done: number, stepLosses: readonly number[]) => void;
}

export async function runRewardModel(
  runtime: LmRuntime,
  run: RewardRunConfig,
  evaluations: number,
  hooks: RewardHooks = {},
): Promise<{ result: RewardResult; trained: Map<string, Float32Array>; shapes: Map<string, number[]> }> {
  const trainer = await runtime.createRewardTrainer(run);
  const curve: RewardPoint[] = [];
  try {
    const loop = await trainLoop(trainer, {
      steps: run.steps,
      evalEvery: Math.max(1, Math.ceil(run.steps / evaluations)),
      watch: (e) => [e.loss],
      tick: hooks.tick,
      onProgress: (done, losses) => {
        if (done > 0) hooks.onStep?.(done, losses);
      },
      onEvaluation: (step, e) => {
        const point = { step, ...e };
        curve.push(point);
        hooks.onPoint?.(point);
      },
    });
    const result = {
      steps: run.steps,
      trainableParams: trainer.trainableParams,
      curve,
      stepLosses: loop.stepLosses,
      stepsPerSecond: loop.trainingStepsPerSecond,
    };
    return { result, trained: await trainer.trainables(), shapes: trainer.trainableShapes };
  } finally {
    trainer.destroy();
  }
}
