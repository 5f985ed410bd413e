/**
 * What the CPU and WebGPU trainers of one adapted layer share: the configuration, the starting
 * parameters and the frozen base (fp32 or NF4). Both implement the trainer protocol of
 * kernels/training/, whose loop drives them.
 */
import { NF4_LEVELS, dequantizeBlockwise, quantizeBlockwise, type Quantized } from '../nf4/nf4';
import { packedNf4Bytes } from '../nf4/nf4-gpu';
import type { Trainer } from '../training/trainer';
import { createRng } from '../random/rng';
import { layerTrainableParams } from './param-count';
import { initLoraA, initLoraB, loraScaling, rowNorms, type AdaptMethod, type LayerDims, type ScalingRule } from './reference';
import type { Task } from './task';

export type BaseFormat = 'fp32' | 'nf4';

/** QLoRA's block size for the first-level NF4 scales (Dettmers et al. 2023; bitsandbytes default 64). */
export const NF4_BLOCK_SIZE = 64;

export interface TrainerConfig {
  method: AdaptMethod;
  rank: number;
  alpha: number;
  scaling: ScalingRule;
  /** AdamW learning rate of A (and of W for full fine-tuning). */
  lr: number;
  /**
   * LoRA+ (Hayou et al. 2024): B learns at lr * ratio. As in PEFT's create_loraplus_optimizer,
   * one-dimensional parameters (DoRA's magnitude m) join B's group. 1 is plain LoRA.
   */
  loraPlusRatio: number;
  batch: number;
  /** Seeds the initialisation of A. */
  seed: number;
  /** Frozen base in fp32, or quantized to NF4 and dequantized on the fly (QLoRA). */
  base: BaseFormat;
  /** DoRA: treat ||V||_row as a constant in the backward pass (paper section 4.3; PEFT). */
  detachNorm: boolean;
}

export const DEFAULT_TRAINER: TrainerConfig = {
  method: 'lora',
  rank: 4,
  alpha: 8,
  scaling: 'alpha/r',
  lr: 0.01,
  loraPlusRatio: 1,
  batch: 32,
  seed: 1,
  base: 'fp32',
  detachNorm: true,
};

export function validateTrainerConfig(c: TrainerConfig, task: Task): void {
  const { outFeatures, inFeatures, trainSize } = task.config;
  if (!Number.isInteger(c.rank) || c.rank < 1 || c.rank > Math.min(outFeatures, inFeatures)) {
    throw new Error(`rank must be a whole number from 1 to ${Math.min(outFeatures, inFeatures)}, got ${c.rank}`);
  }
  if (!Number.isInteger(c.batch) || c.batch < 1 || c.batch > trainSize) {
    throw new Error(`batch must be a whole number from 1 to ${trainSize}, got ${c.batch}`);
  }
  for (const key of ['alpha', 'lr', 'loraPlusRatio'] as const) {
    if (!(c[key] > 0) || !Number.isFinite(c[key])) throw new Error(`${key} must be a positive number, got ${c[key]}`);
  }
  if (c.base === 'nf4' && c.method === 'full') {
    throw new Error('an NF4 base is for adapters (QLoRA): full fine-tuning trains the weights themselves');
  }
}

/** The frozen base weight as the trainer sees it, and for NF4 the codes the GPU dequantizes. */
export interface FrozenBase {
  /** Values used in the forward pass (dequantized for NF4). */
  weight: Float32Array;
  quantized: (Quantized & { blockSize: number; levels: Float32Array }) | null;
  /**
   * Bytes the base is stored in: 4 per weight in fp32; in NF4 half a byte per weight (two codes
   * per byte) plus a float32 scale per block, as bitsandbytes stores it without double quantization.
   */
  storedBytes: number;
}

export function frozenBase(task: Task, format: BaseFormat): FrozenBase {
  if (format === 'fp32') return { weight: task.base, quantized: null, storedBytes: 4 * task.base.length };
  const q = quantizeBlockwise(task.base, NF4_BLOCK_SIZE, NF4_LEVELS);
  return {
    weight: dequantizeBlockwise(q.codes, q.absmax, NF4_BLOCK_SIZE, NF4_LEVELS),
    quantized: { ...q, blockSize: NF4_BLOCK_SIZE, levels: NF4_LEVELS },
    storedBytes: packedNf4Bytes(task.base.length, NF4_BLOCK_SIZE),
  };
}

/** Trainable tensors; those a method does not use are empty. */
export interface AdapterParameters {
  /** LoRA/DoRA A (rank x in). */
  a: Float32Array;
  /** LoRA/DoRA B (out x rank). */
  b: Float32Array;
  /** DoRA magnitude (out). */
  magnitude: Float32Array;
  /** Full fine-tuning weight (out x in). */
  weight: Float32Array;
}

const EMPTY = new Float32Array(0);

/**
 * Step-0 parameters: A kaiming-uniform and B zero (PEFT), m the row norms of the frozen base
 * (so DoRA starts as the base layer), W a copy of the base for full fine-tuning.
 */
export function initialParameters(config: TrainerConfig, task: Task, base: FrozenBase): AdapterParameters {
  const { outFeatures, inFeatures } = task.config;
  if (config.method === 'full') return { a: EMPTY, b: EMPTY, magnitude: EMPTY, weight: base.weight.slice() };
  return {
    a: initLoraA(config.rank, inFeatures, createRng(config.seed)),
    b: initLoraB(outFeatures, config.rank),
    magnitude: config.method === 'dora' ? rowNorms(base.weight, outFeatures, inFeatures) : EMPTY,
    weight: EMPTY,
  };
}

export function layerDims(config: TrainerConfig, task: Task): LayerDims {
  return { outFeatures: task.config.outFeatures, inFeatures: task.config.inFeatures, rank: config.rank };
}

export function scalingOf(config: TrainerConfig): number {
  return loraScaling(config.alpha, config.rank, config.scaling);
}

export function trainableParams(config: TrainerConfig, task: Task): number {
  return layerTrainableParams(config.method, task.config.outFeatures, task.config.inFeatures, config.rank);
}

/** The rows of step t's minibatch: training rows (t * batch + j) mod trainSize, j < batch. */
export function batchStart(step: number, batch: number, trainSize: number): number {
  return ((step % trainSize) * batch) % trainSize;
}

/** What an evaluation reports: the loss of the merged layer on the whole training and held-out sets. */
export interface Losses {
  train: number;
  heldOut: number;
}

/** A backend that trains one adapted layer. */
export interface LayerTrainer extends Trainer<Losses> {
  /** Bytes of the frozen base as this backend stores it (see `FrozenBase.storedBytes`). */
  readonly frozenBaseBytes: number;
  parameters(): Promise<AdapterParameters>;
}

/** One evaluation point of a loss curve. */
export interface CurvePoint extends Losses {
  step: number;
}
