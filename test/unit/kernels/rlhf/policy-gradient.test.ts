/**
 * The policy-gradient pieces against hand-computed values from TRL v1.9.0's formulas, central
 * differences, and exact expectations.
 */
import { describe, expect, it } from 'vitest';
import { clippedTokenLoss, gae, groupAdvantages, k3Kl, klShapedRewards } from '../../../../kernels/rlhf/policy-gradient';

describe('group-relative advantages (GRPO)', () => {
  it('subtract the group mean and divide by the Bessel-corrected group std plus 1e-4, as TRL', () => {
    const a = groupAdvantages([1, 0, 0, 1, 1, 1, 1, 0], 4);
    const std = Math.sqrt(1 / 3); // rewards 1,0,0,1: mean 0.5, squared deviations sum to 1, over n - 1 = 3
    expect(a[0]).toBeCloseTo(0.5 / (std + 1e-4), 12);
    expect(a[1]).toBeCloseTo(-0.5 / (std + 1e-4), 12);
    // Second group 1,1,1,0: mean 0.75, std 0.5.
    expect(a[4]).toBeCloseTo(0.25 / (0.5 + 1e-4), 12);
    expect(a[7]).toBeCloseTo(-0.75 / (0.5 + 1e-4), 12);
  });
  it('a group whose completions all score alike teaches nothing: zero advantages', () => {
    expect(groupAdvantages([1, 1, 1, 0, 0, 0], 3)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('"none" only centres (Dr. GRPO); "batch" divides by the whole batch std', () => {
    expect(groupAdvantages([1, 0, 0, 0], 2, 'none')).toEqual([0.5, -0.5, 0, 0]);
    const batchStd = Math.sqrt((0.75 ** 2 + 3 * 0.25 ** 2) / 3);
    expect(groupAdvantages([1, 0, 0, 0], 2, 'batch')[0]).toBeCloseTo(0.5 / (batchStd + 1e-4), 12);
  });
  it('rejects groups of one and ragged batches', () => {
    expect(() => groupAdvantages([1, 0], 1)).toThrow(/at least 2/);
    expect(() => groupAdvantages([1, 0, 1], 2)).toThrow(/groups of 2/);
  });
});

describe('the clipped surrogate (PPO, GRPO)', () => {
  it('inside the clip range: -rho A, with gradient -rho A with respect to log pi', () => {
    const r = clippedTokenLoss(Math.log(1.1), 2, 0.2);
    expect(r.loss).toBeCloseTo(-2.2, 12);
    expect(r.dLogp).toBeCloseTo(-2.2, 12);
    expect(r.clipped).toBe(false);
  });
  it('a good token already made more likely beyond 1 + eps stops pulling; a bad one made more likely keeps being pushed', () => {
    const good = clippedTokenLoss(Math.log(1.5), 1, 0.2);
    expect(good).toEqual({ loss: -1.2, dLogp: 0, clipped: true });
    const bad = clippedTokenLoss(Math.log(1.5), -1, 0.2);
    expect(bad.clipped).toBe(false);
    expect(bad.loss).toBeCloseTo(1.5, 12);
    const badLess = clippedTokenLoss(Math.log(0.5), -1, 0.2);
    expect(badLess.clipped).toBe(true);
    expect(badLess.dLogp).toBe(0);
  });
  it('the gradient matches central differences wherever the loss is smooth', () => {
    for (const [logRatio, adv] of [
      [0, 1.3],
      [0.1, -0.7],
      [-0.5, -2],
      [0.4, -1],
      [-0.05, 0.4],
    ]) {
      const h = 1e-6;
      const numeric = (clippedTokenLoss(logRatio + h, adv, 0.2).loss - clippedTokenLoss(logRatio - h, adv, 0.2).loss) / (2 * h);
      expect(clippedTokenLoss(logRatio, adv, 0.2).dLogp).toBeCloseTo(numeric, 6);
    }
  });
});

describe("Schulman's k3 KL estimate", () => {
  it('is e^d - d - 1 with d = ref - logp: zero when equal, positive otherwise, with the right derivative', () => {
    expect(k3Kl(-1.2, -1.2).kl).toBe(0);
    expect(k3Kl(-1, -2).kl).toBeCloseTo(Math.exp(-1) + 1 - 1, 12);
    const h = 1e-6;
    const numeric = (k3Kl(-0.7 + h, -1.1).kl - k3Kl(-0.7 - h, -1.1).kl) / (2 * h);
    expect(k3Kl(-0.7, -1.1).dLogp).toBeCloseTo(numeric, 6);
  });
  it('is unbiased: its expectation under pi is KL(pi || pi_ref) exactly', () => {
    const pi = [0.5, 0.3, 0.2];
    const ref = [0.2, 0.5, 0.3];
    const kl = pi.reduce((s, p, i) => s + p * Math.log(p / ref[i]), 0);
    const expected = pi.reduce((s, p, i) => s + p * k3Kl(Math.log(p), Math.log(ref[i])).kl, 0);
    expect(expected).toBeCloseTo(kl, 12);
  });
});

describe('PPO advantages and rewards', () => {
  it('GAE with lambda = 1 and gamma = 1 is reward-to-go minus the value; with lambda = 0 it is the one-step TD error', () => {
    const rewards = [0.1, -0.2, 1];
    const values = [0.5, 0.4, 0.8];
    const mc = gae(rewards, values, 1, 1);
    expect(mc.advantages.map((a) => +a.toFixed(12))).toEqual([0.9 - 0.5, 0.8 - 0.4, 1 - 0.8].map((v) => +v.toFixed(12)));
    const td = gae(rewards, values, 1, 0);
    expect(td.advantages[0]).toBeCloseTo(0.1 + 0.4 - 0.5, 12);
    expect(td.advantages[2]).toBeCloseTo(1 - 0.8, 12);
    expect(mc.returns[1]).toBeCloseTo(0.8, 12);
  });
  it('InstructGPT rewards: a KL penalty on every token and the score on the last (TRL k1)', () => {
    const r = klShapedRewards([-1, -2, -0.5], [-1.5, -2, -0.1], 3, 0.05);
    expect(r[0]).toBeCloseTo(-0.05 * 0.5, 12);
    expect(r[1]).toBeCloseTo(0, 12);
    expect(r[2]).toBeCloseTo(3 - 0.05 * -0.4, 12);
  });
});
