import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { INTRINSIC_RANK, LEARNING_RATE, MAGNITUDE_MIX, SEED } from '../widget-base/shared-params';

export const schema = {
  intrinsicRank: INTRINSIC_RANK,
  // The analysis needs some rescaling in the task, or no method has a magnitude change to find.
  magnitudeMix: { ...MAGNITUDE_MIX, default: 0.3 },
  rank: { kind: 'int', label: 'Adapter rank r (LoRA, DoRA)', min: 1, max: 64, default: 4 },
  lr: { ...LEARNING_RATE, label: 'Learning rate, adapters (AdamW)' },
  fullLr: {
    ...LEARNING_RATE,
    label: 'Learning rate, full fine-tuning (AdamW)',
    default: 0.003,
    help: 'Full fine-tuning moves every weight, so it wants a smaller step than the adapters.',
  },
  steps: { kind: 'int', label: 'Steps', min: 20, max: 2000, default: 300 },
  seed: SEED,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'dora-analysis',
  title: 'Magnitude and direction of an update',
  summary:
    'Trains full fine-tuning, LoRA and DoRA on one layer and plots each run’s change in row magnitude against its change in direction, as in the DoRA paper’s weight-decomposition analysis.',
  chapter: 'dora',
  schema,
  example: { 'magnitude-mix': '0.3', rank: '4', steps: '40' },
  embedHeight: 980,
  // SwiftShader (the CI's WebGPU) runs about six steps a second here: keep the smoke run short.
  smokeTest: { steps: '20' },
};
