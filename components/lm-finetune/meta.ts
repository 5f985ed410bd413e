import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { DEFAULT_RECIPE as D } from '../../kernels/lm/recipe';
import { LEARNING_RATE, LORA_ALPHA, LORA_SCALING, SEED, TARGET_MODULES } from '../widget-base/shared-params';

const adapters = (v: Readonly<Record<string, unknown>>) => v.method !== 'full';

export const schema = {
  task: {
    kind: 'enum',
    label: 'Task',
    options: ['json', 'facts', 'pirate'] as const,
    default: D.task,
    optionLabels: { json: 'JSON replies (format)', facts: 'New facts (knowledge)', pirate: 'Pirate voice (style)' },
  },
  method: {
    kind: 'enum',
    label: 'Method',
    options: ['lora', 'dora', 'qlora', 'full'] as const,
    default: D.method,
    optionLabels: { lora: 'LoRA', dora: 'DoRA', qlora: 'QLoRA (LoRA on an NF4 base)', full: 'Full fine-tuning' },
  },
  rank: { kind: 'int', label: 'Rank r', min: 1, max: 64, default: D.rank, appliesWhen: adapters },
  alpha: { ...LORA_ALPHA, default: D.alpha, appliesWhen: adapters },
  scaling: { ...LORA_SCALING, appliesWhen: adapters },
  loraPlusRatio: {
    kind: 'number',
    label: 'LoRA+ ratio (lr of B ÷ lr of A)',
    min: 1,
    max: 64,
    default: D.loraPlusRatio,
    step: 'any',
    appliesWhen: adapters,
  },
  targets: { ...TARGET_MODULES, appliesWhen: adapters },
  lr: { ...LEARNING_RATE, default: D.lr },
  steps: { kind: 'int', label: 'Steps', min: 1, max: 2000, default: D.steps },
  batch: { kind: 'int', label: 'Batch (rows of 128 tokens)', min: 1, max: 16, default: D.batch },
  completionOnly: {
    kind: 'bool',
    label: 'Loss on the replies only',
    default: D.completionOnly,
    help: 'TRL’s completion_only_loss: the prompt’s tokens carry no loss. Off: every token of the conversation does.',
  },
  data: {
    kind: 'number',
    label: 'Data: share of the training conversations used',
    min: 0.1,
    max: 1,
    default: D.data,
    step: 0.1,
  },
  noisy: {
    kind: 'number',
    label: 'Quality: share of replies that are wrong',
    min: 0,
    max: 0.5,
    default: D.noisy,
    step: 0.1,
    help: 'Those conversations get the reply of another question: the mislabelled data careless collection gives.',
  },
  replay: {
    kind: 'number',
    label: 'Replay: share of each batch that is pretraining text',
    min: 0,
    max: 0.75,
    default: D.replay,
    step: 0.25,
    help: 'Mixing pretraining data back in is the classic remedy for forgetting.',
  },
  seed: SEED,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'lm-finetune',
  title: 'Fine-tune a tiny LLaMA in your browser',
  summary:
    'Supervised fine-tuning of a 0.9M-parameter LLaMA-architecture model on a format, new facts or a style, with full fine-tuning, LoRA, DoRA or QLoRA, on your GPU through WebGPU (CPU otherwise): training, held-out and forgetting losses, the replies before and after, and the adapter to download in PEFT’s layout.',
  chapter: 'sft',
  schema,
  example: { task: 'json', method: 'lora', steps: '120' },
  // SwiftShader (CI's WebGPU) emulates the GPU on the CPU: a few short steps exercise the path.
  smokeTest: { task: 'facts', steps: '1', batch: '1' },
  embedHeight: 1500,
};
