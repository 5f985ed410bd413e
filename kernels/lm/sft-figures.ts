/**
 * Figures the SFT chapter computes at build time from the tiny model's tokenizer, chat template and
 * tasks: a conversation rendered in ChatML and in Llama 3's template with the part that carries the
 * loss, and what packing saves on each task's training set.
 */
import { LLAMA3_TEMPLATE, renderChat, type ChatMessage } from './chat-template';
import { packRows, padRows } from './data/batches';
import { conversationSequences, SFT_TASK_IDS, sftTask, type SftTaskId } from './data/sft-tasks';
import { CHATML_TEMPLATE, CONTEXT } from './tiny-model';
import { Tokenizer } from './tokenizer';

export interface RenderedConversation {
  /** The prompt with the generation prompt: no loss. */
  prompt: string;
  /** The rest of the conversation: the reply and its end-of-turn marker, which carry the loss. */
  completion: string;
}

export function renderForTraining(template: string, messages: readonly ChatMessage[], bosToken = '<s>'): RenderedConversation {
  const prompt = renderChat(template, messages.slice(0, -1), { addGenerationPrompt: true, bosToken });
  const full = renderChat(template, messages, { bosToken });
  if (!full.startsWith(prompt)) throw new Error('the template does not render the prompt as a prefix of the conversation');
  return { prompt, completion: full.slice(prompt.length) };
}

/** The first training conversation of a task, in the tiny model's ChatML and in Llama 3's template. */
export function templateExample(task: SftTaskId): { messages: ChatMessage[]; chatml: RenderedConversation; llama3: RenderedConversation } {
  const messages = sftTask(task).train[0].messages;
  return {
    messages,
    chatml: renderForTraining(CHATML_TEMPLATE, messages),
    llama3: renderForTraining(LLAMA3_TEMPLATE, messages, '<|begin_of_text|>'),
  };
}

export interface PackingStats {
  task: SftTaskId;
  conversations: number;
  meanTokens: number;
  paddedRows: number;
  packedRows: number;
  /** Share of input positions that hold a token, padded and packed. */
  paddedFill: number;
  packedFill: number;
}

export function packingStats(task: SftTaskId): PackingStats {
  const tokenizer = Tokenizer.standard();
  const seqs = conversationSequences({ tokenizer, chatTemplate: CHATML_TEMPLATE }, sftTask(task).train, true);
  const pad = tokenizer.id('<pad>');
  const positions = seqs.reduce((s, q) => s + Math.min(q.ids.length - 1, CONTEXT), 0);
  const padded = padRows(seqs, CONTEXT, pad);
  const packed = packRows(seqs, CONTEXT, pad);
  return {
    task,
    conversations: seqs.length,
    meanTokens: seqs.reduce((s, q) => s + q.ids.length, 0) / seqs.length,
    paddedRows: padded.rows,
    packedRows: packed.rows,
    paddedFill: positions / (padded.rows * CONTEXT),
    packedFill: positions / (packed.rows * CONTEXT),
  };
}

export const ALL_PACKING_STATS = (): PackingStats[] => SFT_TASK_IDS.map(packingStats);
