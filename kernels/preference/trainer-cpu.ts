/**
 * CPU reference of the preference trainer: full-batch steps of
 *   scores = F theta -> log pi = log_softmax(refLogits + scores) -> loss and d loss / d log pi
 *   -> d loss / d logits -> grad theta = F^T dLogits -> Adam.
 * The fallback when WebGPU is missing and the oracle for the GPU trainer. Its products go through
 * `gemmCpu` (WebAssembly SIMD once loaded: 3.5x the float64 oracle even on these 288 x 8 products).
 */
import { gemmCpu } from '../linalg/gemm-cpu';
import { adamStepCpu, createAdamState } from '../optim/adam';
import { dataFor, logSoftmaxBackward, lossAndLogpGradient } from './objective';
import { policyLogp } from './policy';
import type { PreferenceTask } from './task';
import { evaluatePolicy, type PreferenceTrainer, type TrainerOptions } from './trainer';

export function createCpuTrainer(task: PreferenceTask, options: TrainerOptions): PreferenceTrainer {
  const { candidates: k, features: d } = task.config;
  const table = task.train;
  const n = table.prompts * k;
  const data = dataFor(task, options.loss.loss);
  const theta = new Float32Array(d);
  const adam = createAdamState(d);
  const dLogp = new Float64Array(n);
  const dLogits = new Float32Array(n);
  const grad = new Float32Array(d);
  return {
    backend: 'cpu',
    trainableParams: d,
    async runSteps(count, evaluate) {
      const stepLosses = new Float32Array(count);
      for (let s = 0; s < count; s++) {
        const logp = policyLogp(table, k, d, theta, gemmCpu);
        stepLosses[s] = lossAndLogpGradient(options.loss, table, data, k, logp, dLogp).loss;
        logSoftmaxBackward(logp, dLogp, table.prompts, k, dLogits);
        gemmCpu(table.features, dLogits, d, n, 1, { transA: true }, grad);
        adamStepCpu(theta, grad, adam, options.adam);
      }
      return { stepLosses, evaluation: evaluate ? evaluatePolicy(task, options.loss, theta.slice()) : null };
    },
    destroy() {},
  };
}
