import { loraParamCount } from '../lora/param-count';
import { activationBytes, BYTES_PER_PARAM, modelStateBytes, type FineTuneMethod, type ModelStateBytes } from '../memory/training-memory';
import { ALL_LINEAR_MODULES, linearShape, modelParamCount, type LinearModule, type ModelShape } from '../models/presets';
import { communicationPerStep, type CommunicationVolume } from './communication';
import { shardModelStates, STAGE_LABELS, ZERO_STAGES, type PerGpuModelStates, type ZeroStage } from './memory';
import { largestModuleParams } from './shape';
import { estimateStepTime, trainingFlops, type StepTime } from './step-time';

/** The adapter placements the course compares (PEFT's target_modules). */
export const LORA_TARGET_SETS: Record<'qv' | 'attention' | 'all', readonly LinearModule[]> = {
  qv: ['q', 'v'],
  attention: ['q', 'k', 'v', 'o'],
  all: ALL_LINEAR_MODULES,
};
export type LoraTargetSet = keyof typeof LORA_TARGET_SETS;

export interface TrainingSetup {
  /** Parameters psi of the base model (exact; the shape below only feeds the estimates that need one). */
  params: number;
  /** Shape for activations, LoRA adapter sizes and ZeRO-3's gathered module. */
  shape: ModelShape;
  method: FineTuneMethod;
  loraRank: number;
  loraTargets: readonly LinearModule[];
  seqLen: number;
  microBatch: number;
  checkpointing: boolean;
  /** GPUs in all: tensor-parallel groups of `tensorParallel` GPUs, ZeRO across gpus / tensorParallel of them. */
  gpus: number;
  /** Tensor-parallel degree t (Megatron: each layer's matrices split over t GPUs). Default 1. */
  tensorParallel?: number;
  /** Sequence parallelism inside the tensor-parallel group (Korthikanti et al.). */
  sequenceParallel?: boolean;
  gpuMemoryBytes: number;
  offloadOptimizer: boolean;
  /** Per-GPU interconnect bus bandwidth, bytes/s. */
  busBandwidth: number;
  /** GPU-to-CPU link bandwidth, bytes/s (used with offload). */
  pcieBandwidth: number;
  /** Achieved FLOP/s per GPU. */
  flopsPerSecond: number;
}

/**
 * Bytes each GPU sends per step for tensor parallelism (Megatron-LM, Shoeybi et al. 2019): two
 * all-reduces of the s b h 16-bit activations per layer in the forward pass and two in the
 * backward pass (two more when checkpointing recomputes the forward pass); sequence parallelism
 * replaces each by a reduce-scatter and an all-gather, the same volume. A ring all-reduce sends
 * 2 (t - 1) / t of the tensor.
 */
export function tensorParallelBytes(t: number, seqLen: number, microBatch: number, hidden: number, layers: number, checkpointing: boolean): number {
  if (t === 1) return 0;
  const allReduces = layers * (checkpointing ? 6 : 4);
  return allReduces * ((2 * (t - 1)) / t) * 2 * seqLen * microBatch * hidden;
}

export interface StageEstimate {
  stage: ZeroStage;
  label: string;
  states: PerGpuModelStates;
  activations: number;
  /** GPU bytes: model states + gathered module + activations. */
  total: number;
  fits: boolean;
  /** Offload applied at this stage (never for plain DP). */
  offloaded: boolean;
  comm: CommunicationVolume;
  /** Tensor-parallel activation traffic per GPU per step (0 without tensor parallelism). */
  tpBytes: number;
  pcieBytes: number;
  time: StepTime;
}

export interface TrainingPlan {
  trainableParams: number;
  /** Weights, gradients and optimizer states of one unsharded replica. */
  replica: ModelStateBytes;
  /** Fraction of the base stored in NF4 under QLoRA (its linear layers). */
  quantizedFraction: number;
  activations: number;
  flops: number;
  stages: StageEstimate[];
  /** The first stage that fits, in the order DP, ZeRO-1, ZeRO-2, ZeRO-3 (less sharding: no more traffic, simpler training); null when none does. */
  lightestFit: StageEstimate | null;
}

/** Fraction of a model's parameters that sit in the blocks' linear layers (what QLoRA quantizes). */
export function linearFraction(shape: ModelShape): number {
  let perLayer = 0;
  for (const mod of ALL_LINEAR_MODULES) {
    const s = linearShape(shape, mod);
    if (s) perLayer += s.in * s.out;
  }
  return (perLayer * shape.layers) / modelParamCount(shape);
}

