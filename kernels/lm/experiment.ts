/**
 * One fine-tuning run of the tiny model as the widget shows it, independent of the page: the
 * replies to held-out questions before training, the run on the training loop (losses, held-out
 * losses, forgetting), the replies after, and what the adapter and the merged model are. The
 * runtime supplies the trainer and the generator: in the page the CPU work happens in a worker
 * and the GPU trainer on the page's device; in tests everything runs in place.
 */
import { trainLoop } from '../training/loop';
import type { ChunkReport, Trainer } from '../training/trainer';
import { modelParamCount } from './config';
import { renderChat } from './chat-template';
import { sftTask, type SftExample, type SftTaskId } from './data/sft-tasks';
import type { AdapterConfig } from './engine/program';
import type { GenerateOptions, Generation } from './generate';
import type { LoadedModel } from './model-files';
import type { GrpoEvaluation, GrpoRunConfig } from './grpo-trainer';
import type { PreferenceEvaluation, PreferenceRunConfig } from './preference-trainer';
import type { RewardEvaluation, RewardRunConfig } from './reward-trainer';
import type { LmEvaluation, LmRunConfig } from './trainer';

export interface RuntimeTrainer {
  readonly backend: 'webgpu' | 'cpu';
  readonly trainableParams: number;
  readonly tokensPerStep: number;
  readonly trainableShapes: Map<string, number[]>;
  /** Passes over the task's training conversations that the run's steps make. */
  readonly epochs: number;
  runSteps(count: number, evaluate: boolean): Promise<ChunkReport<LmEvaluation>>;
  trainables(): Promise<Map<string, Float32Array>>;
  destroy(): void;
}

/** A preference trainer wherever the runtime keeps it (in place, or in the worker). */
export interface RuntimePreferenceTrainer extends Trainer<PreferenceEvaluation> {
  trainables(): Promise<Map<string, Float32Array>>;
}

/** A GRPO trainer wherever the runtime keeps it. */
export interface RuntimeGrpoTrainer extends Trainer<GrpoEvaluation> {
  trainables(): Promise<Map<string, Float32Array>>;
}

/** A reward-model trainer wherever the runtime keeps it. */
export interface RuntimeRewardTrainer extends Trainer<RewardEvaluation> {
  readonly trainableShapes: Map<string, number[]>;
  trainables(): Promise<Map<string, Float32Array>>;
}

export interface LmRuntime {
  createTrainer(task: SftTaskId, run: LmRunConfig): Promise<RuntimeTrainer>;
  createPreferenceTrainer(run: PreferenceRunConfig): Promise<RuntimePreferenceTrainer>;
  createGrpoTrainer(run: GrpoRunConfig): Promise<RuntimeGrpoTrainer>;
  createRewardTrainer(run: RewardRunConfig): Promise<RuntimeRewardTrainer>;
  /** Replies to prompts (token ids), from the base model or with a trained adapter merged in. */
  generate(
    prompts: number[][],
    options: GenerateOptions,
    trained: { adapter: AdapterConfig; tensors: Map<string, Float32Array> } | null,
  ): Promise<Generation[]>;
}

export interface Sample {
  question: string;
  expected: string;
  reply: string;
  ok: boolean;
}

export interface CurvePoint extends LmEvaluation {
  step: number;
}

export interface FineTuneResult {
  task: SftTaskId;
  method: AdapterConfig['method'];
  base: AdapterConfig['base'];
  trainableParams: number;
  modelParams: number;
  steps: number;
  curve: CurvePoint[];
  stepLosses: number[];
  tokensPerSecond: number;
  stepsPerSecond: number;
  /** Replies to the demo questions before and after training. */
  before: Sample[];
  after: Sample[];
  /** Share of held-out questions answered as the task asks, before and after. */
  heldOutSuccessBefore: number;
  heldOutSuccessAfter: number;
  heldOutQuestions: number;
  epochs: number;
}

