/**
 * Free-text answers graded against claims, not words. A card's rubric is a list of key points;
 * each point is a claim with:
 *   phrases      the ways it is said, in English and Chinese (Simplified or Traditional);
 *   contradicts  what contradicts it: the misconceptions the card targets;
 *   about        optionally, what it must be said about: a phrase that must share the sentence.
 * A claim is contradicted where a misconception occurs, not negated; otherwise it is found where
 * one of its phrases occurs, not negated, in a sentence (that also names what it is about); and
 * contradicted where its phrases occur only negated ("B is not zero", "不需要参考模型"). A
 * contradicted claim costs credit. An answer that is only a list of terms, with no statement in
 * it, gets no credit.
 *
 * Phrase syntax:
 *   "low rank"      words in this order; each word is compared by its stem (Porter, after British
 *                   -ise spellings become -ize), so "freezes" matches "freeze" and "initialised"
 *                   matches "initialized"; case, hyphens and underscores are ignored
 *   "initiali*"     a trailing * matches any ending of the word as typed
 *   "B & zero"      every part in the same sentence, in any order
 *   "低秩"           Chinese: matched in the sentence with spaces removed, after Traditional
 *                   characters are converted to Simplified (OpenCC)
 */
import { stemmer } from 'stemmer';
import { toSimplified } from './chinese';

export interface Claim {
  /** Short name of the key point, shown in the feedback. */
  point: string;
  phrases: readonly string[];
  contradicts?: readonly string[];
  about?: readonly string[];
}

export type ClaimStatus = 'found' | 'missing' | 'contradicted';

export interface ClaimFinding {
  point: string;
  status: ClaimStatus;
  /** The sentence of the answer that made the claim or contradicted it, as typed. */
  evidence?: string;
  /** For a contradiction: the misconception matched, or "negated" when the answer denies the claim. */
  because?: string;
}

export interface ClaimGrade {
  findings: ClaimFinding[];
  /** (found - contradicted) / points, at least 0; 0 for a bare list of terms. */
  score: number;
  /** The answer names terms but states nothing. */
  termList: boolean;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const CJK_ALL = /[\u3400-\u9fff\uf900-\ufaff]/g;

/** English negation cues, looked for among the three words before each part of a match, in its clause. */
const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'neither', 'nor', 'nothing']);
/** Words that end a clause: a negation before one does not reach past it. */
const CLAUSE_BREAKS = new Set(['but', 'however', 'although', 'though', 'whereas', 'while', 'yet']);
/** Chinese negation cues, looked for in the four characters before a match. */
const ZH_NEGATIONS = /不|没|无|非|未|别|勿/;
/** Words that start with a negation character and negate nothing, and A-not-A questions ("有没有", "是不是": whether). */
const ZH_NOT_NEGATIONS =
  /不同|不仅|不只|不但|不断|不管|不论|不过|非常|无论|无关|无损|未来|无法避免|有没有|是不是|会不会|能不能|要不要|对不对|够不够|一致不一致/g;

/** One token of a sentence: its stem, the word as typed (lowercase), and its clause. */
interface Token {
  stem: string;
  word: string;
  clause: number;
}

interface Sentence {
  /** As typed, for the feedback. */
  text: string;
  tokens: Token[];
  /** Simplified, lowercase, without spaces: for Chinese phrases. */
  compact: string;
}

/** British -ise spellings to -ize, so both stem alike (a transform applied to answers and phrases alike). */
function americanize(word: string): string {
  return word.length > 5 ? word.replace(/is(e|ed|es|ing|ation|ations)$/, 'iz$1') : word;
}

function stem(word: string): string {
  return stemmer(americanize(word));
}

