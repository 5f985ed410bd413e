/**
 * The question bank's schema. Questions live as data in content/questions/*.ts; this schema is
 * checked by a unit test and again when the /flashcards/ page is built, so a malformed question
 * fails `npm run build` with a message naming it.
 */
import { z } from 'zod';
import { ExpressionError, parseExpression } from '../../kernels/answer-check/expression';
import { checkGeneratorParams, GENERATOR_IDS } from './generators';

export const CHAPTER_SLUGS = ['choosing-a-method', 'sft', 'lora', 'dora', 'peft-family', 'qlora-nf4', 'dpo-kto', 'rlhf', 'zero'] as const;
export type ChapterSlug = (typeof CHAPTER_SLUGS)[number];

export const CHAPTER_TITLES: Record<ChapterSlug, string> = {
  'choosing-a-method': 'Choosing a method',
  sft: 'Supervised fine-tuning',
  lora: 'LoRA',
  dora: 'DoRA, LoRA+ and rsLoRA',
  'peft-family': 'The rest of the PEFT family',
  'qlora-nf4': 'QLoRA and NF4',
  'dpo-kto': 'DPO, KTO and alignment',
  rlhf: 'Reward models, PPO and GRPO',
  zero: 'ZeRO and distributed training',
};

/** Interview topics; the interview score is broken down by these. */
export const TOPICS = ['lora', 'dora-variants', 'peft-family', 'qlora-nf4', 'alignment', 'rl', 'zero-distributed', 'sft-data', 'choosing'] as const;
export type Topic = (typeof TOPICS)[number];
export const TOPIC_LABELS: Record<Topic, string> = {
  lora: 'LoRA',
  'dora-variants': 'DoRA and variants',
  'peft-family': 'Other PEFT methods',
  'qlora-nf4': 'QLoRA / NF4',
  alignment: 'DPO, KTO and alignment',
  rl: 'Reward models, PPO and GRPO',
  'zero-distributed': 'ZeRO and distributed training',
  'sft-data': 'SFT data and forgetting',
  choosing: 'Choosing a method',
};

/**
 * The schemas, built on first use: building them was the deck's longest step while loading on a
 * phone, and the browser never parses the bank (see bank.ts).
 */
