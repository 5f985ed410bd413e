/**
 * Formula answers are checked by value, not by text: the reader's expression and the reference
 * are evaluated at random points of the variables' ranges and must agree at every one, so any
 * equivalent form passes ("r*(d+k)", "rd + rk", "(k+d)r").
 */
import type { Rng } from '../random/rng';
import { ExpressionError, evaluate, parseExpression, variablesOf, type Expr } from './expression';
import { formatSig } from './numeric';

export interface FormulaVariable {
  name: string;
  /** What it stands for, shown to the reader ("rank r"). */
  description: string;
  min: number;
  max: number;
  /** Draw whole numbers (ranks, layer counts). */
  integer?: boolean;
  /** Other names readers use for it (lora_alpha for alpha), matched case-insensitively. */
  aliases?: readonly string[];
}

export interface FormulaVerdict {
  correct: boolean;
  message: string;
  /** A point where the two differ, for a wrong answer that parsed. */
  counterexample?: {
    values: Record<string, number>;
    expected: number;
    got: number;
  };
}

/**
 * Agreement needed at each point: relative 1e-7, loose enough for rounding in exp/log, tight
 * enough to reject any different formula; plus an absolute 1e-10 floor for values that are zero
 * up to cancellation (-log sigmoid(40) is 4e-18 one way and 0 another).
 */
const REL_TOL = 1e-7;
const ABS_TOL = 1e-10;
const POINTS = 12;

function samplePoint(vars: readonly FormulaVariable[], rng: Rng): Record<string, number> {
  const values: Record<string, number> = {};
  for (const v of vars) {
    // Log-uniform over wide positive ranges so both small and large values are tried.
    const wide = v.min > 0 && v.max / v.min > 100;
    let x = wide ? Math.exp(Math.log(v.min) + rng.next() * (Math.log(v.max) - Math.log(v.min))) : v.min + rng.next() * (v.max - v.min);
    if (v.integer) x = Math.min(v.max, Math.max(v.min, Math.round(x)));
    values[v.name] = x;
  }
  return values;
}

function agree(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(ABS_TOL, REL_TOL * Math.max(Math.abs(a), Math.abs(b)));
}

function formatPoint(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} = ${formatSig(v, 6)}`)
    .join(', ');
}

/**
 * Compare `answer` with `reference` over `vars`. The reference must be finite at the sampled
 * points (a question whose ranges make it undefined is a bug, reported by throwing).
 */
export function checkFormula(answer: string, reference: string, vars: readonly FormulaVariable[], rng: Rng): FormulaVerdict {
  const names = vars.map((v) => v.name);
  const aliases = Object.fromEntries(vars.flatMap((v) => (v.aliases ?? []).map((a) => [a, v.name])));
  const ref = parseExpression(reference, names);
  let expr: Expr;
  try {
    expr = parseExpression(answer, names, aliases);
  } catch (err) {
    if (err instanceof ExpressionError) return { correct: false, message: err.message };
    throw err;
  }
  const missing = [...variablesOf(ref)].filter((n) => !variablesOf(expr).has(n));
  for (let i = 0; i < POINTS; i++) {
    const values = samplePoint(vars, rng);
    const expected = evaluate(ref, values);
    if (!Number.isFinite(expected)) throw new Error(`Reference formula "${reference}" is not finite at ${formatPoint(values)}`);
    const got = evaluate(expr, values);
    if (!Number.isFinite(got) || !agree(expected, got)) {
      const hint = missing.length ? ` Your formula does not use ${missing.join(', ')}.` : '';
      return {
        correct: false,
        message: `Not equivalent: at ${formatPoint(values)} the answer is ${formatSig(expected, 6)} but yours gives ${Number.isFinite(got) ? formatSig(got, 6) : 'no finite value'}.${hint}`,
        counterexample: { values, expected, got },
      };
    }
  }
  return {
    correct: true,
    message: `Correct: equivalent to ${reference} at ${POINTS} random points.`,
  };
}
