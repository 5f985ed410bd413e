/**
 * Alignment steps of the tiny LLaMA with a LoRA r = 8 adapter, our WebGPU path against our CPU
 * path in one run (no peer library trains these losses in the browser):
 *   DPO (kernels/lm/preference-trainer.ts, 4 pairs per step): the policy's forward over 8 rows of
 *   128 positions, a read-back of the reply log-probs, the loss on the CPU, the backward pass and
 *   AdamW; the reference's log-probs are precomputed before timing starts.
 *   GRPO (kernels/lm/grpo-trainer.ts, 2 prompts x 8 completions per step): sampling the group on
 *   the CPU (as the page's worker does), scoring, then forward, backward and AdamW over 16 rows.
 *   Reward model (kernels/lm/reward-trainer.ts, 4 pairs per step): forward over 8 rows to the final
 *   hidden state, the scalar head, the loss on the CPU, the backward pass from the head and AdamW.
 */
import { acquireGpu } from '../kernels/gpu/device';
import { prepareCpuGemm } from '../kernels/linalg/gemm-cpu';
import type { Backend } from '../kernels/lm/engine/backend';
import { createCpuBackend } from '../kernels/lm/engine/cpu-backend';
import { createGpuBackend } from '../kernels/lm/engine/gpu-backend';
import type { LoadedModel } from '../kernels/lm/model-files';
import { createGrpoTrainer } from '../kernels/lm/grpo-trainer';
import { createPreferenceTrainer } from '../kernels/lm/preference-trainer';
import { localRuntime } from '../kernels/lm/runtime';
import { randomWeights } from '../kernels/lm/random-model';
import {
  DEFAULT_GRPO_RECIPE,
  DEFAULT_PREFERENCE_RECIPE,
  DEFAULT_REWARD_RECIPE,
  grpoRunConfigFor,
  preferenceRunConfigFor,
  rewardRunConfigFor,
} from '../kernels/lm/recipe';
import { createRewardTrainer } from '../kernels/lm/reward-trainer';
import type { Trainer } from '../kernels/training/trainer';
import { CHATML_TEMPLATE, TINY_CONFIG } from '../kernels/lm/tiny-model';
import { Tokenizer } from '../kernels/lm/tokenizer';
import { createRng } from '../kernels/random/rng';
import { GPU_ONLY } from './options';
import type { BenchReport } from './types';

const STEPS = 12;
const GRPO_STEPS = 3;

function model(): LoadedModel {
  return { config: TINY_CONFIG, weights: randomWeights(TINY_CONFIG, createRng(1)), tokenizer: Tokenizer.standard(), chatTemplate: CHATML_TEMPLATE };
}

/** Steps per second of `steps` steps after `warmup` untimed ones (the first call also runs any precomputation). */
async function timeSteps(trainer: Trainer<unknown>, warmup: number, steps: number): Promise<number> {
  try {
    await trainer.runSteps(warmup, false);
    const t0 = performance.now();
    await trainer.runSteps(steps, false);
    return steps / ((performance.now() - t0) / 1000);
  } finally {
    trainer.destroy();
  }
}

function grpoStepsPerSecond(be: Backend): Promise<number> {
  const m = model();
  return timeSteps(
    createGrpoTrainer(be, m, grpoRunConfigFor({ ...DEFAULT_GRPO_RECIPE, steps: GRPO_STEPS + 1 }), localRuntime(m).generate),
    1,
    GRPO_STEPS,
  );
}

// Two held-out pairs in each: the evaluations are not what is timed.
function dpoStepsPerSecond(be: Backend): Promise<number> {
  return timeSteps(
    createPreferenceTrainer(be, model(), preferenceRunConfigFor({ ...DEFAULT_PREFERENCE_RECIPE, steps: STEPS + 2, heldOut: 2 })),
    2,
    STEPS,
  );
}

function rewardStepsPerSecond(be: Backend): Promise<number> {
  return timeSteps(createRewardTrainer(be, model(), rewardRunConfigFor({ ...DEFAULT_REWARD_RECIPE, steps: STEPS + 2, heldOut: 2 })), 2, STEPS);
}

export default async function bench(): Promise<BenchReport> {
  await prepareCpuGemm();
  const gpu = await acquireGpu();
  const onGpu = (time: (be: Backend) => Promise<number>) => (gpu ? time(createGpuBackend(gpu, TINY_CONFIG)) : null);
  const onCpu = (time: (be: Backend) => Promise<number>) => (GPU_ONLY ? null : time(createCpuBackend(TINY_CONFIG)));
  const dpoGpu = await onGpu(dpoStepsPerSecond);
  const dpoCpu = await onCpu(dpoStepsPerSecond);
  const grpoGpu = await onGpu(grpoStepsPerSecond);
  const grpoCpu = await onCpu(grpoStepsPerSecond);
  const rewardGpu = await onGpu(rewardStepsPerSecond);
  const rewardCpu = await onCpu(rewardStepsPerSecond);
  const row = (label: string, v: number | null) => ({
    label,
    value: v ?? 0,
    unit: v !== null ? 'steps/s' : gpu ? 'skipped (--gpu-only)' : 'backend unavailable',
  });
  const { pairs } = DEFAULT_PREFERENCE_RECIPE;
  const { prompts, generations } = DEFAULT_GRPO_RECIPE;
  return {
    title: `Tiny LLaMA alignment steps per second (LoRA r = 8; DPO and the reward model ${pairs} pairs, GRPO ${prompts} prompts x ${generations} completions)`,
    rows: [
      row('DPO, ours WebGPU', dpoGpu),
      row('DPO, ours CPU', dpoCpu),
      row('GRPO, ours WebGPU (sampling on the CPU)', grpoGpu),
      row('GRPO, ours CPU', grpoCpu),
      row('Reward model, ours WebGPU', rewardGpu),
      row('Reward model, ours CPU', rewardCpu),
    ],
    ratios: [
      ...(dpoGpu === null || dpoCpu === null ? [] : [{ label: 'DPO: ours WebGPU / ours CPU', value: dpoGpu / dpoCpu }]),
      ...(grpoGpu === null || grpoCpu === null ? [] : [{ label: 'GRPO: ours WebGPU / ours CPU', value: grpoGpu / grpoCpu }]),
      ...(rewardGpu === null || rewardCpu === null ? [] : [{ label: 'Reward model: ours WebGPU / ours CPU', value: rewardGpu / rewardCpu }]),
    ],
  };
}
