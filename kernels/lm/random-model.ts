/**
 * A small random LLaMA, for the engine's tests and the SFT chapter's live checks: every size
 * differs from the others and none is a multiple of a workgroup size.
 */
import type { Rng } from '../random/rng';
import type { LlamaConfig } from './config';
import type { ModelWeights } from './weights';

export const SMALL_CONFIG: LlamaConfig = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 41,
  hidden_size: 24,
  intermediate_size: 37,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 2,
  head_dim: 12,
  hidden_act: 'silu',
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  rope_scaling: null,
  attention_bias: false,
  attention_dropout: 0,
  mlp_bias: false,
  tie_word_embeddings: false,
  initializer_range: 0.02,
  bos_token_id: 1,
  eos_token_id: 2,
  torch_dtype: 'float32',
};

export function randomWeights(c: LlamaConfig, rng: Rng): ModelWeights {
  const d = c.hidden_size;
  const lin = (o: number, i: number) => rng.normals(o * i, 0.2);
  const norm = () => rng.normals(d).map((v) => 1 + 0.1 * v);
  return {
    embedTokens: rng.normals(c.vocab_size * d, 0.5),
    lmHead: rng.normals(c.vocab_size * d, 0.2),
    finalNorm: norm(),
    layers: Array.from({ length: c.num_hidden_layers }, () => ({
      inputNorm: norm(),
      postAttentionNorm: norm(),
      linear: {
        q_proj: lin(d, d),
        k_proj: lin(d, d),
        v_proj: lin(d, d),
        o_proj: lin(d, d),
        gate_proj: lin(c.intermediate_size, d),
        up_proj: lin(c.intermediate_size, d),
        down_proj: lin(d, c.intermediate_size),
      },
    })),
  };
}
