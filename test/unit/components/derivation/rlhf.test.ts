import { describe, expect, it } from 'vitest';
import { checks } from '../../../../components/derivation/checks/rlhf';
import { createRng } from '../../../../kernels/random/rng';

// Every live check on the chapter page must pass whatever the reader's re-roll draws.
describe('rlhf chapter checks', () => {
  for (const [name, check] of Object.entries(checks)) {
    it(`${name} passes on 25 seeds and prints finite numbers`, () => {
      for (let seed = 1; seed <= 25; seed++) {
        const result = check(createRng(seed));
        expect(result.ok, `${name} seed ${seed}: ${result.value}`).toBe(true);
        expect(result.value).not.toMatch(/NaN|Infinity/);
        expect(result.label.length).toBeGreaterThan(10);
      }
    });
  }
});
