/**
 * Preference data for the tiny model, generated from the world's facts by one rule a reader can
 * check: the preferred reply states the right fact and starts with it; the rejected reply to the
 * same question either states a wrong fact or opens with filler ("Sure! ", "Good question. "),
 * which the model picked up from the chat transcripts of its pretraining. Training pairs ask
 * about the training facts in every phrasing; held-out pairs ask about facts never trained on.
 */
import { createRng, type Rng } from '../../random/rng';
import { OPENERS } from './corpus';
import { shuffled, splitWorldQuestions, type Question } from './questions';

export const PREFERENCE_RULE =
  'Preferred: the right fact, said at once. Rejected: a wrong fact, or the right one after filler (“Sure! ”, “Good question. ”).';

export type Flaw = 'wrong' | 'filler';

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** What is wrong with the rejected reply. */
  flaw: Flaw;
}

export interface PreferenceSet {
  train: PreferencePair[];
  heldOut: PreferencePair[];
}

/** Replaces the last occurrence of `fact` in `sentence` (sums name their operands first). */
function swapFact(sentence: string, fact: string, other: string): string {
  const at = sentence.lastIndexOf(fact);
  if (at < 0) throw new Error(`"${sentence}" does not contain its fact "${fact}"`);
  return sentence.slice(0, at) + other + sentence.slice(at + fact.length);
}

/** The sentence with a wrong fact of the same kind: another capital, sound or colour, a count or sum off by 1 to 3. */
export function wrongSentence(q: Question, all: readonly Question[], rng: Rng): string {
  if (typeof q.fact === 'number') {
    const delta = (1 + rng.int(3)) * (rng.next() < 0.5 && q.fact > 3 ? -1 : 1);
    return swapFact(q.sentence, String(q.fact), String(q.fact + delta));
  }
  const others = all.filter((o) => o.kind === q.kind && o.fact !== q.fact);
  return swapFact(q.sentence, q.fact, String(others[rng.int(others.length)].fact));
}

function pairsOf(questions: readonly Question[], all: readonly Question[], everyPhrasing: boolean, rng: Rng): PreferencePair[] {
  const out: PreferencePair[] = [];
  for (const q of questions) {
    for (const prompt of everyPhrasing ? q.phrasings : q.phrasings.slice(0, 1)) {
      const flaw: Flaw = out.length % 2 === 0 ? 'wrong' : 'filler';
      const rejected = flaw === 'wrong' ? wrongSentence(q, all, rng) : OPENERS[rng.int(OPENERS.length)] + q.sentence;
      out.push({ prompt, chosen: q.sentence, rejected, flaw });
    }
  }
  return out;
}

let cached: PreferenceSet | null = null;

/** The pairs, the same on every call: training pairs shuffled once, held-out pairs in a fixed order. */
export function preferencePairs(): PreferenceSet {
  if (cached) return cached;
  const { train, heldOut } = splitWorldQuestions();
  const all = [...train, ...heldOut];
  const rng = createRng(20261130);
  cached = { train: shuffled(pairsOf(train, all, true, rng), rng), heldOut: pairsOf(heldOut, all, false, rng) };
  return cached;
}

/** Whether a reply opens with one of the fillers (trimmed: "OK." and "Sure!" count without the space). */
/** The first `count` held-out pairs (at least 2, so both orders can be measured), or all of them when 0. */
export function evaluatedPairs(count: number): PreferencePair[] {
  const { heldOut } = preferencePairs();
  return count > 0 ? heldOut.slice(0, Math.max(2, count)) : heldOut;
}

/** Indices of `count` training pairs in the order a run takes them, `needed` in all: shuffled afresh each epoch. */
export function epochOrder(count: number, needed: number, seed: number): number[] {
  const rng = createRng(seed);
  const order: number[] = [];
  const indices = Array.from({ length: count }, (_, i) => i);
  while (order.length < needed) order.push(...shuffled(indices, rng));
  return order;
}

export function opensWithFiller(reply: string): boolean {
  return OPENERS.some((o) => reply.startsWith(o.trim()));
}

/** What a reply does against the rule: whether it contains the right sentence, whether it opens with filler. */
export function judgeReply(reply: string, pair: PreferencePair): { correct: boolean; filler: boolean } {
  return { correct: reply.includes(pair.chosen), filler: opensWithFiller(reply) };
}
