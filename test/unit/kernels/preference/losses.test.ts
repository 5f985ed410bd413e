import { describe, expect, it } from 'vitest';
import {
  dpoLoss,
  ipoLoss,
  ipoTargetMargin,
  ktoLoss,
  ktoReferencePoint,
  log1mexp,
  logSigmoid,
  orpoLoss,
  rpoLoss,
  simpoLoss,
  type PairLoss,
} from '../../../../kernels/preference/losses';

// Reference values: TRL's formulas evaluated independently in Python (math module, float64)
// on the fixed log-probs below. See kernels/preference/losses.ts for the formulas.
const pair = { policyChosen: -12.3, policyRejected: -15.1, refChosen: -13.0, refRejected: -14.2 };
const lengths = { chosenLength: 7, rejectedLength: 9 };

describe('DPO sigmoid loss (TRL loss_type "sigmoid")', () => {
  it('matches the hand-computed value and rewards', () => {
    const out = dpoLoss({ ...pair, beta: 0.1 });
    expect(out.loss).toBeCloseTo(0.6163437730407397, 12);
    expect(out.dPolicyChosen).toBeCloseTo(-0.04600851154444343, 12);
    expect(out.dPolicyRejected).toBeCloseTo(0.04600851154444343, 12);
    expect(out.chosenReward).toBeCloseTo(0.07, 12);
    expect(out.rejectedReward).toBeCloseTo(-0.09, 12);
  });
  it('with cDPO label smoothing 0.1 matches the hand-computed value', () => {
    expect(dpoLoss({ ...pair, beta: 0.1, labelSmoothing: 0.1 }).loss).toBeCloseTo(0.6323437730407397, 12);
  });
  it('cDPO has its minimum at the margin log((1 - eps) / eps) / beta, where the gradient vanishes', () => {
    const beta = 0.2;
    const eps = 0.1;
    const margin = Math.log((1 - eps) / eps) / beta;
    const at = (m: number) => dpoLoss({ policyChosen: m, policyRejected: 0, refChosen: 0, refRejected: 0, beta, labelSmoothing: eps });
    expect(Math.abs(at(margin).dPolicyChosen)).toBeLessThan(1e-15);
    expect(at(margin + 1).loss).toBeGreaterThan(at(margin).loss);
    expect(at(margin - 1).loss).toBeGreaterThan(at(margin).loss);
  });
  it('is log 2 when the policy equals the reference', () => {
    expect(dpoLoss({ policyChosen: -3, policyRejected: -5, refChosen: -3, refRejected: -5, beta: 0.5 }).loss).toBeCloseTo(Math.LN2, 14);
  });
  it('stays finite for huge margins', () => {
    const out = dpoLoss({ policyChosen: 0, policyRejected: -1e6, refChosen: 0, refRejected: 0, beta: 1 });
    expect(out.loss).toBe(0);
    const bad = dpoLoss({ policyChosen: -1e6, policyRejected: 0, refChosen: 0, refRejected: 0, beta: 1 });
    expect(bad.loss).toBeCloseTo(1e6, 6);
    expect(Number.isFinite(bad.dPolicyChosen)).toBe(true);
  });
  it('rejects a non-positive beta and out-of-range smoothing', () => {
    expect(() => dpoLoss({ ...pair, beta: 0 })).toThrow(/beta/);
    expect(() => dpoLoss({ ...pair, beta: 0.1, labelSmoothing: 0.5 })).toThrow(/labelSmoothing/);
  });
});

describe('IPO (TRL loss_type "ipo", per-token averaged log-ratios)', () => {
  it('matches the hand-computed value', () => {
    const out = ipoLoss({ ...pair, ...lengths, beta: 0.1 });
    expect(out.loss).toBeCloseTo(23.04, 10);
    expect(out.dPolicyChosen).toBeCloseTo(-1.3714285714285714, 12);
    expect(out.chosenReward).toBeCloseTo(0.1 * 0.1, 12);
  });
  it('is zero exactly at the target margin 1/(2 beta)', () => {
    const beta = 0.25;
    const target = ipoTargetMargin(beta);
    expect(target).toBe(2);
    const out = ipoLoss({ policyChosen: target, policyRejected: 0, refChosen: 0, refRejected: 0, chosenLength: 1, rejectedLength: 1, beta });
    expect(out.loss).toBe(0);
    expect(out.dPolicyChosen).toBe(0);
  });
});

