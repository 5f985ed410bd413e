/**
 * The one training loop: it runs a trainer in chunks of steps, evaluates every `evalEvery` steps,
 * stops on divergence, yields to the page between chunks (where Stop takes effect) and reports
 * progress. Chunks are sized by time, not by a fixed count: a chunk aims at `chunkMs` of work, so
 * a slow backend (the CPU, an emulated GPU) still hands control back to the page several times a
 * second and a fast one is not slowed by round trips. Chunking never changes the numbers: a
 * trainer computes the same steps whatever the chunk boundaries.
 */
import { DIVERGENCE_FACTOR, TrainingDiverged, type Trainer } from './trainer';

export interface LoopOptions<E> {
  steps: number;
  /** Steps between evaluations; the last step is always evaluated. */
  evalEvery: number;
  /** Evaluate the untrained model as the first point (default true). */
  evaluateStart?: boolean;
  /** The losses of an evaluation that must stay finite and below the divergence limit. */
  watch: (evaluation: E) => readonly number[];
  /**
   * The loss the divergence limit is a multiple of. Default: the first watched loss of the start
   * evaluation, else the first finite step loss.
   */
  reference?: number;
  /** Called (and awaited) after each evaluation, the start one included, with the steps done. */
  onEvaluation?: (step: number, evaluation: E) => void | Promise<void>;
  /** Awaited before each chunk: yields to the page and throws to stop. */
  tick?: () => Promise<void>;
  /** Called after each chunk with the steps done and every step's loss so far. */
  onProgress?: (stepsDone: number, stepLosses: readonly number[]) => void;
  /**
   * Wall time one chunk aims at, in ms. Default: 25 on the CPU, where the chunk blocks the page,
   * so a chunk and the page's own work after it stay under 50 ms; 40 on the GPU, where waiting
   * for results does not block the page and fewer round trips are faster.
   */
  chunkMs?: number;
  /** Most steps in one chunk (default: no limit besides the evaluation points). */
  maxChunk?: number;
}

export interface LoopResult<E> {
  evaluations: { step: number; evaluation: E }[];
  stepLosses: number[];
  /** Steps per second of training time, evaluations included. */
  stepsPerSecond: number;
  /** Steps per second without the evaluations (when the trainer reports their time). */
  trainingStepsPerSecond: number;
}

export async function trainLoop<E>(trainer: Trainer<E>, options: LoopOptions<E>): Promise<LoopResult<E>> {
  const { steps, evalEvery, watch } = options;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a positive whole number, got ${steps}`);
  if (!Number.isInteger(evalEvery) || evalEvery < 1) throw new Error(`evalEvery must be a positive whole number, got ${evalEvery}`);
  const chunkMs = options.chunkMs ?? (trainer.backend === 'cpu' ? 25 : 40);
  const maxChunk = options.maxChunk ?? Infinity;
  const evaluations: LoopResult<E>['evaluations'] = [];
  const stepLosses: number[] = [];
  let limit = options.reference !== undefined ? DIVERGENCE_FACTOR * Math.max(options.reference, 1e-6) : Infinity;

  const check = (step: number, losses: readonly number[]) => {
    for (const loss of losses) if (!(loss <= limit)) throw new TrainingDiverged(step, loss);
  };
  const record = async (step: number, evaluation: E) => {
    check(step, watch(evaluation));
    evaluations.push({ step, evaluation });
    await options.onEvaluation?.(step, evaluation);
  };

  if (options.evaluateStart !== false) {
    await options.tick?.();
    const start = (await trainer.runSteps(0, true)).evaluation!;
    if (limit === Infinity) {
      const first = watch(start)[0];
      if (Number.isFinite(first)) limit = DIVERGENCE_FACTOR * Math.max(first, 1e-6);
    }
    await record(0, start);
  }

  let done = 0;
  let trainingMs = 0;
  let evaluationMs = 0;
  let count = 1;
  while (done < steps) {
    await options.tick?.();
    const untilEval = evalEvery - (done % evalEvery);
    const n = Math.max(1, Math.min(count, maxChunk, steps - done, untilEval));
    const evaluate = n === untilEval || done + n === steps;
    const t0 = performance.now();
    const report = await trainer.runSteps(n, evaluate);
    const elapsed = performance.now() - t0;
    trainingMs += elapsed;
    evaluationMs += report.evaluationMs ?? 0;
    report.stepLosses.forEach((loss, i) => {
      if (limit === Infinity && Number.isFinite(loss)) limit = DIVERGENCE_FACTOR * Math.max(loss, 1e-6);
      check(done + i + 1, [loss]);
      stepLosses.push(loss);
    });
    done += n;
    if (report.evaluation) {
      // Yield first, so the chunk and the page's work on the evaluation (plots) are separate tasks.
      await options.tick?.();
      await record(done, report.evaluation);
    }
    options.onProgress?.(done, stepLosses);
    // The next chunk: as many steps as fit in chunkMs at this chunk's pace, at most doubling.
    const perStep = elapsed / n;
    count = Math.max(1, Math.min(2 * n, Math.floor(chunkMs / Math.max(perStep, 1e-3))));
  }
  return {
    evaluations,
    stepLosses,
    stepsPerSecond: steps / (trainingMs / 1000),
    trainingStepsPerSecond: steps / (Math.max(1e-3, trainingMs - evaluationMs) / 1000),
  };
}
