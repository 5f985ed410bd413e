/**
 * The policy-gradient pieces of RLHF for language models, as TRL v1.9.0 computes them
 * (trl/trainer/grpo_trainer.py: _generate_and_score_completions, _compute_loss; and the PPO
 * trainer's advantage estimate, trl/experimental/ppo):
 *
 *   importance ratio   rho_t = pi(o_t | .) / pi_old(o_t | .)   (1 while the update is on-policy)
 *   clipped surrogate  l_t   = -min(rho_t A, clip(rho_t, 1 - eps, 1 + eps) A)          (PPO, GRPO)
 *   KL estimate        k3_t  = e^(ref_t - logp_t) - (ref_t - logp_t) - 1              (Schulman's k3)
 *   GRPO advantages    A_i   = (r_i - mean_group) / (std_group + 1e-4)   (Bessel-corrected std)
 *   PPO advantages     GAE(gamma, lambda) over per-token rewards and a value model's estimates
 */

/** Group-relative advantages (TRL scale_rewards "group", "batch" or "none"): groups of `groupSize` consecutive rewards. */
export function groupAdvantages(rewards: readonly number[], groupSize: number, scale: 'group' | 'batch' | 'none' = 'group'): number[] {
  if (!Number.isInteger(groupSize) || groupSize < 2) throw new Error(`a group needs at least 2 completions, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) throw new Error(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  const std = (v: readonly number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  };
  const batchStd = std(rewards);
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) {
    const group = rewards.slice(g, g + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / groupSize;
    const s = scale === 'group' ? std(group) : scale === 'batch' ? batchStd : 0;
    for (const r of group) out.push(scale === 'none' ? r - mean : (r - mean) / (s + 1e-4));
  }
  return out;
}

/** One token's clipped surrogate loss and its derivative with respect to log pi (the ratio's log). */
export function clippedTokenLoss(logRatio: number, advantage: number, epsilon: number): { loss: number; dLogp: number; clipped: boolean } {
  const ratio = Math.exp(logRatio);
  const clippedRatio = Math.min(Math.max(ratio, 1 - epsilon), 1 + epsilon);
  const unclipped = ratio * advantage;
  const clippedTerm = clippedRatio * advantage;
  // min picks the clipped term only where clipping lowers the objective; there the gradient is zero.
  const useClipped = clippedTerm < unclipped;
  return {
    loss: -Math.min(unclipped, clippedTerm),
    dLogp: useClipped ? 0 : -unclipped, // d(-rho A)/d log pi = -rho A
    clipped: useClipped,
  };
}

/** Schulman's k3 estimate of KL(pi || pi_ref) from one sampled token, and its derivative with respect to log pi. */
export function k3Kl(logp: number, refLogp: number): { kl: number; dLogp: number } {
  const d = refLogp - logp;
  return { kl: Math.exp(d) - d - 1, dLogp: -Math.exp(d) + 1 };
}

/**
 * Generalised advantage estimation (Schulman et al. 2016) over one completion: per-token rewards
 * r_t and values V_t, delta_t = r_t + gamma V_{t+1} - V_t, A_t = sum_l (gamma lambda)^l delta_{t+l},
 * with V after the last token 0. Returns the advantages and the value targets A_t + V_t.
 */
export function gae(
  rewards: readonly number[],
  values: readonly number[],
  gamma: number,
  lambda: number,
): { advantages: number[]; returns: number[] } {
  if (rewards.length !== values.length) throw new Error('one value per reward');
  const advantages = new Array<number>(rewards.length);
  let running = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    const next = t + 1 < values.length ? values[t + 1] : 0;
    const delta = rewards[t] + gamma * next - values[t];
    running = delta + gamma * lambda * running;
    advantages[t] = running;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}

/**
 * PPO's per-token rewards for a language model (InstructGPT; TRL's PPO trainer): a KL penalty
 * -beta (log pi - log pi_ref) on every token, and the reward model's score added on the last one.
 */
export function klShapedRewards(logp: readonly number[], refLogp: readonly number[], score: number, beta: number): number[] {
  const r = logp.map((lp, t) => -beta * (lp - refLogp[t]));
  r[r.length - 1] += score;
  return r;
}
