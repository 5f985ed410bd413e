import { MODEL_LABELS } from '../../kernels/models/presets';
import { DEFAULT_PEFT_SETTINGS as D } from '../../kernels/peft-family/param-counts';
import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { TARGET_MODULES } from '../widget-base/shared-params';

export const schema = {
  model: {
    kind: 'enum',
    label: 'Model shape',
    options: ['1.3b', '7b', '13b', '70b'],
    default: '7b',
    optionLabels: { ...MODEL_LABELS },
  },
  tokens: { kind: 'int', label: 'Virtual tokens n (prompt, prefix, P-tuning v2)', min: 1, max: 1024, default: D.virtualTokens },
  bottleneck: { kind: 'int', label: 'Adapter bottleneck m', min: 1, max: 8192, default: D.bottleneck },
  rank: { kind: 'int', label: 'LoRA rank r', min: 1, max: 1024, default: D.rank },
  initRank: { kind: 'int', label: 'AdaLoRA initial rank (init_r)', min: 1, max: 1024, default: D.adaloraInitRank },
  targets: {
    ...TARGET_MODULES,
    default: [...D.targets],
    label: 'LoRA and AdaLoRA target modules',
    help: 'PEFT’s default for LLaMA is q_proj and v_proj.',
  },
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'peft-family',
  title: 'The PEFT family side by side',
  summary:
    'Trainable parameters of LoRA, AdaLoRA, (IA)³, prompt tuning, prefix tuning, P-tuning v2 and bottleneck and parallel adapters on real model shapes, with what each adds at inference.',
  chapter: 'peft-family',
  schema,
  example: { model: '7b', tokens: '20', bottleneck: '64', rank: '8' },
  embedHeight: 760,
};
