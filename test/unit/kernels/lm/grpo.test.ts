/**
 * GRPO on the tiny model: the rewards a program computes, the held-out split, the batch loss and
 * its derivative, a first step on the shipped model, and the committed run reproduced.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareCpuGemm } from '../../../../kernels/linalg/gemm-cpu';
import { createCpuBackend } from '../../../../kernels/lm/engine/cpu-backend';
import { GRPO_RUN_PATH, type GrpoRunSummary } from '../../../../kernels/lm/grpo-runs';
import {
  accuracyReward,
  createGrpoTrainer,
  formatReward,
  grpoBatch,
  HELD_OUT_SUMS,
  sumPrompts,
  sumReward,
} from '../../../../kernels/lm/grpo-trainer';
import { loadModelFiles } from '../../../../kernels/lm/model-files';
import { DEFAULT_GRPO_RECIPE, grpoRunConfigFor } from '../../../../kernels/lm/recipe';
import { localRuntime } from '../../../../kernels/lm/runtime';
import { TINY_MODEL_DIR } from '../../../../kernels/lm/tiny-model';
import { groupAdvantages } from '../../../../kernels/rlhf/policy-gradient';

describe('the sums task', () => {
  it('rewards the right sum and the bare sentence, each 1', () => {
    const p = { a: 7, b: 5, question: 'What is 7 plus 5?' };
    expect(sumReward(p, '7 plus 5 is 12.')).toBe(2);
    expect(sumReward(p, 'Sure! 7 plus 5 is 12.')).toBe(1);
    expect(accuracyReward(p, '5 plus 7 is 12.')).toBe(0); // the operands must be the question's
    expect(sumReward(p, '7 plus 5 is 13.')).toBe(1);
    expect(formatReward('7 plus 5 is 13. Easy!')).toBe(0);
    expect(sumReward(p, 'The capital of Peru is Lima.')).toBe(0);
  });
  it('holds out sums that training never samples', () => {
    const { train, heldOut } = sumPrompts();
    expect(heldOut).toHaveLength(HELD_OUT_SUMS);
    expect(train.length + heldOut.length).toBe(13 * 13);
    const held = new Set(heldOut.map((p) => p.question));
    expect(train.some((p) => held.has(p.question))).toBe(false);
  });
});

describe('the GRPO batch loss', () => {
  it('on policy: loss -sum(len_i A_i)/N, derivative -A_i/N per completion, whatever the log-probs', () => {
    const adv = groupAdvantages([1, 0, 2, 1], 4);
    const lengths = [5, 9, 4, 7];
    const n = 25;
    const r = grpoBatch(adv, lengths, [-3, -8, -2, -5], 0.2);
    expect(r.loss).toBeCloseTo(-adv.reduce((s, a, i) => s + lengths[i] * a, 0) / n, 12);
    r.dLogp.forEach((d, i) => expect(d).toBeCloseTo(-adv[i] / n, 12));
    // A centred group with equal lengths has zero loss.
    expect(grpoBatch(groupAdvantages([1, 0], 2), [3, 3], [-1, -1], 0.2).loss).toBeCloseTo(0, 12);
  });
});

describe('GRPO on the shipped model', async () => {
  await prepareCpuGemm();
  const model = await loadModelFiles(async (n) => new Uint8Array(readFileSync(`${TINY_MODEL_DIR}/${n}`)));

  it('one step: the reward is measured on the step’s own completions, the held-out reward is its two parts', async () => {
    const run = grpoRunConfigFor({ ...DEFAULT_GRPO_RECIPE, steps: 1, prompts: 1, generations: 4 });
    const trainer = createGrpoTrainer(createCpuBackend(model.config), model, run, localRuntime(model).generate);
    const r = await trainer.runSteps(1, true);
    const e = r.evaluation!;
    expect(e.stepRewards).toHaveLength(1);
    expect(e.stepRewards[0]).toBeGreaterThanOrEqual(0);
    expect(e.stepRewards[0]).toBeLessThanOrEqual(2);
    expect(e.reward).toBeCloseTo(e.accuracy + e.format, 12);
    expect(e.format).toBeGreaterThanOrEqual(0);
    expect(e.format).toBeLessThanOrEqual(1);
    trainer.destroy();
  });

  it('reproduces the start of the committed run exactly, and the committed run says what the chapter says', async () => {
    const committed = JSON.parse(readFileSync(GRPO_RUN_PATH, 'utf8')) as GrpoRunSummary;
    expect(committed.recipe).toEqual(DEFAULT_GRPO_RECIPE);
    // The first three evaluations (a third of the run, same schedule): every sampled group, reward and update are the same.
    const trainer = createGrpoTrainer(createCpuBackend(model.config), model, grpoRunConfigFor(DEFAULT_GRPO_RECIPE), localRuntime(model).generate);
    const every = committed.curve[1].step;
    const rewards: number[] = [];
    for (const [k, point] of committed.curve.slice(0, 3).entries()) {
      const { stepRewards, ...e } = (await trainer.runSteps(k === 0 ? 0 : every, true)).evaluation!;
      if (k > 0) rewards.push(...stepRewards.slice(-every));
      expect({ step: point.step, ...e }, `step ${point.step}`).toEqual(point);
    }
    trainer.destroy();
    expect(rewards).toEqual(committed.stepRewards.slice(0, 2 * every));
    const [first, last] = [committed.curve[0], committed.curve.at(-1)!];
    expect(last.reward).toBeGreaterThan(first.reward + 0.2);
    expect(last.format).toBeGreaterThan(first.format);
    expect(last.accuracy).toBeGreaterThan(first.accuracy);
    expect(last.greedyAccuracy).toBeGreaterThanOrEqual(first.greedyAccuracy);
  }, 120_000);
});
