import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { HELD_OUT_PAIRS, PAIRS_PER_STEP } from '../widget-base/preference-params';
import { PREFERENCE_METHODS } from '../../kernels/lm/preference-trainer';
import { DEFAULT_PREFERENCE_RECIPE as D, SAMPLES_PER_PROMPT } from '../../kernels/lm/recipe';
import { LEARNING_RATE, LORA_ALPHA, SEED, TINY_LORA_RANK } from '../widget-base/shared-params';

export const schema = {
  method: {
    kind: 'enum',
    label: 'Method',
    options: PREFERENCE_METHODS,
    default: D.method,
    optionLabels: {
      dpo: 'DPO (sigmoid)',
      ipo: 'IPO',
      simpo: 'SimPO (no reference)',
      kto: 'KTO (unpaired)',
      orpo: 'ORPO (no reference, with SFT term)',
    },
  },
  beta: {
    kind: 'number',
    label: 'β (ORPO: λ)',
    min: 0.001,
    max: 10,
    default: D.beta,
    step: 'any',
    log: true,
    help: 'How far the policy may move from the reference: a small β lets it move further. SimPO is usually run at β = 2 with γ = 1.',
  },
  gamma: {
    kind: 'number',
    label: 'SimPO’s target margin γ',
    min: 0,
    max: 10,
    default: D.gamma,
    step: 'any',
    appliesWhen: (v) => v.method === 'simpo',
  },
  rank: { ...TINY_LORA_RANK, default: D.rank },
  alpha: { ...LORA_ALPHA, default: D.alpha },
  // Preference tuning moves a tuned model a little: its rates sit below SFT's, down to 1e-5.
  lr: { ...LEARNING_RATE, min: 1e-5, default: D.lr },
  steps: { kind: 'int', label: 'Steps', min: 1, max: 1000, default: D.steps },
  pairs: { ...PAIRS_PER_STEP, default: D.pairs },
  heldOut: { ...HELD_OUT_PAIRS, default: D.heldOut, help: `${HELD_OUT_PAIRS.help} The sampled replies always cover every held-out prompt.` },
  samples: {
    kind: 'int',
    label: 'Replies sampled per held-out prompt, before and after',
    min: 1,
    max: 16,
    default: SAMPLES_PER_PROMPT,
    help: 'How many replies at temperature 1 measure how often the model opens with filler or gets the fact wrong, before and after: more measure more precisely and take longer.',
  },
  sweep: {
    kind: 'bool',
    label: 'β sweep (also train at β/3, 3β, 10β, 30β)',
    default: false,
    help: 'Four more runs, each as long as this one and evaluated at its end: how far each moves from the reference (KL) against how much it learned to prefer the chosen replies.',
  },
  seed: SEED,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'lm-preference',
  title: 'Preference-tune a tiny LLaMA: DPO, IPO, SimPO, KTO, ORPO',
  summary:
    'The shipped 0.9M-parameter chat model, tuned with a LoRA adapter on generated preference pairs (right fact, said at once, over a wrong fact or filler) on real sequence log-probabilities: held-out loss, implicit rewards and accuracy, KL from the reference, and how often sampled replies break the rule, before and after.',
  chapter: 'dpo-kto',
  schema,
  example: { method: 'dpo', steps: '60' },
  // SwiftShader (CI's WebGPU) emulates the GPU on the CPU: two steps exercise the path.
  smokeTest: { steps: '2', pairs: '1', 'held-out': '2', samples: '1' },
  embedHeight: 1400,
};
