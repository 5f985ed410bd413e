import { padRows, type Sequence } from './data/batches';
import type { Backend, Op } from './engine/backend';
import type { Model } from './engine/program';

/**
 * Sequence log-probs from the model's forward pass, and the gradient of any loss of them: the
 * engine's weighted cross-entropy backward with each reply token weighted by -dL/dlogp.
 */
export interface SequenceScorer {
  /** Loads the sequences (one per row, at most the model's batch) and runs the forward pass: each one's summed reply log-prob. */
  logps(seqs: readonly Sequence[]): Promise<{ logps: number[]; rowMask: Float32Array }>;
  /** After `logps`: backpropagates dL/dlogp of each sequence into the trainables' gradients, then runs `after` (the optimizer). */
  backward(dLogp: readonly number[], rowMask: Float32Array, after: Op[]): void;
}

/**
 * Loads sequences into the model's inputs, one per row from its start, the rows left over as
 * padding; returns each position's loss mask (1 on reply tokens), over all of the model's rows.
 */
export function writeSequences(be: Backend, m: Model, seqs: readonly Sequence[], pad: number): Float32Array {
  if (seqs.length > m.shape.batch) throw new Error(`${seqs.length} sequences do not fit ${m.shape.batch} rows`);
  const rows = m.shape.batch * m.shape.seq;
  const full = <T extends Int32Array | Float32Array>(src: T, empty: number): T => {
    const out = (src instanceof Int32Array ? new Int32Array(rows) : new Float32Array(rows)) as T;
    out.fill(empty);
    out.set(src);
    return out;
  };
  const r = padRows(seqs, m.shape.seq, pad);
  be.write(m.inputs.tokens, full(r.tokens, pad));
  be.write(m.inputs.targets, full(r.targets, pad));
  be.write(m.inputs.positions, full(r.positions, 0));
  be.write(m.inputs.segments, full(r.segments, -1));
  return full(r.weights, 0);
}

export function sequenceScorer(be: Backend, m: Model, pad: number): SequenceScorer {
  const rows = m.shape.batch * m.shape.seq;
  const seq = m.shape.seq;
  const rowLoss = be.f32(rows);
  const maskWeights = be.f32(rows);
  const gradWeights = be.f32(rows);
  const forwardOps = [...m.forward(), ...m.loss(maskWeights, rowLoss, false)];
  const backwardOps = [...m.loss(gradWeights, rowLoss, true), ...m.backward()];
  return {
    async logps(seqs) {
      const rowMask = writeSequences(be, m, seqs, pad);
      be.write(maskWeights, rowMask);
      be.run(forwardOps);
      const ce = await be.read(rowLoss);
      const logps = seqs.map((_, k) => {
        let s = 0;
        for (let t = k * seq; t < (k + 1) * seq; t++) s -= ce[t];
        return s;
      });
      return { logps, rowMask };
    },
    backward(dLogp, rowMask, after) {
      const weights = new Float32Array(rows);
      dLogp.forEach((d, k) => {
        for (let t = k * seq; t < (k + 1) * seq; t++) if (rowMask[t]) weights[t] = -d;
      });
      be.write(gradWeights, weights);
      be.run([...backwardOps, ...after]);
    },
  };
}
