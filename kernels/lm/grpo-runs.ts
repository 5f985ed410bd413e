/**
 * The GRPO run the RLHF chapter quotes (DEFAULT_GRPO_RECIPE), measured by `npm run lm:grpo-run`
 * (scripts/lm/grpo-run.ts) into content/data/lm-grpo-run.json; a test reruns it and compares.
 */
import { runGrpo, type GrpoResult } from './grpo-experiment';
import type { LoadedModel } from './model-files';
import { DEFAULT_GRPO_RECIPE, grpoRunConfigFor, type GrpoRecipe } from './recipe';
import { localRuntime } from './runtime';

export const GRPO_RUN_PATH = 'content/data/lm-grpo-run.json';

export interface GrpoRunSummary extends GrpoResult {
  recipe: GrpoRecipe;
}

export async function measureGrpoRun(model: LoadedModel): Promise<GrpoRunSummary> {
  const r = await runGrpo(localRuntime(model), model, grpoRunConfigFor(DEFAULT_GRPO_RECIPE), 6);
  return { ...r, stepsPerSecond: Math.round(r.stepsPerSecond * 100) / 100, recipe: DEFAULT_GRPO_RECIPE };
}
