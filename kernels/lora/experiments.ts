/**
 * The two experiments the widgets run, independent of the page: one training run (with the
 * QLoRA comparison when the base is NF4) and the rank sweep. Backends come in through
 * `makeTrainer`, so the same code runs on WebGPU, on the CPU and in tests.
 */
import type { GpuContext } from '../gpu/device';
import { linearForward, mseLoss, type AdaptMethod } from './reference';
import { makeTask, type Task, type TaskConfig } from './task';
import { trainLoop } from '../training/loop';
import { frozenBase, type CurvePoint, type LayerTrainer, type Losses, type TrainerConfig } from './trainer';
import { createCpuTrainer } from './trainer-cpu';
import { createGpuTrainer } from './trainer-gpu';

export type MakeTrainer = (task: Task, config: TrainerConfig) => LayerTrainer;

/** The losses the loop watches for divergence. */
export const watchLosses = (e: Losses) => [e.train, e.heldOut];

/** The WebGPU trainer when there is a device, the CPU reference otherwise. */
export function trainerFactory(gpu: GpuContext | null): MakeTrainer {
  return (task, config) => (gpu ? createGpuTrainer(gpu, task, config) : createCpuTrainer(task, config));
}

export interface Hooks {
  onPoint?: (point: CurvePoint, run: 'main' | 'fp32-reference') => void;
  /** After every chunk of steps, so progress shows between evaluations. */
  onSteps?: (stepsDone: number, run: 'main' | 'fp32-reference') => void;
  tick?: () => Promise<void>;
}

/** What an NF4 base costs before training, and what is left of that cost after it. */
export interface QuantizationReport {
  /** Mean squared difference between the NF4 and fp32 base layers' outputs on the held-out inputs. */
  baseOutputMse: number;
  /** Held-out loss of the untrained layer: fp32 base, NF4 base, and the difference (the cost). */
  untrainedFp32: number;
  untrainedNf4: number;
  costBefore: number;
  /** Held-out loss after training the same adapter on each base, and the difference left. */
  trainedFp32: number;
  trainedNf4: number;
  costAfter: number;
  /** Share of the cost the adapter trained away, 1 - costAfter / costBefore (absent when there was no cost). */
  recovered?: number;
  fp32Curve: CurvePoint[];
}

export interface TrainingOutcome {
  method: AdaptMethod;
  trainableParams: number;
  /** Bytes of the frozen base in its stored format (fp32, or NF4 codes two per byte plus block scales). */
  frozenBaseBytes: number;
  curve: CurvePoint[];
  finalTrain: number;
  finalHeldOut: number;
  untrainedHeldOut: number;
  stepsPerSecond: number;
  /** Only for an NF4 base. */
  quantization?: QuantizationReport;
}

export async function runTraining(
  taskConfig: Partial<TaskConfig>,
  config: TrainerConfig,
  steps: number,
  evalEvery: number,
  makeTrainer: MakeTrainer,
  hooks: Hooks = {},
): Promise<TrainingOutcome> {
  const task = makeTask(taskConfig);
  const trainOn = async (c: TrainerConfig, run: 'main' | 'fp32-reference') => {
    const trainer = makeTrainer(task, c);
    try {
      const curve: CurvePoint[] = [];
      const r = await trainLoop(trainer, {
        steps,
        evalEvery,
        watch: watchLosses,
        tick: hooks.tick,
        onProgress: (done) => hooks.onSteps?.(done, run),
        onEvaluation: (step, losses) => {
          const point = { step, ...losses };
          curve.push(point);
          hooks.onPoint?.(point, run);
        },
      });
      return { curve, stepsPerSecond: r.stepsPerSecond, trainableParams: trainer.trainableParams, frozenBaseBytes: trainer.frozenBaseBytes };
    } finally {
      trainer.destroy();
    }
  };
  const main = await trainOn(config, 'main');
  const last = main.curve[main.curve.length - 1];
  let quantization: QuantizationReport | undefined;
  if (config.base === 'nf4') {
    const reference = await trainOn({ ...config, base: 'fp32' }, 'fp32-reference');
    const untrainedFp32 = reference.curve[0].heldOut;
    const untrainedNf4 = main.curve[0].heldOut;
    const trainedFp32 = reference.curve[reference.curve.length - 1].heldOut;
    const costBefore = untrainedNf4 - untrainedFp32;
    const costAfter = last.heldOut - trainedFp32;
    quantization = {
      baseOutputMse: baseOutputMse(task),
      untrainedFp32,
      untrainedNf4,
      costBefore,
      trainedFp32,
      trainedNf4: last.heldOut,
      costAfter,
      ...(costBefore > 0 ? { recovered: 1 - costAfter / costBefore } : {}),
      fp32Curve: reference.curve,
    };
  }
  return {
    method: config.method,
    trainableParams: main.trainableParams,
    frozenBaseBytes: main.frozenBaseBytes,
    curve: main.curve,
    finalTrain: last.train,
    finalHeldOut: last.heldOut,
    untrainedHeldOut: main.curve[0].heldOut,
    stepsPerSecond: main.stepsPerSecond,
    quantization,
  };
}

function baseOutputMse(task: Task): number {
  const { inFeatures, outFeatures, heldOutSize } = task.config;
  const nf4 = frozenBase(task, 'nf4').weight;
  return mseLoss(
    linearForward(nf4, task.heldOutX, heldOutSize, inFeatures, outFeatures),
    linearForward(task.base, task.heldOutX, heldOutSize, inFeatures, outFeatures),
  );
}

export interface SweepPoint {
  method: AdaptMethod;
  rank: number;
  trainableParams: number;
  finalTrain: number;
  finalHeldOut: number;
}

/**
 * Trains every (method, rank) on the same task with the same settings (a fixed alpha, so the
 * scale follows the chosen rule) and reports each run's final losses, in order.
 */
export async function runRankSweep(
  taskConfig: Partial<TaskConfig>,
  base: TrainerConfig,
  methods: readonly AdaptMethod[],
  ranks: readonly number[],
  steps: number,
  makeTrainer: MakeTrainer,
  hooks: {
    onPoint?: (point: SweepPoint, done: number, total: number) => void;
    /** After every chunk of steps of run `runIndex` (0-based) of `total`. */
    onSteps?: (runIndex: number, stepsDone: number, total: number) => void;
    tick?: () => Promise<void>;
  } = {},
): Promise<SweepPoint[]> {
  const task = makeTask(taskConfig);
  const points: SweepPoint[] = [];
  const total = methods.length * ranks.length;
  for (const method of methods) {
    for (const rank of ranks) {
      const trainer = makeTrainer(task, { ...base, method, rank });
      try {
        const runIndex = points.length;
        const { evaluations } = await trainLoop(trainer, {
          steps,
          evalEvery: steps,
          watch: watchLosses,
          tick: hooks.tick,
          evaluateStart: false,
          onProgress: (done) => hooks.onSteps?.(runIndex, done, total),
        });
        const last = evaluations[evaluations.length - 1].evaluation;
        const point = { method, rank, trainableParams: trainer.trainableParams, finalTrain: last.train, finalHeldOut: last.heldOut };
        points.push(point);
        hooks.onPoint?.(point, points.length, total);
      } finally {
        trainer.destroy();
      }
    }
  }
  return points;
}
