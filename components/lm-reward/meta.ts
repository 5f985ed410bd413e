import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { HELD_OUT_PAIRS, PAIRS_PER_STEP } from '../widget-base/preference-params';
import { DEFAULT_REWARD_RECIPE as D } from '../../kernels/lm/recipe';
import { LEARNING_RATE, LORA_ALPHA, SEED, TINY_LORA_RANK } from '../widget-base/shared-params';

export const schema = {
  rank: { ...TINY_LORA_RANK, default: D.rank },
  alpha: { ...LORA_ALPHA, default: D.alpha },
  lr: { ...LEARNING_RATE, min: 1e-5, default: D.lr },
  steps: { kind: 'int', label: 'Steps', min: 1, max: 1000, default: D.steps },
  pairs: { ...PAIRS_PER_STEP, default: D.pairs },
  center: {
    kind: 'number',
    label: 'center_rewards_coefficient',
    min: 0,
    max: 1,
    default: D.center,
    step: 'any',
    help: 'TRL’s penalty on (r_chosen + r_rejected)², which keeps the mean reward near 0. 0 turns it off (TRL’s default); 0.01 is the value TRL recommends.',
  },
  heldOut: { ...HELD_OUT_PAIRS, default: D.heldOut },
  seed: SEED,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'lm-reward',
  title: 'Train a reward model from a tiny LLaMA',
  summary:
    'The shipped 0.9M-parameter chat model with its output layer set aside and a scalar head on the last token’s hidden state (LlamaForSequenceClassification), trained with a LoRA adapter on the Bradley-Terry loss of TRL’s RewardTrainer: held-out accuracy overall and by what the rejected reply gets wrong, against accuracy on training pairs, and each pair’s reward margin before and after.',
  chapter: 'rlhf',
  schema,
  example: { steps: '60' },
  // SwiftShader (CI's WebGPU) emulates the GPU on the CPU: one step exercises the path.
  smokeTest: { steps: '1', pairs: '1', 'held-out': '2' },
  embedHeight: 1100,
};
