/**
 * Where training memory goes, per GPU, before any sharding (ZeRO divides these terms; see
 * kernels/zero). Every figure states its assumptions; bytes, not GB, are returned.
 *
 * Mixed-precision Adam (Rajbhandari et al. 2020, "ZeRO", section 3.1): bf16/fp16 weights (2 B)
 * and gradients (2 B), plus fp32 master weights, momentum and variance (4 + 4 + 4 = 12 B):
 * 16 bytes per trained parameter. A frozen parameter needs only its weight.
 */
export const BYTES_PER_PARAM = {
  /** bf16/fp16 weight used in forward and backward. */
  weight16: 2,
  /** bf16/fp16 gradient. */
  grad16: 2,
  /** fp32 master copy + Adam first moment + second moment. */
  adamStates: 12,
} as const;

/**
 * Bits per weight of a QLoRA base layer: 4-bit NF4 codes plus one fp32 absmax per 64-weight
 * block (32/64 = 0.5 bit), or with double quantization an 8-bit absmax per block and one fp32
 * scale per 256 blocks: 8/64 + 32/(64*256) ~ 0.127 bit (Dettmers et al. 2023, section 3).
 */
export function nf4BitsPerParam(doubleQuant: boolean, blockSize = 64, secondBlockSize = 256): number {
  const scaleBits = doubleQuant ? 8 / blockSize + 32 / (blockSize * secondBlockSize) : 32 / blockSize;
  return 4 + scaleBits;
}

export type FineTuneMethod = 'full' | 'lora' | 'qlora';

export interface MemoryInput {
  method: FineTuneMethod;
  /** Parameters of the base model. */
  params: number;
  /** Trainable adapter parameters (LoRA/QLoRA); ignored for full fine-tuning. */
  adapterParams?: number;
  /** Fraction of the base parameters stored in NF4 under QLoRA (the linear layers); the rest stays bf16. Default 1. */
  quantizedFraction?: number;
  /** QLoRA double quantization of the block scales. Default true. */
  doubleQuant?: boolean;
}

/** Bytes of each model-state term. Activations are separate (`activationBytes`). */
export interface ModelStateBytes {
  weights: number;
  gradients: number;
  optimizer: number;
}

/**
 * Model states for one replica. Assumptions: full fine-tuning trains everything with
 * mixed-precision Adam (16 B/param). LoRA keeps the base frozen in bf16 (2 B/param) and trains
 * the adapter with the same 16 B/param recipe. QLoRA stores the quantized fraction of the base
 * in NF4 (nf4BitsPerParam / 8 bytes) and the rest in bf16.
 */
export function modelStateBytes(input: MemoryInput): ModelStateBytes {
  const { method, params } = input;
  if (!(params > 0) || !Number.isFinite(params)) throw new Error(`params must be a positive number, got ${params}`);
  const { weight16, grad16, adamStates } = BYTES_PER_PARAM;
  if (method === 'full') return { weights: weight16 * params, gradients: grad16 * params, optimizer: adamStates * params };
  const adapter = input.adapterParams ?? 0;
  if (!(adapter >= 0)) throw new Error(`adapterParams must be >= 0, got ${adapter}`);
  let baseWeights = weight16 * params;
  if (method === 'qlora') {
    const q = input.quantizedFraction ?? 1;
    if (!(q >= 0 && q <= 1)) throw new Error(`quantizedFraction must be in [0, 1], got ${q}`);
    baseWeights = q * params * (nf4BitsPerParam(input.doubleQuant ?? true) / 8) + (1 - q) * params * weight16;
  }
  return { weights: baseWeights + weight16 * adapter, gradients: grad16 * adapter, optimizer: adamStates * adapter };
}

export interface ActivationInput {
  /** Sequence length s. */
  seqLen: number;
  /** Micro-batch size b. */
  microBatch: number;
  hidden: number;
  layers: number;
  heads: number;
  /** Full activation checkpointing: keep only each layer's input (2 s b h bytes) and recompute the rest. */
  checkpointing: boolean;
  /** Attention kernels that never store the s x s score matrix (FlashAttention). Default true. */
  flashAttention?: boolean;
  /** Tensor-parallel degree t (Megatron): each layer split over t GPUs. Default 1. */
  tensorParallel?: number;
  /** Sequence parallelism with tensor parallelism: the norms' and dropouts' activations split along the sequence too. */
  sequenceParallel?: boolean;
}

