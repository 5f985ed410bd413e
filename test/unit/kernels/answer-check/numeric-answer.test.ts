import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkNumeric, groupDigits, parseNumber, type NumericExpectation } from '../../../../kernels/answer-check/numeric';

const PARAMS: NumericExpectation = { value: 16_777_216, dimension: 'count' };
const GB35: NumericExpectation = {
  value: 3.5e9,
  dimension: 'bytes',
  askUnit: 'GB',
};
const GIB: NumericExpectation = {
  value: 3.5e9,
  dimension: 'bytes',
  askUnit: 'GiB',
}; // 3.2596 GiB
const PCT: NumericExpectation = { value: 0.0024, dimension: 'percent' };
const BITS: NumericExpectation = { value: 4.127, dimension: 'bits' };
const LOSS: NumericExpectation = {
  value: 0.513,
  dimension: 'plain',
  absTol: 0.005,
};

describe('numeric answers: accepted', () => {
  const accepted: [string, NumericExpectation][] = [
    ['16777216', PARAMS],
    ['16,777,216', PARAMS],
    ['16 777 216', PARAMS],
    ['16_777_216', PARAMS],
    ['16.7M', PARAMS],
    ['16.78 M', PARAMS],
    ['16.8 million', PARAMS],
    ['1.68e7', PARAMS],
    ['1.678E+7', PARAMS],
    ['1.68×10^7', PARAMS],
    ['1.68 x 10^7', PARAMS],
    ['1.68*10**7', PARAMS],
    ['2^24', PARAMS],
    ['2**24', PARAMS],
    ['1678万', PARAMS],
    ['0.168亿', PARAMS],
    ['~16.7M', PARAMS],
    ['16777k', PARAMS],
    ['16.7M params', PARAMS],
    ['3.5 GB', GB35],
    ['3.5GB', GB35],
    ['3.5', GB35],
    ['3.5 gigabytes', GB35],
    ['3500 MB', GB35],
    ['3.26 GiB', GB35],
    ['3.5e9 bytes', GB35],
    ['3.5G', GB35],
    ['3.26', GIB],
    ['3.26 GiB', GIB],
    ['3.5 GB', GIB],
    ['3338 MiB', GIB],
    ['0.24%', PCT],
    ['0.24 %', PCT],
    ['0.24', PCT],
    ['0.24 percent', PCT],
    ['4.127', BITS],
    ['4.127 bits', BITS],
    ['4.13 bits/param', BITS],
    ['4.127 bits per parameter', BITS],
    ['0.513', LOSS],
    ['0.51', LOSS],
    ['.513', LOSS],
  ];
  it.each(accepted)('accepts %s', (typed, expected) => {
    const v = checkNumeric(typed, expected);
    expect(v.correct, v.message).toBe(true);
  });
});

describe('numeric answers: rejected with a specific hint', () => {
  const rejected: [string, NumericExpectation, RegExp][] = [
    ['16777', PARAMS, /1,000x.*too small.*units/],
    ['16.7k', PARAMS, /1,000x/],
    ['16.7B', PARAMS, /1,000x.*too large/],
    ['1.68e6', PARAMS, /10x/],
    ['33554432', PARAMS, /factor of 2/],
    ['134217728', PARAMS, /factor of 8.*bits vs bytes/],
    ['20M', PARAMS, /too high/],
    ['-16777216', PARAMS, /sign/],
    ['16.7 MB', PARAMS, /plain number.*memory/],
    ['3.5', GIB, /right in GB.*read in GiB/],
    ['3.26 GB', GB35, /right in GiB.*you answered in GB/],
    ['3.5 MB', GB35, /1,000x.*too small/],
    ['3500', GB35, /1,000x.*too large/],
    ['28 GB', GB35, /factor of 8/],
    ['7 GB', GB35, /factor of 2/],
    ['3.5%', GB35, /percentage/],
    ['0.0024', PCT, /fraction.*percentage/],
    ['24', PCT, /100x/],
    ['0.48%', PCT, /factor of 2/],
    ['3.5 GB', PCT, /percentage/],
    ['4.5', BITS, /too high/],
    ['16.5', BITS, /factor of 4/],
    ['0.6', LOSS, /too high/],
    ['abc', PARAMS, /Could not read a number/],
    ['', PARAMS, /Type a number/],
    ['3,5', GB35, /ambiguous/],
    ['16.7 parsecs', PARAMS, /Could not read the unit/],
    ['1e999', PARAMS, /too large/],
  ];
  it.each(rejected)('rejects %s', (typed, expected, hint) => {
    const v = checkNumeric(typed, expected);
    expect(v.correct).toBe(false);
    expect(v.message).toMatch(hint);
  });
});

