/**
 * What the preference trainer reports, computed exactly from theta (no sampling):
 *  - the implicit rewards TRL logs (rewards/chosen, rewards/rejected, rewards/margins) on the
 *    training examples; for KTO, the desirable and undesirable completions;
 *  - KL(pi || pi_ref) and the hidden-reward gain E_pi[r*] - E_ref[r*], averaged over held-out prompts;
 *  - the win rate against the reference under r*: P(r*(y) > r*(y')) + P(tie)/2 with y ~ pi, y' ~ pi_ref;
 *  - the implicit-reward accuracy on held-out pairs: how often the loss's own implicit reward
 *    orders two candidates of a new prompt the way r* does (ties count one half).
 */
import { dataFor, forEachExample, type LossConfig, type PreferenceLossName } from './objective';
import type { CandidateTable, PreferenceTask } from './task';
import { klDivergence, optimalPolicy } from './rlhf';
import { policyLogp } from './policy';

export interface PreferenceMetrics {
  chosenReward: number;
  rejectedReward: number;
  margin: number;
  /** Mean KL(pi || pi_ref) over held-out prompts, in nats. */
  kl: number;
  rewardGain: number;
  winRate: number;
  heldOutAccuracy: number;
}

/** The implicit reward each loss assigns a response (what TRL logs for it). */
export function implicitRewardOf(loss: PreferenceLossName, beta: number, logp: number, refLogp: number, length: number): number {
  switch (loss) {
    case 'dpo':
    case 'kto':
      return beta * (logp - refLogp);
    case 'ipo':
      return (beta * (logp - refLogp)) / length;
    case 'simpo':
      return (beta * logp) / length;
  }
}

export function preferenceMetrics(task: PreferenceTask, config: LossConfig, theta: Float32Array): PreferenceMetrics {
  const { candidates: k, features: d } = task.config;
  const reward = (table: CandidateTable, logp: Float32Array, i: number) =>
    implicitRewardOf(config.loss, config.beta, logp[i], table.refLogp[i], table.lengths[i]);

  // Training-set implicit rewards.
  const train = task.train;
  const trainLogp = policyLogp(train, k, d, theta);
  const data = dataFor(task, config.loss);
  let chosen = 0;
  let rejected = 0;
  let nChosen = 0;
  let nRejected = 0;
  forEachExample(data, k, (_p, first, second, i) => {
    if (data.kind === 'pairs') {
      chosen += reward(train, trainLogp, first);
      rejected += reward(train, trainLogp, second);
      nChosen++;
      nRejected++;
    } else if (data.desirable[i]) {
      chosen += reward(train, trainLogp, first);
      nChosen++;
    } else {
      rejected += reward(train, trainLogp, first);
      nRejected++;
    }
  });
  const chosenReward = nChosen ? chosen / nChosen : 0;
  const rejectedReward = nRejected ? rejected / nRejected : 0;

  // Held-out prompts: KL, reward gain, win rate, accuracy.
  const held = task.heldOut;
  const logp = policyLogp(held, k, d, theta);
  let kl = 0;
  let gain = 0;
  let win = 0;
  let correct = 0;
  let comparisons = 0;
  for (let p = 0; p < held.prompts; p++) {
    const o = p * k;
    for (let a = 0; a < k; a++) {
      const pa = Math.exp(logp[o + a]);
      const ra = held.hiddenReward[o + a];
      kl += pa * (logp[o + a] - held.refLogp[o + a]);
      gain += (pa - Math.exp(held.refLogp[o + a])) * ra;
      for (let b = 0; b < k; b++) {
        const rb = held.hiddenReward[o + b];
        const beats = ra > rb ? 1 : ra === rb ? 0.5 : 0;
        win += pa * Math.exp(held.refLogp[o + b]) * beats;
        if (b > a && ra !== rb) {
          const diff = reward(held, logp, o + a) - reward(held, logp, o + b);
          correct += diff === 0 ? 0.5 : diff > 0 === ra > rb ? 1 : 0;
          comparisons++;
        }
      }
    }
  }
  return {
    chosenReward,
    rejectedReward,
    margin: chosenReward - rejectedReward,
    kl: Math.max(0, kl / held.prompts),
    rewardGain: gain / held.prompts,
    winRate: win / held.prompts,
    heldOutAccuracy: comparisons ? correct / comparisons : 0.5,
  };
}

/**
 * The best any policy can do: for each beta, the RLHF optimum pi* = pi_ref exp(r* / beta) / Z on
 * every held-out prompt, and its mean KL and hidden-reward gain. No policy reaches a higher
 * gain at the same KL, so the trained runs' points lie on or below this curve.
 */
export function optimalFrontier(task: PreferenceTask, betas: readonly number[]): { beta: number; kl: number; rewardGain: number }[] {
  const { candidates: k } = task.config;
  const held = task.heldOut;
  return betas.map((beta) => {
    let kl = 0;
    let gain = 0;
    for (let p = 0; p < held.prompts; p++) {
      const piRef = Array.from(held.refLogp.subarray(p * k, (p + 1) * k), Math.exp);
      const reward = held.hiddenReward.subarray(p * k, (p + 1) * k);
      const pi = optimalPolicy(piRef, reward, beta);
      kl += klDivergence(pi, piRef);
      for (let j = 0; j < k; j++) gain += (pi[j] - piRef[j]) * reward[j];
    }
    return { beta, kl: kl / held.prompts, rewardGain: gain / held.prompts };
  });
}
