import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../kernels/random/rng';
import { checks } from '../../../../components/derivation/checks/peft-family';

// Every live check on the PEFT family chapter must pass for any seed a reader can roll.
describe('peft-family chapter checks', () => {
  for (const [id, check] of Object.entries(checks)) {
    it(`peft-family/${id} passes on 25 seeds and shows finite numbers`, () => {
      for (let seed = 1; seed <= 25; seed++) {
        const result = check(createRng(seed));
        expect(result.ok, `${id} seed ${seed}: ${result.label} = ${result.value}`).toBe(true);
        expect(result.value).not.toMatch(/NaN|Infinity|undefined/);
      }
    });
  }
});
