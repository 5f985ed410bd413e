/**
 * One attempt at a question: numbers drawn, choices shuffled, and a checker for what the reader
 * answers. Pure logic (no DOM), shared by study mode, interview mode and the tests.
 */
import { checkFormula } from '../../kernels/answer-check/equivalence';
import { checkNumeric, type NumericExpectation } from '../../kernels/answer-check/numeric';
import { gradeClaims, type ClaimFinding } from '../../kernels/answer-check/claims';
import type { Rng } from '../../kernels/random/rng';
import { facts } from './facts';
import { drawParams, fillTemplate, generate } from './generators';
import type { Question } from './schema';

export type AnswerInput = { text: string } | { selected: readonly number[] };

export interface Verdict {
  /** Auto-graded kinds: right or wrong. Free text: whether every key point was found and none contradicted. */
  correct: boolean;
  /**
   * Credit in [0, 1] for the interview score. Free text: (found - contradicted) / points as
   * matched; once the reader has confirmed or corrected the marks, the share they confirmed.
   */
  score: number;
  message: string;
  /** Free text: each key point, found (where), missing, or contradicted (by what). */
  findings?: ClaimFinding[];
  /** Free text: the answer only lists terms (no credit). */
  termList?: boolean;
  /** Choice questions: for each shown option (original index), whether the reader's pick was right and why. */
  choiceFeedback?: {
    index: number;
    correct: boolean;
    picked: boolean;
    why: string;
  }[];
  /** Free text is graded by the reader after reading the model answer. */
  selfGraded: boolean;
  /** The input could not be read (not a number, a formula that does not parse, nothing picked): ask again. */
  retry?: boolean;
}

export interface CardInstance {
  question: Question;
  prompt: string;
  /** The model answer or worked solution, numbers filled in. */
  modelAnswer: string;
  /** Choice questions: original option indices in display order. */
  order: number[];
  /** Choice questions: each option's text and explanation, figures filled in (by original index). */
  choices: { text: string; why: string }[];
  /** Numeric questions: the expected value (for tests and the "show answer" button). */
  expected?: NumericExpectation;
  /** Numeric questions: the drawn parameter values. */
  drawn?: Record<string, string | number | boolean>;
  check(input: AnswerInput): Verdict;
}

function shuffled(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function textOf(input: AnswerInput): string {
  return 'text' in input ? input.text : '';
}

/** Draw one attempt of `q`. The rng decides drawn numbers, option order and formula test points. */
export function instantiate(q: Question, rng: Rng): CardInstance {
  switch (q.kind) {
    case 'numeric': {
      const drawn = drawParams(q.params, () => rng.next());
      const generated = generate(q.generator, drawn);
      const { expected } = generated;
      const vars = { ...facts(), ...generated.vars };
      return {
        question: q,
        prompt: fillTemplate(q.prompt, vars),
        modelAnswer: fillTemplate(q.answer, vars),
        order: [],
        choices: [],
        expected,
        drawn,
        check: (input) => {
          const v = checkNumeric(textOf(input), expected);
          return {
            correct: v.correct,
            score: v.correct ? 1 : 0,
            message: v.message,
            selfGraded: false,
            retry: v.value === undefined,
          };
        },
      };
    }
    case 'single':
    case 'multiple': {
      const order = shuffled(q.choices.length, rng);
      const choices = q.choices.map((c) => ({ text: fillTemplate(c.text, facts()), why: fillTemplate(c.why, facts()) }));
      return {
        question: q,
        prompt: fillTemplate(q.prompt, facts()),
        modelAnswer: fillTemplate(q.answer, facts()),
        order,
        choices,
        check: (input) => {
          const picked = new Set('selected' in input ? input.selected : []);
          if (picked.size === 0)
            return {
              correct: false,
              score: 0,
              message: 'Pick an option first.',
              selfGraded: false,
              retry: true,
            };
          const choiceFeedback = order.map((index) => {
            const c = q.choices[index];
            return {
              index,
              correct: c.correct === picked.has(index),
              picked: picked.has(index),
              why: c.why,
            };
          });
          const correct = choiceFeedback.every((f) => f.correct);
          const rightCount = q.choices.filter((c) => c.correct).length;
          const message = correct
            ? 'Correct.'
            : q.kind === 'single'
              ? 'Not this one: see why below.'
              : `Not quite: ${rightCount} option${rightCount > 1 ? 's are' : ' is'} right; see each option below.`;
          return {
            correct,
            score: correct ? 1 : 0,
            message,
            choiceFeedback,
            selfGraded: false,
          };
        },
      };
    }
    case 'formula':
      return {
        question: q,
        prompt: fillTemplate(q.prompt, facts()),
        modelAnswer: fillTemplate(q.answer, facts()),
        order: [],
        choices: [],
        check: (input) => {
          const v = checkFormula(textOf(input), q.reference, q.variables, rng);
          return {
            correct: v.correct,
            score: v.correct ? 1 : 0,
            message: v.message,
            selfGraded: false,
            retry: !v.correct && !v.counterexample,
          };
        },
      };
    case 'free':
      return {
        question: q,
        prompt: fillTemplate(q.prompt, facts()),
        modelAnswer: fillTemplate(q.answer, facts()),
        order: [],
        choices: [],
        check: (input) => {
          const text = textOf(input).trim();
          const g = gradeClaims(text, q.rubric);
          const count = (status: ClaimFinding['status']) => g.findings.filter((f) => f.status === status).length;
          const [found, contradicted] = [count('found'), count('contradicted')];
          const message =
            text === ''
              ? 'No answer typed: here is the model answer. Rate yourself honestly.'
              : g.termList
                ? 'This reads as a list of terms, not an answer: an interviewer wants each point stated (what it does, or why it holds). Named terms earn no credit.'
                : `Found ${found} of ${q.rubric.length} key points${contradicted ? `, and ${contradicted} contradicted` : ''}. Compare with the model answer, correct the marks where I misread you, then confirm.`;
          return {
            correct: found === q.rubric.length && !g.termList,
            score: g.score,
            message,
            findings: g.findings,
            termList: g.termList,
            selfGraded: true,
          };
        },
      };
  }
}
