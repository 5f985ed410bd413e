import type { WidgetMeta } from '../widget-base/meta';
import {
  CHECKPOINTING,
  CUSTOM_SIZE,
  GPU_COUNT,
  GPU_MEMORY,
  MICRO_BATCH,
  MODEL_CHOICE,
  MODEL_LORA_RANK,
  SEQ_LEN,
  TARGET_MODULES,
} from '../widget-base/shared-params';
import type { ParamSchema } from '../widget-base/params';

export const schema = {
  model: MODEL_CHOICE,
  customSize: CUSTOM_SIZE,
  gpus: { ...GPU_COUNT, label: 'Number of GPUs (N)' },
  gpuMemory: GPU_MEMORY,
  method: {
    kind: 'enum',
    label: 'Method',
    options: ['full', 'lora', 'qlora'],
    default: 'full',
    optionLabels: { full: 'Full fine-tuning', lora: 'LoRA (bf16 base)', qlora: 'QLoRA (NF4 base)' },
  },
  rank: { ...MODEL_LORA_RANK, appliesWhen: (v) => v.method !== 'full' },
  targets: { ...TARGET_MODULES, appliesWhen: (v) => v.method !== 'full' },
  seqLen: SEQ_LEN,
  microBatch: MICRO_BATCH,
  checkpointing: CHECKPOINTING,
  offload: {
    kind: 'bool',
    label: 'Offload optimizer to CPU',
    default: false,
    help: 'ZeRO-Offload: Adam states and the update on the CPU; from ZeRO-2 on, gradient shards too.',
  },
  bandwidth: {
    kind: 'number',
    label: 'Interconnect per GPU',
    unit: 'GB/s',
    min: 0.1,
    max: 2000,
    default: 100,
    step: 'any',
    help: 'Bus bandwidth each GPU achieves in collectives (NCCL’s busbw): hundreds within an NVLink node, 12–50 across nodes.',
  },
  pcie: {
    kind: 'number',
    label: 'GPU↔CPU link',
    unit: 'GB/s',
    min: 0.1,
    max: 500,
    default: 25,
    step: 'any',
    help: 'Used with offload.',
    appliesWhen: (v) => v.offload === true,
  },
  tflops: {
    kind: 'number',
    label: 'Achieved compute per GPU',
    unit: 'TFLOP/s',
    min: 1,
    max: 5000,
    default: 150,
    step: 'any',
    help: 'What a GPU sustains in training, not its peak: often 30–50% of the datasheet figure.',
  },
  stage: {
    kind: 'enum',
    label: 'Stage in the shard picture',
    options: ['0', '1', '2', '3'],
    default: '3',
    optionLabels: { '0': 'DP (no sharding)', '1': 'ZeRO-1', '2': 'ZeRO-2', '3': 'ZeRO-3' },
    help: 'Which stage the picture of one training step shows.',
  },
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'zero-memory',
  title: 'ZeRO: memory per GPU, stage by stage',
  summary:
    'Per-GPU memory of data parallelism and ZeRO-1/2/3 for full fine-tuning, LoRA or QLoRA, with a fits/does-not-fit verdict, communication per step, a step-time estimate, and an animated picture of who holds which shard.',
  chapter: 'zero',
  schema,
  example: { model: '7b', gpus: '8', method: 'full' },
  embedHeight: 1250,
};
