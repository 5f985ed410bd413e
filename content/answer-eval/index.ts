/**
 * The public evaluation set of the answer checker: candidate answers to the flashcards, each with
 * a careful grader's verdict. `npm run eval:answers` prints how often the checker agrees;
 * test/unit/content/answer-eval.test.ts holds it to its thresholds.
 */
import type { AnswerCase } from './case';
import { freeTextCases } from './free-text';
import { heldOutFreeTextCases } from './free-text-held-out';
import { secondFreeTextCases } from './free-text-second';
import { choiceCases, formulaCases, numericCases } from './typed';

export type { AnswerCase, Lang, Verdict } from './case';
export const ANSWER_CASES: readonly AnswerCase[] = [
  ...freeTextCases,
  ...secondFreeTextCases,
  ...heldOutFreeTextCases.map((c) => ({ ...c, heldOut: true })),
  ...numericCases,
  ...formulaCases,
  ...choiceCases,
];
