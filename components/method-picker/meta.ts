import type { WidgetMeta } from '../widget-base/meta';
import { CHECKPOINTING, CUSTOM_SIZE, GPU_COUNT, GPU_MEMORY, MICRO_BATCH, MODEL_CHOICE, MODEL_LORA_RANK, SEQ_LEN } from '../widget-base/shared-params';
import type { ParamSchema } from '../widget-base/params';

export const schema = {
  // The picker starts from the reader's own machine: one consumer GPU (the calculators start from a cluster node).
  gpuMemory: { ...GPU_MEMORY, default: 24 },
  gpus: { ...GPU_COUNT, default: 1 },
  model: MODEL_CHOICE,
  customSize: CUSTOM_SIZE,
  examples: { kind: 'int', label: 'Training examples', min: 0, max: 100_000_000, default: 5000 },
  preference: {
    kind: 'enum',
    label: 'Feedback beyond demonstrations',
    options: ['none', 'pairwise', 'binary', 'verifiable'],
    default: 'none',
    optionLabels: {
      none: 'None: demonstrations only',
      pairwise: 'Pairs: chosen vs rejected',
      binary: 'Thumbs up / down per response',
      verifiable: 'A checker (tests, exact answers)',
    },
  },
  seqLen: SEQ_LEN,
  microBatch: MICRO_BATCH,
  checkpointing: CHECKPOINTING,
  loraRank: MODEL_LORA_RANK,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'method-picker',
  title: 'Which fine-tuning method fits?',
  summary:
    'Enter your GPUs, model, data and feedback: it recommends full fine-tuning, LoRA or QLoRA and an alignment method, with the memory estimate that decides it.',
  chapter: 'choosing-a-method',
  schema,
  example: { 'gpu-memory': '24', model: '13b', examples: '20000', preference: 'pairwise' },
  embedHeight: 1450,
};
