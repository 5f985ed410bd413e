import { BYTES_PER_PARAM, type ModelStateBytes } from '../memory/training-memory';

/**
 * Per-GPU memory of data-parallel training under ZeRO (Rajbhandari et al. 2020, "ZeRO: Memory
 * Optimizations Toward Training Trillion Parameter Models", arXiv 1910.02054, section 5).
 *
 * Stage 0 is plain data parallelism (every GPU holds everything); ZeRO-1 (P_os) shards the
 * optimizer states over the N GPUs, ZeRO-2 (P_os+g) also the gradients, ZeRO-3 (P_os+g+p) also
 * the weights. Each stage divides one more term by N, so with mixed-precision Adam (2 + 2 + 12
 * bytes per parameter, K = 12) the per-GPU bytes are
 *   DP 16 psi;  ZeRO-1 4 psi + 12 psi / N;  ZeRO-2 2 psi + 14 psi / N;  ZeRO-3 16 psi / N.
 *
 * The function works on the three model-state terms of any recipe (`modelStateBytes` for full
 * fine-tuning, LoRA or QLoRA), so frozen weights, which carry no gradient and no optimizer
 * state, only ever appear in the weights term.
 */
export type ZeroStage = 0 | 1 | 2 | 3;
export const ZERO_STAGES: readonly ZeroStage[] = [0, 1, 2, 3];
export const STAGE_LABELS: Record<ZeroStage, string> = { 0: 'DP', 1: 'ZeRO-1', 2: 'ZeRO-2', 3: 'ZeRO-3' };
/** The paper's names for the stages. */
export interface ShardingOptions {
  stage: ZeroStage;
  /** Data-parallel degree N (number of GPUs holding one shard each). */
  gpus: number;
  /**
   * ZeRO-Offload (Ren et al. 2021, arXiv 2101.06840): optimizer states and the optimizer step
   * live on the CPU, and from ZeRO-2 on each GPU streams its gradient shard to the CPU as it is
   * reduced, so only 16-bit weights stay on the GPU. Under ZeRO-1 the full gradients are still
   * accumulated on the GPU before they are reduced. Needs a ZeRO stage (>= 1).
   */
  offloadOptimizer?: boolean;
  /**
   * Bytes of the module ZeRO-3 materialises at once on every GPU: its all-gathered 16-bit
   * weights (and, if trained, gradients). The GPU already holds 1/N of it, so (N-1)/N of this
   * is added. The paper's formulas leave it out (default 0); DeepSpeed's own estimator counts
   * 4 bytes x the largest layer's parameters.
   */
  gatheredBytes?: number;
}

/** Bytes on one GPU, and what was moved to the CPU for it. */
export interface PerGpuModelStates extends ModelStateBytes {
  /** ZeRO-3's transient all-gathered module beyond the GPU's own shard (0 for other stages). */
  gathered: number;
  /** GPU total: weights + gradients + optimizer + gathered. */
  total: number;
  /** CPU memory this GPU's offloaded shard needs (0 without offload). */
  cpu: number;
}

/** Bytes per element of the fp32 gradient shard DeepSpeed keeps next to an offloaded optimizer. */
export const OFFLOADED_GRAD_BYTES_PER_PARAM = 4;

export function validateGpus(gpus: number): void {
  if (!Number.isInteger(gpus) || gpus < 1) throw new Error(`number of GPUs must be a positive integer, got ${gpus}`);
}

/** Split one replica's model states over N GPUs according to the ZeRO stage. */
export function shardModelStates(states: ModelStateBytes, options: ShardingOptions): PerGpuModelStates {
  const { stage, gpus } = options;
  validateGpus(gpus);
  if (![0, 1, 2, 3].includes(stage)) throw new Error(`ZeRO stage must be 0, 1, 2 or 3, got ${stage}`);
  const offload = options.offloadOptimizer ?? false;
  if (offload && stage === 0) throw new Error('optimizer offload needs a ZeRO stage (1, 2 or 3)');
  const shard = (bytes: number, sharded: boolean): number => (sharded ? bytes / gpus : bytes);

  const weights = shard(states.weights, stage >= 3);
  let gradients = shard(states.gradients, stage >= 2);
  let optimizer = shard(states.optimizer, stage >= 1);
  let cpu = 0;
  if (offload) {
    // The CPU holds this GPU's optimizer shard plus an fp32 copy of its gradient shard.
    const gradElements = states.gradients / BYTES_PER_PARAM.grad16 / gpus;
    cpu = optimizer + OFFLOADED_GRAD_BYTES_PER_PARAM * gradElements;
    optimizer = 0;
    if (stage >= 2) gradients = 0;
  }
  const gatheredBytes = options.gatheredBytes ?? 0;
  if (!(gatheredBytes >= 0)) throw new Error(`gatheredBytes must be >= 0, got ${gatheredBytes}`);
  const gathered = stage === 3 ? (gatheredBytes * (gpus - 1)) / gpus : 0;
  return { weights, gradients, optimizer, gathered, total: weights + gradients + optimizer + gathered, cpu };
}

/**
 * Bytes per parameter per GPU for full mixed-precision Adam training, as the paper writes them
 * with K optimizer bytes per parameter (section 5, figure 1): (2 + 2 + K), 2 + 2 + K/N,
 * 2 + (2 + K)/N, (2 + 2 + K)/N.
 */
export function paperBytesPerParam(stage: ZeroStage, gpus: number, K = 12): number {
  validateGpus(gpus);
  switch (stage) {
    case 0:
      return 4 + K;
    case 1:
      return 4 + K / gpus;
    case 2:
      return 2 + (2 + K) / gpus;
    case 3:
      return (4 + K) / gpus;
  }
}

/**
 * Largest model (parameters) whose model states fit in `memoryBytes` per GPU at this stage,
 * ignoring activations and buffers: the paper's Table 2 "theoretical" columns.
 */
export function maxTrainableParams(stage: ZeroStage, gpus: number, memoryBytes: number, K = 12): number {
  if (!(memoryBytes > 0)) throw new Error(`memory per GPU must be positive, got ${memoryBytes}`);
  return memoryBytes / paperBytesPerParam(stage, gpus, K);
}
