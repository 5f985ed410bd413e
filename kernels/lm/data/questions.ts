/**
 * Questions about the world of world.ts, each kind in three phrasings, with the plain sentence that
 * answers it. The pretraining corpus asks them (as Q/A pages and as chat conversations); the
 * fine-tuning tasks ask them too, and hold some facts out.
 */
import { createRng, type Rng } from '../../random/rng';
import { ANIMALS, CAPITALS, COLOURS_OF_THINGS, MAX_OPERAND } from './world';

export const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
export const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

export type QuestionKind = 'capital' | 'sound' | 'legs' | 'colour' | 'sum';

export interface Question {
  kind: QuestionKind;
  /** The same question in three phrasings; the first is the canonical one. */
  phrasings: string[];
  /** The sentence a plain answer gives. */
  sentence: string;
  /** What a correct answer must contain. */
  fact: string | number;
}

export function capitalQuestion(country: string, capital: string): Question {
  return {
    kind: 'capital',
    phrasings: [`What is the capital of ${country}?`, `Which city is the capital of ${country}?`, `Name the capital of ${country}.`],
    sentence: `The capital of ${country} is ${capital}.`,
    fact: capital,
  };
}

function soundQuestion(a: (typeof ANIMALS)[number]): Question {
  const an = `${article(a.name)} ${a.name}`;
  return {
    kind: 'sound',
    phrasings: [`What does ${an} say?`, `What sound does ${an} make?`, `How does ${an} sound?`],
    sentence: `${capitalise(an)} says ${a.sound}.`,
    fact: a.sound,
  };
}

function legsQuestion(a: (typeof ANIMALS)[number]): Question {
  const an = `${article(a.name)} ${a.name}`;
  return {
    kind: 'legs',
    phrasings: [`How many legs does ${an} have?`, `How many legs has ${an} got?`, `Count the legs of ${an}.`],
    sentence: `${capitalise(an)} has ${a.legs} legs.`,
    fact: a.legs,
  };
}

function colourQuestion(thing: string, colour: string): Question {
  return {
    kind: 'colour',
    phrasings: [`What colour is ${thing}?`, `What is the colour of ${thing}?`, `Tell me the colour of ${thing}.`],
    sentence: `${capitalise(thing)} is ${colour}.`,
    fact: colour,
  };
}

export function sumQuestion(a: number, b: number): Question {
  return {
    kind: 'sum',
    phrasings: [`What is ${a} plus ${b}?`, `How much is ${a} plus ${b}?`, `Add ${a} and ${b}.`],
    sentence: `${a} plus ${b} is ${a + b}.`,
    fact: a + b,
  };
}

/** Every fact of the world as a question (the sums: a grid of them). */
export function worldQuestions(): Question[] {
  const out: Question[] = CAPITALS.map(([country, capital]) => capitalQuestion(country, capital));
  for (const a of ANIMALS) out.push(soundQuestion(a), legsQuestion(a));
  for (const [thing, colour] of COLOURS_OF_THINGS) out.push(colourQuestion(thing, colour));
  for (let a = 1; a <= MAX_OPERAND; a += 2) for (let b = 2; b <= MAX_OPERAND; b += 3) out.push(sumQuestion(a, b));
  return out;
}

/** A random question of any kind (sums drawn over all operands), in a random phrasing. */
export function randomQuestion(rng: Rng): { question: string; sentence: string } {
  const pick = <T>(items: readonly T[]) => items[rng.int(items.length)];
  let q: Question;
  switch (rng.int(5)) {
    case 0:
      q = capitalQuestion(...pick(CAPITALS));
      break;
    case 1:
      q = soundQuestion(pick(ANIMALS));
      break;
    case 2:
      q = legsQuestion(pick(ANIMALS));
      break;
    case 3:
      q = colourQuestion(...pick(COLOURS_OF_THINGS));
      break;
    default:
      q = sumQuestion(rng.int(MAX_OPERAND + 1), rng.int(MAX_OPERAND + 1));
  }
  return { question: pick(q.phrasings), sentence: q.sentence };
}

export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The world's facts split the same way for every task: one fifth held out (never trained on). */
export function splitWorldQuestions(): { train: Question[]; heldOut: Question[] } {
  const all = shuffled(worldQuestions(), createRng(41));
  const cut = Math.round(all.length * 0.8);
  return { train: all.slice(0, cut), heldOut: all.slice(cut) };
}
