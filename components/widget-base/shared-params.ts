/**
 * The parameters several widgets offer, each specified once: one label, one set of limits, one
 * default. A widget spreads the entry into its schema; where its scenario needs another default
 * (a single consumer GPU in the method picker, say), it overrides `default` alone and says why.
 */
import { CUSTOM_SIZE_BILLIONS } from '../../kernels/models/custom-shape';
import { MODEL_LABELS } from '../../kernels/models/presets';
import type { ParamSpec } from './params';

export const SEED = { kind: 'int', label: 'Seed', min: 0, max: 2 ** 31 - 1, default: 1 } as const satisfies ParamSpec;

/** AdamW's learning rate for the adapters (and for full fine-tuning where a widget has one rate). */
export const LEARNING_RATE = {
  kind: 'number',
  label: 'Learning rate (AdamW)',
  min: 1e-4,
  max: 1,
  default: 0.01,
  step: 'any',
  log: true,
} as const satisfies ParamSpec;

export const LORA_ALPHA = { kind: 'number', label: 'α (lora_alpha)', min: 0.1, max: 256, default: 8, step: 'any' } as const satisfies ParamSpec;

export const LORA_SCALING = {
  kind: 'enum',
  label: 'Scale s',
  options: ['alpha/r', 'rslora'],
  default: 'alpha/r',
  optionLabels: { 'alpha/r': 'α / r (LoRA)', rslora: 'α / √r (rsLoRA)' },
} as const satisfies ParamSpec;

/** Minibatch of the one-layer trainers (their task has 512 training rows). */
export const LAYER_BATCH = { kind: 'int', label: 'Batch size', min: 1, max: 512, default: 32 } as const satisfies ParamSpec;

/** The one-layer trainers' task: the rank of the ideal direction change. */
export const INTRINSIC_RANK = {
  kind: 'int',
  label: 'Task: intrinsic rank of the direction change',
  min: 1,
  max: 32,
  default: 4,
} as const satisfies ParamSpec;

/** The one-layer trainers' task: how much of the ideal update rescales rows (which DoRA's magnitude vector captures). */
export const MAGNITUDE_MIX = {
  kind: 'number',
  label: 'Task: share of the update that changes magnitudes',
  min: 0,
  max: 1,
  default: 0.25,
  step: 0.05,
  help: '0: the ideal update is a pure rank-k change of direction. Above 0, each output row is also rescaled, which no low-rank update expresses but DoRA’s magnitude vector does.',
} as const satisfies ParamSpec;

/** LoRA rank on a real model's shape (calculators). */
/** LoRA rank of an adapter on the tiny language model (hidden size 128). */
export const TINY_LORA_RANK = { kind: 'int', label: 'LoRA rank r', min: 1, max: 64, default: 8 } as const satisfies ParamSpec;

export const MODEL_LORA_RANK = { kind: 'int', label: 'LoRA rank r', min: 1, max: 1024, default: 16 } as const satisfies ParamSpec;

/** PEFT's target_modules on a LLaMA-style block; all seven linear layers by default, as QLoRA recommends. */
export const TARGET_MODULES = {
  kind: 'list',
  label: 'LoRA target modules',
  options: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  default: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  optionLabels: { q: 'q_proj', k: 'k_proj', v: 'v_proj', o: 'o_proj', gate: 'gate_proj', up: 'up_proj', down: 'down_proj' },
  help: 'PEFT target_modules.',
} as const satisfies ParamSpec;

/** The model menu of the widgets that size a real model: the presets, or another size entered beside it. */
export const MODEL_CHOICE = {
  kind: 'enum',
  label: 'Model',
  options: ['1.3b', '7b', '13b', '70b', 'custom'],
  default: '7b',
  optionLabels: { ...MODEL_LABELS, custom: 'Other size…' },
} as const satisfies ParamSpec;

/** "Other size": its shape comes from kernels/models/custom-shape.ts, the same in every widget. */
export const CUSTOM_SIZE = {
  kind: 'number',
  label: 'Other size',
  unit: 'billion parameters',
  min: CUSTOM_SIZE_BILLIONS.min,
  max: CUSTOM_SIZE_BILLIONS.max,
  default: 8,
  step: 'any',
  help: 'Used when Model is “Other size”: a preset’s shape scaled in width and depth to this size.',
  appliesWhen: (v) => v.model === 'custom',
} as const satisfies ParamSpec;

export const GPU_COUNT = { kind: 'int', label: 'Number of GPUs', min: 1, max: 4096, default: 8 } as const satisfies ParamSpec;

export const GPU_MEMORY = {
  kind: 'number',
  label: 'Memory per GPU',
  unit: 'GiB',
  min: 1,
  max: 512,
  default: 80,
  step: 'any',
  help: 'As nvidia-smi reports it: an “80 GB” A100 or H100 has 80 GiB, an RTX 4090 24 GiB.',
} as const satisfies ParamSpec;

export const SEQ_LEN = { kind: 'int', label: 'Sequence length', unit: 'tokens', min: 1, max: 131_072, default: 2048 } as const satisfies ParamSpec;

export const MICRO_BATCH = { kind: 'int', label: 'Micro-batch per GPU', min: 1, max: 512, default: 1 } as const satisfies ParamSpec;

export const CHECKPOINTING = { kind: 'bool', label: 'Activation checkpointing', default: true } as const satisfies ParamSpec;
