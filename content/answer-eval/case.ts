/**
 * One candidate answer of the public evaluation set (content/answer-eval/), with the verdict a
 * careful grader gives and why. Numeric questions are drawn with seed 1 (`instantiate(q,
 * createRng(1))`), so the answers refer to that draw's numbers.
 */
export type Lang = 'en' | 'zh';
export type Verdict = 'right' | 'partial' | 'wrong';

export interface AnswerCase {
  /** The card's id. */
  question: string;
  lang: Lang;
  /** What the candidate typed (empty for choice questions). */
  answer: string;
  /** Choice questions: the options picked (original indices). */
  select?: readonly number[];
  verdict: Verdict;
  /** Free text: the key points a careful grader credits (indices into the card's rubric). */
  points?: readonly number[];
  why: string;
  /** Written after every rubric revision, and not used to revise anything: the checker's held-out measure. */
  heldOut?: boolean;
}

export const free = (question: string, lang: Lang, verdict: Verdict, points: readonly number[], answer: string, why: string): AnswerCase => ({
  question,
  lang,
  verdict,
  points,
  answer,
  why,
});

/** A numeric or formula answer: right or wrong. */
export const typed = (question: string, lang: Lang, verdict: 'right' | 'wrong', answer: string, why: string): AnswerCase => ({
  question,
  lang,
  verdict,
  answer,
  why,
});

export const picked = (question: string, verdict: 'right' | 'wrong', select: readonly number[], why: string): AnswerCase => ({
  question,
  lang: 'en',
  verdict,
  answer: '',
  select,
  why,
});
