import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { INTRINSIC_RANK, LAYER_BATCH, MAGNITUDE_MIX, LEARNING_RATE, LORA_ALPHA, LORA_SCALING, SEED } from '../widget-base/shared-params';

export const schema = {
  methods: {
    kind: 'list',
    label: 'Methods',
    options: ['lora', 'dora'] as const,
    default: ['lora', 'dora'],
    optionLabels: { lora: 'LoRA', dora: 'DoRA' },
  },
  ranks: {
    kind: 'list',
    label: 'Ranks',
    options: ['1', '2', '4', '8', '16', '32', '64'] as const,
    default: ['1', '2', '4', '8', '16', '32', '64'],
  },
  intrinsicRank: INTRINSIC_RANK,
  // A pure direction change shows the elbow cleanly; the DoRA chapter raises the mix to show LoRA lose it.
  magnitudeMix: { ...MAGNITUDE_MIX, default: 0, help: 'Raise it to see LoRA lose its elbow while DoRA keeps it.' },
  alpha: { ...LORA_ALPHA, label: 'α (the same for every rank)' },
  scaling: LORA_SCALING,
  lr: LEARNING_RATE,
  steps: { kind: 'int', label: 'Steps per run', min: 20, max: 2000, default: 60 },
  batch: LAYER_BATCH,
  seed: SEED,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'rank-sweep',
  title: 'Rank sweep: held-out loss against LoRA and DoRA rank',
  summary:
    'Trains LoRA and DoRA at ranks 1 to 64 on one task whose ideal update has a known intrinsic rank and plots the final held-out loss against rank, with the trainable-parameter count on a second axis: the loss drops by orders of magnitude once the rank reaches the intrinsic rank.',
  chapter: 'lora',
  schema,
  example: { intrinsicRank: '4' },
  smokeTest: { steps: '20', batch: '8' },
  embedHeight: 760,
};
