/**
 * Preference-tuning steps of the shipped tiny LLaMA (kernels/lm/preference-trainer.ts, DPO with a
 * LoRA r = 8 adapter, 4 pairs per step), our WebGPU path against our CPU path in one run. A step
 * is the policy's forward over 8 rows of 128 positions, a read-back of the reply log-probs, the
 * loss on the CPU, and the backward pass and AdamW update; the reference's log-probs are
 * precomputed before timing starts. No peer library trains a preference loss in the browser,
 * so the ratio is GPU against CPU.
 */
import { acquireGpu } from '../kernels/gpu/device';
import { prepareCpuGemm } from '../kernels/linalg/gemm-cpu';
import type { Backend } from '../kernels/lm/engine/backend';
import { createCpuBackend } from '../kernels/lm/engine/cpu-backend';
import { createGpuBackend } from '../kernels/lm/engine/gpu-backend';
import type { LoadedModel } from '../kernels/lm/model-files';
import { createPreferenceTrainer } from '../kernels/lm/preference-trainer';
import { randomWeights } from '../kernels/lm/random-model';
import { DEFAULT_PREFERENCE_RECIPE, preferenceRunConfigFor } from '../kernels/lm/recipe';
import { CHATML_TEMPLATE, TINY_CONFIG } from '../kernels/lm/tiny-model';
import { Tokenizer } from '../kernels/lm/tokenizer';
import { createRng } from '../kernels/random/rng';
import type { BenchReport } from './types';

const STEPS = 12;

function model(): LoadedModel {
  return { config: TINY_CONFIG, weights: randomWeights(TINY_CONFIG, createRng(1)), tokenizer: Tokenizer.standard(), chatTemplate: CHATML_TEMPLATE };
}

async function stepsPerSecond(be: Backend): Promise<number> {
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
  const onGpu = gpu ? await stepsPerSecond(createGpuBackend(gpu, TINY_CONFIG)) : null;
  const onCpu = await stepsPerSecond(createCpuBackend(TINY_CONFIG));
  const pairs = DEFAULT_PREFERENCE_RECIPE.pairs;
  return {
    title: `Tiny LLaMA DPO steps per second (LoRA r = ${DEFAULT_PREFERENCE_RECIPE.rank}, ${pairs} pairs = ${2 * pairs} rows x 128 per step)`,
    rows: [
      { label: 'ours, WebGPU', value: onGpu ?? 0, unit: onGpu === null ? 'backend unavailable' : 'steps/s' },
      { label: 'ours, CPU', value: onCpu, unit: 'steps/s' },
    ],
    ratios: onGpu === null ? [] : [{ label: 'ours WebGPU / ours CPU', value: onGpu / onCpu }],
  };
}
