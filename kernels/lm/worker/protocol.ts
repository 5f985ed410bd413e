/**
 * Messages between the page and the language-model worker (worker.ts): the CPU path trains and
 * every path generates there, so the page never blocks on the model's arithmetic. Each request
 * carries an id; the worker answers with the same id, a result or an error message.
 */
import type { SftTaskId } from '../data/sft-tasks';
import type { AdapterConfig } from '../engine/program';
import type { GenerateOptions, Generation } from '../generate';
import type { GrpoEvaluation, GrpoRunConfig } from '../grpo-trainer';
import type { PreferenceEvaluation, PreferenceRunConfig } from '../preference-trainer';
import type { RewardEvaluation, RewardRunConfig } from '../reward-trainer';
import type { LmEvaluation, LmRunConfig } from '../trainer';

export interface TrainerInfo {
  trainableParams: number;
  tokensPerStep: number;
  trainableShapes: [string, number[]][];
  epochs: number;
  sequencesSeen: number;
  truncated: number;
}

export type WorkerRequest =
  | { type: 'load'; files: Record<string, ArrayBuffer> }
  | { type: 'create-trainer'; task: SftTaskId; run: LmRunConfig }
  | { type: 'create-preference-trainer'; run: PreferenceRunConfig }
  | { type: 'create-grpo-trainer'; run: GrpoRunConfig }
  | { type: 'create-reward-trainer'; run: RewardRunConfig }
  | { type: 'run-steps'; count: number; evaluate: boolean }
  | { type: 'trainables' }
  | { type: 'generate'; prompts: number[][]; options: GenerateOptions; adapter: AdapterConfig | null; trained: [string, Float32Array][] | null };

export interface WorkerResults {
  load: { wasm: boolean };
  'create-trainer': TrainerInfo;
  'create-preference-trainer': { trainableParams: number };
  'create-grpo-trainer': { trainableParams: number };
  'create-reward-trainer': { trainableParams: number; trainableShapes: [string, number[]][] };
  /** The evaluation of whichever trainer the worker holds. */
  'run-steps': {
    stepLosses: Float32Array;
    evaluation: LmEvaluation | PreferenceEvaluation | GrpoEvaluation | RewardEvaluation | null;
    evaluationMs?: number;
  };
  trainables: [string, Float32Array][];
  generate: Generation[];
}

export type WorkerMessage = { id: number } & WorkerRequest;
export type WorkerReply = { id: number; result?: unknown; error?: string };
