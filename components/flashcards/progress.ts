/**
 * Study progress in the browser (localStorage), in a versioned format that can be exported to a
 * file and imported back. Whatever is stored — corrupt JSON, another format version, cards with
 * broken fields — loading never throws: it keeps what it can read, reports the rest, and keeps
 * the unreadable original under a backup key so nothing is silently lost.
 */
import { z } from 'zod';
import { State, type Card } from './scheduler';

export const PROGRESS_FORMAT = 'ft-flashcards-progress';
export const PROGRESS_VERSION = 1;
export const STORAGE_KEY = 'ft-flashcards:progress';
export const BACKUP_KEY = 'ft-flashcards:unreadable-backup';
/** Interview results kept, newest first. */
const MAX_INTERVIEWS = 20;

/** The stored format's schemas, built on first use (none is needed while a deck with no saved progress loads). */
function buildSchemas() {
  const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
  const count = z.number().int().min(0);

  const StoredCardSchema = z.object({
    due: isoDate,
    stability: z.number().min(0),
    difficulty: z.number().min(0),
    elapsed_days: z.number().min(0),
    scheduled_days: z.number().min(0),
    learning_steps: count,
    reps: count,
    lapses: count,
    state: z.union([z.literal(State.New), z.literal(State.Learning), z.literal(State.Review), z.literal(State.Relearning)]),
    last_review: isoDate.optional(),
  });

  const InterviewRecordSchema = z
    .object({
      date: isoDate,
      chapter: z.string(),
      questions: count,
      score: z.number().min(0),
      seconds: z.number().min(0),
      byTopic: z.record(
        z.string(),
        z.object({ score: z.number().min(0), total: count }).refine((t) => t.score <= t.total),
      ),
    })
    // A score above the question count (a stored 1e308) is damage, not a result to print as "Infinity%".
    .refine((r) => r.score <= r.questions && Number.isFinite(r.seconds));

  /** The envelope: its fields are checked first, then each card on its own. */
  const EnvelopeSchema = z.object({
    format: z.literal(PROGRESS_FORMAT),
    version: z.number().int(),
    cards: z.record(z.string(), z.unknown()),
    interviews: z.array(z.unknown()).optional(),
  });

  return { StoredCardSchema, InterviewRecordSchema, EnvelopeSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;
const progressSchemas = (): Schemas => (schemas ??= buildSchemas());

type StoredCard = z.infer<Schemas['StoredCardSchema']>;
export type InterviewRecord = z.infer<Schemas['InterviewRecordSchema']>;

export interface Progress {
  cards: Map<string, Card>;
  interviews: InterviewRecord[];
}

export interface LoadResult {
  progress: Progress;
  /** Something the reader should know (data reset, cards dropped); null when all was well. */
  notice: string | null;
  /** Unreadable saved progress that could not be copied aside (storage full): offered for download from memory. */
  unreadable?: string;
}

export function emptyProgress(): Progress {
  return { cards: new Map(), interviews: [] };
}

function toCard(s: StoredCard): Card {
  return {
    ...s,
    due: new Date(s.due),
    last_review: s.last_review ? new Date(s.last_review) : undefined,
  };
}

function fromCard(c: Card): StoredCard {
  const { due, last_review, stability, difficulty, elapsed_days, scheduled_days, learning_steps, reps, lapses, state } = c;
  return {
    due: due.toISOString(),
    stability,
    difficulty,
    elapsed_days,
    scheduled_days,
    learning_steps,
    reps,
    lapses,
    state: state as StoredCard['state'],
    ...(last_review ? { last_review: last_review.toISOString() } : {}),
  };
}

export function serializeProgress(p: Progress, now = new Date()): string {
  const cards: Record<string, StoredCard> = {};
  for (const [id, c] of p.cards) cards[id] = fromCard(c);
  return JSON.stringify(
    {
      format: PROGRESS_FORMAT,
      version: PROGRESS_VERSION,
      updated: now.toISOString(),
      cards,
      interviews: p.interviews.slice(0, MAX_INTERVIEWS),
    },
    null,
    1,
  );
}

/**
 * Read progress from text (storage or an imported file). `knownIds` are the bank's question
 * ids: progress for questions no longer in the bank is dropped and counted.
 */
export function parseProgress(
  text: string,
  knownIds: ReadonlySet<string>,
): { ok: true; progress: Progress; dropped: number } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'it is not valid JSON (the data is corrupt)' };
  }
  const env = progressSchemas().EnvelopeSchema.safeParse(raw);
  if (!env.success) {
    const version = (raw as { version?: unknown } | null)?.version;
    return {
      ok: false,
      reason: typeof version === 'number' ? `it has an unknown layout (format version ${version})` : 'it is not flashcard progress from this site',
    };
  }
  if (env.data.version !== PROGRESS_VERSION) {
    const which = env.data.version > PROGRESS_VERSION ? 'a newer' : 'an older';
    return {
      ok: false,
      reason: `it was saved in ${which} format (version ${env.data.version}; this page reads version ${PROGRESS_VERSION})`,
    };
  }
  const progress = emptyProgress();
  let dropped = 0;
  for (const [id, value] of Object.entries(env.data.cards)) {
    const card = progressSchemas().StoredCardSchema.safeParse(value);
    if (card.success && knownIds.has(id)) progress.cards.set(id, toCard(card.data));
    else dropped++;
  }
  for (const value of env.data.interviews ?? []) {
    const rec = progressSchemas().InterviewRecordSchema.safeParse(value);
    if (rec.success) progress.interviews.push(rec.data);
    else dropped++;
  }
  return { ok: true, progress, dropped };
}

