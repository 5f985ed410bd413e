/**
 * Live checks beside the derivation steps of the DPO and KTO chapter (content/chapters/dpo-kto.mdx).
 * Each draws a small random problem, computes the claim from kernels/preference, and says whether it holds.
 */
import {
  dpoLoss,
  ipoLoss,
  ipoTargetMargin,
  ktoLoss,
  ktoReferencePoint,
  orpoLoss,
  rpoLoss,
  simpoLoss,
  sigmoid,
} from '../../../kernels/preference/losses';
import {
  bradleyTerry,
  logPartition,
  maximiseRlhfObjective,
  optimalPolicy,
  rewardFromPolicy,
  rlhfObjective,
  softmax,
} from '../../../kernels/preference/rlhf';
import type { Rng } from '../../../kernels/random/rng';
import type { CheckFn } from '../types';
import type { PreferenceRunSummary } from '../../../kernels/lm/preference-runs';
import preferenceRuns from '../../../content/data/lm-preference-runs.json';

const fmt = (v: number, digits = 4) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(digits));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

/** A prompt with k responses: a reference policy, a reward, and a beta in [0.2, 2]. */
function randomProblem(rng: Rng, k = 5) {
  const piRef = softmax(Array.from({ length: k }, () => rng.normal()));
  const reward = Array.from({ length: k }, () => 2 * rng.normal());
  const beta = 0.2 + 1.8 * rng.next();
  return { piRef, reward, beta };
}

/** Random sequence log-probs of a preference pair, as a language model would give them. */
function randomPair(rng: Rng) {
  return {
    policyChosen: -20 + 10 * rng.next(),
    policyRejected: -20 + 10 * rng.next(),
    refChosen: -20 + 10 * rng.next(),
    refRejected: -20 + 10 * rng.next(),
    beta: 0.05 + 0.5 * rng.next(),
  };
}

/** Gradient descent on the two logits of a policy over {y_w, y_l} for a loss of the margin; returns the margin after each budget. */
function trainSinglePair(
  loss: (logRatioW: number, logRatioL: number) => { dW: number; dL: number },
  budgets: number[],
  learningRate: number,
): number[] {
  const refLogp = [Math.log(0.5), Math.log(0.5)];
  const logits = [0, 0];
  const margins: number[] = [];
  let done = 0;
  for (const budget of budgets) {
    for (; done < budget; done++) {
      const pi = softmax(logits);
      const logp = [Math.log(pi[0]), Math.log(pi[1])];
      const { dW, dL } = loss(logp[0] - refLogp[0], logp[1] - refLogp[1]);
      // Backward through log_softmax, then a plain gradient step on the logits.
      const sum = dW + dL;
      logits[0] -= learningRate * (dW - pi[0] * sum);
      logits[1] -= learningRate * (dL - pi[1] * sum);
    }
    const pi = softmax(logits);
    margins.push(Math.log(pi[0]) - refLogp[0] - (Math.log(pi[1]) - refLogp[1]));
  }
  return margins;
}

