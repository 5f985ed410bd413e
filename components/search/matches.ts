/**
 * Which Pagefind results answer the reader's words. Pagefind 1.6 backtracks an unknown word to the
 * longest prefix it has indexed, so "banana" returns every page with "BA" on it (upstream issues
 * #599, #793). A result counts when, for every word typed (of three letters or more), one of the
 * words Pagefind highlighted in its excerpt starts with it, or is that word less a stemmed ending
 * of at most three letters ("partitions" for "partition").
 */

/** The words of a query, lowercased. */
export function queryWords(query: string): string[] {
  return (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 0);
}

/** The highlighted words of a Pagefind excerpt (`<mark>…</mark>`), lowercased. */
export function markedWords(excerpt: string): string[] {
  return [...excerpt.matchAll(/<mark>(.*?)<\/mark>/g)].flatMap((m) => queryWords(m[1]));
}

function answers(marked: string, word: string): boolean {
  return marked.startsWith(word) || (word.startsWith(marked) && marked.length >= Math.max(3, word.length - 3));
}

export function consistentWithQuery(excerpt: string, words: readonly string[]): boolean {
  const marked = markedWords(excerpt);
  return words.filter((w) => w.length >= 3).every((w) => marked.some((m) => answers(m, w)));
}

/** An excerpt as DOM nodes: its text, and its highlights as <mark>; nothing else is interpreted. */
export function excerptNodes(excerpt: string): Node[] {
  // A textarea decodes entities and keeps every space (an HTML document would drop leading ones).
  const decoder = document.createElement('textarea');
  const decode = (s: string) => {
    decoder.innerHTML = s;
    return decoder.value;
  };
  return excerpt.split(/(<mark>.*?<\/mark>)/g).map((part) => {
    const m = /^<mark>(.*)<\/mark>$/.exec(part);
    if (!m) return document.createTextNode(decode(part));
    const mark = document.createElement('mark');
    mark.textContent = decode(m[1]);
    return mark;
  });
}
