/**
 * Alignment steps of the tiny LLaMA with a LoRA r = 8 adapter, our WebGPU path against our CPU
 * path in one run (no peer library trains these losses in the browser):
 *   DPO (kernels/lm/preference-trainer.ts, 4 pairs per step): the policy's forward over 8 rows of
 *   128 positions, a read-back of the reply log-probs, the loss on the CPU, the backward pass and
 *   AdamW; the reference's log-probs are precomputed before timing starts.
 *   GRPO (kernels/lm/grpo-trainer.ts, 2 prompts x 8 completions per step): sampling the group on
 *   the CPU (as the page's worker does), scoring, then forward, backward and AdamW over 16 rows.
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
import { DEFAULT_GRPO_RECIPE, DEFAULT_PREFERENCE_RECIPE, grpoRunConfigFor, preferenceRunConfigFor } from '../kernels/lm/recipe';
import { CHATML_TEMPLATE, TINY_CONFIG } from '../kernels/lm/tiny-model';
import { Tokenizer } from '../kernels/lm/tokenizer';
import { createRng } from '../kernels/random/rng';
import type { BenchReport } from './types';

const STEPS = 12;
const GRPO_STEPS = 3;

function model(): LoadedModel {
  return { config: TINY_CONFIG, weights: randomWeights(TINY_CONFIG, createRng(1)), tokenizer: Tokenizer.standard(), chatTemplate: CHATML_TEMPLATE };
}

async function grpoStepsPerSecond(be: Backend): Promise<number> {
  const m = model();
  const trainer = createGrpoTrainer(be, m, grpoRunConfigFor({ ...DEFAULT_GRPO_RECIPE, steps: GRPO_STEPS + 1 }), localRuntime(m).generate);
  try {
    await trainer.runSteps(1, false); // warm-up
    const t0 = performance.now();
    await trainer.runSteps(GRPO_STEPS, false);
    return GRPO_STEPS / ((performance.now() - t0) / 1000);
  } finally {
    trainer.destroy();
  }
}

async function dpoStepsPerSecond(be: Backend): Promise<number> {
  // Two held-out pairs: the evaluations are not what is timed.
  const run = preferenceRunConfigFor({ ...DEFAULT_PREFERENCE_RECIPE, steps: STEPS + 2, heldOut: 2 });
  const trainer = createPreferenceTrainer(be, model(), run);
  try {
    await trainer.runSteps(0, false); // the reference pass
    await trainer.runSteps(2, false); // warm-up
    const t0 = performance.now();
    await trainer.runSteps(STEPS, false);
    return STEPS / ((performance.now() - t0) / 1000);
  } finally {
    trainer.destroy();
  }
}

export default async function bench(): Promise<BenchReport> {
  await prepareCpuGemm();
  const gpu = await acquireGpu();
  const dpoGpu = gpu ? await dpoStepsPerSecond(createGpuBackend(gpu, TINY_CONFIG)) : null;
  const dpoCpu = await dpoStepsPerSecond(createCpuBackend(TINY_CONFIG));
  const grpoGpu = gpu ? await grpoStepsPerSecond(createGpuBackend(gpu, TINY_CONFIG)) : null;
  const grpoCpu = await grpoStepsPerSecond(createCpuBackend(TINY_CONFIG));
  const row = (label: string, v: number | null) => ({ label, value: v ?? 0, unit: v === null ? 'backend unavailable' : 'steps/s' });
  const { pairs } = DEFAULT_PREFERENCE_RECIPE;
  const { prompts, generations } = DEFAULT_GRPO_RECIPE;
  return {
    title: `Tiny LLaMA alignment steps per second (LoRA r = 8; DPO ${pairs} pairs, GRPO ${prompts} prompts x ${generations} completions)`,
    rows: [
      row('DPO, ours WebGPU', dpoGpu),
      row('DPO, ours CPU', dpoCpu),
      row('GRPO, ours WebGPU (sampling on the CPU)', grpoGpu),
      row('GRPO, ours CPU', grpoCpu),
    ],
    ratios: [
      ...(dpoGpu === null ? [] : [{ label: 'DPO: ours WebGPU / ours CPU', value: dpoGpu / dpoCpu }]),
      ...(grpoGpu === null ? [] : [{ label: 'GRPO: ours WebGPU / ours CPU', value: grpoGpu / grpoCpu }]),
    ],
  };
}
