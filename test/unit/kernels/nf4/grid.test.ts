import { describe, expect, test } from 'vitest';
import { codeEntropyBits, gridBins, NF4_DESIGN_SCALE } from '../../../../kernels/nf4/grid';
import { FP4_LEVELS, INT4_LEVELS, NF4_LEVELS, symmetricNormalLevels } from '../../../../kernels/nf4/levels';

describe('code books over the normal density', () => {
  test.each([
    ['NF4', NF4_LEVELS, 16],
    ['INT4', INT4_LEVELS, 15],
    ['FP4', FP4_LEVELS, 15],
    ['symmetric', symmetricNormalLevels(), 16],
  ] as const)('%s: bins tile the line and their masses sum to 1', (_n, levels, distinct) => {
    const bins = gridBins(levels);
    expect(bins.length).toBe(distinct);
    expect(bins[0].lower).toBe(-Infinity);
    expect(bins[bins.length - 1].upper).toBe(Infinity);
    for (let i = 1; i < bins.length; i++) expect(bins[i].lower).toBe(bins[i - 1].upper);
    expect(bins.reduce((s, b) => s + b.mass, 0)).toBeCloseTo(1, 12);
  });
  test('the +0 and -0 codes of INT4 share one bin', () => {
    expect(gridBins(INT4_LEVELS).find((b) => b.value === 0)?.codes).toEqual([7, 8]);
  });
  test('the design scale is Phi^-1(0.9677083) ~ 1.848 (scipy: 1.8481309597573734 at the exact decimal)', () => {
    expect(NF4_DESIGN_SCALE).toBeCloseTo(1.8481309597573734, 6);
  });
  test('NF4 codes carry more information than INT4 or FP4 codes on normal weights', () => {
    const nf4 = codeEntropyBits(gridBins(NF4_LEVELS));
    expect(nf4).toBeGreaterThan(3.9);
    expect(nf4).toBeLessThanOrEqual(4);
    expect(nf4).toBeGreaterThan(codeEntropyBits(gridBins(INT4_LEVELS)));
    expect(nf4).toBeGreaterThan(codeEntropyBits(gridBins(FP4_LEVELS)));
  });
});
