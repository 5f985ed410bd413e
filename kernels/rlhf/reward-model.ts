/**
 * The reward model's loss, as TRL's RewardTrainer computes it (huggingface/trl v1.9.0,
 * trl/trainer/reward_trainer.py, compute_loss), with its gradient in closed form:
 *
 *   loss = mean_i -log sigma(r_c,i - r_r,i - m_i)  +  c * mean_i (r_c,i + r_r,i)^2
 *
 * m_i the optional per-pair margin (0 without one), c the center_rewards_coefficient (None, i.e.
 * 0, by default; 0.01 is the value RewardConfig's help recommends). Bradley-Terry alone only sees
 * differences; the centring term pins the pair's mean reward near zero.
 */
import { logSigmoid, sigmoid } from '../preference/losses';

export interface RewardLoss {
  loss: number;
  /** d loss / d r for every chosen and rejected reward. */
  dChosen: number[];
  dRejected: number[];
}

export function rewardModelLoss(
  chosen: readonly number[],
  rejected: readonly number[],
  options: { margins?: readonly number[]; centerCoefficient?: number } = {},
): RewardLoss {
  const n = chosen.length;
  if (n === 0 || rejected.length !== n) throw new Error(`need as many rejected rewards as chosen ones (${n}, ${rejected.length}), at least one`);
  const c = options.centerCoefficient ?? 0;
  let loss = 0;
  const dChosen: number[] = [];
  const dRejected: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = chosen[i] - rejected[i] - (options.margins?.[i] ?? 0);
    const sum = chosen[i] + rejected[i];
    loss += (-logSigmoid(z) + c * sum * sum) / n;
    // d(-log sigma(z))/dz = -sigma(-z); the centring term adds 2 c (r_c + r_r) to both.
    const g = -sigmoid(-z) / n;
    const center = (2 * c * sum) / n;
    dChosen.push(g + center);
    dRejected.push(-g + center);
  }
  return { loss, dChosen, dRejected };
}
