/**
 * Token batches for the engine: rows of `seq` input positions, each with its next-token target,
 * a loss weight, a position (restarting at 0 for each packed sequence, so RoPE sees each sequence
 * from its start) and a segment id (attention stays within a segment, so packed sequences do not
 * see each other: TRL's padding-free packing). A sequence of L tokens fills L - 1 positions.
 *
 * Loss weights are normalised so a step's (or an evaluation set's) weights sum to 1: the loss is
 * the mean cross-entropy over the tokens that count, as transformers computes it with labels of
 * -100 on the others.
 */
import { createRng, type Rng } from '../../random/rng';

export interface Sequence {
  ids: readonly number[];
  /** 1 where the token is a training target (counted in the loss), per token; position 0 is never a target. */
  lossMask: ArrayLike<number>;
}

export interface Rows {
  rows: number;
  seq: number;
  tokens: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  positions: Int32Array;
  segments: Int32Array;
  /** Sequences cut to fit a row. */
  truncated: number;
}

/** The padding segment: no sequence attends to it, and it carries no loss. */
const PAD_SEGMENT = -1;

function emptyRows(rows: number, seq: number, pad: number): Rows {
  const n = rows * seq;
  return {
    rows,
    seq,
    tokens: new Int32Array(n).fill(pad),
    targets: new Int32Array(n).fill(pad),
    weights: new Float32Array(n),
    positions: new Int32Array(n),
    segments: new Int32Array(n).fill(PAD_SEGMENT),
    truncated: 0,
  };
}

/** Writes sequence `s` at row `r`, column `col`; returns the positions used. */
function place(out: Rows, s: Sequence, r: number, col: number, segment: number): number {
  const used = Math.min(s.ids.length - 1, out.seq - col);
  for (let t = 0; t < used; t++) {
    const i = r * out.seq + col + t;
    out.tokens[i] = s.ids[t];
    out.targets[i] = s.ids[t + 1];
    out.weights[i] = s.lossMask[t + 1] ? 1 : 0;
    out.positions[i] = t;
    out.segments[i] = segment;
  }
  return used;
}

/**
 * Packs sequences into rows by best-fit decreasing, as TRL's `pack_dataset(strategy="bfd")` does:
 * longest first, each into the row with the least room that still holds it, else a new row. A
 * sequence longer than a row is cut (TRL truncates it too). The rest of a row is padding.
 */
export function packRows(sequences: readonly Sequence[], seq: number, pad: number): Rows {
  const order = sequences.map((s, k) => ({ k, need: Math.min(s.ids.length - 1, seq) })).sort((a, b) => b.need - a.need || a.k - b.k);
  const free: number[] = [];
  const placement: [row: number, col: number][] = new Array(sequences.length);
  for (const { k, need } of order) {
    let best = -1;
    for (let r = 0; r < free.length; r++) if (free[r] >= need && (best < 0 || free[r] < free[best])) best = r;
    if (best < 0) {
      best = free.length;
      free.push(seq);
    }
    placement[k] = [best, seq - free[best]];
    free[best] -= need;
  }
  const out = emptyRows(free.length, seq, pad);
  sequences.forEach((s, k) => {
    if (s.ids.length - 1 > seq) out.truncated++;
    place(out, s, placement[k][0], placement[k][1], k);
  });
  return out;
}

/** One sequence per row, padded: the layout packing is compared against. */
export function padRows(sequences: readonly Sequence[], seq: number, pad: number): Rows {
  const out = emptyRows(sequences.length, seq, pad);
  sequences.forEach((s, k) => {
    if (s.ids.length - 1 > seq) out.truncated++;
    place(out, s, k, 0, k);
  });
  return out;
}

/** Rows as the engine loads them: padded up to a multiple of `batch` rows, weights scaled to sum to 1 per `normaliseEvery` rows (all rows when 0). */
export function finishRows(r: Rows, batch: number, pad: number, normaliseEvery = 0): Rows {
  const rows = Math.ceil(r.rows / batch) * batch;
  const out = emptyRows(rows, r.seq, pad);
  for (const key of ['tokens', 'targets', 'weights', 'positions', 'segments'] as const) out[key].set(r[key]);
  out.truncated = r.truncated;
  const group = (normaliseEvery || rows) * r.seq;
  for (let start = 0; start < out.weights.length; start += group) {
    const slice = out.weights.subarray(start, start + group);
    const total = slice.reduce((a, b) => a + b, 0);
    if (total > 0) for (let i = 0; i < slice.length; i++) slice[i] /= total;
  }
  return out;
}