function buildSchemas() {
  const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase words joined by hyphens');

  const common = {
    id: slug,
    topic: z.enum(TOPICS),
    chapter: z.enum(CHAPTER_SLUGS),
    /** Section id on the chapter page: the card links to /chapters/<chapter>/#<anchor>. */
    anchor: z.string().regex(/^[\p{Ll}\p{Lo}0-9]+(?:-[\p{Ll}\p{Lo}0-9]+)*$/u, 'a heading id: lowercase words joined by hyphens'),
    /** The question. Plain text; `code` in backticks; {name} placeholders for numeric questions. */
    prompt: z.string().min(15),
    /** The model answer (for numeric questions, the worked solution, with {name} placeholders). */
    answer: z.string().min(15),
    /** Interview questions of the seed notes this card rewrites, e.g. "001 Q4". */
    seeds: z.array(z.string().regex(/^\d{3} (?:Q\d+|§[\w-]+)$/)).optional(),
    /** A widget set up to illustrate the question: /embed/<name>/?v=1&<params>. */
    widget: z
      .object({
        name: slug,
        params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
        label: z.string().min(5),
      })
      .optional(),
  };

  const choice = z.object({
    text: z.string().min(1),
    correct: z.boolean(),
    /** Why this option is right or wrong, shown after checking. */
    why: z.string().min(5),
  });

  const NumericQuestionSchema = z
    .object({
      ...common,
      kind: z.literal('numeric'),
      generator: z.enum(GENERATOR_IDS),
      /** Choices for the generator's parameters; each attempt draws one value from each list. */
      params: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)),
    })
    .superRefine((q, ctx) => {
      for (const message of checkGeneratorParams(q.generator, q.params)) ctx.addIssue({ code: 'custom', message, path: ['params'] });
    });

  const SingleChoiceSchema = z
    .object({
      ...common,
      kind: z.literal('single'),
      choices: z.array(choice).min(2).max(6),
    })
    .refine((q) => q.choices.filter((c) => c.correct).length === 1, {
      message: 'a single-choice question has exactly one correct option',
    });

  const MultipleChoiceSchema = z
    .object({
      ...common,
      kind: z.literal('multiple'),
      choices: z.array(choice).min(3).max(7),
    })
    .refine((q) => q.choices.some((c) => c.correct) && q.choices.some((c) => !c.correct), {
      message: 'a multiple-choice question has at least one correct and one wrong option',
    });

  const formulaVariable = z
    .object({
      name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
      description: z.string().min(1),
      min: z.number(),
      max: z.number(),
      integer: z.boolean().optional(),
      /** Other names readers use for it (lora_alpha for alpha, rank for r), matched case-insensitively. */
      aliases: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/)).optional(),
    })
    .refine((v) => v.max > v.min, { message: 'max must exceed min' });

  const FormulaQuestionSchema = z
    .object({
      ...common,
      kind: z.literal('formula'),
      variables: z.array(formulaVariable).min(1),
      /** The reference formula, in the same syntax readers type. */
      reference: z.string().min(1),
    })
    .superRefine((q, ctx) => {
      try {
        parseExpression(
          q.reference,
          q.variables.map((v) => v.name),
        );
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        ctx.addIssue({
          code: 'custom',
          message: `reference formula does not parse: ${err.message}`,
          path: ['reference'],
        });
      }
    });

  const FreeTextQuestionSchema = z.object({
    ...common,
    kind: z.literal('free'),
    /** Key points, each a claim (see kernels/answer-check/claims.ts): how it is said in English and Chinese, what contradicts it, what it is about. */
    rubric: z
      .array(
        z
          .object({
            point: z.string().min(3),
            phrases: z.array(z.string().min(1)).min(2),
            /** Misconceptions that contradict the claim (they cost credit). */
            contradicts: z.array(z.string().min(1)).optional(),
            /** What the claim must be said about: one of these must share the sentence. */
            about: z.array(z.string().min(1)).optional(),
          })
          .refine((p) => p.phrases.some((ph) => /[\u3400-\u9fff]/.test(ph)), {
            message: 'each key point needs at least one Chinese phrasing',
          }),
      )
      .min(2),
  });

  const QuestionSchema = z.discriminatedUnion('kind', [
    NumericQuestionSchema,
    SingleChoiceSchema,
    MultipleChoiceSchema,
    FormulaQuestionSchema,
    FreeTextQuestionSchema,
  ]);

  const bank = z.array(QuestionSchema).superRefine((qs, ctx) => {
    const seen = new Set<string>();
    qs.forEach((q, i) => {
      if (seen.has(q.id))
        ctx.addIssue({
          code: 'custom',
          message: `duplicate question id "${q.id}"`,
          path: [i, 'id'],
        });
      seen.add(q.id);
    });
  });

  return { NumericQuestionSchema, SingleChoiceSchema, MultipleChoiceSchema, FormulaQuestionSchema, FreeTextQuestionSchema, QuestionSchema, bank };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

export type Question = z.infer<Schemas['QuestionSchema']>;
export type NumericQuestion = z.infer<Schemas['NumericQuestionSchema']>;
export type ChoiceQuestion = z.infer<Schemas['SingleChoiceSchema']> | z.infer<Schemas['MultipleChoiceSchema']>;
export type FormulaQuestion = z.infer<Schemas['FormulaQuestionSchema']>;
export type FreeTextQuestion = z.infer<Schemas['FreeTextQuestionSchema']>;
/** What content files declare (the same shape; `satisfies QuestionInput[]` type-checks them). */
export type QuestionInput = z.input<Schemas['QuestionSchema']>;

/** Parse the bank; on failure throw one readable error listing every problem with the question ids. */
export function parseQuestionBank(raw: unknown): Question[] {
  schemas ??= buildSchemas();
  const result = schemas.bank.safeParse(raw);
  if (result.success) return result.data;
  const list = Array.isArray(raw) ? raw : [];
  const lines = result.error.issues.map((issue) => {
    const index = typeof issue.path[0] === 'number' ? issue.path[0] : -1;
    const id = (list[index] as { id?: unknown } | undefined)?.id;
    return `- question ${index}${typeof id === 'string' ? ` ("${id}")` : ''} at ${issue.path.slice(1).join('.') || '(root)'}: ${issue.message}`;
  });
  throw new Error(`The question bank is invalid:\n${lines.join('\n')}`);
}
