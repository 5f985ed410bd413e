import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from '../../../../kernels/random/rng';
import { checkFormula, type FormulaVariable } from '../../../../kernels/answer-check/equivalence';
import { ExpressionError, evaluate, parseExpression } from '../../../../kernels/answer-check/expression';

const LORA_VARS: FormulaVariable[] = [
  { name: 'r', description: 'rank', min: 1, max: 256, integer: true },
  {
    name: 'd',
    description: 'out features',
    min: 64,
    max: 16384,
    integer: true,
  },
  { name: 'k', description: 'in features', min: 64, max: 16384, integer: true },
];
const ZERO_VARS: FormulaVariable[] = [
  { name: 'psi', description: 'parameters', min: 1e8, max: 1e12 },
  { name: 'N', description: 'GPUs', min: 2, max: 1024, integer: true },
];
const DPO_VARS: FormulaVariable[] = [
  { name: 'beta', description: 'β', min: 0.01, max: 1 },
  { name: 'a', description: 'log π(y_w|x)', min: -200, max: -1 },
  { name: 'b', description: 'log π_ref(y_w|x)', min: -200, max: -1 },
  { name: 'c', description: 'log π(y_l|x)', min: -200, max: -1 },
  { name: 'e', description: 'log π_ref(y_l|x)', min: -200, max: -1 },
];
const SCALE_VARS: FormulaVariable[] = [
  { name: 'alpha', description: 'lora_alpha', min: 1, max: 128 },
  { name: 'r', description: 'rank', min: 1, max: 256, integer: true },
];

const cases: {
  name: string;
  reference: string;
  vars: FormulaVariable[];
  accepted: string[];
  rejected: string[];
}[] = [
  {
    name: 'LoRA parameters of one linear layer',
    reference: 'r*(d+k)',
    vars: LORA_VARS,
    accepted: [
      'r*(d+k)',
      'r(d+k)',
      'rd + rk',
      'r*d + r*k',
      '(k+d)*r',
      'd*r+k*r',
      '(d + k) r',
      'r·(d+k)',
      'r × (d + k)',
      '2*r*(d+k)/2',
      'r*(d+k)+0',
      '[r(d+k)]',
    ],
    rejected: ['r*d*k', 'r*(d+k)+1', 'r^2*(d+k)', 'd+k', '2r(d+k)', 'r*d', 'r*(d-k)', 'r(d+k', 'r*(d+k))', 'x*(d+k)', 'r*(d+k)/r'],
  },
  {
    name: 'ZeRO-2 bytes per GPU',
    reference: '2*psi + 14*psi/N',
    vars: ZERO_VARS,
    accepted: ['2psi + 14psi/N', '2ψ + 14ψ/N', 'psi*(2 + 14/N)', '(2N + 14) psi / N', '2*psi+14*psi/N', '16psi/N + 2psi*(N-1)/N', '2ψ+14ψ÷N'],
    rejected: ['16psi/N', '4psi + 12psi/N', '2psi + 14psi', '16psi', '2psi + 14/N', 'psi(2+14)/N'],
  },
  {
    name: 'DPO loss of one pair',
    reference: '-log(sigmoid(beta*((a-b)-(c-e))))',
    vars: DPO_VARS,
    accepted: [
      '-log(sigmoid(beta*((a-b)-(c-e))))',
      '-log σ(β((a-b)-(c-e)))',
      'log(1+exp(-beta*(a-b-c+e)))',
      'softplus(beta*(c - e - a + b))',
      '-logsigmoid(beta*(a - b) - beta*(c - e))',
      'ln(1 + exp(β(c-e) - β(a-b)))',
    ],
    rejected: [
      '-log(sigmoid(beta*((a-b)+(c-e))))',
      'log(sigmoid(beta*((a-b)-(c-e))))',
      'sigmoid(beta*((a-b)-(c-e)))',
      '-log(sigmoid((a-b)-(c-e)))',
      'beta*((a-b)-(c-e))',
    ],
  },
  {
    name: 'rsLoRA scale',
    reference: 'alpha/sqrt(r)',
    vars: SCALE_VARS,
    accepted: ['alpha/sqrt(r)', 'α/√r', 'alpha*r^(-1/2)', 'alpha*r**-0.5', 'alpha/r^0.5', 'sqrt(alpha^2/r)', 'α·r^-0.5'],
    rejected: ['alpha/r', 'alpha*sqrt(r)', 'sqrt(alpha/r)', 'alpha/r^2', 'r/alpha'],
  },
];

describe.each(cases)('formula answers: $name', ({ reference, vars, accepted, rejected }) => {
  it.each(accepted)('accepts %s', (answer) => {
    const v = checkFormula(answer, reference, vars, createRng(7));
    expect(v.correct, v.message).toBe(true);
  });
  it.each(rejected)('rejects %s with a reason', (answer) => {
    const v = checkFormula(answer, reference, vars, createRng(7));
    expect(v.correct).toBe(false);
    expect(v.message).toMatch(/Not equivalent|Unknown name|Expected|Unexpected/);
    expect(v.message).not.toMatch(/NaN/);
  });
});

describe('expression parser', () => {
  it('gives the usual precedence and associativity', () => {
    const ev = (s: string, vals: Record<string, number> = {}) => evaluate(parseExpression(s, Object.keys(vals)), vals);
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('2 ^ 3 ^ 2')).toBe(512);
    expect(ev('-2 ^ 2')).toBe(-4);
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('8 / 4 / 2')).toBe(1);
    expect(ev('2x + 1', { x: 5 })).toBe(11);
    expect(ev('xy', { x: 3, y: 4 })).toBe(12);
    expect(ev('max(2, 3) + min(2, 3)')).toBe(5);
    expect(ev('sqrt 16')).toBe(4);
    expect(ev('2^-1')).toBe(0.5);
  });

  it('explains what it cannot read', () => {
    for (const [src, msg] of [
      ['r*(d+k', /unclosed parenthesis/],
      ['r*$', /Unexpected character/],
      ['foo + r', /Unknown name "foo".*r, d, k/],
      ['max(1)', /takes 2 arguments/],
      ['', /Type a formula/],
      ['r +', /ends too early/],
    ] as const) {
      expect(() => parseExpression(src, ['r', 'd', 'k'])).toThrow(ExpressionError);
      expect(() => parseExpression(src, ['r', 'd', 'k'])).toThrow(msg);
    }
  });

  it('evaluates random polynomials the same as JavaScript does (never eval: JS is only the oracle here)', () => {
    const term = fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(
        fc.array(term, { minLength: 1, maxLength: 6 }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (terms, x, y) => {
          const src = terms.map(([c, px, py]) => `(${c})*x^${px}*y^${py}`).join(' + ');
          const expected = terms.reduce((s, [c, px, py]) => s + c * x ** px * y ** py, 0);
          const got = evaluate(parseExpression(src, ['x', 'y']), { x, y });
          expect(got).toBeCloseTo(expected, 9);
        },
      ),
    );
  });

  it('never throws anything but ExpressionError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 25 }), (s) => {
        try {
          parseExpression(s, ['r', 'd', 'k']);
        } catch (err) {
          expect(err).toBeInstanceOf(ExpressionError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
