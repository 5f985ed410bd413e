/// <reference lib="webworker" />
/**
 * The language model's worker: holds the parsed model, trains on the CPU backend and generates.
 * See protocol.ts for the messages.
 */
import { prepareCpuGemm } from '../../linalg/gemm-cpu';
import { sftTask } from '../data/sft-tasks';
import { createCpuBackend } from '../engine/cpu-backend';
import { generate } from '../generate';
import { loadModelFiles, type LoadedModel } from '../model-files';
import { createGrpoTrainer, type GrpoTrainer } from '../grpo-trainer';
import { createPreferenceTrainer, type PreferenceTrainer } from '../preference-trainer';
import { createRewardTrainer, type RewardTrainer } from '../reward-trainer';
import { createLmTrainer, mergedWeights, type LmTrainer } from '../trainer';
import type { WorkerMessage, WorkerReply, WorkerRequest, WorkerResults } from './protocol';

let model: LoadedModel | null = null;
let trainer: LmTrainer | PreferenceTrainer | GrpoTrainer | RewardTrainer | null = null;

async function handle(request: WorkerRequest): Promise<{ result: unknown; transfer?: Transferable[] }> {
  switch (request.type) {
    case 'load': {
      const files = request.files;
      model = await loadModelFiles(async (name) => {
        const f = files[name];
        if (!f) throw new Error(`${name} was not sent to the worker`);
        return new Uint8Array(f);
      });
      const result: WorkerResults['load'] = { wasm: await prepareCpuGemm() };
      return { result };
    }
    case 'create-trainer': {
      const m = need(model);
      trainer?.destroy();
      trainer = createLmTrainer(createCpuBackend(m.config), m, sftTask(request.task), request.run);
      const result: WorkerResults['create-trainer'] = {
        trainableParams: trainer.trainableParams,
        tokensPerStep: trainer.tokensPerStep,
        trainableShapes: [...trainer.trainableShapes],
        epochs: trainer.schedule.epochs,
        sequencesSeen: trainer.schedule.sequencesSeen,
        truncated: trainer.schedule.truncated,
      };
      return { result };
    }
    case 'create-preference-trainer': {
      const m = need(model);
      trainer?.destroy();
      trainer = createPreferenceTrainer(createCpuBackend(m.config), m, request.run);
      const result: WorkerResults['create-preference-trainer'] = { trainableParams: trainer.trainableParams };
      return { result };
    }
    case 'create-grpo-trainer': {
      const m = need(model);
      trainer?.destroy();
      trainer = createGrpoTrainer(createCpuBackend(m.config), m, request.run, async (prompts, options, trained) => {
        const weights = mergedWeights(m.weights, m.config, trained.adapter, trained.tensors);
        return prompts.map((ids) => generate(weights, m.config, ids, options));
      });
      const result: WorkerResults['create-grpo-trainer'] = { trainableParams: trainer.trainableParams };
      return { result };
    }
    case 'create-reward-trainer': {
      const m = need(model);
      trainer?.destroy();
      trainer = createRewardTrainer(createCpuBackend(m.config), m, request.run);
      const result: WorkerResults['create-reward-trainer'] = {
        trainableParams: trainer.trainableParams,
        trainableShapes: [...trainer.trainableShapes],
      };
      return { result };
    }
    case 'run-steps': {
      const r = await need(trainer).runSteps(request.count, request.evaluate);
      return { result: r, transfer: [r.stepLosses.buffer] };
    }
    case 'trainables': {
      const entries = [...(await need(trainer).trainables())];
      return { result: entries, transfer: entries.map(([, v]) => v.buffer) };
    }
    case 'generate': {
      const m = need(model);
      const weights = request.adapter && request.trained ? mergedWeights(m.weights, m.config, request.adapter, new Map(request.trained)) : m.weights;
      const result: WorkerResults['generate'] = request.prompts.map((ids) => generate(weights, m.config, ids, request.options));
      return { result };
    }
  }
}

function need<T>(value: T | null): T {
  if (value === null) throw new Error('the worker was asked to work before it was set up');
  return value;
}

self.onmessage = async (event: MessageEvent<WorkerMessage>) => {
  const { id, ...request } = event.data;
  try {
    const { result, transfer } = await handle(request as WorkerRequest);
    (self as unknown as Worker).postMessage({ id, result } satisfies WorkerReply, transfer ?? []);
  } catch (error) {
    (self as unknown as Worker).postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  }
};
