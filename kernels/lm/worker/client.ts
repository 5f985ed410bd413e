/**
 * The page's side of the language-model worker: typed requests, and a trainer proxy that
 * implements the trainer protocol over it. `terminate()` ends the worker at once (Stop does not
 * wait for a step to finish); pending requests then reject.
 */
import type { ChunkReport } from '../../training/trainer';
import type { SftTaskId } from '../data/sft-tasks';
import type { GrpoEvaluation, GrpoRunConfig } from '../grpo-trainer';
import type { PreferenceEvaluation, PreferenceRunConfig } from '../preference-trainer';
import type { RewardEvaluation, RewardRunConfig } from '../reward-trainer';
import type { LmEvaluation, LmRunConfig } from '../trainer';
import type { TrainerInfo, WorkerMessage, WorkerReply, WorkerRequest, WorkerResults } from './protocol';

export class WorkerStopped extends Error {
  constructor() {
    super('the language-model worker was stopped');
  }
}

export class LmWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const p = this.pending.get(event.data.id);
      if (!p) return;
      this.pending.delete(event.data.id);
      if (event.data.error !== undefined) p.reject(new Error(event.data.error));
      else p.resolve(event.data.result);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.failAll(new Error(`the language-model worker failed: ${event.message || 'unknown error'}`));
    };
  }

  request<T extends WorkerRequest['type']>(request: Extract<WorkerRequest, { type: T }>, transfer: Transferable[] = []): Promise<WorkerResults[T]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, ...request } as WorkerMessage, transfer);
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll(new WorkerStopped());
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

/** The CPU trainer, running in the worker, behind the trainer protocol. */
export interface WorkerTrainer {
  readonly info: TrainerInfo;
  readonly backend: 'cpu';
  readonly trainableParams: number;
  runSteps(count: number, evaluate: boolean): Promise<ChunkReport<LmEvaluation>>;
  trainables(): Promise<Map<string, Float32Array>>;
  destroy(): void;
}

export async function createWorkerTrainer(worker: LmWorker, task: SftTaskId, run: LmRunConfig): Promise<WorkerTrainer> {
  const info = await worker.request({ type: 'create-trainer', task, run });
  return {
    info,
    backend: 'cpu',
    trainableParams: info.trainableParams,
    runSteps: (count, evaluate) => worker.request({ type: 'run-steps', count, evaluate }) as Promise<ChunkReport<LmEvaluation>>,
    trainables: async () => new Map(await worker.request({ type: 'trainables' })),
    destroy: () => {},
  };
}

/** A CPU trainer of another kind (preference, GRPO, reward model), running in the worker, behind the trainer protocol. */
function workerTrainer<E>(worker: LmWorker, trainableParams: number) {
  return {
    backend: 'cpu' as const,
    trainableParams,
    runSteps: (count: number, evaluate: boolean) => worker.request({ type: 'run-steps', count, evaluate }) as Promise<ChunkReport<E>>,
    trainables: async () => new Map(await worker.request({ type: 'trainables' })),
    destroy: () => {},
  };
}

export async function createWorkerPreferenceTrainer(worker: LmWorker, run: PreferenceRunConfig) {
  const info = await worker.request({ type: 'create-preference-trainer', run });
  return workerTrainer<PreferenceEvaluation>(worker, info.trainableParams);
}

export async function createWorkerGrpoTrainer(worker: LmWorker, run: GrpoRunConfig) {
  const info = await worker.request({ type: 'create-grpo-trainer', run });
  return workerTrainer<GrpoEvaluation>(worker, info.trainableParams);
}

export async function createWorkerRewardTrainer(worker: LmWorker, run: RewardRunConfig) {
  const info = await worker.request({ type: 'create-reward-trainer', run });
  return { ...workerTrainer<RewardEvaluation>(worker, info.trainableParams), trainableShapes: new Map(info.trainableShapes) };
}
