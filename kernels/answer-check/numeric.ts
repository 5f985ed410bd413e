/**
 * Reading and checking numeric answers the way people type them: "16777216", "16,777,216",
 * "16.7M", "1.68e7", "1.68×10^7", "2^24", "2²⁴", "1677万", "3.5 GB", "0.24%", "4.127 bits", with
 * words after the unit ("4.2M trainable params", "3.5 GB per GPU"), shown working (the value
 * after the last "=" counts: "4096·8·2 = 65,536"), a factor ("2x", "2倍"), a range ("3.4-3.6 GB":
 * right only if both ends are), and a hedge ("about 1.3 GB", "约 1.3GB": read to the precision
 * typed, with at least the significant figures the question asks for).
 *
 * A wrong answer gets a hint that names the likely slip (GB for GiB, a factor of 1000, bits for
 * bytes, a fraction for a percentage) instead of a bare "wrong".
 */

/** What a question's answer measures. */
export type Dimension = 'count' | 'bytes' | 'percent' | 'bits' | 'plain';

export type ByteUnit = 'B' | 'KB' | 'MB' | 'GB' | 'TB' | 'KiB' | 'MiB' | 'GiB' | 'TiB';

export const BYTE_UNITS: Record<ByteUnit, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

/** The right answer of a numeric question. `value` is canonical: bytes, a fraction (0.0024 for 0.24%), bits, or a plain number. */
export interface NumericExpectation {
  value: number;
  dimension: Dimension;
  /** For bytes: the unit the question asks for; a bare number is read in it. */
  askUnit?: ByteUnit;
  /** Accepted relative error (default 1%: "16.7M" for 16,777,216 passes). */
  relTol?: number;
  /** Accepted absolute error, for values near zero (a loss of 0.003). */
  absTol?: number;
  /**
   * A hedged answer ("about 1.3 GB") is read to the precision typed (half a unit in its last
   * significant digit) when it has at least this many significant figures (default 2). Cards where
   * the exact value matters set a small relTol and a larger minimum.
   */
  minSigFigs?: number;
}

/** A parsed answer: a number and the unit the reader typed, if any. */
export interface ParsedNumber {
  /** The number with scale words (k, M, 万) applied but no unit conversion. */
  number: number;
  /** The unit the reader typed, or null for a bare number. */
  unit: TypedUnit | null;
  /** A range's upper end (number is the lower), in the same unit. */
  high?: number;
  /** The answer was hedged ("about", "~", "约"): read it to `sigFigs`. */
  hedged?: boolean;
  /** Significant figures typed (of the lower end, for a range). */
  sigFigs?: number;
}

export type TypedUnit = { dimension: 'bytes'; name: ByteUnit } | { dimension: 'percent' } | { dimension: 'bits' };

export type ParseResult = ({ ok: true } & ParsedNumber) | { ok: false; error: string };

/** Scale words after a number. "B" is billion unless the question measures bytes. */
const SCALE_WORDS: Record<string, number> = {
  k: 1e3,
  K: 1e3,
  thousand: 1e3,
  m: 1e6,
  M: 1e6,
  mn: 1e6,
  mio: 1e6,
  million: 1e6,
  millions: 1e6,
  bn: 1e9,
  billion: 1e9,
  billions: 1e9,
  t: 1e12,
  T: 1e12,
  trillion: 1e12,
  万: 1e4,
  亿: 1e8,
  千: 1e3,
  百万: 1e6,
  十亿: 1e9,
};

const UNIT_WORDS: Record<string, TypedUnit> = {
  '%': { dimension: 'percent' },
  percent: { dimension: 'percent' },
  bit: { dimension: 'bits' },
  bits: { dimension: 'bits' },
  byte: { dimension: 'bytes', name: 'B' },
  bytes: { dimension: 'bytes', name: 'B' },
  比特: { dimension: 'bits' },
  位: { dimension: 'bits' },
  字节: { dimension: 'bytes', name: 'B' },
};

function byteUnitFromWord(word: string): ByteUnit | null {
  const w = word.replace(/ytes?$/i, '').replace(/^([kmgt])(i?)b$/i, (_, p: string, i: string) => p + i + 'B');
  for (const name of Object.keys(BYTE_UNITS) as ByteUnit[]) {
    if (name.toLowerCase() === w.toLowerCase()) return name;
  }
  // "G", "GiB", "gb": handled above; "GiBs" or "gigabytes":
  const long: Record<string, ByteUnit> = {
    kilobyte: 'KB',
    megabyte: 'MB',
    gigabyte: 'GB',
    terabyte: 'TB',
    kibibyte: 'KiB',
    mebibyte: 'MiB',
    gibibyte: 'GiB',
    tebibyte: 'TiB',
  };
  return long[word.toLowerCase().replace(/s$/, '')] ?? null;
}

