import { ALL_LINEAR_MODULES, linearShape, type ModelShape } from '../models/presets';

/** Parameters of the largest single module (a linear layer or the embedding): ZeRO-3 gathers modules one at a time. */
export function largestModuleParams(m: ModelShape): number {
  let largest = m.vocab * m.hidden;
  for (const mod of ALL_LINEAR_MODULES) {
    const s = linearShape(m, mod);
    if (s) largest = Math.max(largest, s.in * s.out);
  }
  return largest;
}

/**
 * DeepSpeed's ZeRO-3 knobs that decide how much beyond one module is resident, with their defaults
 * (deepspeed/runtime/zero/config.py, DeepSpeedZeroConfig): parameters are prefetched up to
 * `stage3_prefetch_bucket_size` elements ahead of use; gathered parameters stay resident up to
 * `stage3_max_live_parameters` elements (and are kept if reused within `stage3_max_reuse_distance`);
 * tensors smaller than `stage3_param_persistence_threshold` elements are never partitioned.
 */
export const DEEPSPEED_STAGE3_DEFAULTS = {
  prefetchBucketSize: 5e7,
  paramPersistenceThreshold: 1e5,
  maxLiveParameters: 1e9,
  maxReuseDistance: 1e9,
} as const;

/** Every weight tensor's element count: embeddings (one if tied), per-layer linears and norms, the final norm. */
export function weightTensorSizes(m: ModelShape): number[] {
  const sizes: number[] = [m.vocab * m.hidden];
  if (!m.tiedEmbeddings) sizes.push(m.vocab * m.hidden);
  for (let layer = 0; layer < m.layers; layer++) {
    for (const mod of ALL_LINEAR_MODULES) {
      const s = linearShape(m, mod);
      if (s) sizes.push(s.in * s.out);
    }
    sizes.push(m.hidden, m.hidden); // the two norms of a block
  }
  sizes.push(m.hidden); // final norm
  return sizes;
}

export interface Zero3Residency {
  largestModule: number;
  /** One transformer block's linear weights. */
  block: number;
  /** Elements kept whole on every GPU because each tensor is below the persistence threshold. */
  persistent: number;
  persistentTensors: number;
  prefetchBucket: number;
  /** The most gathered elements DeepSpeed lets stay resident (the model, if smaller). */
  maxLive: number;
}

export function zero3Residency(m: ModelShape, cfg = DEEPSPEED_STAGE3_DEFAULTS): Zero3Residency {
  const sizes = weightTensorSizes(m);
  const small = sizes.filter((n) => n < cfg.paramPersistenceThreshold);
  let block = 0;
  for (const mod of ALL_LINEAR_MODULES) {
    const s = linearShape(m, mod);
    if (s) block += s.in * s.out;
  }
  return {
    largestModule: largestModuleParams(m),
    block,
    persistent: small.reduce((a, b) => a + b, 0),
    persistentTensors: small.length,
    prefetchBucket: cfg.prefetchBucketSize,
    maxLive: Math.min(
      cfg.maxLiveParameters,
      sizes.reduce((a, b) => a + b, 0),
    ),
  };
}