describe('numeric parser properties', () => {
  const positive = fc.double({
    min: 1e-6,
    max: 1e15,
    noNaN: true,
    noDefaultInfinity: true,
  });

  it('reads back what toString, toExponential and toFixed write', () => {
    fc.assert(
      fc.property(positive, fc.integer({ min: 1, max: 15 }), (x, digits) => {
        for (const s of [String(x), x.toExponential(digits), x.toPrecision(digits)]) {
          const r = parseNumber(s);
          expect(r.ok && r.unit === null).toBe(true);
          if (r.ok) expect(r.number).toBeCloseTo(Number(s), 12 - Math.max(0, Math.log10(x)));
        }
      }),
    );
  });

  it('reads integers with thousands separators exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(',', ' ', '_'), (n, sep) => {
        const grouped = n.toLocaleString('en-US').replace(/,/g, sep);
        const r = parseNumber(grouped);
        expect(r).toMatchObject({ ok: true, number: n, unit: null, hedged: false });
      }),
    );
  });

  it('applies scale words as the same multiplication', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 999, noNaN: true }),
        fc.constantFrom(['k', 1e3], ['M', 1e6], ['B', 1e9], ['万', 1e4], ['亿', 1e8], [' million', 1e6]),
        (x, [word, scale]) => {
          const s = x.toPrecision(6);
          const r = parseNumber(`${s}${word}`);
          expect(r.ok).toBe(true);
          if (r.ok) expect(r.number / (Number(s) * scale)).toBeCloseTo(1, 12);
        },
      ),
    );
  });

  it('never throws and never returns a non-finite number, whatever is typed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const r = parseNumber(s);
        if (r.ok) expect(Number.isFinite(r.number)).toBe(true);
        else expect(r.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts any value within the 1% tolerance and rejects anything beyond it, with a message', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e12, noNaN: true }), fc.double({ min: -0.5, max: 0.5, noNaN: true }), (value, offset) => {
        const typed = value * (1 + offset);
        const v = checkNumeric(typed.toPrecision(15), {
          value,
          dimension: 'count',
        });
        const rel = Math.abs(typed - value) / value;
        if (rel < 0.0099) expect(v.correct).toBe(true);
        if (rel > 0.0101) {
          expect(v.correct).toBe(false);
          expect(v.message).not.toMatch(/NaN|undefined/);
        }
      }),
    );
  });
});

describe('groupDigits writes numbers as en-US does, without Intl', () => {
  it('matches toLocaleString("en-US") on integers and decimals of every size formatSig passes it', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), fc.integer({ min: 0, max: 12 }), (x, decimals) => {
        const rounded = Number(x.toFixed(decimals));
        expect(groupDigits(rounded)).toBe(rounded.toLocaleString('en-US', { maximumFractionDigits: 12 }));
      }),
      { seed: 20261130, numRuns: 2000 },
    );
    expect(groupDigits(16_777_216)).toBe('16,777,216');
    expect(groupDigits(-1234.5)).toBe('-1,234.5');
    expect(groupDigits(0.001)).toBe('0.001');
  });
});
