import { describe, expect, it } from 'vitest';
import { modelParamCount, presetById } from '../../../../kernels/models/presets';
import { ALIGNMENT_SETUPS, alignmentStateBytes } from '../../../../kernels/rlhf/memory';

describe('model states of the alignment setups', () => {
  const p = modelParamCount(presetById('7b'));
  it('PPO holds two trained and two frozen models: 36 bytes per parameter; DPO 18 (16 without a reference), GRPO 16 (18 with a KL term)', () => {
    expect(alignmentStateBytes('ppo', p)).toBe(36 * p);
    expect(alignmentStateBytes('dpo', p)).toBe(18 * p);
    expect(alignmentStateBytes('dpo-precomputed', p)).toBe(16 * p);
    expect(alignmentStateBytes('grpo', p)).toBe(16 * p);
    expect(alignmentStateBytes('grpo-kl', p)).toBe(18 * p);
  });
  it('for LLaMA-2-7B (6.74B parameters) PPO needs about 243 GB of model states before activations', () => {
    expect(p).toBe(6_738_415_616);
    expect(Math.round(alignmentStateBytes('ppo', p) / 1e9)).toBe(243);
    for (const s of ALIGNMENT_SETUPS) expect(alignmentStateBytes(s, p)).toBeLessThanOrEqual(alignmentStateBytes('ppo', p));
  });
});
