/**
 * The reward-model run the RLHF chapter quotes (DEFAULT_REWARD_RECIPE), measured by
 * `npm run lm:reward-run` (scripts/lm/reward-run.ts) into content/data/lm-reward-run.json; a test
 * reruns its first evaluations and compares.
 */
import { evaluatedPairs } from './data/preference-pairs';
import type { LoadedModel } from './model-files';
import type { PreferenceEvaluation } from './preference-trainer';
import { DEFAULT_REWARD_RECIPE, rewardRunConfigFor, type RewardRecipe } from './recipe';
import { runRewardModel, type RewardResult } from './reward-experiment';
import type { RewardEvaluation } from './reward-trainer';
import { localRuntime } from './runtime';

export const REWARD_RUN_PATH = 'content/data/lm-reward-run.json';
/** Evaluations over the run (and the one before it). */
export const REWARD_RUN_EVALUATIONS = 6;

export interface RewardRunSummary extends RewardResult {
  recipe: RewardRecipe;
}

export async function measureRewardRun(model: LoadedModel, recipe: RewardRecipe = DEFAULT_REWARD_RECIPE): Promise<RewardRunSummary> {
  const { result } = await runRewardModel(localRuntime(model), rewardRunConfigFor(recipe), REWARD_RUN_EVALUATIONS);
  return { ...result, stepsPerSecond: Math.round(result.stepsPerSecond * 100) / 100, recipe };
}

/**
 * How three scorers order the held-out pairs whose rejected reply states a wrong fact: the chat
 * model's own likelihood (log pi_ref(chosen) > log pi_ref(rejected)), DPO's implicit reward after
 * the DPO chapter's run, and the reward model after this run. Counts of pairs ordered right.
 */
export function wrongFactOrdering(
  dpoEnd: Pick<PreferenceEvaluation, 'pairs'>,
  rewardEnd: Pick<RewardEvaluation, 'pairs'>,
): { pairs: number; likelihood: number; dpo: number; rewardModel: number } {
  const flaws = evaluatedPairs(0).map((p) => p.flaw);
  if (dpoEnd.pairs.length !== flaws.length || rewardEnd.pairs.length !== flaws.length) throw new Error('both runs must evaluate every held-out pair');
  const wrong = flaws.flatMap((f, i) => (f === 'wrong' ? [i] : []));
  const count = (right: (i: number) => boolean) => wrong.filter(right).length;
  return {
    pairs: wrong.length,
    likelihood: count((i) => dpoEnd.pairs[i].refChosen > dpoEnd.pairs[i].refRejected),
    // beta > 0 scales both rewards alike, so the order is the log-ratios' order.
    dpo: count((i) => {
      const p = dpoEnd.pairs[i];
      return p.policyChosen - p.refChosen > p.policyRejected - p.refRejected;
    }),
    rewardModel: count((i) => rewardEnd.pairs[i].chosen > rewardEnd.pairs[i].rejected),
  };
}
