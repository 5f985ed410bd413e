import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { LEARNING_RATE, SEED } from '../widget-base/shared-params';

const usesKto = (v: Readonly<Record<string, unknown>>) => v.mode === 'sweep' || v.loss === 'kto';

export const schema = {
  mode: {
    kind: 'enum',
    label: 'What to run',
    options: ['train', 'sweep'] as const,
    default: 'train',
    optionLabels: { train: 'Train one loss', sweep: 'β sweep: reward against KL, every loss' },
  },
  loss: {
    kind: 'enum',
    label: 'Loss',
    options: ['dpo', 'ipo', 'simpo', 'kto'] as const,
    default: 'dpo',
    optionLabels: { dpo: 'DPO (sigmoid)', ipo: 'IPO', simpo: 'SimPO', kto: 'KTO' },
    appliesWhen: (v) => v.mode === 'train',
  },
  beta: {
    kind: 'number',
    label: 'β (IPO: τ)',
    min: 0.01,
    max: 10,
    default: 0.1,
    step: 'any',
    log: true,
    help: 'Strength of the pull towards the reference. SimPO works on per-token averages and wants a larger β (about 2).',
    appliesWhen: (v) => v.mode === 'train',
  },
  gamma: {
    kind: 'number',
    label: 'SimPO target margin γ',
    min: 0,
    max: 5,
    default: 0.5,
    step: 0.1,
    appliesWhen: (v) => v.mode === 'sweep' || v.loss === 'simpo',
  },
  labels: {
    kind: 'enum',
    label: 'Labels from the hidden reward',
    options: ['bradley-terry', 'deterministic'] as const,
    default: 'bradley-terry',
    optionLabels: { 'bradley-terry': 'Bradley-Terry', deterministic: 'Deterministic' },
    help: 'Bradley-Terry: the better response wins with probability sigma(r*_a - r*_b). Deterministic: it always wins.',
  },
  noise: { kind: 'number', label: 'Extra label noise (flip probability)', min: 0, max: 0.5, default: 0, step: 0.05 },
  desirableShare: {
    kind: 'number',
    label: 'KTO: share of desirable examples',
    min: 0.05,
    max: 0.95,
    default: 0.5,
    step: 0.05,
    appliesWhen: usesKto,
  },
  desirableWeight: { kind: 'number', label: 'KTO: desirable weight λ_D', min: 0, max: 10, default: 1, step: 0.05, appliesWhen: usesKto },
  undesirableWeight: { kind: 'number', label: 'KTO: undesirable weight λ_U', min: 0, max: 10, default: 1, step: 0.05, appliesWhen: usesKto },
  steps: { kind: 'int', label: 'Steps (full batch)', min: 10, max: 3000, default: 200 },
  // Full-batch steps on a linear policy tolerate a larger step than the minibatch adapter trainers.
  lr: { ...LEARNING_RATE, label: 'Learning rate (Adam)', default: 0.05 },
  seed: SEED,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'pref-trainer',
  title: 'Preference trainer: DPO, IPO, SimPO, KTO',
  summary:
    'Trains a small policy with a frozen reference on preference data drawn from a hidden reward, with the losses exactly as TRL computes them; plots the implicit rewards, KL to the reference, held-out accuracy and win rate, or sweeps β to draw each loss’s reward-against-KL frontier.',
  chapter: 'dpo-kto',
  schema,
  example: { loss: 'dpo', beta: '0.1', steps: '200' },
  smokeTest: { steps: '40' },
  embedHeight: 1150,
};