/**
 * The mantissa grammar: digits with optional thousands separators (commas, thin/normal spaces,
 * underscores in groups of three), a decimal point, an exponent (e7, ×10^7, *10**7), or a power
 * of two/ten written as 2^24.
 */
const MANTISSA = /^([+\-−]?)(\d{1,3}(?:[,  _]\d{3})+|\d+)?(?:\.(\d+))?(?:[eE]([+\-−]?\d+)|\s*[×x*·]\s*10\s*(?:\^|\*\*)\s*([+\-−]?\d+))?/;

function toAsciiMinus(s: string): string {
  return s.replace(/−/g, '-');
}

/** Words that may follow a bare number as its description ("65,536 trainable parameters", "8 per layer"). */
const DESCRIPTIONS =
  /^(?:params?|parameters?|weights?|trainable|tokens?|elements?|entries|values?|numbers?|rows?|per|of|in|for|total|each|on|across|gpus?|layers?|steps?|bytes?|[\u3400-\u9fff]+)$/i;

const SUPERSCRIPTS: Record<string, string> = {
  '⁰': '0',
  '¹': '1',
  '²': '2',
  '³': '3',
  '⁴': '4',
  '⁵': '5',
  '⁶': '6',
  '⁷': '7',
  '⁸': '8',
  '⁹': '9',
  '⁻': '-',
};
const HEDGE = /^(?:~|≈|about|around|roughly|approx(?:\.|imately)?|circa|ca\.|大约|大概|约|差不多)\s*/i;

/** Significant figures of a typed mantissa ("6.70" 3, "0.024" 2, "7000" 1). */
function significantFigures(mantissa: string): number {
  const digits = mantissa.replace(/[^0-9.]/g, '');
  const [int, frac = ''] = digits.split('.');
  if (frac) return (int.replace(/^0+/, '') + frac).replace(/^0+/, '').length;
  return int.replace(/^0+/, '').replace(/0+$/, '').length || 1;
}

/**
 * Parse what a reader typed. Never throws; a failure says what could not be read. Shown working
 * keeps the value after the last "=" or "≈"; a hedge or a range is reported with the number.
 */
export function parseNumber(raw: string, options: { bytesContext?: boolean } = {}): ParseResult {
  // Superscript powers before NFKC, which would turn 2²⁴ into 224.
  let text = raw
    .replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+/g, (m) => `^${[...m].map((c) => SUPERSCRIPTS[c]).join('')}`)
    .normalize('NFKC')
    .trim();
  // Shown working, or a label before the value ("trainable%: 0.2398"): the part after the last separator counts,
  // and "≈" as that separator is a hedge.
  const parts = text.split(/(=|≈|[:：](?=\s*(?:[~≈约]|about|around)?\s*[+\-−]?\d))/i);
  const hedgedByWorking = parts.length > 1 && parts[parts.length - 2] === '≈';
  text = parts[parts.length - 1].trim().replace(/[.。]$/, '');
  const hedged = HEDGE.test(text) || hedgedByWorking;
  text = text.replace(HEDGE, '');
  // A factor: "2x", "2×", "2 times", "2倍".
  text = text.replace(/^([\d.,]+)\s*(?:x|×|times|倍)$/i, '$1');
  const range = /^([+]?\d[\d,.]*)\s*(?:-|–|—|~|to|至|到)\s*(\d.*)$/i.exec(text);
  if (range) {
    const high = parseSingle(range[2], options);
    if (!high.ok) return high;
    // The lower end shares the upper's scale and unit ("3.4-3.6 GB").
    const suffix = range[2].replace(/^[\d,.\s]+/, '');
    const low = parseSingle(`${range[1]} ${suffix}`, options);
    if (!low.ok) return low;
    return { ...low, high: high.number, hedged, sigFigs: significantFigures(range[1]) };
  }
  const single = parseSingle(text, options);
  if (!single.ok) return single;
  const mantissa = /^[+\-−]?[\d,.\s]*\d/.exec(text)?.[0] ?? '';
  return { ...single, hedged, sigFigs: significantFigures(mantissa) };
}

