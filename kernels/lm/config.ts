/**
 * The model's config.json, as Hugging Face transformers writes it for `LlamaForCausalLM`
 * (LlamaConfig, transformers 4.x field names). The engine reads the fields that define the
 * computation and refuses, with a message, the ones it does not implement (grouped-query
 * attention, biases, RoPE scaling, another activation).
 */
export interface LlamaConfig {
  architectures: string[];
  model_type: 'llama';
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  hidden_act: 'silu';
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  rope_scaling: null;
  attention_bias: false;
  attention_dropout: number;
  mlp_bias: false;
  tie_word_embeddings: boolean;
  initializer_range: number;
  bos_token_id: number;
  eos_token_id: number | number[];
  pad_token_id?: number;
  torch_dtype: 'float32' | 'bfloat16' | 'float16';
  transformers_version?: string;
  use_cache?: boolean;
  pretraining_tp?: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(`config.json: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Checks a parsed config.json and fills head_dim; throws ConfigError naming the field. */
export function parseConfig(json: unknown): LlamaConfig {
  if (typeof json !== 'object' || json === null) throw new ConfigError('not a JSON object');
  const c = json as Record<string, unknown>;
  const int = (key: string, min = 1, max = 1 << 20) => {
    const v = c[key];
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
      throw new ConfigError(`${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  const positive = (key: string) => {
    const v = c[key];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new ConfigError(`${key} must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (c.model_type !== 'llama') throw new ConfigError(`model_type must be "llama", got ${JSON.stringify(c.model_type)}`);
  const hidden = int('hidden_size');
  const heads = int('num_attention_heads');
  const kvHeads = c.num_key_value_heads === undefined ? heads : int('num_key_value_heads');
  if (kvHeads !== heads)
    throw new ConfigError(`grouped-query attention (num_key_value_heads ${kvHeads} < ${heads}) is not implemented by this engine`);
  const headDim = c.head_dim === undefined || c.head_dim === null ? hidden / heads : int('head_dim');
  if (!Number.isInteger(headDim) || headDim * heads !== hidden)
    throw new ConfigError(`head_dim × num_attention_heads must equal hidden_size (${headDim} × ${heads} ≠ ${hidden})`);
  if (headDim % 2 !== 0) throw new ConfigError(`head_dim must be even for rotary embeddings, got ${headDim}`);
  if ((c.hidden_act ?? 'silu') !== 'silu') throw new ConfigError(`hidden_act must be "silu" (SwiGLU), got ${JSON.stringify(c.hidden_act)}`);
  if (c.rope_scaling !== undefined && c.rope_scaling !== null) throw new ConfigError('rope_scaling is not implemented by this engine');
  if (c.attention_bias === true || c.mlp_bias === true) throw new ConfigError('attention_bias and mlp_bias must be false (LLaMA has no biases)');
  const dtype = c.torch_dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'bfloat16' && dtype !== 'float16')
    throw new ConfigError(`torch_dtype ${JSON.stringify(dtype)} is not one of float32, bfloat16, float16`);
  return {
    architectures: Array.isArray(c.architectures) ? (c.architectures as string[]) : ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: int('vocab_size'),
    hidden_size: hidden,
    intermediate_size: int('intermediate_size'),
    num_hidden_layers: int('num_hidden_layers', 1, 256),
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    hidden_act: 'silu',
    max_position_embeddings: int('max_position_embeddings'),
    rms_norm_eps: positive('rms_norm_eps'),
    rope_theta: c.rope_theta === undefined ? 10000 : positive('rope_theta'),
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: typeof c.attention_dropout === 'number' ? c.attention_dropout : 0,
    mlp_bias: false,
    tie_word_embeddings: c.tie_word_embeddings === true,
    initializer_range: typeof c.initializer_range === 'number' ? c.initializer_range : 0.02,
    bos_token_id: Number.isInteger(c.bos_token_id) ? (c.bos_token_id as number) : 1,
    eos_token_id: (c.eos_token_id as number | number[]) ?? 2,
    ...(Number.isInteger(c.pad_token_id) ? { pad_token_id: c.pad_token_id as number } : {}),
    torch_dtype: dtype,
    ...(typeof c.transformers_version === 'string' ? { transformers_version: c.transformers_version } : {}),
  };
}

/** The linear layers of a LLaMA block, by PEFT's target-module names. */
export const LINEAR_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LinearModule = (typeof LINEAR_MODULES)[number];

/** [out, in] of a block's linear layer, as stored (PyTorch's nn.Linear weight layout). */
export function linearShape(c: LlamaConfig, module: LinearModule): [out: number, inFeatures: number] {
  const d = c.hidden_size;
  const attn = c.num_attention_heads * c.head_dim;
  switch (module) {
    case 'q_proj':
    case 'k_proj':
    case 'v_proj':
      return [attn, d];
    case 'o_proj':
      return [d, attn];
    case 'gate_proj':
    case 'up_proj':
      return [c.intermediate_size, d];
    case 'down_proj':
      return [d, c.intermediate_size];
  }
}

/** Every parameter of the model, as transformers counts them (`model.num_parameters()`). */
export function modelParamCount(c: LlamaConfig): number {
  const d = c.hidden_size;
  let perLayer = 2 * d; // input_layernorm, post_attention_layernorm
  for (const m of LINEAR_MODULES) {
    const [out, inf] = linearShape(c, m);
    perLayer += out * inf;
  }
  const embeddings = c.vocab_size * d * (c.tie_word_embeddings ? 1 : 2);
  return embeddings + c.num_hidden_layers * perLayer + d;
}

/** Trainable parameters of a method on a config, as the calculator counts them: r (in + out) per adapted layer, + out for DoRA's m. */
export function lmTrainableParams(
  config: LlamaConfig,
  adapter: { method: 'full' | 'lora' | 'dora'; rank: number; targets: readonly LinearModule[] },
): number {
  if (adapter.method === 'full') return modelParamCount(config);
  let perLayer = 0;
  for (const m of adapter.targets) {
    const [out, inf] = linearShape(config, m);
    perLayer += adapter.rank * (inf + out) + (adapter.method === 'dora' ? out : 0);
  }
  return perLayer * config.num_hidden_layers;
}