/**
 * Activation memory per GPU of a transformer's layers in 16-bit precision, from Korthikanti et al.
 * 2022 ("Reducing Activation Recomputation in Large Transformer Models", section 4, table 2), per
 * layer:
 *   no parallelism                       s b h (34 + 5 a s / h)
 *   tensor parallelism t                 s b h (10 + 24 / t + 5 a s / (h t))
 *   tensor + sequence parallelism        s b h (34 / t + 5 a s / (h t))
 * The 5 a s / h term is the stored attention scores, softmax and dropout mask (dropped with
 * FlashAttention, which recomputes them). With full checkpointing each layer keeps only its input,
 * 2 s b h bytes (2 s b h / t with sequence parallelism), plus one layer's full activations during
 * its recomputation. The 34 s b h constant is for a GPT block (4h MLP); treat it as an estimate
 * for other shapes.
 */
export function activationBytes(a: ActivationInput): number {
  const { seqLen: s, microBatch: b, hidden: h, layers: L, heads } = a;
  const t = a.tensorParallel ?? 1;
  for (const [name, v] of Object.entries({ seqLen: s, microBatch: b, hidden: h, layers: L, heads, tensorParallel: t })) {
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${name} must be a positive number, got ${v}`);
  }
  const sp = a.sequenceParallel === true && t > 1;
  const scores = (a.flashAttention ?? true) ? 0 : (5 * heads * s) / (h * t);
  const perLayer = s * b * h * ((sp ? 34 / t : 10 + 24 / t) + scores);
  const input = (2 * s * b * h) / (sp ? t : 1);
  return a.checkpointing ? L * input + perLayer : L * perLayer;
}

export const GB = 1e9;
export const GiB = 2 ** 30;

export interface LogitsInput {
  seqLen: number;
  microBatch: number;
  vocab: number;
}

/**
 * Memory for the output logits, which `activationBytes` (the transformer layers) leaves out.
 * Hugging Face Transformers returns the bf16 logits (2 B per value) and its causal-LM loss
 * upcasts them to fp32 before the cross-entropy, whose log-softmax saves its fp32 output for
 * the backward pass (4 B): 6 s b V bytes held from the forward to the backward pass. The
 * backward pass briefly adds a gradient of the same shape; the usable-memory margin covers it.
 */
export function logitsBytes(l: LogitsInput): number {
  const { seqLen: s, microBatch: b, vocab: v } = l;
  for (const [name, x] of Object.entries({ seqLen: s, microBatch: b, vocab: v })) {
    if (!(x > 0) || !Number.isFinite(x)) throw new Error(`${name} must be a positive number, got ${x}`);
  }
  return 6 * s * b * v;
}

/**
 * Adam's two moment buffers (the master weights are the parameters themselves when they train in
 * fp32, as LoRA adapters usually do). bitsandbytes' 8-bit Adam (Dettmers et al. 2022, "8-bit
 * Optimizers via Block-wise Quantization"; bitsandbytes 0.50 `optim/optimizer.py`) stores each
 * moment in one byte with an fp32 absmax per 256-value block, but keeps tensors smaller than
 * `min_8bit_size` = 4096 values in 32 bits.
 */
export const EIGHT_BIT_ADAM = { blockSize: 256, minTensorSize: 4096 } as const;

export function adamMomentBytes(tensorSizes: readonly number[], bits: 32 | 8): number {
  let bytes = 0;
  for (const n of tensorSizes) {
    if (bits === 32 || n < EIGHT_BIT_ADAM.minTensorSize) bytes += 8 * n;
    else bytes += 2 * n + 2 * 4 * Math.ceil(n / EIGHT_BIT_ADAM.blockSize);
  }
  return bytes;
}
