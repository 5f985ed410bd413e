/**
 * What a fine-tuning run downloads, in the layouts the ecosystem reads:
 *   - the adapter as PEFT saves it (`save_pretrained`): adapter_config.json and
 *     adapter_model.safetensors with PEFT's tensor names
 *     (base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight, ...; DoRA's magnitude as
 *     ...q_proj.lora_magnitude_vector, as peft/utils/save_and_load.py writes it), loadable with
 *     PeftModel.from_pretrained(base, folder);
 *   - the merged model (merge_and_unload) in the base model's own layout: config.json and
 *     model.safetensors with transformers' names, plus the tokenizer files.
 */
import { zipSync } from 'fflate';
import { writeSafetensors, type TensorToWrite } from '../formats/safetensors';
import type { LlamaConfig } from './config';
import type { AdapterConfig } from './engine/program';
import { saveWeights, type ModelWeights } from './weights';

/**
 * PEFT's task types used here: a causal LM, or sequence classification (a reward model), for which
 * PEFT trains and saves the head whole, adding "classifier" and "score" to modules_to_save
 * (peft_model.py, PeftModelForSequenceClassification).
 */
export type PeftTask = 'CAUSAL_LM' | 'SEQ_CLS';

/** adapter_config.json as PEFT 0.13 writes it for a LoRA (or DoRA) adapter. */
export function adapterConfigJson(adapter: AdapterConfig, baseModel: string, task: PeftTask = 'CAUSAL_LM'): object {
  if (adapter.method === 'full') throw new Error('full fine-tuning has no adapter: download the model instead');
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModel,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: adapter.alpha,
    lora_dropout: 0,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: task === 'SEQ_CLS' ? ['classifier', 'score'] : null,
    peft_type: 'LORA',
    r: adapter.rank,
    rank_pattern: {},
    revision: null,
    target_modules: [...adapter.targets],
    task_type: task,
    use_dora: adapter.method === 'dora',
    use_rslora: adapter.scaling === 'rslora',
  };
}

/** adapter_model.safetensors: every adapter tensor in float32, under PEFT's names. */
export function adapterSafetensors(trained: Map<string, Float32Array>, shapes: Map<string, number[]>): Uint8Array {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, data] of trained) {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`no shape known for ${name}`);
    tensors[name] = { dtype: 'F32', shape, data };
  }
  return writeSafetensors(tensors);
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + '\n');

/** A zip of the adapter folder. */
export function adapterZip(
  adapter: AdapterConfig,
  baseModel: string,
  trained: Map<string, Float32Array>,
  shapes: Map<string, number[]>,
  task: PeftTask = 'CAUSAL_LM',
): Uint8Array {
  return zipSync({
    'adapter_config.json': json(adapterConfigJson(adapter, baseModel, task)),
    'adapter_model.safetensors': adapterSafetensors(trained, shapes),
  });
}

/** A zip of the merged model folder, weights in the base model's dtype (bfloat16). */
export function mergedModelZip(weights: ModelWeights, config: LlamaConfig, extraFiles: Record<string, Uint8Array>): Uint8Array {
  return zipSync({
    'config.json': json(config),
    'model.safetensors': saveWeights(weights, config, config.torch_dtype === 'float32' ? 'F32' : 'BF16'),
    ...extraFiles,
  });
}
