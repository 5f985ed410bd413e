import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';

/** Kept free of heavy imports: the Embed gallery reads it at build time. Chapter slugs as in schema.ts. */
export const schema = {
  chapter: {
    kind: 'enum',
    label: 'Deck',
    options: ['all', 'choosing-a-method', 'sft', 'lora', 'dora', 'peft-family', 'qlora-nf4', 'dpo-kto', 'rlhf', 'zero'],
    default: 'all',
    optionLabels: {
      all: 'All chapters',
      'choosing-a-method': 'Choosing a method',
      sft: 'Supervised fine-tuning',
      lora: 'LoRA',
      dora: 'DoRA, LoRA+ and rsLoRA',
      'peft-family': 'The rest of the PEFT family',
      'qlora-nf4': 'QLoRA and NF4',
      'dpo-kto': 'DPO, KTO and alignment',
      rlhf: 'Reward models, PPO and GRPO',
      zero: 'ZeRO and distributed training',
    },
  },
  mode: {
    kind: 'enum',
    label: 'Mode',
    options: ['study', 'interview'],
    default: 'study',
    optionLabels: { study: 'Study', interview: 'Mock interview' },
    help: 'Study schedules cards by spaced repetition; a mock interview asks random questions under a timer.',
  },
  questions: {
    kind: 'int',
    label: 'Interview questions',
    min: 3,
    max: 30,
    default: 10,
    help: 'How many random questions a mock interview asks; 90 seconds each.',
    appliesWhen: (v) => v.mode === 'interview',
  },
  seed: {
    kind: 'int',
    label: 'Seed',
    min: 0,
    max: 2 ** 31 - 1,
    default: 1,
    help: 'Seeds the numbers drawn for numeric questions and the interview draw.',
  },
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'flashcards',
  title: 'Interview flashcards',
  summary:
    'Interview questions on fine-tuning that check your answers (numbers with units, formulas in any equivalent form, key points of free answers), scheduled by spaced repetition, with a timed mock-interview mode.',
  chapter: 'choosing-a-method',
  schema,
  example: { chapter: 'lora' },
  embedHeight: 720,
};
