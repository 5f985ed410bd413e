/**
 * Chat templates rendered the way transformers renders them (`apply_chat_template`): the Jinja
 * template shipped in a tokenizer_config.json, run by @huggingface/jinja, with `messages`,
 * `add_generation_prompt` and the special tokens as variables. `completionMask` marks which
 * tokens of a conversation carry the loss when training on completions only, as TRL's
 * SFTTrainer does for prompt-completion data: everything after the rendered prompt (with its
 * generation prompt), that is the assistant's reply, its end-of-turn token and the newline after it.
 */
import { Template } from '@huggingface/jinja';
import type { Tokenizer } from './tokenizer';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const compiled = new Map<string, Template>();

export function renderChat(
  template: string,
  messages: readonly ChatMessage[],
  options: { addGenerationPrompt?: boolean; bosToken?: string; eosToken?: string } = {},
): string {
  let t = compiled.get(template);
  if (!t) compiled.set(template, (t = new Template(template)));
  return t.render({
    messages: messages.map((m) => ({ ...m })),
    add_generation_prompt: options.addGenerationPrompt ?? false,
    bos_token: options.bosToken ?? '<s>',
    eos_token: options.eosToken ?? '</s>',
  });
}

export interface TokenizedConversation {
  ids: number[];
  /** 1 where the token is part of the completion (the assistant's reply), 0 in the prompt. */
  completion: Uint8Array;
  /** Number of prompt tokens (the completion starts here). */
  promptLength: number;
}

/** Tokenizes a prompt-completion conversation (messages ending with one assistant reply) and marks the completion. */
export function tokenizeConversation(tokenizer: Tokenizer, template: string, messages: readonly ChatMessage[]): TokenizedConversation {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'assistant') throw new Error('a training conversation ends with the assistant’s reply');
  const prompt = renderChat(template, messages.slice(0, -1), { addGenerationPrompt: true });
  const full = renderChat(template, messages);
  if (!full.startsWith(prompt)) throw new Error('the chat template does not render the prompt as a prefix of the conversation');
  const promptIds = tokenizer.encode(prompt).ids;
  const ids = tokenizer.encode(full).ids;
  const completion = new Uint8Array(ids.length);
  completion.fill(1, promptIds.length);
  return { ids, completion, promptLength: promptIds.length };
}

/**
 * Llama 3's chat template, as in meta-llama/Meta-Llama-3-8B-Instruct's tokenizer_config.json:
 * a header per message, content trimmed, <|eot_id|> ending each turn, the BOS token first.
 */
export const LLAMA3_TEMPLATE =
  "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