function normalize(text: string): string {
  return toSimplified(text.normalize('NFKC'))
    .toLowerCase()
    .replace(/n['’]t\b/g, ' not')
    .replace(/\bcannot\b/g, 'can not');
}

/**
 * Words stand apart from Chinese runs ("LoRA把W冻结") and a number from the letters after it
 * ("1.5x", "4bit"), in answers and phrases alike; names with digits ("W0", "bf16") stay whole.
 */
function spaceOut(text: string): string {
  return text.replace(/([\u3400-\u9fff\uf900-\ufaff]+)/g, ' $1 ').replace(/(?<![\p{L}\p{N}])(\p{N}+)(?=\p{L})/gu, '$1 ');
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let clause = 0;
  const spaced = spaceOut(text);
  for (const m of spaced.matchAll(/[\p{L}\p{N}]+|[,，;；:：()（）]/gu)) {
    const w = m[0];
    if (/^[,，;；:：()（）]$/.test(w)) {
      clause++;
      continue;
    }
    if (CJK.test(w)) {
      // Chinese runs are matched on the compact text; a run still ends an English clause's reach.
      clause++;
      continue;
    }
    if (CLAUSE_BREAKS.has(w)) clause++;
    tokens.push({ stem: stem(w), word: w, clause });
  }
  return tokens;
}

function splitSentences(answer: string): Sentence[] {
  const out: Sentence[] = [];
  for (const raw of answer.split(/(?<=[.!?;])\s+|[\n。！？；]+/)) {
    const text = raw.trim();
    if (!text) continue;
    const n = normalize(text);
    out.push({ text, tokens: tokenize(n.replace(/[_\-‐–—/]/g, ' ')), compact: n.replace(/\s+/g, '') });
  }
  return out;
}

/**
 * A compiled part of a phrase: English words (stems, or prefixes for `*`), or a string matched in
 * the compact sentence: Chinese, or notation ("√r", "1/(1-p)", "p(response").
 */
type Part = { kind: 'zh'; text: string } | { kind: 'en'; words: { stem: string; prefix: string | null }[] };

/** Characters that make a phrase notation, matched as written rather than as words. */
const NOTATION = /[^\p{L}\p{N}\s\-_/.*'’]/u;

const compiled = new Map<string, Part[]>();

function compile(phrase: string): Part[] {
  let parts = compiled.get(phrase);
  if (parts) return parts;
  parts = phrase
    .split('&')
    .map((p) => normalize(p).trim())
    .filter((p) => p !== '')
    .map((p): Part => {
      if (CJK.test(p) || NOTATION.test(p)) return { kind: 'zh', text: p.replace(/\s+/g, '') };
      // Split as answers are split (tokenize), keeping a trailing * on the word it ends.
      const words = spaceOut(p.replace(/[_\-‐–—/]/g, ' '))
        .split(/\s+/)
        .flatMap((w) => {
          const parts = w.match(/[\p{L}\p{N}]+\*?/gu) ?? [];
          return parts.map((x) => (x.endsWith('*') ? { stem: '', prefix: x.slice(0, -1) } : { stem: stem(x), prefix: null }));
        });
      return { kind: 'en', words };
    });
  compiled.set(phrase, parts);
  return parts;
}

/** Where an English part occurs in the tokens: start indices. */
function findWords(tokens: Token[], words: { stem: string; prefix: string | null }[]): number[] {
  const at: number[] = [];
  for (let i = 0; i + words.length <= tokens.length; i++) {
    if (words.every((w, k) => (w.prefix !== null ? tokens[i + k].word.startsWith(w.prefix) : tokens[i + k].stem === w.stem))) at.push(i);
  }
  return at;
}

/** Predicates that deny what comes just before them ("RAG 没用": RAG is no use). */
const ZH_DENIALS = /^(?:没用|没有用|不用|无用|不行|没必要|不需要|不重要|不对|不管用)/;

/** Whether a Chinese match at `index` (of `length` characters) is negated by a cue just before it, or denied right after it. */
function zhNegated(compact: string, index: number, length: number): boolean {
  const before = compact.slice(Math.max(0, index - 4), index).replace(ZH_NOT_NEGATIONS, '');
  return ZH_NEGATIONS.test(before) || ZH_DENIALS.test(compact.slice(index + length));
}

/** Matches of a phrase in a sentence: none, or whether the (first) match is negated. */
function matchPhrase(phrase: string, s: Sentence): { negated: boolean } | null {
  const parts = compile(phrase);
  if (parts.length === 0) return null;
  let negated = false;
  const spans: [number, number][] = [];
  for (const part of parts) {
    if (part.kind === 'zh') {
      const index = s.compact.indexOf(part.text);
      if (index < 0) return null;
      if (zhNegated(s.compact, index, part.text.length)) negated = true;
      continue;
    }
    const starts = findWords(s.tokens, part.words);
    if (starts.length === 0) return null;
    spans.push([starts[0], starts[0] + part.words.length]);
  }
  if (spans.length > 0) {
    const inside = new Set(spans.flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k)));
    // A cue negates a part when it is among the three words before it, in the same clause.
    for (const [start] of spans) {
      for (let i = Math.max(0, start - 3); i < start; i++) {
        if (!inside.has(i) && NEGATIONS.has(s.tokens[i].word) && s.tokens[i].clause === s.tokens[start].clause) negated = true;
      }
    }
  }
  return { negated };
}

/** A statement says something: enough words, with a verb or connective among them (or a long Chinese clause). */
const STATEMENT_WORDS =
  /^(is|are|was|were|be|been|being|has|have|had|does|do|did|can|could|will|would|should|must|may|might|so|because|since|therefore|thus|which|that|when|if|then|than|only|keeps?|adds?|uses?|used|trains?|trained|stays?|starts?|means?|gives?|needs?|learns?|updates?|updated|changes?|reduces?|stores?|requires?|becomes?|makes?|lets?|cuts?|saves?|scales?|moves?|holds?|costs?|fits?|runs?|avoids?|prevents?|drops?|replaces?|multiplies|divides?|equals?|grows?|shrinks?|goes|get|gets|depends?|splits?|shards?|sends?|computes?|measures?)$/;
const ZH_STATEMENT =
  /是|会|让|使|把|被|将|能|可以|需要|因为|所以|只|保持|等于|用|加|乘|除|减|变|得|的|了|在|就|才|要|来|对|不|没|有|比|更|从|给|做|看/;

function isStatement(segment: string): boolean {
  const n = normalize(segment);
  const cjk = (n.match(CJK_ALL) ?? []).length;
  const words = n.match(/[a-z0-9]+/g) ?? [];
  // Chinese characters and English words weighed alike: a clause of a few of either, with a verb or connective, or a long one.
  const size = cjk / 1.5 + words.length;
  const verb = ZH_STATEMENT.test(n) || words.some((w) => STATEMENT_WORDS.test(w));
  return size >= 6 || (size >= 3 && verb);
}

/**
 * An answer that only lists terms: three or more items (between commas, semicolons, full stops
 * and line ends) and not one statement among them. One or two short clauses are a terse answer,
 * not a list.
 */
export function isTermList(answer: string): boolean {
  const segments = answer.split(/[,，;；、\n。.!?！？]+/).filter((s) => s.trim() !== '');
  return segments.length >= 3 && !segments.some(isStatement);
}

export function gradeClaims(answer: string, claims: readonly Claim[]): ClaimGrade {
  const sentences = splitSentences(answer);
  const findings = claims.map((claim): ClaimFinding => {
    const aboutOk = (s: Sentence) => !claim.about?.length || claim.about.some((a) => matchPhrase(a, s) !== null);
    for (const s of sentences) {
      for (const m of claim.contradicts ?? []) {
        const hit = matchPhrase(m, s);
        if (hit && !hit.negated && aboutOk(s)) return { point: claim.point, status: 'contradicted', evidence: s.text, because: m };
      }
    }
    // Said plainly anywhere, the claim is made; denied (and never said plainly), it is contradicted.
    let denied: ClaimFinding | null = null;
    for (const s of sentences) {
      if (!aboutOk(s)) continue;
      for (const p of claim.phrases) {
        const hit = matchPhrase(p, s);
        if (!hit) continue;
        if (!hit.negated) return { point: claim.point, status: 'found', evidence: s.text };
        denied ??= { point: claim.point, status: 'contradicted', evidence: s.text, because: 'negated' };
      }
    }
    return denied ?? { point: claim.point, status: 'missing' };
  });
  const termList = findings.some((f) => f.status === 'found') && isTermList(answer);
  const count = (status: ClaimStatus) => findings.filter((f) => f.status === status).length;
  return {
    findings,
    termList,
    score: termList || claims.length === 0 ? 0 : Math.max(0, count('found') - count('contradicted')) / claims.length,
  };
}