function parseSingle(input: string, options: { bytesContext?: boolean }): ParseResult {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'Type a number.' };
  if (/^\d+,\d{1,2}$/.test(text) || /^\d+,\d{4,}$/.test(text)) {
    return {
      ok: false,
      error: `"${text}" is ambiguous: use a point for decimals (3.5) and commas only between groups of three digits (16,777,216).`,
    };
  }

  // A power written as base^exponent (2^24, 10^9), optionally with a unit.
  const power = /^([+\-−]?\d+(?:\.\d+)?)\s*(?:\^|\*\*)\s*([+\-−]?\d+)\s*(.*)$/.exec(text);
  let number: number;
  let rest: string;
  if (power) {
    number = Number(toAsciiMinus(power[1])) ** Number(toAsciiMinus(power[2]));
    rest = power[3];
  } else {
    const m = MANTISSA.exec(text);
    if (!m || (m[2] === undefined && m[3] === undefined)) {
      return {
        ok: false,
        error: `Could not read a number in "${text}". Examples that work: 16777216, 16,777,216, 16.7M, 1.68e7, 3.5 GB, 0.24%.`,
      };
    }
    const intPart = (m[2] ?? '0').replace(/[,  _]/g, '');
    const exponent = m[4] ?? m[5];
    number = Number(`${toAsciiMinus(m[1])}${intPart}.${m[3] ?? '0'}${exponent !== undefined ? `e${toAsciiMinus(exponent)}` : ''}`);
    rest = text.slice(m[0].length);
  }
  if (!Number.isFinite(number))
    return {
      ok: false,
      error: `"${text}" is too large to be a sensible answer.`,
    };

  // Chinese words stand apart from a unit written against them ("1043GiB每张卡").
  rest = rest.replace(/([A-Za-z%])([\u3400-\u9fff])/g, '$1 $2').trim();
  // Optional scale word, then optional unit.
  const scaleMatch = /^(百万|十亿|[万亿千]|[kKmMtT](?![a-zA-Z])|thousand|millions?|mn|mio|billions?|bn|trillion)/.exec(rest);
  if (scaleMatch) {
    number *= SCALE_WORDS[scaleMatch[1]];
    rest = rest.slice(scaleMatch[0].length).trim();
  }
  // A lone "B" or "b" means billion for counts, bytes where the question measures bytes.
  if (/^[bB]$/.test(rest) && !scaleMatch) {
    if (options.bytesContext && rest === 'B') return { ok: true, number, unit: { dimension: 'bytes', name: 'B' } };
    return { ok: true, number: number * 1e9, unit: null };
  }
  rest = rest
    .replace(/\s*(?:\/|per)\s*(?:param(?:eter)?s?|weights?|参数)$/i, '')
    .trim()
    .replace(/^(?:of\s+)?(?:params?|parameters|weights|个?参数)$/i, '');
  // Words after the number or its unit describe it ("trainable params", "per GPU", "of memory"): they carry no digits.
  const words = (t: string) => /^[\p{L}\s'’/().-]*$/u.test(t);
  const [first = '', ...others] = rest.split(/\s+/);
  const after = others.join(' ');
  const unitOf = (w: string): TypedUnit | null => {
    const unitWord = UNIT_WORDS[w.toLowerCase()];
    if (unitWord) return unitWord;
    const byteUnit = byteUnitFromWord(w);
    if (byteUnit) return { dimension: 'bytes', name: byteUnit };
    return null;
  };
  if (rest === '') return { ok: true, number, unit: null };
  for (const [w, tail] of [
    [rest, ''],
    [first, after],
  ] as const) {
    if (tail !== '' && !words(tail)) continue;
    const unit = unitOf(w) ?? (/^%/.test(w) && words(w.slice(1)) ? UNIT_WORDS['%'] : null);
    if (unit) return { ok: true, number, unit };
    if (w === 'G' || w === 'g') {
      return options.bytesContext ? { ok: true, number, unit: { dimension: 'bytes', name: 'GB' } } : { ok: true, number: number * 1e9, unit: null };
    }
  }
  // Bare words after a bare number must read as a description, so "16.7 parsecs" is still an unknown unit.
  if (words(rest) && (scaleMatch || DESCRIPTIONS.test(first))) return { ok: true, number, unit: null };
  return {
    ok: false,
    error: `Could not read the unit "${rest}". Units that work: B, KB, MB, GB, GiB, %, bits; scales: k, M, B (billion), 万, 亿.`,
  };
}

