/**
 * Live checks beside the derivation steps of the RLHF chapter (content/chapters/rlhf.mdx). Each
 * draws a random case and recomputes the claim with kernels/rlhf and kernels/preference.
 */
import { sigmoid } from '../../../kernels/preference/losses';
import { modelParamCount, MODEL_PRESETS } from '../../../kernels/models/presets';
import { alignmentStateBytes } from '../../../kernels/rlhf/memory';
import { clippedTokenLoss, gae, groupAdvantages, k3Kl } from '../../../kernels/rlhf/policy-gradient';
import { rewardModelLoss } from '../../../kernels/rlhf/reward-model';
import type { CheckFn } from '../types';

const fmt = (v: number, digits = 4) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(digits));
const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export const checks: Record<string, CheckFn> = {
  /** The Bradley-Terry loss depends on reward differences only: adding a constant per prompt changes nothing. */
  'bt-shift': (rng) => {
    const rc = 3 * rng.normal();
    const rr = 3 * rng.normal();
    const shift = 10 * rng.normal();
    const at = rewardModelLoss([rc], [rr]);
    const shifted = rewardModelLoss([rc + shift], [rr + shift]);
    const h = 1e-6;
    const numeric = (rewardModelLoss([rc + h], [rr]).loss - rewardModelLoss([rc - h], [rr]).loss) / (2 * h);
    return {
      label: `rewards ${fmt(rc, 3)} (chosen) and ${fmt(rr, 3)} (rejected), then both shifted by ${fmt(shift, 3)}: the loss, and its gradient against central differences`,
      value: `${fmt(at.loss)} and ${fmt(shifted.loss)}; ${fmt(at.dChosen[0], 6)} vs ${fmt(numeric, 6)}`,
      ok: close(at.loss, shifted.loss, 1e-9) && close(at.dChosen[0], -sigmoid(rr - rc), 1e-12) && Math.abs(at.dChosen[0] - numeric) < 1e-6,
    };
  },

  /** The centring term: shifting every reward by s, the loss is lowest where the pairs' mean reward is 0. */
  'rm-centring': (rng) => {
    const n = 2 + rng.int(5);
    const offset = 4 * rng.normal();
    const chosen = Array.from({ length: n }, () => offset + rng.normal());
    const rejected = Array.from({ length: n }, () => offset + rng.normal());
    const c = 0.01;
    const lossAt = (s: number) =>
      rewardModelLoss(
        chosen.map((r) => r + s),
        rejected.map((r) => r + s),
        { centerCoefficient: c },
      );
    const meanSum = chosen.reduce((t, r, i) => t + r + rejected[i], 0) / n;
    const best = -meanSum / 2;
    const g = lossAt(best);
    const slope = g.dChosen.reduce((t, d, i) => t + d + g.dRejected[i], 0);
    const drop = lossAt(0).loss - g.loss;
    return {
      label: `${n} pairs with rewards near ${fmt(offset, 2)}, c = ${c}: shifting all by s = −mean(r_c + r_r)/2 = ${fmt(best, 3)} zeroes the loss’s slope in s and lowers it by c·mean(r_c + r_r)²`,
      value: `slope ${fmt(slope, 6)}; drop ${fmt(drop, 6)} vs ${fmt(c * meanSum * meanSum, 6)}`,
      ok: Math.abs(slope) < 1e-9 && close(drop, c * meanSum * meanSum, 1e-9) && lossAt(best + 0.1).loss > g.loss && lossAt(best - 0.1).loss > g.loss,
    };
  },

  /** GAE: lambda = 1 gives reward-to-go minus the value, lambda = 0 the one-step TD error. */
  'gae-limits': (rng) => {
    const n = 3 + rng.int(6);
    const rewards = Array.from({ length: n }, () => rng.normal());
    const values = Array.from({ length: n }, () => rng.normal());
    const mc = gae(rewards, values, 1, 1).advantages;
    const td = gae(rewards, values, 1, 0).advantages;
    const t = rng.int(n);
    const toGo = rewards.slice(t).reduce((a, b) => a + b, 0);
    const delta = rewards[t] + (t + 1 < n ? values[t + 1] : 0) - values[t];
    return {
      label: `${n} tokens, token ${t + 1}: GAE with λ = 1 against reward-to-go minus V, with λ = 0 against the TD error (γ = 1)`,
      value: `${fmt(mc[t])} vs ${fmt(toGo - values[t])}; ${fmt(td[t])} vs ${fmt(delta)}`,
      ok: close(mc[t], toGo - values[t]) && close(td[t], delta),
    };
  },

  /** The clipped surrogate: no gradient once the ratio has moved past the clip in the direction the advantage wants. */
  'clip-gradient': (rng) => {
    const adv = (rng.next() < 0.5 ? -1 : 1) * (0.2 + 2 * rng.next());
    const eps = 0.2;
    const beyond = adv > 0 ? 1 + eps + 0.5 * rng.next() : 1 - eps - 0.5 * rng.next() * (1 - eps);
    const inside = 1 - eps + 2 * eps * rng.next();
    const out = clippedTokenLoss(Math.log(beyond), adv, eps);
    const inn = clippedTokenLoss(Math.log(inside), adv, eps);
    return {
      label: `advantage ${fmt(adv, 3)}, ε = 0.2: ∂L/∂log π at ratio ${fmt(beyond, 3)} (past the clip) and at ${fmt(inside, 3)} (inside)`,
      value: `${fmt(out.dLogp, 4)} and ${fmt(inn.dLogp, 4)} (= −ratio·A = ${fmt(-inside * adv, 4)})`,
      ok: out.dLogp === 0 && out.clipped && close(inn.dLogp, -inside * adv),
    };
  },

  /** k3 is unbiased: its expectation under the policy is the KL, and it is never negative. */
  'k3-unbiased': (rng) => {
    const k = 3 + rng.int(5);
    const pi = softmax(Array.from({ length: k }, () => rng.normal()));
    const ref = softmax(Array.from({ length: k }, () => rng.normal()));
    const kl = pi.reduce((s, p, i) => s + p * Math.log(p / ref[i]), 0);
    const k3 = pi.map((p, i) => k3Kl(Math.log(p), Math.log(ref[i])).kl);
    const expectation = pi.reduce((s, p, i) => s + p * k3[i], 0);
    return {
      label: `a ${k}-token vocabulary, random policy and reference: KL(π‖π_ref) exactly, and the expectation of k3 under π`,
      value: `${fmt(kl, 6)} and ${fmt(expectation, 6)}; smallest sample ${fmt(Math.min(...k3), 4)}`,
      ok: close(kl, expectation, 1e-9) && Math.min(...k3) >= 0,
    };
  },

  /** Group-relative advantages: mean zero and sample std 1 per group (up to the 1e-4), zero for a group that all scores alike. */
  'group-advantages': (rng) => {
    const g = 4 + rng.int(13);
    const rewards = Array.from({ length: g }, () => rng.int(3));
    if (new Set(rewards).size === 1) rewards[0] = rewards[0] === 0 ? 1 : 0;
    const a = groupAdvantages([...rewards, ...rewards.map(() => 1)], g);
    const first = a.slice(0, g);
    const mean = first.reduce((x, y) => x + y, 0) / g;
    const std = Math.sqrt(first.reduce((x, y) => x + (y - mean) ** 2, 0) / (g - 1));
    return {
      label: `a group of ${g} rewards (${rewards.join(', ')}) and a group that all scored 1: advantages' mean and std, and the second group's`,
      value: `mean ${fmt(mean, 6)}, std ${fmt(std, 6)}; second group max |A| ${fmt(Math.max(...a.slice(g).map(Math.abs)), 3)}`,
      ok: Math.abs(mean) < 1e-12 && Math.abs(std - 1) < 1e-3 && a.slice(g).every((v) => v === 0),
    };
  },

  /** Model states of PPO's four models against DPO's two and GRPO's one (beta 0), for a preset model. */
  'ppo-memory': (rng) => {
    const preset = MODEL_PRESETS[rng.int(MODEL_PRESETS.length)];
    const p = modelParamCount(preset);
    const gb = (b: number) => `${(b / 1e9).toFixed(0)} GB`;
    const ppo = alignmentStateBytes('ppo', p);
    const dpo = alignmentStateBytes('dpo', p);
    const grpo = alignmentStateBytes('grpo', p);
    return {
      label: `${preset.label}: model states of PPO (policy and value trained, reference and reward frozen), DPO, GRPO with β = 0`,
      value: `${gb(ppo)}, ${gb(dpo)}, ${gb(grpo)} (36, 18 and 16 bytes per parameter)`,
      ok: close(ppo, 36 * p) && close(dpo, 18 * p) && close(grpo, 16 * p),
    };
  },
};
