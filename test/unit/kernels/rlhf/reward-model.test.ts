import { describe, expect, it } from 'vitest';
import { rewardModelLoss } from '../../../../kernels/rlhf/reward-model';

describe('the reward model loss (TRL RewardTrainer.compute_loss)', () => {
  it('is -log sigmoid of the reward gap, minus the margin, plus c times the mean squared pair sum', () => {
    // log(1 + e^-1) = 0.31326168751822286
    expect(rewardModelLoss([1], [0]).loss).toBeCloseTo(0.31326168751822286, 14);
    expect(rewardModelLoss([1], [0], { centerCoefficient: 0.01 }).loss).toBeCloseTo(0.31326168751822286 + 0.01, 14);
    // A margin of 1 on a gap of 1 leaves -log sigmoid(0) = ln 2.
    expect(rewardModelLoss([3], [2], { margins: [1] }).loss).toBeCloseTo(Math.LN2, 14);
    // The mean over pairs.
    expect(rewardModelLoss([1, 0], [0, 0]).loss).toBeCloseTo((0.31326168751822286 + Math.LN2) / 2, 14);
  });
  it('sees only differences without centring; centring pins the pair mean', () => {
    const a = rewardModelLoss([0.4, -1.2], [0.1, 0.3]);
    const b = rewardModelLoss([5.4, 3.8], [5.1, 5.3]);
    expect(b.loss).toBeCloseTo(a.loss, 12);
    const c = rewardModelLoss([5.4, 3.8], [5.1, 5.3], { centerCoefficient: 0.01 });
    expect(c.loss).toBeGreaterThan(b.loss + 0.1);
  });
  it('its gradient matches central differences', () => {
    const chosen = [0.7, -0.4, 2.1];
    const rejected = [0.9, -1.5, 0.2];
    const options = { margins: [0.5, 0, 1], centerCoefficient: 0.05 };
    const g = rewardModelLoss(chosen, rejected, options);
    const h = 1e-6;
    for (const [side, grads] of [
      ['chosen', g.dChosen],
      ['rejected', g.dRejected],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        const at = (delta: number) => {
          const c = [...chosen];
          const r = [...rejected];
          (side === 'chosen' ? c : r)[i] += delta;
          return rewardModelLoss(c, r, options).loss;
        };
        expect(grads[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 8);
      }
    }
  });
  it('refuses mismatched or empty batches', () => {
    expect(() => rewardModelLoss([], [])).toThrow(/at least one/);
    expect(() => rewardModelLoss([1, 2], [1])).toThrow(/as many/);
  });
});
