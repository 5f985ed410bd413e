import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../kernels/random/rng';
import { checks as loraChecks } from '../../../../components/derivation/checks/lora';
import { checks as doraChecks } from '../../../../components/derivation/checks/dora';

// Every live check on the two chapters must pass for any seed a reader can roll.
for (const [chapter, checks] of [
  ['lora', loraChecks],
  ['dora', doraChecks],
] as const) {
  describe(`${chapter} chapter checks`, () => {
    for (const [id, check] of Object.entries(checks)) {
      it(`${chapter}/${id} passes on 25 seeds and shows finite numbers`, () => {
        for (let seed = 1; seed <= 25; seed++) {
          const result = check(createRng(seed));
          expect(result.ok, `${id} seed ${seed}: ${result.label} = ${result.value}`).toBe(true);
          expect(result.value).not.toMatch(/NaN|Infinity|undefined/);
          expect(result.label.length).toBeGreaterThan(10);
        }
      });
    }
  });
}
