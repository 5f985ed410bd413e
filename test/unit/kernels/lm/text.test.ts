/** The tokenizer, the chat templates and the config checks of the tiny model. */
import { describe, expect, it } from 'vitest';
import { LLAMA3_TEMPLATE, renderChat, tokenizeConversation } from '../../../../kernels/lm/chat-template';
import { ConfigError, linearShape, modelParamCount, parseConfig } from '../../../../kernels/lm/config';
import { CHATML_TEMPLATE, TINY_CONFIG } from '../../../../kernels/lm/tiny-model';
import { Tokenizer, tokenizerJson, vocabulary } from '../../../../kernels/lm/tokenizer';

const tok = Tokenizer.standard();

describe('character tokenizer with byte fallback', () => {
  it('one token per printable ASCII character; special tokens recognised inside text', () => {
    const e = tok.encode('<|im_start|>user\nHi!<|im_end|>');
    expect(e.ids[0]).toBe(tok.id('<|im_start|>'));
    expect(e.ids.at(-1)).toBe(tok.id('<|im_end|>'));
    expect(e.ids).toHaveLength(1 + 4 + 1 + 3 + 1);
    expect(tok.decode(e.ids)).toBe('<|im_start|>user\nHi!<|im_end|>');
    expect(e.byteFallbackChars).toEqual([]);
  });
  it('newline is the byte token <0x0A>, as in LLaMA; characters outside the vocabulary become their UTF-8 bytes and are reported', () => {
    expect(tok.token(tok.encode('\n').ids[0])).toBe('<0x0A>');
    const e = tok.encode('café 中');
    expect(e.ids).toHaveLength(3 + 2 + 1 + 3);
    expect(e.byteFallbackChars).toEqual(['é', '中']);
    expect(tok.decode(e.ids)).toBe('café 中');
  });
  it('decoding broken UTF-8 gives the replacement character, ids outside the vocabulary are refused', () => {
    expect(tok.decode([tok.encode('é').ids[0]])).toBe('\ufffd');
    expect(() => tok.decode([5000])).toThrow(/outside the vocabulary/);
  });
  it('tokenizer.json round-trips; merges and a missing byte fallback are refused', () => {
    const json = tokenizerJson() as { model: Record<string, unknown> };
    expect(Tokenizer.fromJson(json).vocabSize).toBe(vocabulary().length);
    expect(() => Tokenizer.fromJson({ ...json, model: { ...json.model, merges: [['a', 'b']] } })).toThrow(/merges/);
    expect(() => Tokenizer.fromJson({ ...json, model: { ...json.model, byte_fallback: false } })).toThrow(/byte_fallback/);
    expect(() => Tokenizer.fromJson({ model: { type: 'WordPiece' } })).toThrow(/BPE/);
  });
});

describe('chat templates rendered by @huggingface/jinja', () => {
  const messages = [
    { role: 'user' as const, content: 'What is the capital of Peru?' },
    { role: 'assistant' as const, content: 'Lima.' },
  ];
  it('ChatML after the BOS token: turns between <|im_start|>role and <|im_end|>, a generation prompt opens the assistant turn', () => {
    expect(renderChat(CHATML_TEMPLATE, messages)).toBe(
      '<s><|im_start|>user\nWhat is the capital of Peru?<|im_end|>\n<|im_start|>assistant\nLima.<|im_end|>\n',
    );
    expect(renderChat(CHATML_TEMPLATE, messages.slice(0, 1), { addGenerationPrompt: true })).toBe(
      '<s><|im_start|>user\nWhat is the capital of Peru?<|im_end|>\n<|im_start|>assistant\n',
    );
  });
  it('Llama 3: BOS first, a header per message, content trimmed, <|eot_id|> ending each turn', () => {
    expect(renderChat(LLAMA3_TEMPLATE, [{ role: 'user', content: '  Hi ' }], { addGenerationPrompt: true, bosToken: '<|begin_of_text|>' })).toBe(
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });
  it('completion tokens are the reply, its <|im_end|> and the newline after it', () => {
    const t = tokenizeConversation(tok, CHATML_TEMPLATE, messages);
    const completion = t.ids.filter((_, i) => t.completion[i]);
    expect(tok.decode(completion)).toBe('Lima.<|im_end|>\n');
    expect(t.promptLength).toBe(t.ids.length - completion.length);
  });
});

describe('config.json', () => {
  it('the tiny model: LLaMA architecture, about 0.9M parameters, a context of 128', () => {
    const c = parseConfig(JSON.parse(JSON.stringify(TINY_CONFIG)));
    expect(c.architectures).toEqual(['LlamaForCausalLM']);
    expect(modelParamCount(c)).toBe(895_360);
    expect(c.max_position_embeddings).toBeGreaterThanOrEqual(128);
    expect(linearShape(c, 'down_proj')).toEqual([128, 352]);
  });
  it.each([
    [{ model_type: 'gpt2' }, /model_type/],
    [{ num_key_value_heads: 2 }, /grouped-query/],
    [{ hidden_size: 130 }, /head_dim × num_attention_heads/],
    [{ hidden_act: 'gelu' }, /silu/],
    [{ rope_scaling: { type: 'linear', factor: 2 } }, /rope_scaling/],
    [{ vocab_size: -3 }, /vocab_size/],
    [{ rms_norm_eps: 'small' }, /rms_norm_eps/],
  ])('refuses %j with a message naming the field', (change, message) => {
    const json = { ...JSON.parse(JSON.stringify(TINY_CONFIG)), head_dim: undefined, ...change };
    expect(() => parseConfig(json)).toThrow(ConfigError);
    expect(() => parseConfig(json)).toThrow(message);
  });
});
