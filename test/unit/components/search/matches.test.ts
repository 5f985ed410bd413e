import { describe, expect, it } from 'vitest';
import { consistentWithQuery, markedWords, queryWords } from '../../../../components/search/matches';

describe('search results that answer the query', () => {
  it('reads the words typed and the words Pagefind highlighted', () => {
    expect(queryWords('Low-rank  LoRA')).toEqual(['low', 'rank', 'lora']);
    expect(markedWords('the <mark>partition</mark> function and <mark>BA</mark>')).toEqual(['partition', 'ba']);
  });
  it('keeps real matches, prefixes typed so far, and stemmed endings', () => {
    expect(consistentWithQuery('the <mark>partition</mark> function', ['partition'])).toBe(true);
    expect(consistentWithQuery('the <mark>partition</mark> function', ['partitions'])).toBe(true);
    expect(consistentWithQuery('<mark>quantization</mark> error', ['quantiz'])).toBe(true);
    expect(consistentWithQuery('a <mark>low</mark> <mark>rank</mark> update', ['low', 'rank'])).toBe(true);
  });
  it('drops what Pagefind found by backtracking an unknown word to a short prefix', () => {
    expect(consistentWithQuery('every column of <mark>BA</mark> is', ['banana'])).toBe(false);
    expect(consistentWithQuery('h = W0 <mark>x</mark> + s', ['xyzzy'])).toBe(false);
    expect(consistentWithQuery('a <mark>low</mark> update', ['low', 'banana'])).toBe(false);
  });
});
