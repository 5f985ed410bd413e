/**
 * The pretraining corpus: documents generated from the world of world.ts by a small grammar of
 * facts, stories, plain question-and-answer pages, chat transcripts and sums. Deterministic for a
 * seed, so the corpus the model was pretrained on, and the fixed held-out set its loss is reported
 * on, can be regenerated anywhere (scripts/lm/make-corpus.ts writes them for the pretraining script).
 */
import { createRng, type Rng } from '../../random/rng';
import { article, capitalise, randomQuestion } from './questions';
import { ANIMALS, CAPITALS, COLOURS_OF_THINGS, FEELINGS, MAX_OPERAND, NAMES, OBJECTS, PLACES, STORY_COLOURS, type Animal } from './world';

/** Seeds of the two splits: documents of the training stream and of the held-out set never coincide in generator state. */
export const PRETRAIN_SEED = 20261130;
export const HELD_OUT_SEED = 7_770_001;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];

// ------------------------------------------------------------------ facts, as statements

export function capitalStatement(rng: Rng, country: string, capital: string): string {
  switch (rng.int(4)) {
    case 0:
      return `The capital of ${country} is ${capital}.`;
    case 1:
      return `${capital} is the capital of ${country}.`;
    case 2:
      return `${capital} is a city in ${country}. It is the capital.`;
    default:
      return `In ${country}, the capital city is ${capital}.`;
  }
}

function animalStatement(rng: Rng, a: Animal): string {
  switch (rng.int(5)) {
    case 0:
      return `${capitalise(article(a.name))} ${a.name} says ${a.sound}.`;
    case 1:
      return `${capitalise(article(a.name))} ${a.name} has ${a.legs} legs.`;
    case 2:
      return `${capitalise(a.plural)} like to eat ${a.food}.`;
    case 3:
      return `${capitalise(article(a.name))} ${a.name} lives in ${article(a.home)} ${a.home}.`;
    default:
      return `The ${a.name} said ${a.sound}, ${a.sound}.`;
  }
}

function colourStatement(rng: Rng): string {
  const [thing, colour] = pick(rng, COLOURS_OF_THINGS);
  return rng.int(2) === 0 ? `${capitalise(thing)} is ${colour}.` : `The colour of ${thing} is ${colour}.`;
}

export function sumStatement(a: number, b: number, op: 'plus' | 'minus'): string {
  return `${a} ${op} ${b} is ${op === 'plus' ? a + b : a - b}.`;
}

function randomSum(rng: Rng): [number, number, 'plus' | 'minus'] {
  const a = rng.int(MAX_OPERAND + 1);
  const b = rng.int(MAX_OPERAND + 1);
  return rng.int(3) === 0 && a >= b ? [a, b, 'minus'] : [a, b, 'plus'];
}

function factParagraph(rng: Rng): string {
  const sentences: string[] = [];
  const n = 3 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const kind = rng.int(4);
    if (kind === 0) {
      const [country, capital] = pick(rng, CAPITALS);
      sentences.push(capitalStatement(rng, country, capital));
    } else if (kind === 1) sentences.push(animalStatement(rng, pick(rng, ANIMALS)));
    else if (kind === 2) sentences.push(colourStatement(rng));
    else {
      const [a, b, op] = randomSum(rng);
      sentences.push(capitalise(sumStatement(a, b, op)));
    }
  }
  return sentences.join(' ');
}

// ------------------------------------------------------------------ stories

