/**
 * The preference-tuning runs the DPO chapter quotes, each a variation of DEFAULT_PREFERENCE_RECIPE,
 * measured by `npm run lm:preference-runs` (scripts/lm/preference-runs.ts) into
 * content/data/lm-preference-runs.json. A test reruns the default one and compares.
 */
import { localRuntime } from './runtime';
import type { LoadedModel } from './model-files';
import { runPreferenceTuning, type PreferenceResult } from './preference-experiment';
import { DEFAULT_PREFERENCE_RECIPE, preferenceRunConfigFor, type PreferenceRecipe } from './recipe';

export const PREFERENCE_RUNS_PATH = 'content/data/lm-preference-runs.json';

const D = DEFAULT_PREFERENCE_RECIPE;
export const PREFERENCE_RUNS = {
  dpo: D,
  'dpo-lr-1e-3': { ...D, lr: 1e-3 },
  'dpo-lr-3e-3': { ...D, lr: 3e-3 },
  'dpo-beta-0.03': { ...D, beta: 0.03 },
  'dpo-beta-0.3': { ...D, beta: 0.3 },
  'dpo-beta-1': { ...D, beta: 1 },
  'dpo-beta-3': { ...D, beta: 3 },
  'dpo-beta-10': { ...D, beta: 10 },
  ipo: { ...D, method: 'ipo' },
  simpo: { ...D, method: 'simpo', beta: 2, gamma: 1 },
  kto: { ...D, method: 'kto' },
  orpo: { ...D, method: 'orpo' },
} satisfies Record<string, PreferenceRecipe>;
export type PreferenceRunName = keyof typeof PREFERENCE_RUNS;

/** What the chapter quotes from a run: the first and last evaluation and the replies' statistics. */
export interface PreferenceRunSummary {
  recipe: PreferenceRecipe;
  start: PreferenceResult['curve'][number];
  end: PreferenceResult['curve'][number];
  before: PreferenceResult['before']['sampled'];
  after: PreferenceResult['after']['sampled'];
  greedyAfter: PreferenceResult['after']['greedy'];
  referenceMs: number;
  trainingMs: number;
}

export async function runPreferenceRecipe(model: LoadedModel, name: PreferenceRunName): Promise<PreferenceRunSummary> {
  const recipe = PREFERENCE_RUNS[name];
  const r = await runPreferenceTuning(localRuntime(model), model, preferenceRunConfigFor(recipe), 6);
  return {
    recipe,
    start: r.curve[0],
    end: r.curve[r.curve.length - 1],
    before: r.before.sampled,
    after: r.after.sampled,
    greedyAfter: r.after.greedy,
    referenceMs: Math.round(r.referenceMs),
    trainingMs: Math.round(r.trainingMs),
  };
}
