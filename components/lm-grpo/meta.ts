import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { HELD_OUT_SUMS } from '../../kernels/lm/grpo-trainer';
import { DEFAULT_GRPO_RECIPE as D } from '../../kernels/lm/recipe';
import { LEARNING_RATE, LORA_ALPHA, SEED, TINY_LORA_RANK } from '../widget-base/shared-params';

export const schema = {
  rank: { ...TINY_LORA_RANK, default: D.rank },
  alpha: { ...LORA_ALPHA, default: D.alpha },
  lr: { ...LEARNING_RATE, min: 1e-5, default: D.lr },
  steps: { kind: 'int', label: 'Steps', min: 1, max: 500, default: D.steps },
  prompts: { kind: 'int', label: 'Prompts per step', min: 1, max: 8, default: D.prompts },
  generations: {
    kind: 'int',
    label: 'Completions per prompt (the group, G)',
    min: 2,
    max: 16,
    default: D.generations,
    help: 'TRL’s num_generations (default 8). Advantages compare each completion with the others of its group.',
  },
  heldOut: {
    kind: 'int',
    label: 'Held-out sums evaluated (0: all)',
    min: 0,
    max: HELD_OUT_SUMS,
    default: D.heldOut,
    help: 'Fewer sums evaluate faster and measure less precisely.',
  },
  seed: SEED,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'lm-grpo',
  title: 'GRPO on a tiny LLaMA: rewarding correct sums',
  summary:
    'Group-relative policy optimisation as TRL runs it by default (no value model, no reference model): the shipped model samples groups of replies to “What is a plus b?”, a program scores each (right sum, bare format), and LoRA learns from the group-normalised rewards. Reward curve and sampled replies before and after.',
  chapter: 'rlhf',
  schema,
  example: { steps: '30' },
  // SwiftShader (CI's WebGPU) emulates the GPU on the CPU: one short step exercises the path.
  smokeTest: { steps: '1', prompts: '1', generations: '2', 'held-out': '2' },
  embedHeight: 1250,
};