export function planTraining(setup: TrainingSetup): TrainingPlan {
  const { params, shape, method } = setup;
  const t = setup.tensorParallel ?? 1;
  if (!(setup.gpuMemoryBytes > 0)) throw new Error(`GPU memory must be positive, got ${setup.gpuMemoryBytes}`);
  if (!Number.isInteger(t) || t < 1 || setup.gpus % t !== 0) {
    throw new Error(`tensor parallelism of ${t} needs a GPU count divisible by it; ${setup.gpus} GPUs is not`);
  }
  if (shape.heads % t !== 0) throw new Error(`tensor parallelism of ${t} must divide the ${shape.heads} attention heads`);
  // ZeRO (or plain data parallelism) runs across the replicas of the tensor-parallel group.
  const gpus = setup.gpus / t;
  // A LoRA adapter's size follows the shape; scale it to `params` when the shape is approximate.
  const adapterParams = method === 'full' ? 0 : loraParamCount(shape, setup.loraRank, setup.loraTargets) * (params / modelParamCount(shape));
  const quantizedFraction = method === 'qlora' ? linearFraction(shape) : 0;
  const replica = modelStateBytes({ method, params, adapterParams, quantizedFraction, doubleQuant: true });
  // Each GPU of a tensor-parallel group holds 1/t of every layer (Megatron splits the embeddings too).
  const slice: ModelStateBytes = { weights: replica.weights / t, gradients: replica.gradients / t, optimizer: replica.optimizer / t };
  const trainableParams = method === 'full' ? params : adapterParams;
  const activations = activationBytes({
    seqLen: setup.seqLen,
    microBatch: setup.microBatch,
    hidden: shape.hidden,
    layers: shape.layers,
    heads: shape.heads,
    checkpointing: setup.checkpointing,
    tensorParallel: t,
    sequenceParallel: setup.sequenceParallel,
  });
  const flops =
    trainingFlops({
      params: params + adapterParams,
      trainableParams,
      tokens: setup.seqLen * setup.microBatch,
      checkpointing: setup.checkpointing,
    }) / t;
  const tpBytes = tensorParallelBytes(t, setup.seqLen, setup.microBatch, shape.hidden, shape.layers, setup.checkpointing);
  // ZeRO-3 holds one gathered module at a time: its 16-bit weights, plus its gradient when trained
  // (DeepSpeed's estimator counts 4 bytes x the largest layer for full training).
  const gatheredBytes =
    (largestModuleParams(shape) * (params / modelParamCount(shape)) * (BYTES_PER_PARAM.weight16 + (method === 'full' ? BYTES_PER_PARAM.grad16 : 0))) /
    t;

  const stages = ZERO_STAGES.map((stage): StageEstimate => {
    const offloaded = offloadApplies(stage, setup.offloadOptimizer);
    const states = shardModelStates(slice, { stage, gpus, offloadOptimizer: offloaded, gatheredBytes });
    const comm = communicationPerStep({ stage, gpus, trainableParams: trainableParams / t, weightBytes: slice.weights });
    // Offload: each GPU sends its 16-bit gradient shard to the CPU and gets its updated 16-bit weights back.
    const pcieBytes = offloaded ? ((BYTES_PER_PARAM.grad16 + BYTES_PER_PARAM.weight16) * trainableParams) / t / gpus : 0;
    const time = estimateStepTime({
      flops,
      flopsPerSecond: setup.flopsPerSecond,
      commBytes: comm.bytes + tpBytes,
      busBandwidth: setup.busBandwidth,
      pcieBytes,
      pcieBandwidth: setup.pcieBandwidth,
    });
    const total = states.total + activations;
    return {
      stage,
      label: STAGE_LABELS[stage],
      states,
      activations,
      total,
      fits: total <= setup.gpuMemoryBytes,
      offloaded,
      comm,
      tpBytes,
      pcieBytes,
      time,
    };
  });
  return { trainableParams, replica, quantizedFraction, activations, flops, stages, lightestFit: stages.find((s) => s.fits) ?? null };
}

/** ZeRO-Offload moves the optimizer (and from ZeRO-2 on, the gradient shards) to the CPU: it needs a ZeRO stage, not plain DP. */
export function offloadApplies(stage: ZeroStage, offloadOptimizer: boolean): boolean {
  return offloadOptimizer && stage > 0;
}
