import { describe, expect, test } from 'vitest';
import { DEFAULT_MERGE_CASE, mergeErrors, sampleMergeCase } from '../../../../kernels/nf4/merge';
import { createRng } from '../../../../kernels/random/rng';

describe('merging a LoRA update into a QLoRA base', () => {
  for (const seed of [1, 2, 3]) {
    const { w, delta } = sampleMergeCase(createRng(seed));
    const e = mergeErrors(w, delta);
    test(`seed ${seed}: the update has the requested size`, () => {
      expect(e.updateToWeight).toBeCloseTo(DEFAULT_MERGE_CASE.updateScale, 6);
    });
    test(`seed ${seed}: into the dequantized base in bf16 is faithful to bf16 rounding`, () => {
      // bf16 keeps 8 significant bits: relative error <= 2^-9 of |W|, i.e. about 0.04 of a 5% update.
      expect(e.intoDequantizedBf16).toBeLessThan(2 ** -9 / DEFAULT_MERGE_CASE.updateScale);
    });
    test(`seed ${seed}: re-quantizing to NF4 adds noise as large as the update; the original base, more`, () => {
      // NF4's RMS error on normal blocks is about 9% of |W|, larger than a 5% update.
      expect(e.requantizedNf4).toBeGreaterThan(0.8);
      expect(e.intoOriginalWeights).toBeGreaterThan(1.5);
      expect(e.requantizedNf4).toBeGreaterThan(10 * e.intoDequantizedBf16);
    });
  }
});