export interface NumericVerdict {
  correct: boolean;
  /** What the reader sees: the verdict, and for a wrong answer a hint about the likely slip. */
  message: string;
  /** The reader's answer converted to the question's canonical unit, when it could be read. */
  value?: number;
}

/** Format a canonical value in the question's unit, for messages. */
export function formatExpected(e: NumericExpectation, value = e.value): string {
  switch (e.dimension) {
    case 'bytes': {
      const u = e.askUnit ?? 'GB';
      return `${formatSig(value / BYTE_UNITS[u])} ${u}`;
    }
    case 'percent':
      return `${formatSig(value * 100)}%`;
    case 'bits':
      return `${formatSig(value)} bits`;
    case 'count':
      return Math.abs(value) >= 1e4 && Number.isInteger(value) ? groupDigits(value) : formatSig(value);
    case 'plain':
      return formatSig(value);
  }
}

/**
 * x in plain decimal notation with commas between thousands, as toLocaleString('en-US') writes
 * it, without Intl: Intl's first use loads locale data, tens of milliseconds on a slow phone, and
 * the deck's first card formats numbers while the page loads.
 */
export function groupDigits(x: number): string {
  const plain = String(Math.abs(x));
  if (plain.includes('e')) return x.toLocaleString('en-US', { maximumFractionDigits: 12 });
  const [whole, fraction] = plain.split('.');
  return `${x < 0 || Object.is(x, -0) ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** Four significant digits, without trailing zeros, never "NaN". */
export function formatSig(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e15) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
    return groupDigits(Number(x.toFixed(Math.min(decimals, 12))));
  }
  return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
}

function within(e: NumericExpectation, got: number): boolean {
  const diff = Math.abs(got - e.value);
  return diff <= (e.absTol ?? 0) || diff <= (e.relTol ?? 0.01) * Math.abs(e.value);
}

/** Convert a parsed answer into the question's canonical unit, or explain why it can't be. */
function toCanonical(e: NumericExpectation, p: ParsedNumber): { value: number } | { mismatch: string } {
  const u = p.unit;
  switch (e.dimension) {
    case 'bytes':
      if (!u) return { value: p.number * BYTE_UNITS[e.askUnit ?? 'GB'] };
      if (u.dimension === 'bytes') return { value: p.number * BYTE_UNITS[u.name] };
      if (u.dimension === 'bits') return { value: p.number / 8 };
      return {
        mismatch: `The question asks for memory in ${e.askUnit ?? 'GB'}, but you typed a percentage.`,
      };
    case 'percent':
      if (!u || u.dimension === 'percent') return { value: p.number / 100 };
      return {
        mismatch: 'The question asks for a percentage, but you typed a unit of memory.',
      };
    case 'bits':
      if (!u || u.dimension === 'bits') return { value: p.number };
      if (u.dimension === 'bytes' && u.name === 'B') return { value: p.number * 8 };
      return {
        mismatch: 'The question asks for bits per parameter; type a number such as 4.5 or "4.5 bits".',
      };
    case 'count':
    case 'plain':
      if (!u) return { value: p.number };
      return {
        mismatch: `The question asks for a plain number, but you typed ${u.dimension === 'bytes' ? `a unit of memory (${u.name})` : u.dimension === 'percent' ? 'a percentage' : 'bits'}.`,
      };
  }
}

/** Name the likely slip behind a wrong value. */
function hintFor(e: NumericExpectation, p: ParsedNumber, got: number): string {
  const target = e.value;
  if (target !== 0 && got !== 0 && Math.sign(got) !== Math.sign(target)) return 'The sign is wrong.';

  if (e.dimension === 'bytes') {
    const ask = e.askUnit ?? 'GB';
    const used: ByteUnit = p.unit?.dimension === 'bytes' ? p.unit.name : ask;
    // Same digits, sibling unit: 3.5 read as GiB where 3.5 GB was right, or the reverse.
    const sibling = (used.endsWith('iB') ? used.replace('iB', 'B') : used.replace(/B$/, 'iB')) as ByteUnit;
    if (sibling in BYTE_UNITS && sibling !== used && within(e, p.number * BYTE_UNITS[sibling])) {
      const reading = p.unit ? `you answered in ${used}` : `a bare number is read in ${ask}`;
      const [binary, decimal] = used.endsWith('iB') ? [used, sibling] : [sibling, used];
      return `Your number is right in ${sibling}, but ${reading} and the question asks for ${ask} (1 ${binary} = ${formatSig(BYTE_UNITS[binary] / BYTE_UNITS[decimal])} ${decimal}).`;
    }
  }
  if (e.dimension === 'percent' && within(e, p.number)) {
    return `That looks like a fraction; the question asks for a percentage (${formatSig(p.number)} = ${formatSig(p.number * 100)}%).`;
  }
  if (e.dimension === 'percent' && within(e, p.number / 1e4)) {
    return 'That is 100x too large: did you multiply by 100 twice?';
  }

  const ratio = got / target;
  const log10 = Math.log10(Math.abs(ratio));
  const nearest = Math.round(log10);
  if (nearest !== 0 && Math.abs(log10 - nearest) < Math.log10(1 + (e.relTol ?? 0.01))) {
    const factor = 10 ** Math.abs(nearest);
    const dir = nearest > 0 ? 'too large' : 'too small';
    const unitNote = Math.abs(nearest) % 3 === 0 ? ' check the units (thousands, millions, MB vs GB).' : ' check the magnitude of each term.';
    return `Off by ${groupDigits(factor)}x (${dir}):${unitNote}`;
  }
  for (const [f, why] of [
    [8, 'bits vs bytes?'],
    [2, 'a factor of 2: 16-bit vs 32-bit, or one matrix vs two?'],
    [4, 'a factor of 4: 8-bit vs 32-bit, or 4-bit vs 16-bit?'],
  ] as const) {
    if (within(e, got / f)) return `Off by a factor of ${f} (too large): ${why}`;
    if (within(e, got * f)) return `Off by a factor of ${f} (too small): ${why}`;
  }
  const pct = ((got - target) / Math.abs(target)) * 100;
  if (!Number.isFinite(pct)) return 'Not quite.';
  return `Not quite: your answer is ${formatSig(Math.abs(pct), 2)}% too ${pct > 0 ? 'high' : 'low'}.`;
}

/** Check a typed answer against the expected value. */
export function checkNumeric(raw: string, e: NumericExpectation): NumericVerdict {
  const parsed = parseNumber(raw, { bytesContext: e.dimension === 'bytes' });
  if (!parsed.ok) return { correct: false, message: parsed.error };
  const canon = toCanonical(e, parsed);
  if ('mismatch' in canon) return { correct: false, message: canon.mismatch };
  const got = canon.value;
  if (parsed.high !== undefined) {
    const high = (toCanonical(e, { ...parsed, number: parsed.high }) as { value: number }).value;
    if (within(e, got) && within(e, high)) return { correct: true, value: got, message: `Correct: ${formatExpected(e)}.` };
    if (Math.min(got, high) <= e.value && e.value <= Math.max(got, high))
      return {
        correct: false,
        value: got,
        message: `Your range contains the answer but is too wide to count: give one number (to within ${formatSig((e.relTol ?? 0.01) * 100, 2)}%).`,
      };
    return { correct: false, value: got, message: hintFor(e, parsed, (got + high) / 2) };
  }
  if (within(e, got) || (parsed.hedged && withinTypedPrecision(e, parsed, got))) {
    const typedOtherUnit = e.dimension === 'bytes' && parsed.unit?.dimension === 'bytes' && parsed.unit.name !== e.askUnit;
    return {
      correct: true,
      value: got,
      message: typedOtherUnit ? `Correct (that is ${formatExpected(e, got)}).` : `Correct: ${formatExpected(e)}.`,
    };
  }
  if (parsed.hedged && (parsed.sigFigs ?? 0) < (e.minSigFigs ?? 2))
    return {
      correct: false,
      value: got,
      message: `Too rough to count: give at least ${e.minSigFigs ?? 2} significant figures. ${hintFor(e, parsed, got)}`,
    };
  return { correct: false, value: got, message: hintFor(e, parsed, got) };
}

/** A hedged answer is right when the expected value rounds to it at the precision typed (at least minSigFigs figures). */
function withinTypedPrecision(e: NumericExpectation, p: ParsedNumber, got: number): boolean {
  const figures = p.sigFigs ?? 0;
  if (figures < (e.minSigFigs ?? 2) || got === 0) return false;
  const halfUnit = 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(got))) - figures + 1);
  return Math.abs(got - e.value) <= halfUnit * (1 + 1e-9);
}