export interface ScheduleOptions {
  steps: number;
  batch: number;
  seq: number;
  pad: number;
  seed: number;
  /** Share of each batch's rows taken by pretraining text (replay), 0 to 1. */
  replayShare: number;
  /** Pretraining token stream to draw replay windows from. */
  replayStream?: Int32Array;
}

export interface Schedule extends Rows {
  steps: number;
  /** Sequences of the task seen over the run (with repeats). */
  sequencesSeen: number;
  /** Epochs over the task's training sequences. */
  epochs: number;
  /** Tokens that count in the loss, over the run. */
  lossTokens: number;
}

/**
 * The whole run's batches: the task's sequences, shuffled afresh each epoch (seeded), packed into
 * rows; in each step `round(batch * replayShare)` rows are pretraining windows instead (every
 * token counted). Weights are normalised per step.
 */
export function buildSchedule(sequences: readonly Sequence[], o: ScheduleOptions): Schedule {
  if (sequences.length === 0) throw new Error('no training sequences');
  const rng = createRng(o.seed);
  const replayRows = Math.round(o.batch * o.replayShare);
  if (replayRows > 0 && !o.replayStream) throw new Error('replay needs a pretraining stream');
  const taskRowsPerStep = o.batch - replayRows;
  const totalRows = o.steps * o.batch;
  const out = emptyRows(totalRows, o.seq, o.pad);
  let taskRows: Rows | null = null;
  let cursor = 0;
  let epochs = 0;
  let sequencesSeen = 0;
  let row = 0;
  for (let step = 0; step < o.steps; step++) {
    for (let j = 0; j < taskRowsPerStep; j++) {
      if (!taskRows || cursor >= taskRows.rows) {
        taskRows = packRows(shuffle(sequences, rng), o.seq, o.pad);
        out.truncated += taskRows.truncated;
        cursor = 0;
        epochs++;
      }
      copyRow(taskRows, cursor++, out, row++);
    }
    for (let j = 0; j < replayRows; j++) writeReplayRow(out, row++, o.replayStream!, rng);
  }
  sequencesSeen = countSegments(out);
  const finished = finishRows(out, o.batch, o.pad, o.batch);
  let lossTokens = 0;
  for (let i = 0; i < out.weights.length; i++) lossTokens += out.weights[i];
  return { ...finished, steps: o.steps, sequencesSeen, epochs, lossTokens };
}

function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function copyRow(from: Rows, r: number, to: Rows, at: number): void {
  const s = from.seq;
  for (const key of ['tokens', 'targets', 'weights', 'positions', 'segments'] as const) {
    (to[key] as Int32Array | Float32Array).set((from[key] as Int32Array | Float32Array).subarray(r * s, (r + 1) * s), at * s);
  }
}

/** A window of seq + 1 consecutive pretraining tokens, every target counted, one segment. */
function writeReplayRow(out: Rows, r: number, stream: Int32Array, rng: Rng): void {
  const start = rng.int(stream.length - out.seq - 1);
  for (let t = 0; t < out.seq; t++) {
    const i = r * out.seq + t;
    out.tokens[i] = stream[start + t];
    out.targets[i] = stream[start + t + 1];
    out.weights[i] = 1;
    out.positions[i] = t;
    out.segments[i] = 1_000_000 + r;
  }
}

function countSegments(r: Rows): number {
  let n = 0;
  for (let i = 0; i < r.segments.length; i++) {
    const s = r.segments[i];
    if (s >= 0 && s < 1_000_000 && (i % r.seq === 0 || r.segments[i - 1] !== s)) n++;
  }
  return n;
}

/** Pretraining windows (each seq + 1 tokens of `windows`) as rows with every target counted. */
export function windowRows(windows: Int32Array, seq: number, pad: number): Rows {
  const rows = Math.floor(windows.length / (seq + 1));
  const out = emptyRows(rows, seq, pad);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < seq; t++) {
      const i = r * seq + t;
      out.tokens[i] = windows[r * (seq + 1) + t];
      out.targets[i] = windows[r * (seq + 1) + t + 1];
      out.weights[i] = 1;
      out.positions[i] = t;
      out.segments[i] = r;
    }
  }
  return out;
}