/** The subset of Storage we use; localStorage in the browser, a Map-backed stand-in in tests. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** A store that forgets on reload: used when localStorage is unavailable (blocked in some iframes). */
export function memoryStore(): KeyValueStore {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

/** Load saved progress; never throws. */
export function loadProgress(store: KeyValueStore, knownIds: ReadonlySet<string>): LoadResult {
  let text: string | null;
  try {
    text = store.getItem(STORAGE_KEY);
  } catch {
    return {
      progress: emptyProgress(),
      notice: 'This browser blocks local storage here, so progress lasts only until you leave the page. Use Export to keep it.',
    };
  }
  if (text === null) return { progress: emptyProgress(), notice: null };
  const parsed = parseProgress(text, knownIds);
  if (!parsed.ok) {
    try {
      store.setItem(BACKUP_KEY, text);
      store.removeItem(STORAGE_KEY);
    } catch {
      // Storage full or blocked: the original could not be copied aside, and the next save replaces it.
      return {
        progress: emptyProgress(),
        notice: `Your saved progress could not be read: ${parsed.reason}. This browser's storage is full, so it could not be kept aside: download it below now, because your next answer replaces it.`,
        unreadable: text,
      };
    }
    return {
      progress: emptyProgress(),
      notice: `Your saved progress could not be read: ${parsed.reason}. Starting fresh; the original is kept in this browser under "${BACKUP_KEY}" and can be downloaded below.`,
    };
  }
  const notice =
    parsed.dropped > 0
      ? `${parsed.dropped} saved entr${parsed.dropped === 1 ? 'y was' : 'ies were'} unreadable or for questions no longer in the deck, and ${parsed.dropped === 1 ? 'was' : 'were'} skipped; the rest of your progress is intact.`
      : null;
  return { progress: parsed.progress, notice };
}

/** Save; returns an error message instead of throwing when storage is full or blocked. */
export function saveProgress(store: KeyValueStore, p: Progress): string | null {
  try {
    store.setItem(STORAGE_KEY, serializeProgress(p));
    return null;
  } catch (err) {
    return `Progress could not be saved in this browser (${err instanceof Error ? err.message : String(err)}). Use Export to keep it.`;
  }
}

export function addInterview(p: Progress, rec: InterviewRecord): void {
  p.interviews.unshift(rec);
  p.interviews.length = Math.min(p.interviews.length, MAX_INTERVIEWS);
}
