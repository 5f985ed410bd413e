/**
 * Grades every case of the public set with the flashcards' own checker and compares with the
 * grader: per kind and language, a confusion matrix of verdicts (free text: right when every key
 * point is found and none contradicted, wrong when the credit is 0, partial between), the
 * agreement on each free-text key point (credited or not), and false accepts (answers the grader
 * calls wrong that the checker accepts: free text with half the credit or more).
 */
import { QUESTIONS } from '../../components/flashcards/bank';
import { instantiate, type Verdict as CheckVerdict } from '../../components/flashcards/card';
import { createRng } from '../../kernels/random/rng';
import type { AnswerCase, Lang, Verdict } from './case';
import { ANSWER_CASES } from './index';

export type Kind = 'free' | 'numeric' | 'formula' | 'choice';
export const VERDICTS: readonly Verdict[] = ['right', 'partial', 'wrong'];

export interface CaseResult {
  case: AnswerCase;
  kind: Kind;
  ours: Verdict;
  /** Free text: key points where checker and grader agree, and how many points the card has. */
  points?: { agree: number; total: number; credited: number[] };
  accepted: boolean;
  message: string;
}

export interface Tally {
  cases: number;
  /** matrix[grader][ours] */
  matrix: Record<Verdict, Record<Verdict, number>>;
  agreement: number;
  wrongAnswers: number;
  falseAccepts: number;
  /** Free text only: agreement over every (answer, key point). */
  pointAgreement?: number;
}

export function gradeCase(c: AnswerCase): CaseResult {
  const q = QUESTIONS.find((x) => x.id === c.question);
  if (!q) throw new Error(`the evaluation set names an unknown card "${c.question}"`);
  const card = instantiate(q, createRng(1));
  const v: CheckVerdict = card.check(c.select ? { selected: c.select } : { text: c.answer });
  const kind: Kind = q.kind === 'single' || q.kind === 'multiple' ? 'choice' : q.kind;
  if (kind !== 'free') {
    const ours: Verdict = v.correct ? 'right' : 'wrong';
    return { case: c, kind, ours, accepted: v.correct, message: v.message };
  }
  const credited = (v.findings ?? []).flatMap((f, i) => (f.status === 'found' && !v.termList ? [i] : []));
  const expected = new Set(c.points ?? []);
  const total = v.findings?.length ?? 0;
  const agree = Array.from({ length: total }, (_, i) => i).filter((i) => credited.includes(i) === expected.has(i)).length;
  const ours: Verdict = v.score === 1 ? 'right' : v.score === 0 ? 'wrong' : 'partial';
  return { case: c, kind, ours, points: { agree, total, credited }, accepted: v.score >= 0.5, message: v.message };
}

function tally(results: readonly CaseResult[]): Tally {
  const matrix = Object.fromEntries(VERDICTS.map((g) => [g, Object.fromEntries(VERDICTS.map((o) => [o, 0]))])) as Tally['matrix'];
  for (const r of results) matrix[r.case.verdict][r.ours]++;
  const wrong = results.filter((r) => r.case.verdict === 'wrong');
  const points = results.filter((r) => r.points);
  const pointTotal = points.reduce((s, r) => s + r.points!.total, 0);
  return {
    cases: results.length,
    matrix,
    agreement: results.filter((r) => r.ours === r.case.verdict).length / Math.max(1, results.length),
    wrongAnswers: wrong.length,
    falseAccepts: wrong.filter((r) => r.accepted).length,
    ...(pointTotal ? { pointAgreement: points.reduce((s, r) => s + r.points!.agree, 0) / pointTotal } : {}),
  };
}

export interface Evaluation {
  results: CaseResult[];
  /** By kind, by kind and language ("free/zh"), the held-out answers ("free/held-out"), and over everything ("all"). */
  tallies: Record<string, Tally>;
}

export function evaluateAnswerSet(cases: readonly AnswerCase[] = ANSWER_CASES): Evaluation {
  const results = cases.map(gradeCase);
  const groups = new Map<string, CaseResult[]>([['all', results]]);
  for (const r of results) {
    const keys = [r.kind, `${r.kind}/${r.case.lang}`, `all/${r.case.lang}`, ...(r.case.heldOut ? [`${r.kind}/held-out`] : [])];
    for (const key of keys) groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return { results, tallies: Object.fromEntries([...groups].map(([k, rs]) => [k, tally(rs)])) };
}

export const LANGS: readonly Lang[] = ['en', 'zh'];