describe('SimPO (TRL CPOTrainer loss_type "simpo")', () => {
  it('matches the hand-computed value', () => {
    const out = simpoLoss({ policyChosen: pair.policyChosen, policyRejected: pair.policyRejected, ...lengths, beta: 2, gamma: 0.5 });
    expect(out.loss).toBeCloseTo(1.075799720976347, 12);
    expect(out.dPolicyChosen).toBeCloseTo(-0.18827859387516505, 12);
    expect(out.chosenReward).toBeCloseTo((2 * -12.3) / 7, 12);
  });
  it('ignores the reference model entirely: gamma shifts the decision boundary', () => {
    const even = simpoLoss({ policyChosen: -7, policyRejected: -7, chosenLength: 7, rejectedLength: 7, beta: 2, gamma: 0 });
    expect(even.loss).toBeCloseTo(Math.LN2, 14);
    // A margin of exactly gamma/beta in average log-prob gives the same loss as zero margin without gamma.
    const shifted = simpoLoss({ policyChosen: -7 + 7 * 0.25, policyRejected: -7, chosenLength: 7, rejectedLength: 7, beta: 2, gamma: 0.5 });
    expect(shifted.loss).toBeCloseTo(Math.LN2, 14);
  });
});

describe('KTO (TRL KTOTrainer loss_type "kto")', () => {
  const batch = {
    policy: [-10.0, -11.5, -9.2, -13.0],
    reference: [-10.4, -11.0, -9.0, -13.5],
    desirable: [true, false, true, false],
    policyKl: [-12.0, -11.0, -10.5, -12.5],
    referenceKl: [-12.3, -11.4, -10.4, -12.9],
    beta: 0.1,
  };
  it('matches the hand-computed value with weights 1 and 1.33', () => {
    const out = ktoLoss({ ...batch, desirableWeight: 1, undesirableWeight: 1.33 });
    expect(out.kl).toBeCloseTo(0.25, 12);
    expect(out.loss).toBeCloseTo(0.5802211055559174, 12);
    const expected = [0.49625007031091806, 0.6400741828815483, 0.5112481019468549, 0.6733120670843489];
    expected.forEach((v, i) => expect(out.losses[i]).toBeCloseTo(v, 12));
    expect(out.rewards[1]).toBeCloseTo(0.1 * -0.5, 12);
  });
  it('clamps the reference point at zero', () => {
    expect(ktoReferencePoint([-5, -6], [-4, -5])).toBe(0);
    expect(ktoReferencePoint([-4, -5], [-5, -6])).toBe(1);
  });
  it('is 0.5 per example when the policy equals the reference', () => {
    const same = ktoLoss({ ...batch, policy: batch.reference, policyKl: batch.referenceKl });
    expect(same.kl).toBe(0);
    expect(same.loss).toBeCloseTo(0.5, 14);
  });
});

