import { MODEL_LABELS } from '../../kernels/models/presets';
import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { MODEL_LORA_RANK, TARGET_MODULES } from '../widget-base/shared-params';

export const schema = {
  model: {
    kind: 'enum',
    label: 'Model shape',
    options: ['1.3b', '7b', '13b', '70b'],
    default: '7b',
    optionLabels: { ...MODEL_LABELS },
  },
  rank: MODEL_LORA_RANK,
  // The LoRA chapter's worked example starts from the attention projections, then adds the MLP.
  targets: { ...TARGET_MODULES, default: ['q', 'k', 'v', 'o'], help: 'PEFT target_modules. The 1.3B shape has a plain MLP (no gate_proj).' },
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'lora-params',
  title: 'LoRA parameter calculator',
  summary: 'Trainable parameters of a LoRA adapter, r × (in + out) per adapted layer, for real model shapes and target modules.',
  chapter: 'lora',
  schema,
  example: { model: '7b', rank: '16', targets: 'q,k,v,o' },
  embedHeight: 520,
};
