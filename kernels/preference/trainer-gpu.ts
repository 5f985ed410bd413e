/**
 * The preference trainer on WebGPU. Parameters, Adam state, data and every intermediate stay on
 * the GPU; a chunk of steps is one command buffer, and one readback returns the chunk's losses
 * (theta too when it evaluates). One step:
 *   scores = F theta                      (linalg matmul)
 *   log pi = log_softmax(ref + scores)    (LOG_SOFTMAX_WGSL)
 *   z = KTO reference point               (KTO only)
 *   dLogits, loss                         (PREFERENCE_LOSS_WGSL: loss, gradient, softmax backward)
 *   history[step] = sum of the loss       (linalg sumIntoHistory)
 *   grad = F^T dLogits                    (linalg matmul, A transposed)
 *   Adam                                  (optim)
 */
import type { GpuContext } from '../gpu/device';
import { submitOps, type GpuOp } from '../gpu/compute-op';
import { GpuScope } from '../gpu/scope';
import { createMatmul } from '../linalg/matmul';
import { createSumIntoHistory } from '../linalg/reduce';
import { createAdam } from '../optim/adam';
import {
  createKtoReferencePointOp,
  createLogSoftmaxOp,
  createPreferenceLossOp,
  packCandidates,
  packExamples,
  preferenceConfigUniform,
} from './gpu-kernels';
import { dataFor } from './objective';
import type { PreferenceTask } from './task';
import { evaluatePolicy, type PreferenceTrainer, type TrainerOptions } from './trainer';

/** Steps whose losses the history buffer holds; the trainer refuses to run past it. */
export const MAX_GPU_STEPS = 20000;

export function createGpuTrainer(gpu: GpuContext, task: PreferenceTask, options: TrainerOptions): PreferenceTrainer {
  const { candidates: k, features: d } = task.config;
  const table = task.train;
  const prompts = table.prompts;
  const n = prompts * k;
  const data = dataFor(task, options.loss.loss);

  const scope = new GpuScope(gpu);
  const features = scope.upload(table.features);
  const theta = scope.empty(d);
  const scores = scope.empty(n);
  const refLogits = scope.upload(table.refLogits);
  const logp = scope.empty(n);
  const candidates = scope.upload(packCandidates(table.refLogp, table.lengths));
  const examples = scope.upload(packExamples(data));
  const promptStart = scope.upload(data.promptStart);
  const stats = scope.empty(4); // [KTO reference point]
  const dLogits = scope.empty(n);
  const lossPerPrompt = scope.empty(prompts);
  const grad = scope.empty(d);
  const history = scope.empty(MAX_GPU_STEPS);
  const counter = scope.upload(new Uint32Array(1));
  const config = preferenceConfigUniform(scope, prompts, k, data.count, options.loss);

  const step: GpuOp[] = [
    createMatmul(scope, { a: features, b: theta, c: scores, m: n, k: d, n: 1 }),
    createLogSoftmaxOp(scope, { config, scores, refLogits, logp }, prompts),
    ...(options.loss.loss === 'kto' ? [createKtoReferencePointOp(scope, { config, logp, candidates, examples, stats })] : []),
    createPreferenceLossOp(scope, { config, logp, candidates, examples, promptStart, stats, dLogits, lossPerPrompt }, prompts),
    createSumIntoHistory(scope, { input: lossPerPrompt, history, counter }, { n: prompts, historyLength: MAX_GPU_STEPS }),
    createMatmul(scope, { a: features, b: dLogits, c: grad, m: d, k: n, n: 1, transA: true }),
    createAdam(scope, { params: theta, grads: grad }, d, options.adam),
  ];

  let stepsDone = 0;
  return {
    backend: 'webgpu',
    trainableParams: d,
    async runSteps(count, evaluate) {
      if (stepsDone + count > MAX_GPU_STEPS) throw new Error(`the GPU trainer runs at most ${MAX_GPU_STEPS} steps`);
      if (count > 0) submitOps(gpu, step, count);
      const [stepLosses, params] = await Promise.all([
        count > 0 ? gpu.read(history, count, stepsDone) : Promise.resolve(new Float32Array(0)),
        evaluate ? gpu.read(theta, d) : Promise.resolve(null),
      ]);
      stepsDone += count;
      return { stepLosses, evaluation: params && evaluatePolicy(task, options.loss, params) };
    },
    destroy() {
      scope.destroy();
    },
  };
}
