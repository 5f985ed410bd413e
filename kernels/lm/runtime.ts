/**
 * Runtimes for the experiments (fine-tuning, preference tuning, GRPO, reward models): `localRuntime` trains and generates in place (Node tests, and the
 * worker itself), `pageRuntime` keeps the page responsive: the CPU trainer and every generation run
 * in the language-model worker, the WebGPU trainer on the page's device.
 */
import type { GpuContext } from '../gpu/device';
import { sftTask } from './data/sft-tasks';
import type { Backend } from './engine/backend';
import { createCpuBackend } from './engine/cpu-backend';
import { createGpuBackend } from './engine/gpu-backend';
import type { LmRuntime, RuntimeTrainer } from './experiment';
import { generate } from './generate';
import type { LoadedModel } from './model-files';
import { createLmTrainer, mergedWeights, type LmRunConfig } from './trainer';
import { createGrpoTrainer } from './grpo-trainer';
import { createPreferenceTrainer } from './preference-trainer';
import { createRewardTrainer } from './reward-trainer';
import { LmWorker, createWorkerGrpoTrainer, createWorkerPreferenceTrainer, createWorkerRewardTrainer, createWorkerTrainer } from './worker/client';

function inPlaceTrainer(be: Backend, model: LoadedModel, task: Parameters<typeof sftTask>[0], run: LmRunConfig): RuntimeTrainer {
  const t = createLmTrainer(be, model, sftTask(task), run);
  return Object.assign(t, { epochs: t.schedule.epochs });
}

export function localRuntime(model: LoadedModel, makeBackend: () => Backend = () => createCpuBackend(model.config)): LmRuntime {
  const runtime: LmRuntime = {
    createTrainer: async (task, run) => inPlaceTrainer(makeBackend(), model, task, run),
    createPreferenceTrainer: async (run) => createPreferenceTrainer(makeBackend(), model, run),
    createGrpoTrainer: async (run) => createGrpoTrainer(makeBackend(), model, run, runtime.generate),
    createRewardTrainer: async (run) => createRewardTrainer(makeBackend(), model, run),
    async generate(prompts, options, trained) {
      const weights = trained ? mergedWeights(model.weights, model.config, trained.adapter, trained.tensors) : model.weights;
      return prompts.map((ids) => generate(weights, model.config, ids, options));
    },
  };
  return runtime;
}

export interface PageRuntime extends LmRuntime {
  /** Whether the worker's matmul runs on WebAssembly SIMD. */
  readonly wasm: boolean;
  /** Ends the worker (Stop does not wait for the step in progress). */
  dispose(): void;
}

/** The model's files as fetched, handed to the worker as copies. */
export async function pageRuntime(model: LoadedModel, files: Record<string, Uint8Array>, gpu: GpuContext | null): Promise<PageRuntime> {
  const worker = new LmWorker();
  const copies = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, bytes.slice().buffer]));
  const { wasm } = await worker.request({ type: 'load', files: copies }, Object.values(copies));
  const generateInWorker: LmRuntime['generate'] = (prompts, options, trained) =>
    worker.request({
      type: 'generate',
      prompts,
      options,
      adapter: trained?.adapter ?? null,
      trained: trained ? [...trained.tensors].map(([k, v]) => [k, v.slice()] as [string, Float32Array]) : null,
    });
  return {
    wasm,
    async createTrainer(task, run) {
      if (gpu) return inPlaceTrainer(createGpuBackend(gpu, model.config), model, task, run);
      const t = await createWorkerTrainer(worker, task, run);
      return {
        backend: 'cpu',
        trainableParams: t.info.trainableParams,
        tokensPerStep: t.info.tokensPerStep,
        trainableShapes: new Map(t.info.trainableShapes),
        epochs: t.info.epochs,
        runSteps: t.runSteps,
        trainables: t.trainables,
        destroy: t.destroy,
      };
    },
    async createPreferenceTrainer(run) {
      if (gpu) return createPreferenceTrainer(createGpuBackend(gpu, model.config), model, run);
      return createWorkerPreferenceTrainer(worker, run);
    },
    async createGrpoTrainer(run) {
      // On the GPU path the policy trains on the page's device and samples in the worker.
      if (gpu) return createGrpoTrainer(createGpuBackend(gpu, model.config), model, run, generateInWorker);
      return createWorkerGrpoTrainer(worker, run);
    },
    async createRewardTrainer(run) {
      if (gpu) return createRewardTrainer(createGpuBackend(gpu, model.config), model, run);
      return createWorkerRewardTrainer(worker, run);
    },
    generate: generateInWorker,
    dispose: () => worker.terminate(),
  };
}
