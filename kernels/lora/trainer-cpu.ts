/**
 * The CPU backend: the reference math of `reference.ts` with the Adam reference of
 * `optim/adam.ts`, multiplying with `gemmCpu` (the WebAssembly SIMD kernel once
 * `prepareCpuGemm()` has loaded it). It is the fallback when WebGPU is missing; the tests
 * compare the GPU backend with it and it with the float64 reference.
 */
import { gemmCpu } from '../linalg/gemm-cpu';
import { adamStepCpu, createAdamState } from '../optim/adam';
import { doraGradients, fullGradients, loraGradients, mergeDora, mergeLora, mseLoss, linearForward } from './reference';
import type { Task } from './task';
import {
  batchStart,
  frozenBase,
  initialParameters,
  layerDims,
  scalingOf,
  trainableParams,
  validateTrainerConfig,
  type AdapterParameters,
  type LayerTrainer,
  type Losses,
  type TrainerConfig,
} from './trainer';
import type { ChunkReport } from '../training/trainer';

export function createCpuTrainer(task: Task, config: TrainerConfig): LayerTrainer {
  validateTrainerConfig(config, task);
  const dims = layerDims(config, task);
  const { outFeatures: out, inFeatures: inf } = dims;
  const { trainSize } = task.config;
  const s = scalingOf(config);
  const frozen = frozenBase(task, config.base);
  const base = frozen.weight;
  const p = initialParameters(config, task, frozen);
  const state = {
    a: createAdamState(p.a.length),
    b: createAdamState(p.b.length),
    magnitude: createAdamState(p.magnitude.length),
    weight: createAdamState(p.weight.length),
  };
  const lrA = { lr: config.lr };
  const lrB = { lr: config.lr * config.loraPlusRatio };
  const x = new Float32Array(config.batch * inf);
  const y = new Float32Array(config.batch * out);
  let step = 0;

  function loadBatch(): void {
    const start = batchStart(step, config.batch, trainSize);
    for (let j = 0; j < config.batch; j++) {
      const row = (start + j) % trainSize;
      x.set(task.trainX.subarray(row * inf, (row + 1) * inf), j * inf);
      y.set(task.trainY.subarray(row * out, (row + 1) * out), j * out);
    }
  }

  function oneStep(): number {
    loadBatch();
    step++;
    if (config.method === 'full') {
      const g = fullGradients(p.weight, x, y, config.batch, inf, out, gemmCpu);
      adamStepCpu(p.weight, g.dW, state.weight, lrA);
      return g.loss;
    }
    if (config.method === 'lora') {
      const g = loraGradients(base, p.a, p.b, s, x, y, config.batch, dims, gemmCpu);
      adamStepCpu(p.a, g.dA, state.a, lrA);
      adamStepCpu(p.b, g.dB, state.b, lrB);
      return g.loss;
    }
    const g = doraGradients(base, p.a, p.b, p.magnitude, s, x, y, config.batch, dims, { detachNorm: config.detachNorm }, gemmCpu);
    adamStepCpu(p.a, g.dA, state.a, lrA);
    adamStepCpu(p.b, g.dB, state.b, lrB);
    adamStepCpu(p.magnitude, g.dMagnitude, state.magnitude, lrB);
    return g.loss;
  }

  /** The weight the current parameters amount to (merged), for evaluation. */
  function effectiveWeight(): Float32Array {
    if (config.method === 'full') return p.weight;
    if (config.method === 'lora') return mergeLora(base, p.a, p.b, s, dims, gemmCpu);
    return mergeDora(base, p.a, p.b, p.magnitude, s, dims, gemmCpu).merged;
  }

  return {
    backend: 'cpu',
    trainableParams: trainableParams(config, task),
    frozenBaseBytes: frozen.storedBytes,
    async runSteps(count, evaluate): Promise<ChunkReport<Losses>> {
      const stepLosses = new Float32Array(count);
      for (let i = 0; i < count; i++) stepLosses[i] = oneStep();
      if (!evaluate) return { stepLosses, evaluation: null };
      const w = effectiveWeight();
      const lossOn = (xs: Float32Array, ys: Float32Array, n: number) => mseLoss(linearForward(w, xs, n, inf, out, gemmCpu), ys);
      return {
        stepLosses,
        evaluation: {
          train: lossOn(task.trainX, task.trainY, trainSize),
          heldOut: lossOn(task.heldOutX, task.heldOutY, task.config.heldOutSize),
        },
      };
    },
    async parameters(): Promise<AdapterParameters> {
      return { a: p.a.slice(), b: p.b.slice(), magnitude: p.magnitude.slice(), weight: p.weight.slice() };
    },
    destroy() {},
  };
}
