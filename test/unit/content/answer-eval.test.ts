/**
 * The answer checker against the public evaluation set (content/answer-eval/): the set is what
 * the issue asks for, and the checker agrees with the grader where it must.
 */
import { describe, expect, it } from 'vitest';
import { QUESTIONS } from '../../../components/flashcards/bank';
import { ANSWER_CASES } from '../../../content/answer-eval';
import { evaluateAnswerSet } from '../../../content/answer-eval/evaluate';

describe('the public answer set', () => {
  it('has 300+ answers to 40+ cards of all four kinds, a third or more in Chinese, each with a verdict and a reason', () => {
    expect(ANSWER_CASES.length).toBeGreaterThanOrEqual(300);
    const cards = new Set(ANSWER_CASES.map((c) => c.question));
    expect(cards.size).toBeGreaterThanOrEqual(40);
    const kinds = new Set(QUESTIONS.filter((q) => cards.has(q.id)).map((q) => q.kind));
    for (const k of ['free', 'numeric', 'formula'] as const) expect(kinds.has(k), k).toBe(true);
    expect(kinds.has('single') || kinds.has('multiple')).toBe(true);
    expect(ANSWER_CASES.filter((c) => c.lang === 'zh').length / ANSWER_CASES.length).toBeGreaterThanOrEqual(1 / 3);
    for (const c of ANSWER_CASES) {
      const q = QUESTIONS.find((x) => x.id === c.question);
      expect(q, c.question).toBeDefined();
      expect(c.why.length).toBeGreaterThan(1);
      if (q?.kind === 'free') {
        expect(c.points, `${c.question}: ${c.answer}`).toBeDefined();
        for (const p of c.points ?? []) expect(p).toBeLessThan(q.rubric.length);
      }
    }
  });
});

describe('the checker on it', () => {
  const { tallies } = evaluateAnswerSet();
  it('agrees with the grader on 90% or more of free-text key points and verdicts, held-out answers included', () => {
    expect(tallies.free.pointAgreement).toBeGreaterThanOrEqual(0.9);
    expect(tallies.free.agreement).toBeGreaterThanOrEqual(0.9);
    expect(tallies['free/held-out'].pointAgreement).toBeGreaterThanOrEqual(0.9);
    for (const lang of ['en', 'zh']) expect(tallies[`free/${lang}`].pointAgreement, lang).toBeGreaterThanOrEqual(0.9);
  });
  it('accepts at most 3% of the answers the grader calls wrong, in every kind', () => {
    for (const kind of ['all', 'free', 'numeric', 'formula', 'choice']) {
      const t = tallies[kind];
      expect(t.falseAccepts / t.wrongAnswers, kind).toBeLessThanOrEqual(0.03);
    }
  });
  it('grades numbers, formulas and choices as the grader does', () => {
    for (const kind of ['numeric', 'formula', 'choice']) expect(tallies[kind].agreement, kind).toBeGreaterThanOrEqual(0.95);
  });
});
