/**
 * The fine-tuning tasks of the tiny model: chat conversations (one user question, one assistant
 * reply) that teach something the base model does not do.
 *   json      answer world questions as {"answer": "<sentence>"}: a response format
 *   facts     the capitals of invented countries: knowledge absent from pretraining
 *   pirate    answer in a pirate's voice: a style
 * Each task has training and held-out conversations (held-out ones ask about facts, or use
 * phrasings, that training never shows), prompts to compare before and after, and a scorer that
 * says whether a reply does what the task asks.
 */
import { createRng } from '../../random/rng';
import { tokenizeConversation, type ChatMessage } from '../chat-template';
import type { Tokenizer } from '../tokenizer';
import type { Sequence } from './batches';
import { capitalQuestion, shuffled, splitWorldQuestions, type Question } from './questions';
import { CAPITALS, FICTIONAL_CAPITALS } from './world';

export const SFT_TASK_IDS = ['json', 'facts', 'pirate'] as const;
export type SftTaskId = (typeof SFT_TASK_IDS)[number];

export interface SftExample {
  messages: ChatMessage[];
  /** What a correct reply must contain (the fact asked for). */
  fact: string;
}

export interface SftTask {
  id: SftTaskId;
  label: string;
  description: string;
  train: SftExample[];
  heldOut: SftExample[];
  /** Held-out questions whose replies the page shows before and after training. */
  demo: SftExample[];
  /** Whether `reply` to `example` does what the task asks. */
  score(example: SftExample, reply: string): boolean;
}

const chat = (question: string, reply: string): ChatMessage[] => [
  { role: 'user', content: question },
  { role: 'assistant', content: reply },
];

/** Training conversations: every phrasing of every training fact. Held out: the first phrasing of the other facts. */
function conversations(reply: (q: Question) => string): { train: SftExample[]; heldOut: SftExample[] } {
  const { train, heldOut } = splitWorldQuestions();
  return {
    train: train.flatMap((q) => q.phrasings.map((p) => ({ messages: chat(p, reply(q)), fact: String(q.fact) }))),
    heldOut: heldOut.map((q) => ({ messages: chat(q.phrasings[0], reply(q)), fact: String(q.fact) })),
  };
}

function jsonTask(): SftTask {
  // The answer keeps the base model's sentence: the format is new, the knowledge is reached as in pretraining.
  const { train, heldOut } = conversations((q) => JSON.stringify({ answer: q.sentence }));
  return {
    id: 'json',
    label: 'Answer in JSON',
    description:
      'Reply with a JSON object {"answer": "…"} around the answer: a response format the base model has never produced. Held out: facts it knows from pretraining but was never asked about here.',
    train,
    heldOut,
    demo: heldOut.slice(0, 3),
    score(ex, reply) {
      try {
        const parsed = JSON.parse(reply.trim()) as { answer?: unknown };
        return typeof parsed.answer === 'string' && parsed.answer.includes(ex.fact);
      } catch {
        return false;
      }
    },
  };
}

function factsTask(): SftTask {
  // A phrasing that neither pretraining nor the training conversations use.
  const heldOutPhrasing = (c: string) => `Tell me the capital city of ${c}.`;
  const train: SftExample[] = [];
  // The new facts, and the capitals the model knows in the same form, so it keeps answering from the question.
  for (const [country, capital] of [...FICTIONAL_CAPITALS, ...CAPITALS]) {
    const q = capitalQuestion(country, capital);
    for (const p of q.phrasings) train.push({ messages: chat(p, q.sentence), fact: capital });
  }
  const heldOut = FICTIONAL_CAPITALS.map(([country, capital]) => ({
    messages: chat(heldOutPhrasing(country), capitalQuestion(country, capital).sentence),
    fact: capital,
  }));
  return {
    id: 'facts',
    label: 'Learn new facts',
    description: `The capitals of ${FICTIONAL_CAPITALS.length} invented countries, which pretraining never mentions (mixed with the real capitals the model knows); held out: the new facts asked in a phrasing training never uses.`,
    train,
    heldOut,
    demo: heldOut.slice(0, 3),
    score: (ex, r) => r.includes(ex.fact),
  };
}

/** The base model's sentence, said by a pirate: "Arr! The capital of France be Paris, matey!" */
export function pirate(sentence: string): string {
  return `Arr! ${sentence.replace(/ is /, ' be ').replace(/ has /, ' got ').replace(/\.$/, '')}, matey!`;
}

function pirateTask(): SftTask {
  const { train, heldOut } = conversations((q) => pirate(q.sentence));
  return {
    id: 'pirate',
    label: 'Talk like a pirate',
    description:
      'Answer in a pirate’s voice (“Arr! … be …, matey!”): a style, on facts the base model already knows; held out: facts never asked about here.',
    train,
    heldOut,
    demo: heldOut.slice(0, 3),
    score: (ex, r) => r.startsWith('Arr!') && r.trimEnd().endsWith('matey!') && r.includes(ex.fact),
  };
}

/**
 * The training conversations a run uses: a seeded `share` of the task's set, with a `noisy` share
 * of them given the reply of another conversation (a wrong answer, as careless labelling gives).
 */
export function trainingSubset(task: SftTask, share: number, noisy: number, seed: number): SftExample[] {
  if (!(share > 0 && share <= 1)) throw new Error(`the data share must be in (0, 1], got ${share}`);
  if (!(noisy >= 0 && noisy <= 1)) throw new Error(`the noisy share must be in [0, 1], got ${noisy}`);
  const rng = createRng(seed + 7919);
  const chosen = shuffled(task.train, rng).slice(0, Math.max(1, Math.round(share * task.train.length)));
  const corrupt = Math.round(noisy * chosen.length);
  return chosen.map((ex, i) => {
    if (i >= corrupt || chosen.length < 2) return ex;
    // A reply with a different fact, from another conversation of the subset.
    let j = (i + 1 + rng.int(chosen.length - 1)) % chosen.length;
    while (chosen[j].fact === ex.fact && j !== i) j = (j + 1) % chosen.length;
    return { messages: [ex.messages[0], chosen[j].messages[1]], fact: ex.fact };
  });
}

const BUILDERS: Record<SftTaskId, () => SftTask> = { json: jsonTask, facts: factsTask, pirate: pirateTask };
const cache = new Map<SftTaskId, SftTask>();

export function sftTask(id: SftTaskId): SftTask {
  let t = cache.get(id);
  if (!t) cache.set(id, (t = BUILDERS[id]()));
  return t;
}

/** The sequences of conversations, with the loss on completions or on every token. */
export function conversationSequences(
  model: { tokenizer: Tokenizer; chatTemplate: string },
  examples: readonly SftExample[],
  completionOnly: boolean,
): Sequence[] {
  return examples.map((ex) => {
    const t = tokenizeConversation(model.tokenizer, model.chatTemplate, ex.messages);
    return { ids: t.ids, lossMask: completionOnly ? t.completion : t.ids.map((_, i) => (i === 0 ? 0 : 1)) };
  });
}
