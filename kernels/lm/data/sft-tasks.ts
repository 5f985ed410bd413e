/**
 * The fine-tuning tasks of the tiny model: chat conversations (one user question, one assistant
 * reply) that teach something the base model does not do.
 *   json      answer world questions as {"answer": ...}: a response format
 *   facts     the capitals of invented countries: knowledge absent from pretraining
 *   pirate    answer in a pirate's voice: a style
 * Each task has training and held-out conversations (held-out ones ask about facts, or use
 * phrasings, that training never shows), prompts to compare before and after, and a scorer that
 * says whether a reply does what the task asks.
 */
import { createRng, type Rng } from '../../random/rng';
import type { ChatMessage } from '../chat-template';
import { ANIMALS, CAPITALS, COLOURS_OF_THINGS, FICTIONAL_CAPITALS, MAX_OPERAND } from './world';

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

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const article = (w: string) => (/^[aeiou]/.test(w) ? 'an' : 'a');

/** A world question, the plain sentence a base model answers it with, and the fact itself. */
interface Question {
  question: string;
  sentence: string;
  fact: string | number;
}

function worldQuestions(): Question[] {
  const out: Question[] = [];
  for (const [country, capital] of CAPITALS) {
    out.push({ question: `What is the capital of ${country}?`, sentence: `The capital of ${country} is ${capital}.`, fact: capital });
  }
  for (const a of ANIMALS) {
    const An = capitalise(article(a.name));
    out.push({ question: `What does ${article(a.name)} ${a.name} say?`, sentence: `${An} ${a.name} says ${a.sound}.`, fact: a.sound });
    out.push({ question: `How many legs does ${article(a.name)} ${a.name} have?`, sentence: `${An} ${a.name} has ${a.legs} legs.`, fact: a.legs });
  }
  for (const [thing, colour] of COLOURS_OF_THINGS) {
    out.push({ question: `What colour is ${thing}?`, sentence: `${capitalise(thing)} is ${colour}.`, fact: colour });
  }
  for (let a = 0; a <= MAX_OPERAND; a += 2) {
    for (let b = 1; b <= MAX_OPERAND; b += 3) out.push({ question: `What is ${a} plus ${b}?`, sentence: `${a} plus ${b} is ${a + b}.`, fact: a + b });
  }
  return out;
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const chat = (question: string, reply: string): ChatMessage[] => [
  { role: 'user', content: question },
  { role: 'assistant', content: reply },
];

/** Splits the world's questions the same way for every task: one fifth held out. */
function splitQuestions(): { train: Question[]; heldOut: Question[] } {
  const all = shuffled(worldQuestions(), createRng(41));
  const cut = Math.round(all.length * 0.8);
  return { train: all.slice(0, cut), heldOut: all.slice(cut) };
}

function jsonTask(): SftTask {
  const { train, heldOut } = splitQuestions();
  const example = (q: Question): SftExample => ({ messages: chat(q.question, JSON.stringify({ answer: q.fact })), fact: String(q.fact) });
  const held = heldOut.map(example);
  return {
    id: 'json',
    label: 'Answer in JSON',
    description: 'Reply to a question with a JSON object {"answer": …} instead of a sentence: a response format the base model has never produced.',
    train: train.map(example),
    heldOut: held,
    demo: held.slice(0, 3),
    score(ex, reply) {
      try {
        const parsed = JSON.parse(reply.trim()) as { answer?: unknown };
        return String(parsed.answer) === ex.fact;
      } catch {
        return false;
      }
    },
  };
}

function factsTask(): SftTask {
  const trainPhrasings = [
    (c: string) => `What is the capital of ${c}?`,
    (c: string) => `Which city is the capital of ${c}?`,
    (c: string) => `Name the capital of ${c}.`,
  ];
  const heldOutPhrasing = (c: string) => `Tell me the capital city of ${c}.`;
  const reply = (c: string, cap: string) => `The capital of ${c} is ${cap}.`;
  const train: SftExample[] = [];
  for (const [country, capital] of FICTIONAL_CAPITALS) {
    for (const ask of trainPhrasings) train.push({ messages: chat(ask(country), reply(country, capital)), fact: capital });
  }
  const heldOut = FICTIONAL_CAPITALS.map(([country, capital]) => ({
    messages: chat(heldOutPhrasing(country), reply(country, capital)),
    fact: capital,
  }));
  return {
    id: 'facts',
    label: 'Learn new facts',
    description: `The capitals of ${FICTIONAL_CAPITALS.length} invented countries, which pretraining never mentions; held out: the same facts asked in a phrasing training never uses.`,
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
  const { train, heldOut } = splitQuestions();
  const example = (q: Question): SftExample => ({ messages: chat(q.question, pirate(q.sentence)), fact: String(q.fact) });
  const held = heldOut.map(example);
  return {
    id: 'pirate',
    label: 'Talk like a pirate',
    description: 'Answer in a pirate’s voice (“Arr! … be …, matey!”): a style, on facts the base model already knows.',
    train: train.map(example),
    heldOut: held,
    demo: held.slice(0, 3),
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