describe('closed-form gradients against central finite differences', () => {
  const h = 1e-6;
  const cases: [string, (pc: number, pr: number) => PairLoss][] = [
    ['dpo', (pc, pr) => dpoLoss({ ...pair, policyChosen: pc, policyRejected: pr, beta: 0.3 })],
    ['cdpo', (pc, pr) => dpoLoss({ ...pair, policyChosen: pc, policyRejected: pr, beta: 0.3, labelSmoothing: 0.2 })],
    ['ipo', (pc, pr) => ipoLoss({ ...pair, ...lengths, policyChosen: pc, policyRejected: pr, beta: 0.3 })],
    ['simpo', (pc, pr) => simpoLoss({ ...lengths, policyChosen: pc, policyRejected: pr, beta: 2.5, gamma: 1.4 })],
    ['orpo', (pc, pr) => orpoLoss({ ...lengths, policyChosen: pc, policyRejected: pr, lambda: 0.3 })],
    ['rpo', (pc, pr) => rpoLoss({ ...pair, ...lengths, policyChosen: pc, policyRejected: pr, beta: 0.3, alpha: 0.7 })],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      const at = f(pair.policyChosen, pair.policyRejected);
      const dc = (f(pair.policyChosen + h, pair.policyRejected).loss - f(pair.policyChosen - h, pair.policyRejected).loss) / (2 * h);
      const dr = (f(pair.policyChosen, pair.policyRejected + h).loss - f(pair.policyChosen, pair.policyRejected - h).loss) / (2 * h);
      expect(at.dPolicyChosen).toBeCloseTo(dc, 7);
      expect(at.dPolicyRejected).toBeCloseTo(dr, 7);
    });
  }
  it('kto (z held fixed: TRL detaches it)', () => {
    const base = {
      policy: [-10.0, -11.5, -9.2],
      reference: [-10.4, -11.0, -9.0],
      desirable: [true, false, false],
      policyKl: [-12.0, -11.0, -10.5],
      referenceKl: [-12.3, -11.4, -10.4],
      beta: 0.7,
      desirableWeight: 1.2,
      undesirableWeight: 0.8,
    };
    const at = ktoLoss(base);
    for (let i = 0; i < 3; i++) {
      const plus = [...base.policy];
      const minus = [...base.policy];
      plus[i] += h;
      minus[i] -= h;
      const fd = (ktoLoss({ ...base, policy: plus }).loss - ktoLoss({ ...base, policy: minus }).loss) / (2 * h);
      expect(at.dPolicy[i]).toBeCloseTo(fd, 7);
    }
  });
});

describe('ORPO (TRL experimental ORPOTrainer) and RPO (DPO + NLL)', () => {
  it('ORPO matches the hand-computed value; its log odds ratio equals log(odds_c / odds_r) computed directly', () => {
    const out = orpoLoss({ policyChosen: pair.policyChosen, policyRejected: pair.policyRejected, ...lengths, lambda: 0.1 });
    expect(out.loss).toBeCloseTo(1.831411419376201, 12);
    expect(out.logOddsRatio).toBeCloseTo(-0.09673822423654457, 12);
    const odds = (a: number) => Math.exp(a) / (1 - Math.exp(a));
    expect(out.logOddsRatio).toBeCloseTo(Math.log(odds(-12.3 / 7) / odds(-15.1 / 9)), 12);
  });
  it('RPO is DPO plus alpha times the chosen response’s per-token NLL', () => {
    expect(rpoLoss({ ...pair, beta: 0.1, chosenLength: 7, alpha: 0.5 }).loss).toBeCloseTo(1.4949152016121683, 12);
    expect(rpoLoss({ ...pair, beta: 0.1, chosenLength: 7, alpha: 0 }).loss).toBeCloseTo(dpoLoss({ ...pair, beta: 0.1 }).loss, 15);
  });
  it('log1mexp is accurate near 0 and for very negative x, and refuses x >= 0', () => {
    expect(log1mexp(-1e-12)).toBeCloseTo(Math.log(1e-12), 6);
    expect(log1mexp(-50)).toBeCloseTo(-Math.exp(-50), 30);
    expect(() => log1mexp(0)).toThrow(RangeError);
  });
});

describe('logSigmoid', () => {
  it('agrees with the naive formula where that is accurate, and stays finite where it is not', () => {
    for (const x of [-5, -0.3, 0, 0.7, 4]) expect(logSigmoid(x)).toBeCloseTo(Math.log(1 / (1 + Math.exp(-x))), 14);
    expect(logSigmoid(-800)).toBe(-800);
    expect(logSigmoid(800)).toBe(-0);
  });
});
