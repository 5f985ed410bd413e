import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../kernels/random/rng';
import {
  bradleyTerry,
  klDivergence,
  logPartition,
  maximiseRlhfObjective,
  optimalPolicy,
  rewardFromPolicy,
  rlhfObjective,
  softmax,
} from '../../../../kernels/preference/rlhf';

function randomProblem(seed: number, k = 6) {
  const rng = createRng(seed);
  const piRef = softmax(Array.from({ length: k }, () => rng.normal()));
  const reward = Array.from({ length: k }, () => 2 * rng.normal());
  return { piRef, reward };
}

describe('the KL-regularised objective and its closed-form optimum', () => {
  for (const beta of [0.2, 1, 3]) {
    it(`numerical maximisation finds pi* = pi_ref exp(r/beta)/Z (beta ${beta})`, () => {
      const { piRef, reward } = randomProblem(7 + beta * 10);
      const closed = optimalPolicy(piRef, reward, beta);
      const numeric = maximiseRlhfObjective(piRef, reward, beta, { steps: 2000 });
      for (let i = 0; i < piRef.length; i++) expect(numeric.policy[i]).toBeCloseTo(closed[i], 6);
      // The optimum value is beta log Z.
      expect(rlhfObjective(closed, piRef, reward, beta)).toBeCloseTo(beta * logPartition(piRef, reward, beta), 10);
      expect(numeric.objective).toBeCloseTo(beta * logPartition(piRef, reward, beta), 8);
    });
  }
  it('no other policy scores higher (random perturbations)', () => {
    const { piRef, reward } = randomProblem(3);
    const beta = 0.5;
    const best = rlhfObjective(optimalPolicy(piRef, reward, beta), piRef, reward, beta);
    const rng = createRng(11);
    for (let t = 0; t < 200; t++) {
      const other = softmax(Array.from({ length: piRef.length }, () => 3 * rng.normal()));
      expect(rlhfObjective(other, piRef, reward, beta)).toBeLessThan(best);
    }
  });
});

describe('solving for the reward, and Z cancelling in Bradley-Terry', () => {
  it('beta log(pi*/pi_ref) + beta log Z recovers r exactly', () => {
    const { piRef, reward } = randomProblem(5);
    const beta = 0.8;
    const logZ = logPartition(piRef, reward, beta);
    const recovered = rewardFromPolicy(optimalPolicy(piRef, reward, beta), piRef, beta, logZ);
    reward.forEach((r, i) => expect(recovered[i]).toBeCloseTo(r, 10));
  });
  it('the pairwise probability is the same with and without the log Z term', () => {
    const { piRef, reward } = randomProblem(9);
    const beta = 0.8;
    const pi = optimalPolicy(piRef, reward, beta);
    const logZ = logPartition(piRef, reward, beta);
    const withZ = rewardFromPolicy(pi, piRef, beta, logZ);
    const withoutZ = rewardFromPolicy(pi, piRef, beta, 0);
    expect(Math.abs(logZ)).toBeGreaterThan(0.1); // a Z that matters, so the check can fail
    expect(bradleyTerry(withZ[0], withZ[1])).toBeCloseTo(bradleyTerry(withoutZ[0], withoutZ[1]), 12);
    expect(bradleyTerry(withZ[0], withZ[1])).toBeCloseTo(bradleyTerry(reward[0], reward[1]), 10);
  });
  it('KL is zero only for identical distributions', () => {
    const { piRef } = randomProblem(1);
    expect(klDivergence(piRef, piRef)).toBe(0);
    expect(klDivergence(softmax([1, 0, 0, 0, 0, 0]), piRef)).toBeGreaterThan(0);
  });
});
