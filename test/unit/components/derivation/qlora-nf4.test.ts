import { describe, expect, test } from 'vitest';
import { checks, runAllChecks } from '../../../../components/derivation/checks/qlora-nf4';

describe('the QLoRA chapter checks pass on 25 seeds and never show NaN', () => {
  test.each(Array.from({ length: 25 }, (_, i) => i + 1))('seed %i', (seed) => {
    const results = runAllChecks(seed);
    expect(Object.keys(results).length).toBe(Object.keys(checks).length);
    for (const [name, r] of Object.entries(results)) {
      expect(r.ok, `${name}: ${r.label} = ${r.value}`).toBe(true);
      expect(r.value).not.toMatch(/NaN|undefined|Infinity/);
    }
  });
});
