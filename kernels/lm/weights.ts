/**
 * The model's weights, named as transformers names LlamaForCausalLM's state dict, read from and
 * written to model.safetensors. Loading checks every tensor against the config: present, the
 * right shape, finite.
 */
import { readSafetensors, SafetensorsError, writeSafetensors, type TensorToWrite } from '../formats/safetensors';
import { LINEAR_MODULES, linearShape, type LinearModule, type LlamaConfig } from './config';

export interface LayerWeights {
  inputNorm: Float32Array;
  postAttentionNorm: Float32Array;
  /** [out, in] row-major, by module name. */
  linear: Record<LinearModule, Float32Array>;
}

export interface ModelWeights {
  /** [vocab, hidden] */
  embedTokens: Float32Array;
  layers: LayerWeights[];
  finalNorm: Float32Array;
  /** [vocab, hidden]; the embedding itself when tie_word_embeddings. */
  lmHead: Float32Array;
}

/** transformers' name of a block's linear weight. */
export function linearName(layer: number, module: LinearModule): string {
  const group = module === 'gate_proj' || module === 'up_proj' || module === 'down_proj' ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${group}.${module}.weight`;
}

/** Every tensor of the state dict with its shape, in the order transformers lists them. */
export function stateDictShapes(c: LlamaConfig): [name: string, shape: number[]][] {
  const d = c.hidden_size;
  const out: [string, number[]][] = [['model.embed_tokens.weight', [c.vocab_size, d]]];
  for (let l = 0; l < c.num_hidden_layers; l++) {
    for (const m of LINEAR_MODULES) out.push([linearName(l, m), linearShape(c, m)]);
    out.push([`model.layers.${l}.input_layernorm.weight`, [d]], [`model.layers.${l}.post_attention_layernorm.weight`, [d]]);
  }
  out.push(['model.norm.weight', [d]]);
  if (!c.tie_word_embeddings) out.push(['lm_head.weight', [c.vocab_size, d]]);
  return out;
}

export class WeightsError extends Error {
  constructor(message: string) {
    super(`model.safetensors: ${message}`);
    this.name = 'WeightsError';
  }
}

/** Reads model.safetensors for `config`; throws WeightsError (or SafetensorsError) that says what is wrong. */
export function loadWeights(bytes: ArrayBuffer | Uint8Array, config: LlamaConfig): ModelWeights {
  let file;
  try {
    file = readSafetensors(bytes);
  } catch (error) {
    if (error instanceof SafetensorsError) throw new WeightsError(error.message.replace(/^safetensors: /, ''));
    throw error;
  }
  const get = (name: string, shape: number[]): Float32Array => {
    const t = file.tensors.get(name);
    if (!t) throw new WeightsError(`the tensor ${name} is missing`);
    if (t.dtype === 'U8' || t.dtype === 'I32') throw new WeightsError(`${name} is ${t.dtype}; weights must be F32, BF16 or F16`);
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new WeightsError(`${name} has shape [${t.shape.join(', ')}], but config.json implies [${shape.join(', ')}]`);
    }
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new WeightsError(`${name} holds ${data[i]} at index ${i}; weights must be finite`);
    }
    return data;
  };
  const shapes = new Map(stateDictShapes(config));
  const expected = new Set(shapes.keys());
  const unexpected = [...file.tensors.keys()].filter((n) => !expected.has(n));
  if (unexpected.length)
    throw new WeightsError(`unexpected tensors for this config: ${unexpected.slice(0, 3).join(', ')}${unexpected.length > 3 ? '…' : ''}`);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const linear = {} as Record<LinearModule, Float32Array>;
    for (const m of LINEAR_MODULES) linear[m] = get(linearName(l, m), linearShape(config, m));
    const norm = (which: string) => get(`model.layers.${l}.${which}.weight`, [config.hidden_size]);
    layers.push({ inputNorm: norm('input_layernorm'), postAttentionNorm: norm('post_attention_layernorm'), linear });
  }
  const embedTokens = get('model.embed_tokens.weight', shapes.get('model.embed_tokens.weight')!);
  return {
    embedTokens,
    layers,
    finalNorm: get('model.norm.weight', [config.hidden_size]),
    lmHead: config.tie_word_embeddings ? embedTokens : get('lm_head.weight', shapes.get('lm_head.weight')!),
  };
}

/** The weights as a state dict of named tensors (the model's own layout). */
export function stateDict(w: ModelWeights, c: LlamaConfig): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>([['model.embed_tokens.weight', w.embedTokens]]);
  w.layers.forEach((layer, l) => {
    for (const m of LINEAR_MODULES) out.set(linearName(l, m), layer.linear[m]);
    out.set(`model.layers.${l}.input_layernorm.weight`, layer.inputNorm);
    out.set(`model.layers.${l}.post_attention_layernorm.weight`, layer.postAttentionNorm);
  });
  out.set('model.norm.weight', w.finalNorm);
  if (!c.tie_word_embeddings) out.set('lm_head.weight', w.lmHead);
  return out;
}

/** model.safetensors bytes for `w`, in `dtype` (transformers writes `{"format": "pt"}` as metadata). */
export function saveWeights(w: ModelWeights, c: LlamaConfig, dtype: 'F32' | 'BF16'): Uint8Array {
  const shapes = new Map(stateDictShapes(c));
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, data] of stateDict(w, c)) tensors[name] = { dtype, shape: shapes.get(name)!, data };
  return writeSafetensors(tensors, { format: 'pt' });
}
