import { describe, expect, test } from 'vitest';
import { createRng } from '../../../../kernels/random/rng';
import { checks } from '../../../../components/derivation/checks/choosing-a-method';

// Every live check on the "Choosing a fine-tuning method" page must pass for any seed a reader can roll.
describe('choosing-a-method chapter checks', () => {
  for (const [name, check] of Object.entries(checks)) {
    test(`${name} passes on 40 seeds and never shows NaN`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const result = check(createRng(seed));
        expect(result.ok, `${name}, seed ${seed}: ${result.label} → ${result.value}`).toBe(true);
        expect(`${result.label} ${result.value}`).not.toMatch(/NaN|undefined|Infinity/);
      }
    });
  }
});
