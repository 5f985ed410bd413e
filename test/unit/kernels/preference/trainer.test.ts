import { describe, expect, it } from 'vitest';
import { optimalFrontier, preferenceMetrics } from '../../../../kernels/preference/metrics';
import { DEFAULT_LOSS, type LossConfig } from '../../../../kernels/preference/objective';
import { createPreferenceTask } from '../../../../kernels/preference/task';
import { createCpuTrainer } from '../../../../kernels/preference/trainer-cpu';
import { trainingLoss } from '../../../../kernels/preference/policy';

// The widget's defaults: 200 full-batch Adam steps at learning rate 0.05.
async function train(loss: LossConfig, task = createPreferenceTask(), steps = 200) {
  const trainer = createCpuTrainer(task, { loss, adam: { lr: 0.05 } });
  const { stepLosses, evaluation } = await trainer.runSteps(steps, true);
  const theta = evaluation!.theta;
  return { finalLoss: stepLosses[steps - 1], theta, metrics: preferenceMetrics(task, loss, theta), task };
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

describe('synthetic preference task', () => {
  it('pairs and unpaired data are grouped by prompt and index real candidates', () => {
    const task = createPreferenceTask({ prompts: 10, candidates: 4 });
    for (const data of [task.pairs, task.unpaired]) {
      expect(data.promptStart[10]).toBe(data.count);
      for (let i = 0; i < data.count; i++) {
        expect(data.first[i]).toBeLessThan(4);
        expect(data.second[i]).toBeLessThan(4);
      }
    }
    for (let i = 0; i < task.pairs.count; i++) expect(task.pairs.first[i]).not.toBe(task.pairs.second[i]);
  });
  it('deterministic labels without noise always prefer the higher hidden reward; noise flips about that share', () => {
    expect(createPreferenceTask({ labels: 'deterministic' }).pairs.flippedOrWrong).toBe(0);
    const noisy = createPreferenceTask({ labels: 'deterministic', labelNoise: 0.3, prompts: 400 });
    const share = noisy.pairs.flippedOrWrong / noisy.pairs.count;
    expect(share).toBeGreaterThan(0.26);
    expect(share).toBeLessThan(0.34);
  });
  it('KTO data follow the desirable share', () => {
    const task = createPreferenceTask({ desirableShare: 0.8, prompts: 200 });
    const good = task.unpaired.desirable.reduce((s, v) => s + v, 0) / task.unpaired.count;
    expect(good).toBeGreaterThan(0.75);
    expect(good).toBeLessThan(0.85);
  });
  it('rejects bad configurations with a message naming the field', () => {
    expect(() => createPreferenceTask({ candidates: 40 })).toThrow(/candidates/);
    expect(() => createPreferenceTask({ labelNoise: 0.7 })).toThrow(/labelNoise/);
  });
});

describe('training on the synthetic task (CPU reference)', () => {
  it('starts at the reference: loss log 2 for DPO, KL 0, win rate one half', async () => {
    const task = createPreferenceTask();
    const trainer = createCpuTrainer(task, { loss: DEFAULT_LOSS, adam: { lr: 0.05 } });
    expect((await trainer.runSteps(1, false)).stepLosses[0]).toBeCloseTo(Math.LN2, 6);
    expect(trainingLoss(task, DEFAULT_LOSS, new Float32Array(task.config.features))).toBeCloseTo(Math.LN2, 6);
    const m = preferenceMetrics(task, DEFAULT_LOSS, new Float32Array(task.config.features));
    expect(m.kl).toBe(0);
    expect(m.winRate).toBeCloseTo(0.5, 7);
    expect(m.heldOutAccuracy).toBe(0.5);
  });
  it('DPO on clean Bradley-Terry pairs: held-out implicit-reward accuracy above 90%', async () => {
    const { metrics, theta, task } = await train({ ...DEFAULT_LOSS, loss: 'dpo', beta: 0.1 });
    expect(metrics.heldOutAccuracy).toBeGreaterThan(0.9);
    expect(metrics.winRate).toBeGreaterThan(0.8);
    expect(metrics.margin).toBeGreaterThan(0);
    // The implicit reward recovers the direction of the hidden reward.
    expect(cosine(theta, task.rewardDirection)).toBeGreaterThan(0.95);
  });
  it('every loss learns the preference on clean data (accuracy above 70%, reward gain above 1)', async () => {
    const configs: LossConfig[] = [
      { ...DEFAULT_LOSS, loss: 'ipo', beta: 0.1 },
      { ...DEFAULT_LOSS, loss: 'simpo', beta: 2, gamma: 0.5 },
      { ...DEFAULT_LOSS, loss: 'kto', beta: 0.1 },
    ];
    for (const config of configs) {
      const { metrics } = await train(config);
      expect(metrics.heldOutAccuracy, config.loss).toBeGreaterThan(0.7);
      expect(metrics.rewardGain, config.loss).toBeGreaterThan(1);
    }
  });
  it('deterministic preferences: the DPO margin keeps growing, the IPO margin settles', async () => {
    const task = createPreferenceTask({ labels: 'deterministic' });
    const margins = async (loss: LossConfig) => {
      const trainer = createCpuTrainer(task, { loss, adam: { lr: 0.05 } });
      const out: number[] = [];
      for (let i = 0; i < 3; i++) {
        out.push(preferenceMetrics(task, loss, (await trainer.runSteps(300, true)).evaluation!.theta).margin);
      }
      return out;
    };
    const dpo = await margins({ ...DEFAULT_LOSS, loss: 'dpo', beta: 0.1 });
    expect(dpo[1]).toBeGreaterThan(dpo[0] + 0.2);
    expect(dpo[2]).toBeGreaterThan(dpo[1] + 0.2);
    const ipo = await margins({ ...DEFAULT_LOSS, loss: 'ipo', beta: 0.1 });
    expect(Math.abs(ipo[2] - ipo[1])).toBeLessThan(1e-3);
  });
  it('a larger beta keeps the policy closer to the reference (lower KL)', async () => {
    const low = await train({ ...DEFAULT_LOSS, loss: 'dpo', beta: 0.05 });
    const high = await train({ ...DEFAULT_LOSS, loss: 'dpo', beta: 1 });
    expect(high.metrics.kl).toBeLessThan(low.metrics.kl);
  });
  it('no trained policy beats the closed-form optimum on E[r*] - beta KL, for any beta', async () => {
    const task = createPreferenceTask();
    const frontier = optimalFrontier(task, [0.05, 0.1, 0.3, 1, 3]);
    for (const loss of ['dpo', 'ipo', 'simpo', 'kto'] as const) {
      const { metrics } = await train({ ...DEFAULT_LOSS, loss, beta: loss === 'simpo' ? 2 : 0.1 }, task);
      for (const f of frontier) {
        expect(metrics.rewardGain - f.beta * metrics.kl).toBeLessThanOrEqual(f.rewardGain - f.beta * f.kl + 1e-9);
      }
    }
    // The optimum's KL falls as beta grows.
    for (let i = 1; i < frontier.length; i++) expect(frontier[i].kl).toBeLessThan(frontier[i - 1].kl);
  });
});
