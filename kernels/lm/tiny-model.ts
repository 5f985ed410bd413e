/**
 * The course's tiny language model: LLaMA's architecture at about 0.9M parameters, a character
 * tokenizer with byte fallback, and ChatML as its chat template. Its files live in
 * public/models/tiny-llama/ (config.json, model.safetensors, tokenizer.json,
 * tokenizer_config.json, generation_config.json, README.md); scripts/lm/ writes them.
 */
import type { LlamaConfig } from './config';
import { SPECIAL_TOKENS, vocabulary } from './tokenizer';

/** Where the site serves the model's folder. */
export const TINY_MODEL_PATH = '/models/tiny-llama';
/** The same folder in the repository, for scripts and tests. */
export const TINY_MODEL_DIR = `public${TINY_MODEL_PATH}`;

/** Tokens per training sequence, and the context the model was pretrained at. */
export const CONTEXT = 128;

const id = (t: (typeof SPECIAL_TOKENS)[number]) => SPECIAL_TOKENS.indexOf(t);

export const TINY_CONFIG: LlamaConfig = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: vocabulary().length,
  hidden_size: 128,
  intermediate_size: 352,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  head_dim: 32,
  hidden_act: 'silu',
  max_position_embeddings: CONTEXT,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  rope_scaling: null,
  attention_bias: false,
  attention_dropout: 0,
  mlp_bias: false,
  tie_word_embeddings: false,
  initializer_range: 0.02,
  bos_token_id: id('<s>'),
  eos_token_id: id('</s>'),
  pad_token_id: id('<pad>'),
  torch_dtype: 'bfloat16',
  transformers_version: '4.46.0',
  use_cache: true,
  pretraining_tp: 1,
};

/**
 * ChatML, as Qwen2's tokenizer_config.json writes it (without Qwen's default system prompt):
 * each message is <|im_start|>role\ncontent<|im_end|>\n; the generation prompt opens an
 * assistant turn. The BOS token comes first, as it starts every pretraining document.
 */
export const CHATML_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export const TOKENIZER_CONFIG = {
  add_bos_token: false,
  add_eos_token: false,
  bos_token: '<s>',
  eos_token: '</s>',
  pad_token: '<pad>',
  unk_token: '<unk>',
  chat_template: CHATML_TEMPLATE,
  clean_up_tokenization_spaces: false,
  model_max_length: CONTEXT,
  tokenizer_class: 'PreTrainedTokenizerFast',
};

/** Generation stops at the end of a document or of an assistant turn. */
export const GENERATION_CONFIG = {
  bos_token_id: id('<s>'),
  eos_token_id: [id('</s>'), id('<|im_end|>')],
  pad_token_id: id('<pad>'),
  transformers_version: '4.46.0',
};
