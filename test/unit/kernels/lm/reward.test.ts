/**
 * The reward model on the tiny LLaMA: the scalar head's gradient through the engine (against
 * finite differences), and the committed run's start reproduced.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareCpuGemm } from '../../../../kernels/linalg/gemm-cpu';
import { createCpuBackend } from '../../../../kernels/lm/engine/cpu-backend';
import { buildModel, type AdapterConfig } from '../../../../kernels/lm/engine/program';
import { loadModelFiles } from '../../../../kernels/lm/model-files';
import { adapterConfigJson } from '../../../../kernels/lm/peft';
import { SMALL_CONFIG, randomWeights } from '../../../../kernels/lm/random-model';
import { sampledGradientError } from '../../../shared/finite-differences';
import { DEFAULT_REWARD_RECIPE, rewardRunConfigFor } from '../../../../kernels/lm/recipe';
import { PREFERENCE_RUNS_PATH, type PreferenceRunSummary } from '../../../../kernels/lm/preference-runs';
import { REWARD_RUN_PATH, wrongFactOrdering, type RewardRunSummary } from '../../../../kernels/lm/reward-runs';
import { createRewardTrainer, rewardHead, SCORE_HEAD } from '../../../../kernels/lm/reward-trainer';
import { TINY_MODEL_DIR } from '../../../../kernels/lm/tiny-model';
import { createRng } from '../../../../kernels/random/rng';
import { rewardModelLoss } from '../../../../kernels/rlhf/reward-model';

describe('the reward head through the engine', () => {
  const C = SMALL_CONFIG;
  const rng = createRng(5);
  const weights = randomWeights(C, rng);
  const seqOf = (n: number) => ({ ids: Array.from({ length: n }, () => 1 + rng.int(C.vocab_size - 1)), lossMask: new Uint8Array(n) });
  // Two pairs of different lengths: chosen rows first, then rejected rows, as the trainer lays them out.
  const seqs = [seqOf(9), seqOf(13), seqOf(11), seqOf(6)];
  const init = Float32Array.from({ length: C.hidden_size }, () => 0.3 * rng.normal());

  for (const method of ['full', 'lora'] as const) {
    it(`${method}: the head and sampled entries of every trainable against central differences`, async () => {
      const adapter: AdapterConfig = {
        method,
        base: 'fp32',
        rank: 2,
        alpha: 4,
        scaling: 'alpha/r',
        targets: ['q_proj', 'v_proj', 'down_proj'],
        loraPlusRatio: 1,
        seed: 3,
      };
      const be = createCpuBackend(C);
      const m = buildModel(be, C, weights, adapter, { batch: 4, seq: 16 });
      const rm = rewardHead(be, m, init.slice(), 0);
      if (method === 'lora') {
        // B starts at zero, which hides A's gradient: move B off zero first.
        for (const t of m.trainables)
          if (t.name.endsWith('lora_B.weight')) (t.param as unknown as { data: Float32Array }).data.forEach((_, i, a) => (a[i] = 0.2 * rng.normal()));
      }
      const options = { centerCoefficient: 0.05, margins: [0.3, 0] };
      const lossOf = async () => {
        const { values, last } = await rm.rewards(seqs);
        return { ...rewardModelLoss(values.slice(0, 2), values.slice(2), options), last };
      };
      const at = await lossOf();
      rm.backward([...at.dChosen, ...at.dRejected], at.last, []);
      // lm_head is not on the reward's path.
      const tensors = [rm.head, ...m.trainables.filter((t) => !t.name.includes('lm_head'))];
      const { worst, checked } = await sampledGradientError(tensors, async () => (await lossOf()).loss, rng, 2);
      expect(checked).toBeGreaterThan(10);
      expect(worst, `${checked} entries`).toBeLessThan(2e-2);
    });
  }

  it('reads each sequence at its last token: padding after it changes nothing', async () => {
    const adapter: AdapterConfig = { method: 'full', base: 'fp32', rank: 1, alpha: 1, scaling: 'alpha/r', targets: [], loraPlusRatio: 1, seed: 1 };
    const be = createCpuBackend(C);
    const rm = rewardHead(be, buildModel(be, C, weights, adapter, { batch: 4, seq: 16 }), init.slice(), 0);
    const a = await rm.rewards(seqs);
    const alone = await rm.rewards([seqs[1]]);
    expect(a.last).toEqual([8, 16 + 12, 32 + 10, 48 + 5]);
    expect(alone.values[0]).toBeCloseTo(a.values[1], 5);
  });
});

describe('a reward model from the shipped model', async () => {
  await prepareCpuGemm();
  const model = await loadModelFiles(async (n) => new Uint8Array(readFileSync(`${TINY_MODEL_DIR}/${n}`)));

  it('reproduces the start of the committed run, and the committed run says what the chapter says', async () => {
    const committed = JSON.parse(readFileSync(REWARD_RUN_PATH, 'utf8')) as RewardRunSummary;
    expect(committed.recipe).toEqual(DEFAULT_REWARD_RECIPE);
    const trainer = createRewardTrainer(createCpuBackend(model.config), model, rewardRunConfigFor(DEFAULT_REWARD_RECIPE));
    const every = committed.curve[1].step;
    const losses: number[] = [];
    for (const [k, point] of committed.curve.slice(0, 3).entries()) {
      const r = await trainer.runSteps(k === 0 ? 0 : every, true);
      losses.push(...r.stepLosses);
      const e = r.evaluation!;
      expect(e.loss, `loss at step ${point.step}`).toBeCloseTo(point.loss, 4);
      expect(e.accuracy).toBe(point.accuracy);
      expect(e.trainAccuracy).toBe(point.trainAccuracy);
      e.pairs.forEach((p, i) => expect(p.chosen - p.rejected).toBeCloseTo(point.pairs[i].chosen - point.pairs[i].rejected, 3));
    }
    losses.forEach((l, i) => expect(l).toBeCloseTo(committed.stepLosses[i], 4));
    trainer.destroy();
    expect(committed.trainableParams).toBe([...trainer.trainableShapes.values()].reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0));
    expect(trainer.trainableShapes.get(SCORE_HEAD)).toEqual([1, model.config.hidden_size]);

    // The chapter: from chance to the filler rule learned on held-out pairs, training pairs above held-out ones.
    const [first, last] = [committed.curve[0], committed.curve.at(-1)!];
    expect(first.loss).toBeCloseTo(Math.LN2, 1);
    expect(last.accuracyByFlaw.filler).toBe(1);
    expect(last.accuracyByFlaw.wrong).toBeLessThanOrEqual(0.5);
    expect(last.trainAccuracy).toBeGreaterThan(last.accuracy + 0.15);
    // ... and that the chat model's own likelihood, and DPO's implicit reward, order the wrong-fact pairs far better.
    const dpo = (JSON.parse(readFileSync(PREFERENCE_RUNS_PATH, 'utf8')) as Record<string, PreferenceRunSummary>).dpo;
    const ordering = wrongFactOrdering(dpo.end, last);
    expect(ordering.pairs).toBe(last.pairs.filter((p) => p.flaw === 'wrong').length);
    expect(ordering.rewardModel).toBe(Math.round(last.accuracyByFlaw.wrong * ordering.pairs));
    expect(ordering.likelihood).toBeGreaterThanOrEqual(ordering.dpo);
    expect(ordering.dpo).toBeGreaterThan(ordering.rewardModel + 2);
  }, 120_000);

  it('is saved as PEFT saves a sequence-classification adapter: the head in modules_to_save', () => {
    const { adapter } = rewardRunConfigFor(DEFAULT_REWARD_RECIPE);
    expect(adapterConfigJson(adapter, 'tiny-llama', 'SEQ_CLS')).toMatchObject({ task_type: 'SEQ_CLS', modules_to_save: ['classifier', 'score'] });
    expect(SCORE_HEAD).toBe('base_model.model.score.weight');
  });
});