export const checks: Record<string, CheckFn> = {
  'closed-form-optimum': (rng) => {
    const { piRef, reward, beta } = randomProblem(rng);
    const closed = optimalPolicy(piRef, reward, beta);
    const numeric = maximiseRlhfObjective(piRef, reward, beta);
    const gap = maxAbsDiff(numeric.policy, closed);
    const jClosed = rlhfObjective(closed, piRef, reward, beta);
    return {
      label: `Maximise J numerically for ${piRef.length} responses, β = ${fmt(beta, 2)}; compare with π_ref exp(r/β)/Z`,
      value: `max |π_numeric - π*| = ${fmt(gap)}; J(π*) = ${fmt(jClosed)} = β log Z = ${fmt(beta * logPartition(piRef, reward, beta))}`,
      ok: gap < 1e-6 && Math.abs(jClosed - beta * logPartition(piRef, reward, beta)) < 1e-9,
    };
  },
  'reward-from-policy': (rng) => {
    const { piRef, reward, beta } = randomProblem(rng);
    const logZ = logPartition(piRef, reward, beta);
    const recovered = rewardFromPolicy(optimalPolicy(piRef, reward, beta), piRef, beta, logZ);
    const gap = maxAbsDiff(recovered, reward);
    return {
      label: 'β log(π*/π_ref) + β log Z gives back every reward',
      value: `max |recovered - r| = ${fmt(gap)} (β log Z = ${fmt(beta * logZ)})`,
      ok: gap < 1e-9,
    };
  },
  'partition-cancels': (rng) => {
    const { piRef, reward, beta } = randomProblem(rng);
    const pi = optimalPolicy(piRef, reward, beta);
    const logZ = logPartition(piRef, reward, beta);
    const withZ = rewardFromPolicy(pi, piRef, beta, logZ);
    const withoutZ = rewardFromPolicy(pi, piRef, beta, 0);
    const pWith = bradleyTerry(withZ[0], withZ[1]);
    const pWithout = bradleyTerry(withoutZ[0], withoutZ[1]);
    return {
      label: 'P(y1 preferred to y2) from rewards with β log Z, and from log-ratios alone',
      value: `${fmt(pWith, 6)} vs ${fmt(pWithout, 6)}, though β log Z = ${fmt(beta * logZ)}`,
      ok: Math.abs(pWith - pWithout) < 1e-12 && Math.abs(pWith - bradleyTerry(reward[0], reward[1])) < 1e-9,
    };
  },
  'dpo-is-bradley-terry-nll': (rng) => {
    const pair = randomPair(rng);
    const out = dpoLoss(pair);
    const nll = -Math.log(bradleyTerry(out.chosenReward, out.rejectedReward));
    return {
      label: `TRL's sigmoid loss on random log-probs (β = ${fmt(pair.beta, 3)}) vs -log σ(r_w - r_l) of the implicit rewards`,
      value: `${fmt(out.loss, 6)} vs ${fmt(nll, 6)}; implicit rewards ${fmt(out.chosenReward)} and ${fmt(out.rejectedReward)}`,
      ok: Math.abs(out.loss - nll) < 1e-9,
    };
  },
  'dpo-gradient': (rng) => {
    const pair = randomPair(rng);
    const out = dpoLoss(pair);
    const h = 1e-6;
    const fd =
      (dpoLoss({ ...pair, policyChosen: pair.policyChosen + h }).loss - dpoLoss({ ...pair, policyChosen: pair.policyChosen - h }).loss) / (2 * h);
    const weight = sigmoid(out.rejectedReward - out.chosenReward);
    return {
      label: 'd loss / d log π(y_w): finite difference vs -β σ(r_l - r_w)',
      value: `${fmt(fd, 6)} vs ${fmt(-pair.beta * weight, 6)}; weight σ(r_l - r_w) = ${fmt(weight)}`,
      ok: Math.abs(fd - out.dPolicyChosen) < 1e-6 && Math.abs(out.dPolicyChosen + pair.beta * weight) < 1e-12,
    };
  },
  'dpo-unbounded': (rng) => {
    const beta = 0.1 + 0.4 * rng.next();
    const budgets = [100, 1000, 10000];
    const margins = trainSinglePair(
      (w, l) => {
        const out = dpoLoss({ policyChosen: w, policyRejected: l, refChosen: 0, refRejected: 0, beta });
        return { dW: out.dPolicyChosen, dL: out.dPolicyRejected };
      },
      budgets,
      1,
    );
    const grows = margins[1] > margins[0] + 1 && margins[2] > margins[1] + 1;
    return {
      label: `DPO on one pair that is always preferred (β = ${fmt(beta, 2)}): margin after ${budgets.join(', ')} steps`,
      value: `${margins.map((m) => fmt(m, 2)).join(' → ')} (still growing: the loss has no minimum)`,
      ok: grows,
    };
  },
  'ipo-target': (rng) => {
    const beta = 0.1 + 0.4 * rng.next();
    const margins = trainSinglePair(
      (w, l) => {
        const out = ipoLoss({ policyChosen: w, policyRejected: l, refChosen: 0, refRejected: 0, chosenLength: 1, rejectedLength: 1, beta });
        return { dW: out.dPolicyChosen, dL: out.dPolicyRejected };
      },
      [100, 1000, 10000],
      0.1,
    );
    const target = ipoTargetMargin(beta);
    return {
      label: `IPO on the same pair (τ = ${fmt(beta, 2)}): margin after 100, 1000, 10000 steps vs 1/(2 τ)`,
      value: `${margins.map((m) => fmt(m, 3)).join(' → ')}; target ${fmt(target, 3)}`,
      ok: Math.abs(margins[2] - target) < 1e-3,
    };
  },
  'simpo-margin': (rng) => {
    const beta = 1 + 2 * rng.next();
    const gamma = 0.3 + rng.next();
    const chosenLength = 2 + rng.int(20);
    const rejectedLength = 2 + rng.int(20);
    const rejectedAvg = -1 - rng.next();
    // A chosen response whose average log-prob beats the rejected one by exactly gamma / beta.
    const out = simpoLoss({
      policyChosen: (rejectedAvg + gamma / beta) * chosenLength,
      policyRejected: rejectedAvg * rejectedLength,
      chosenLength,
      rejectedLength,
      beta,
      gamma,
    });
    return {
      label: `SimPO with β = ${fmt(beta, 2)}, γ = ${fmt(gamma, 2)}: average log-prob margin of exactly γ/β (lengths ${chosenLength} and ${rejectedLength})`,
      value: `loss ${fmt(out.loss, 6)} = log 2 = ${fmt(Math.LN2, 6)}: the pair sits on the boundary`,
      ok: Math.abs(out.loss - Math.LN2) < 1e-12,
    };
  },
  'kto-reference-point': (rng) => {
    const n = 6;
    const beta = 0.1 + 0.5 * rng.next();
    const policy = Array.from({ length: n }, () => -15 + 5 * rng.next());
    const reference = policy.map((p) => p - 1 + 2 * rng.next());
    const desirable = Array.from({ length: n }, (_, i) => i % 2 === 0);
    const referenceKl = Array.from({ length: n }, () => -15 + 5 * rng.next());
    const policyKl = referenceKl.map((r) => r - 0.5 + rng.next());
    const base = { policy, reference, desirable, policyKl, referenceKl, beta, desirableWeight: 1, undesirableWeight: 1.33 };
    const out = ktoLoss(base);
    const raw = policyKl.reduce((s, p, i) => s + p - referenceKl[i], 0) / n;
    const h = 1e-6;
    const plus = [...policy];
    const minus = [...policy];
    plus[0] += h;
    minus[0] -= h;
    const fd = (ktoLoss({ ...base, policy: plus }).loss - ktoLoss({ ...base, policy: minus }).loss) / (2 * h);
    return {
      label: `KTO reference point from ${n} mismatched pairs, and d loss / d log π of a desirable completion`,
      value: `mean log-ratio ${fmt(raw)} → z = ${fmt(out.kl)}; gradient ${fmt(fd, 6)} (finite difference) vs ${fmt(out.dPolicy[0], 6)}`,
      ok: out.kl === Math.max(0, raw) && out.kl === ktoReferencePoint(policyKl, referenceKl) && Math.abs(fd - out.dPolicy[0]) < 1e-7,
    };
  },

  /** ORPO's stable log odds ratio (TRL's log1mexp form) equals log(odds_chosen / odds_rejected) computed directly. */
  'orpo-odds': (rng) => {
    const lc = 5 + rng.int(20);
    const lr = 5 + rng.int(20);
    const ac = -0.2 - 2 * rng.next();
    const ar = -0.2 - 2 * rng.next();
    const out = orpoLoss({ policyChosen: ac * lc, policyRejected: ar * lr, chosenLength: lc, rejectedLength: lr, lambda: 0.1 });
    const odds = (a: number) => Math.exp(a) / (1 - Math.exp(a));
    const direct = Math.log(odds(ac) / odds(ar));
    return {
      label: `average log-probs ${fmt(ac, 3)} (chosen) and ${fmt(ar, 3)} (rejected): ORPO's log odds ratio, and log(odds_c / odds_r) directly`,
      value: `${fmt(out.logOddsRatio, 6)} and ${fmt(direct, 6)}`,
      ok: Math.abs(out.logOddsRatio - direct) < 1e-9,
    };
  },

  /** Saying the same thing twice doubles DPO's implicit reward; SimPO's per-token average does not move. */
  /**
   * On the tiny model after the default DPO run (measured log-probs, content/data/lm-preference-runs.json):
   * the implicit reward margin orders two held-out pairs as their DPO losses do, and the run's
   * accuracy is the share of pairs with a positive margin.
   */
  'lm-implicit-rewards': (rng) => {
    const run = (preferenceRuns as unknown as Record<string, PreferenceRunSummary>).dpo;
    const beta = run.recipe.beta;
    const scored = run.end.pairs.map((p) => {
      const l = dpoLoss({ ...p, beta });
      return {
        margin: l.chosenReward - l.rejectedReward,
        loss: l.loss,
        direct: beta * (p.policyChosen - p.refChosen - (p.policyRejected - p.refRejected)),
      };
    });
    const i = rng.int(scored.length);
    const j = (i + 1 + rng.int(scored.length - 1)) % scored.length;
    const [a, b] = [scored[i], scored[j]];
    const positive = scored.filter((s) => s.margin > 0).length / scored.length;
    const ordered = a.margin > b.margin === a.loss < b.loss;
    const belowLog2 = scored.every((s) => s.margin > 0 === s.loss < Math.LN2);
    const sameMargin = scored.every((s) => Math.abs(s.margin - s.direct) < 1e-9);
    return {
      label: `held-out pairs ${i + 1} and ${j + 1} of ${scored.length}, β = ${beta}: reward margins, DPO losses; share of positive margins against the run's accuracy`,
      value: `margins ${fmt(a.margin)} and ${fmt(b.margin)}, losses ${fmt(a.loss)} and ${fmt(b.loss)}; ${fmt(positive, 3)} against ${fmt(run.end.accuracy, 3)}`,
      ok: ordered && belowLog2 && sameMargin && Math.abs(positive - run.end.accuracy) < 1e-12,
    };
  },

  'length-bias': (rng) => {
    const n = 5 + rng.int(20);
    const perToken = 0.05 + 0.2 * rng.next(); // policy minus reference log-prob per token
    const logp = -1 - rng.next(); // policy log-prob per token
    const dpo = (len: number) => dpoLoss({ policyChosen: 0, policyRejected: 0, refChosen: -perToken * len, refRejected: 0, beta: 0.1 }).chosenReward;
    const simpo = (len: number) =>
      simpoLoss({ policyChosen: logp * len, policyRejected: -2, chosenLength: len, rejectedLength: 1, beta: 2, gamma: 1 }).chosenReward;
    return {
      label: `a response of ${n} tokens and the same response twice over: DPO's implicit reward, SimPO's`,
      value: `DPO ${fmt(dpo(n), 3)} → ${fmt(dpo(2 * n), 3)}; SimPO ${fmt(simpo(n), 3)} → ${fmt(simpo(2 * n), 3)}`,
      ok: Math.abs(dpo(2 * n) - 2 * dpo(n)) < 1e-12 && Math.abs(simpo(2 * n) - simpo(n)) < 1e-12,
    };
  },

  /** Once a pair is won by a wide margin, DPO's pull on the chosen log-prob vanishes; RPO's NLL term keeps it. */
  'rpo-pull': (rng) => {
    const margin = 20 + 30 * rng.next();
    const len = 10 + rng.int(40);
    const input = { policyChosen: -10, policyRejected: -10 - margin, refChosen: -10, refRejected: -10, beta: 0.5 };
    const dpo = dpoLoss(input).dPolicyChosen;
    const rpo = rpoLoss({ ...input, chosenLength: len, alpha: 1 }).dPolicyChosen;
    return {
      label: `a pair won by a log-ratio margin of ${fmt(margin, 1)}, β = 0.5: ∂L/∂log π(chosen) for DPO, and for RPO (α = 1, ${len} tokens)`,
      value: `${fmt(dpo, 6)} and ${fmt(rpo, 6)}`,
      ok: Math.abs(dpo) < 1e-4 && Math.abs(rpo - (dpo - 1 / len)) < 1e-12,
    };
  },
};
