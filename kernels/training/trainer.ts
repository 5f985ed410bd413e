/**
 * The trainer protocol every backend of every trainer implements (the LoRA layer, the preference
 * policy, the language model): a trainer keeps all of its state between calls and runs a chunk
 * of optimizer steps at a time; `trainLoop` (loop.ts) drives it.
 */
export type Backend = 'webgpu' | 'cpu';

/** What one chunk of steps reports. */
export interface ChunkReport<E> {
  /** The loss of each step of the chunk, on its batch and before its update. */
  stepLosses: Float32Array;
  /** The evaluation after the chunk, when one was asked for. */
  evaluation: E | null;
  /** Milliseconds the evaluation took, when the trainer measures it (so throughput can leave it out). */
  evaluationMs?: number;
}

export interface Trainer<E> {
  readonly backend: Backend;
  readonly trainableParams: number;
  /** Runs `count` optimizer steps (0 allowed), then evaluates when `evaluate`. */
  runSteps(count: number, evaluate: boolean): Promise<ChunkReport<E>>;
  /** Frees what the trainer holds (GPU buffers, a worker). Safe to call twice. */
  destroy(): void;
}

/** A loss this many times the reference loss (the untrained one) counts as divergence, as does NaN or infinity. */
export const DIVERGENCE_FACTOR = 100;

export class TrainingDiverged extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(
      Number.isFinite(loss)
        ? `training diverged: the loss reached ${loss.toExponential(2)} at step ${step}; lower the learning rate`
        : `training diverged: the loss became ${loss} at step ${step}; lower the learning rate`,
    );
  }
}
