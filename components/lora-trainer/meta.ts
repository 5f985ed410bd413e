import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { INTRINSIC_RANK, LAYER_BATCH, MAGNITUDE_MIX, LEARNING_RATE, LORA_ALPHA, LORA_SCALING, SEED } from '../widget-base/shared-params';

export const schema = {
  method: {
    kind: 'enum',
    label: 'Method',
    options: ['lora', 'dora', 'full'] as const,
    default: 'lora',
    optionLabels: { lora: 'LoRA', dora: 'DoRA', full: 'Full fine-tuning' },
  },
  rank: { kind: 'int', label: 'Rank r', min: 1, max: 64, default: 4, help: 'Columns of B and rows of A.', appliesWhen: (v) => v.method !== 'full' },
  alpha: { ...LORA_ALPHA, appliesWhen: (v) => v.method !== 'full' },
  scaling: { ...LORA_SCALING, appliesWhen: (v) => v.method !== 'full' },
  lr: LEARNING_RATE,
  loraPlusRatio: {
    kind: 'number',
    label: 'LoRA+ ratio (lr of B ÷ lr of A)',
    min: 1,
    max: 64,
    default: 1,
    step: 'any',
    help: '1 is plain LoRA. As in PEFT, DoRA’s magnitude vector learns at B’s rate.',
    appliesWhen: (v) => v.method !== 'full',
  },
  batch: LAYER_BATCH,
  steps: { kind: 'int', label: 'Steps', min: 10, max: 5000, default: 200 },
  seed: SEED,
  intrinsicRank: INTRINSIC_RANK,
  magnitudeMix: MAGNITUDE_MIX,
  base: {
    kind: 'enum',
    label: 'Frozen base',
    options: ['fp32', 'nf4'] as const,
    default: 'fp32',
    optionLabels: { fp32: 'fp32', nf4: 'NF4, block 64 (QLoRA)' },
  },
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'lora-trainer',
  title: 'LoRA, DoRA and full fine-tuning on one layer',
  summary:
    'Trains an adapter for a frozen 64×64 layer towards a target whose ideal update has a chosen rank and a chosen share of magnitude change, on your GPU through WebGPU (CPU otherwise); plots training and held-out loss live, counts trainable parameters, and shows what an NF4 base costs.',
  chapter: 'lora',
  schema,
  example: { method: 'lora', rank: '4', steps: '200' },
  smokeTest: { steps: '40' },
  embedHeight: 900,
};
