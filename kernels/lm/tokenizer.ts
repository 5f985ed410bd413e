/**
 * The tiny model's tokenizer: one token per printable ASCII character, six special tokens, and
 * LLaMA-style byte fallback (<0x00> ... <0xFF>) for everything else, so any text can be encoded:
 * a character outside the vocabulary becomes the tokens of its UTF-8 bytes, as LLaMA's and
 * Mistral's tokenizers do. Newline and tab have no character token, so they are bytes too
 * (<0x0A>, <0x09>), again as in LLaMA.
 *
 * On disk it is a Hugging Face `tokenizer.json`: a BPE model with no merges (every character its
 * own token) and `byte_fallback: true`, special tokens as added tokens, decoders ByteFallback and
 * Fuse. `tokenizerJson()` writes it, `Tokenizer.fromJson` reads and checks it.
 */
export const SPECIAL_TOKENS = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>', '<pad>'] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

const FIRST_BYTE_ID = SPECIAL_TOKENS.length;
const FIRST_CHAR_ID = FIRST_BYTE_ID + 256;
/** Printable ASCII, space to tilde. */
const CHARS = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

const byteToken = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

/** The vocabulary in id order. */
export function vocabulary(): string[] {
  return [...SPECIAL_TOKENS, ...Array.from({ length: 256 }, (_, b) => byteToken(b)), ...CHARS];
}

export interface Encoding {
  ids: number[];
  /** Characters that had no token of their own and were encoded as UTF-8 bytes. */
  byteFallbackChars: string[];
}

export class Tokenizer {
  readonly vocabSize: number;
  private readonly ids = new Map<string, number>();
  private readonly tokens: string[];
  private readonly specialPattern: RegExp;

  constructor(vocab: readonly string[]) {
    this.tokens = [...vocab];
    this.vocabSize = vocab.length;
    vocab.forEach((t, i) => this.ids.set(t, i));
    for (const s of SPECIAL_TOKENS) if (!this.ids.has(s)) throw new Error(`tokenizer: the special token ${s} is missing`);
    for (let b = 0; b < 256; b++) if (!this.ids.has(byteToken(b))) throw new Error(`tokenizer: the byte token ${byteToken(b)} is missing`);
    this.specialPattern = new RegExp(`(${SPECIAL_TOKENS.map((s) => s.replace(/[|[\]<>/]/g, '\\$&')).join('|')})`);
  }

  static standard(): Tokenizer {
    return new Tokenizer(vocabulary());
  }

  /** Reads a tokenizer.json written by `tokenizerJson()` (or any BPE with no merges, byte fallback and these special tokens). */
  static fromJson(json: unknown): Tokenizer {
    const t = json as { model?: { type?: string; vocab?: Record<string, number>; merges?: unknown[]; byte_fallback?: boolean } };
    const model = t?.model;
    if (!model || model.type !== 'BPE' || typeof model.vocab !== 'object' || model.vocab === null) {
      throw new Error('tokenizer.json: expected a BPE model with a vocab');
    }
    if (Array.isArray(model.merges) && model.merges.length > 0) {
      throw new Error(`tokenizer.json: this engine reads character-level tokenizers (no merges); this one has ${model.merges.length} merges`);
    }
    if (model.byte_fallback !== true) throw new Error('tokenizer.json: byte_fallback must be true');
    const entries = Object.entries(model.vocab);
    const vocab: string[] = new Array(entries.length);
    for (const [token, id] of entries) {
      if (!Number.isInteger(id) || id < 0 || id >= entries.length || vocab[id] !== undefined) {
        throw new Error(`tokenizer.json: token ${JSON.stringify(token)} has id ${id}; ids must be 0 .. ${entries.length - 1}, each once`);
      }
      vocab[id] = token;
    }
    return new Tokenizer(vocab);
  }

  id(token: SpecialToken): number {
    return this.ids.get(token)!;
  }

  /** Encodes text; special-token strings in it become their tokens (as in Hugging Face tokenizers' added tokens). */
  encode(text: string): Encoding {
    const ids: number[] = [];
    const byteFallbackChars: string[] = [];
    const encoder = new TextEncoder();
    for (const part of text.split(this.specialPattern)) {
      if (part === '') continue;
      const special = this.ids.get(part);
      if (special !== undefined && (SPECIAL_TOKENS as readonly string[]).includes(part)) {
        ids.push(special);
        continue;
      }
      for (const ch of part) {
        const id = this.ids.get(ch);
        if (id !== undefined && ch.length === 1 && id >= FIRST_CHAR_ID) ids.push(id);
        else {
          if (ch !== '\n' && ch !== '\t') byteFallbackChars.push(ch);
          for (const b of encoder.encode(ch)) ids.push(FIRST_BYTE_ID + b);
        }
      }
    }
    return { ids, byteFallbackChars };
  }

  /** Decodes ids; byte tokens are gathered and read as UTF-8 (an invalid sequence becomes U+FFFD). */
  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length) out += new TextDecoder().decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new Error(`token id ${id} is outside the vocabulary (0 .. ${this.vocabSize - 1})`);
      if (id >= FIRST_BYTE_ID && id < FIRST_CHAR_ID) {
        bytes.push(id - FIRST_BYTE_ID);
        continue;
      }
      flush();
      if (id < FIRST_BYTE_ID) {
        if (!options.skipSpecial) out += this.tokens[id];
      } else out += this.tokens[id];
    }
    flush();
    return out;
  }

  token(id: number): string {
    return this.tokens[id];
  }
}

/** The Hugging Face tokenizer.json of the standard vocabulary. */
export function tokenizerJson(): object {
  const vocab = vocabulary();
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
      merges: [],
    },
  };
}