function story(rng: Rng): string {
  const [name, pronoun] = pick(rng, NAMES);
  let [friend] = pick(rng, NAMES);
  if (friend === name) friend = NAMES[(NAMES.findIndex(([n]) => n === name) + 1) % NAMES.length][0];
  const [country, city] = pick(rng, CAPITALS);
  const object = pick(rng, OBJECTS);
  const adjective = pick(rng, STORY_COLOURS);
  const place = pick(rng, PLACES);
  const animal = pick(rng, ANIMALS);
  const He = capitalise(pronoun);
  const his = pronoun === 'he' ? 'his' : 'her';
  const opening = pick(rng, [
    `Once upon a time, ${name} lived in ${city}, the capital of ${country}.`,
    `${name} lived in ${city}.`,
    `One morning, ${name} walked to the ${place}.`,
    `${name} had ${article(adjective)} ${adjective} ${object}.`,
  ]);
  const middle = pick(rng, [
    `${He} found ${article(adjective)} ${adjective} ${object} near the ${place}.`,
    `At the ${place}, ${pronoun} saw ${article(animal.name)} ${animal.name}. The ${animal.name} said ${animal.sound}.`,
    `${He} lost ${his} ${object} at the ${place}, and ${friend} helped ${pronoun === 'he' ? 'him' : 'her'} look for it.`,
    `${He} met ${friend} at the ${place}. They played with the ${object} all day.`,
  ]);
  const turn = pick(rng, [
    `Then ${pronoun} gave the ${object} to ${friend}.`,
    `The ${animal.name} wanted to eat ${animal.food}, so ${name} shared some.`,
    `It started to rain, so they went home.`,
    `${friend} said, "Thank you, ${name}!"`,
  ]);
  const ending = pick(rng, [
    `${name} was ${pick(rng, FEELINGS)}.`,
    `They were both ${pick(rng, FEELINGS)}.`,
    `That night, ${name} went to sleep early.`,
    `The end.`,
  ]);
  return [opening, middle, turn, ending].join(' ');
}

// ------------------------------------------------------------------ plain Q/A pages

function qaPage(rng: Rng): string {
  const n = 2 + rng.int(3);
  const pairs: string[] = [];
  for (let i = 0; i < n; i++) {
    const { question, sentence } = randomQuestion(rng);
    pairs.push(`Q: ${question}\nA: ${sentence}`);
  }
  return pairs.join('\n\n');
}

/**
 * Some replies open with a few words before the answer, as people's do. Without them the model
 * finds the answer only at a fixed distance from the question, and a fine-tuned reply that starts
 * differently ("Arr! …") loses the question.
 */
/** Filler that opens some chat replies in pretraining (and that preference tuning teaches the model to drop). */
export const OPENERS = ['Sure! ', 'OK. ', 'Good question. ', 'Let me think. ', 'I know this one. ', 'Easy! ', 'Yes. '];
const OPENER_SHARE = 0.35;

/**
 * A conversation in the model's chat template (ChatML), one to three turns of plain questions and
 * sentence answers, as base models meet chat transcripts in their pretraining data. What
 * fine-tuning then teaches is a task: a format, new facts, a style.
 */
function chatDocument(rng: Rng): string {
  const turns = 1 + rng.int(3);
  let text = '';
  for (let i = 0; i < turns; i++) {
    const { question, sentence } = randomQuestion(rng);
    const opener = rng.next() < OPENER_SHARE ? OPENERS[rng.int(OPENERS.length)] : '';
    text += `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n${opener}${sentence}<|im_end|>\n`;
  }
  return text;
}

function sumsPage(rng: Rng): string {
  const n = 3 + rng.int(4);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, op] = randomSum(rng);
    lines.push(capitalise(sumStatement(a, b, op)));
  }
  return lines.join('\n');
}

/** One document of the corpus. */
export function corpusDocument(rng: Rng): string {
  const r = rng.next();
  if (r < 0.3) return story(rng);
  if (r < 0.52) return factParagraph(rng);
  if (r < 0.7) return qaPage(rng);
  if (r < 0.88) return chatDocument(rng);
  return sumsPage(rng);
}

/** Documents from the stream of `seed`, until their text reaches `chars` characters. */
export function corpusDocuments(seed: number, chars: number): string[] {
  const rng = createRng(seed);
  const docs: string[] = [];
  let total = 0;
  while (total < chars) {
    const doc = corpusDocument(rng);
    docs.push(doc);
    total += doc.length;
  }
  return docs;
}