export interface FineTuneHooks {
  tick?: () => Promise<void>;
  onPoint?: (point: CurvePoint) => void;
  onPhase?: (phase: 'before' | 'training' | 'after') => void;
  onStep?: (done: number, stepLosses: readonly number[]) => void;
  onSamples?: (which: 'before' | 'after', samples: Sample[]) => void;
  /** The trained tensors (by PEFT's or transformers' names) and their shapes, when training ends. */
  onTrained?: (tensors: Map<string, Float32Array>, shapes: Map<string, number[]>) => void;
}

/** Greedy replies, at most this long: every task's answer fits. */
export const REPLY_TOKENS = 64;
/** Held-out questions whose replies are scored before and after. */
export const SCORED_QUESTIONS = 24;

export function promptIds(model: LoadedModel, question: string): number[] {
  return model.tokenizer.encode(renderChat(model.chatTemplate, [{ role: 'user', content: question }], { addGenerationPrompt: true })).ids;
}

async function replies(
  runtime: LmRuntime,
  model: LoadedModel,
  examples: readonly SftExample[],
  score: (ex: SftExample, reply: string) => boolean,
  trained: Parameters<LmRuntime['generate']>[2],
): Promise<Sample[]> {
  const stop = [model.tokenizer.id('<|im_end|>'), model.tokenizer.id('</s>')];
  const options = { maxNewTokens: REPLY_TOKENS, temperature: 0, topK: 0, seed: 1, stopTokens: stop };
  const gens = await runtime.generate(
    examples.map((ex) => promptIds(model, ex.messages[0].content)),
    options,
    trained,
  );
  return examples.map((ex, i) => {
    const reply = model.tokenizer.decode(gens[i].ids, { skipSpecial: true });
    return { question: ex.messages[0].content, expected: ex.messages[1].content, reply, ok: score(ex, reply) };
  });
}

export async function runFineTuning(
  runtime: LmRuntime,
  model: LoadedModel,
  taskId: SftTaskId,
  run: LmRunConfig,
  evaluations: number,
  hooks: FineTuneHooks = {},
): Promise<FineTuneResult> {
  const task = sftTask(taskId);
  const scored = task.heldOut.slice(0, SCORED_QUESTIONS);
  hooks.onPhase?.('before');
  const beforeAll = await replies(runtime, model, scored, task.score, null);
  const before = beforeAll.filter((s) => task.demo.some((d) => d.messages[0].content === s.question));
  hooks.onSamples?.('before', before);
  await hooks.tick?.();

  hooks.onPhase?.('training');
  const trainer = await runtime.createTrainer(taskId, run);
  const curve: CurvePoint[] = [];
  let trained: Map<string, Float32Array>;
  let stepLosses: number[];
  let stepsPerSecond: number;
  try {
    const r = await trainLoop(trainer, {
      steps: run.steps,
      evalEvery: Math.max(1, Math.ceil(run.steps / evaluations)),
      watch: (e) => [e.taskLoss, e.pretrainLoss],
      tick: hooks.tick,
      onProgress: hooks.onStep,
      onEvaluation: (step, e) => {
        const point = { step, ...e };
        curve.push(point);
        hooks.onPoint?.(point);
      },
    });
    stepLosses = r.stepLosses;
    stepsPerSecond = r.trainingStepsPerSecond;
    trained = await trainer.trainables();
    hooks.onTrained?.(trained, trainer.trainableShapes);
  } finally {
    trainer.destroy();
  }

  hooks.onPhase?.('after');
  const adapter = run.adapter;
  const afterAll = await replies(runtime, model, scored, task.score, { adapter, tensors: trained });
  const after = afterAll.filter((s) => task.demo.some((d) => d.messages[0].content === s.question));
  hooks.onSamples?.('after', after);
  const rate = (samples: Sample[]) => samples.filter((s) => s.ok).length / samples.length;
  return {
    task: taskId,
    method: adapter.method,
    base: adapter.base,
    trainableParams: trainer.trainableParams,
    modelParams: modelParamCount(model.config),
    steps: run.steps,
    curve,
    stepLosses,
    tokensPerSecond: stepsPerSecond * trainer.tokensPerStep,
    stepsPerSecond,
    before,
    after,
    heldOutSuccessBefore: rate(beforeAll),
    heldOutSuccessAfter: rate(afterAll),
    heldOutQuestions: scored.length,
    epochs: trainer.epochs,
  };
}
