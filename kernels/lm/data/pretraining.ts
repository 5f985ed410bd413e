/**
 * Pretraining text as the model sees it: each document is <s> text </s>, documents are
 * concatenated into one token stream and cut into windows of CONTEXT tokens (GPT-style
 * pretraining; a window may start mid-document and hold the end of one and the start of another).
 */
import type { Tokenizer } from '../tokenizer';
import { CONTEXT } from '../tiny-model';
import { createRng } from '../../random/rng';
import { corpusDocument, HELD_OUT_SEED } from './corpus';

/** The token stream of the documents of `seed`, at least `tokens` long. */
export function pretrainingStream(tokenizer: Tokenizer, seed: number, tokens: number): Int32Array {
  const ids: number[] = [];
  const bos = tokenizer.id('<s>');
  const eos = tokenizer.id('</s>');
  const rng = createRng(seed);
  while (ids.length < tokens) ids.push(bos, ...tokenizer.encode(corpusDocument(rng)).ids, eos);
  return Int32Array.from(ids.slice(0, Math.max(tokens, 0)));
}

/** Held-out windows: `rows` non-overlapping windows of CONTEXT + 1 tokens (inputs and next-token targets). */
export function heldOutWindows(tokenizer: Tokenizer, rows: number): Int32Array {
  return pretrainingStream(tokenizer, HELD_OUT_SEED, rows * (CONTEXT + 1));
}

/** The held-out set the model's card reports its loss on, and that tests check. */
export const HELD_OUT_ROWS = 64;
