import { describe, expect, it } from 'vitest';
import { modelParamCount, presetById } from '../../../../kernels/models/presets';
import { DEFAULT_PEFT_SETTINGS, peftCosts, peftTrainable, prefixProjectionTrainable } from '../../../../kernels/peft-family/param-counts';

const m7 = presetById('7b');
const m70 = presetById('70b');
const s = DEFAULT_PEFT_SETTINGS; // 20 virtual tokens, bottleneck 64, LoRA r = 8, AdaLoRA init_r = 12, q and v

describe('PEFT family parameter counts, LLaMA-2-7B by hand', () => {
  it.each([
    ['lora', 32 * 8 * 2 * (4096 + 4096)], // 4,194,304
    ['adalora', 32 * 12 * 2 * (4096 + 4096 + 1)], // 6,292,224
    ['ia3', 32 * (4096 + 4096 + 11008)], // 614,400
    ['prompt', 20 * 4096], // 81,920
    ['prefix', 2 * 32 * 20 * 4096], // 5,242,880
    ['ptuning-v2', 2 * 32 * 20 * 4096],
    ['houlsby', 32 * 2 * (2 * 4096 * 64 + 64 + 4096)], // 33,820,672
    ['parallel', 32 * (2 * 4096 * 64 + 64 + 4096)],
  ] as const)('%s: %d', (method, expected) => {
    expect(peftTrainable(m7, method, s)).toBe(expected);
  });

  it('prefix tuning through PEFT’s projection MLP trains 1,090,867,200 parameters to store 5,242,880', () => {
    expect(prefixProjectionTrainable(m7, 20)).toBe(20 * 4096 + (4096 * 4096 + 4096) + (4096 * 2 * 32 * 4096 + 2 * 32 * 4096));
    expect(prefixProjectionTrainable(m7, 20)).toBe(1_090_867_200);
  });

  it('grouped-query attention shrinks prefixes and (IA)³’s key and value vectors (70B: 8 of 64 heads, d_kv 1024)', () => {
    expect(peftTrainable(m70, 'prefix', s)).toBe(2 * 80 * 20 * 1024);
    expect(peftTrainable(m70, 'ia3', s)).toBe(80 * (2 * 1024 + 28672));
  });

  it('the table: shares of the model, what is mergeable, what takes context', () => {
    const costs = peftCosts(m7);
    expect(costs.map((c) => c.method)).toEqual(['lora', 'adalora', 'ia3', 'prompt', 'prefix', 'ptuning-v2', 'houlsby', 'parallel']);
    for (const c of costs) expect(c.share).toBeCloseTo(c.trainable / modelParamCount(m7), 15);
    expect(costs.filter((c) => c.mergeable).map((c) => c.method)).toEqual(['lora', 'adalora', 'ia3']);
    expect(costs.filter((c) => c.contextTokens > 0).map((c) => c.method)).toEqual(['prompt', 'prefix', 'ptuning-v2']);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => peftTrainable(m7, 'prompt', { ...s, virtualTokens: 0 })).toThrow(/virtual tokens must be a positive integer/);
    expect(() => peftTrainable(m7, 'houlsby', { ...s, bottleneck: 2.5 })).toThrow(/bottleneck/);
  });
});
