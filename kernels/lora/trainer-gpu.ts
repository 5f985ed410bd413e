/**
 * The WebGPU backend. Parameters, gradients, AdamW state, the data and a step counter all live
 * in GPU buffers; `runSteps(n)` records n whole steps (and the evaluation) into one command
 * buffer and reads back only the n minibatch losses and the two evaluation losses.
 *
 * One step, as dispatches (s = the adapter scale, G = dL/dY):
 *   [NF4 base: W0 = dequantize(codes, absmax)]     QLoRA dequantizes before every use
 *   X, T = this step's minibatch                     gatherBatch (reads the step counter)
 *   LoRA  H = X A^T;  Y = X W0^T;  Y += s H B^T;  G, loss;  dB = s G^T H;  GB = G B;  dA = s GB^T X
 *   DoRA  V = s B A + W0;  n, W' = (m / n) V;  Y = X W'^T;  G, loss;  dW' = G^T X;
 *         dV, dm = doraRowsBackward;  dB = s dV A^T;  dA = s B^T dV
 *   Full  Y = X W^T;  G, loss;  dW = G^T X
 *   AdamW on each trainable tensor (B and m at lr * loraPlusRatio)
 *
 * A LoRA or DoRA step of a small layer (the course's default 64 x 64, batch 32) runs instead as
 * one fused kernel, many steps per dispatch (fused-step.ts): the same arithmetic without the
 * per-dispatch overhead that dominates such small steps. With an NF4 base it dequantizes W0 once
 * per submission, before the fused dispatches: W0 is frozen, so every step sees the same values.
 */
import type { GpuContext } from '../gpu/device';
import { submitOps, type GpuOp } from '../gpu/compute-op';
import { GpuScope } from '../gpu/scope';
import { createElementwise } from '../linalg/elementwise';
import { createMatmul } from '../linalg/matmul';
import { createSum } from '../linalg/reduce';
import { createDequantizeOp, uploadQuantized } from '../nf4/nf4-gpu';
import { createAdam } from '../optim/adam';
import type { ChunkReport } from '../training/trainer';
import type { Task } from './task';
import {
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
import { createFusedStep, fusedStepFits, type FusedStep } from './fused-step';
import { createDoraRowsBackward, createDoraRowsForward, createGatherBatch, createMseStep } from './wgsl';

/** Steps whose minibatch losses the history buffer holds; the trainer refuses to run past it. */
export const MAX_GPU_STEPS = 20000;

export interface GpuTrainerOptions {
  /** Run a small LoRA layer's step as one fused kernel (default true); false keeps the unfused ops (tests compare the two). */
  fuse?: boolean;
}

export function createGpuTrainer(gpu: GpuContext, task: Task, config: TrainerConfig, options: GpuTrainerOptions = {}): LayerTrainer {
  validateTrainerConfig(config, task);
  const dims = layerDims(config, task);
  const { outFeatures: out, inFeatures: inf, rank } = dims;
  const { trainSize, heldOutSize } = task.config;
  const batch = config.batch;
  const s = scalingOf(config);
  const frozen = frozenBase(task, config.base);
  const init = initialParameters(config, task, frozen);

  const scope = new GpuScope(gpu);
  const upload = (data: Float32Array | Uint32Array) => scope.upload(data);
  const empty = (floats: number) => scope.empty(Math.max(1, floats));

  const data = {
    trainX: upload(task.trainX),
    trainY: upload(task.trainY),
    heldOutX: upload(task.heldOutX),
    heldOutY: upload(task.heldOutY),
  };
  const x = empty(batch * inf);
  const t = empty(batch * out);
  const pred = empty(batch * out);
  const grad = empty(batch * out);
  const history = empty(MAX_GPU_STEPS);
  const counter = upload(new Uint32Array(1));

  // The frozen base: fp32, or NF4 codes (two per byte) and block scales that a kernel
  // dequantizes into a scratch buffer before every step, as bitsandbytes does for each matmul.
  const baseOps: GpuOp[] = [];
  let w0: GPUBuffer;
  let frozenBaseBytes: number;
  if (frozen.quantized) {
    const q = frozen.quantized;
    const packed = uploadQuantized(scope, q, q.blockSize);
    frozenBaseBytes = packed.codes.size + packed.absmax.size;
    w0 = empty(out * inf);
    baseOps.push(createDequantizeOp(scope, packed, q.levels, w0));
  } else {
    w0 = upload(frozen.weight);
    frozenBaseBytes = w0.size;
  }
  const stepOps: GpuOp[] = [
    ...baseOps,
    createGatherBatch(scope, { trainX: data.trainX, trainY: data.trainY, x, y: t, counter }, { batch, trainSize, inFeatures: inf, outFeatures: out }),
  ];
  const mse = createMseStep(scope, { pred, target: t, grad, history, counter }, { n: batch * out, historyLength: MAX_GPU_STEPS });

  const a = upload(init.a);
  const b = upload(init.b);
  const magnitude = upload(init.magnitude);
  const weight = upload(init.weight);
  /** The weight the parameters amount to, rebuilt by `mergeOps` before each evaluation. */
  const merged = config.method === 'full' ? weight : empty(out * inf);
  const mergeOps: GpuOp[] = [];
  const lrA = { lr: config.lr };
  const lrB = { lr: config.lr * config.loraPlusRatio };
  const mm = (args: Parameters<typeof createMatmul>[1]) => createMatmul(scope, args);
  const adam = (params: GPUBuffer, grads: GPUBuffer, n: number, lr: { lr: number }) => createAdam(scope, { params, grads }, n, lr);
  const method = config.method;
  const fused: FusedStep | null =
    method !== 'full' && options.fuse !== false && fusedStepFits(method, { batch, inFeatures: inf, outFeatures: out, rank })
      ? createFusedStep(
          scope,
          { trainX: data.trainX, trainY: data.trainY, w0, a, b, magnitude, history },
          {
            method,
            batch,
            trainSize,
            inFeatures: inf,
            outFeatures: out,
            rank,
            historyLength: MAX_GPU_STEPS,
            scale: s,
            lrA: lrA.lr,
            lrB: lrB.lr,
            detachNorm: config.detachNorm,
          },
        )
      : null;

  if (config.method === 'full') {
    const dW = empty(out * inf);
    stepOps.push(
      mm({ a: x, b: weight, c: pred, m: batch, k: inf, n: out, transB: true }),
      mse,
      mm({ a: grad, b: x, c: dW, m: out, k: batch, n: inf, transA: true }),
      adam(weight, dW, out * inf, lrA),
    );
  } else if (config.method === 'lora') {
    if (!fused) {
      const h = empty(batch * rank);
      const gb = empty(batch * rank);
      const dA = empty(rank * inf);
      const dB = empty(out * rank);
      stepOps.push(
        mm({ a: x, b: a, c: h, m: batch, k: inf, n: rank, transB: true }),
        mm({ a: x, b: w0, c: pred, m: batch, k: inf, n: out, transB: true }),
        mm({ a: h, b, c: pred, m: batch, k: rank, n: out, transB: true, alpha: s, beta: 1 }),
        mse,
        mm({ a: grad, b: h, c: dB, m: out, k: batch, n: rank, transA: true, alpha: s }),
        mm({ a: grad, b, c: gb, m: batch, k: out, n: rank }),
        mm({ a: gb, b: x, c: dA, m: rank, k: batch, n: inf, transA: true, alpha: s }),
        adam(a, dA, rank * inf, lrA),
        adam(b, dB, out * rank, lrB),
      );
    }
    mergeOps.push(
      mm({ a: b, b: a, c: merged, m: out, k: rank, n: inf, alpha: s }),
      createElementwise(scope, 'add', { a: merged, b: w0, out: merged }, { n: out * inf }),
    );
  } else {
    const direction = empty(out * inf);
    const norms = empty(out);
    // V = W0 + s B A, then n and W' = (m / n) V; the same ops rebuild W' for evaluation.
    const doraWeight = [
      mm({ a: b, b: a, c: direction, m: out, k: rank, n: inf, alpha: s }),
      createElementwise(scope, 'add', { a: direction, b: w0, out: direction }, { n: out * inf }),
      createDoraRowsForward(scope, { direction, magnitude, norms, weight: merged }, { rows: out, cols: inf }),
    ];
    if (!fused) {
      const dWeight = empty(out * inf);
      const dDirection = empty(out * inf);
      const dA = empty(rank * inf);
      const dB = empty(out * rank);
      const dMagnitude = empty(out);
      stepOps.push(
        ...doraWeight,
        mm({ a: x, b: merged, c: pred, m: batch, k: inf, n: out, transB: true }),
        mse,
        mm({ a: grad, b: x, c: dWeight, m: out, k: batch, n: inf, transA: true }),
        createDoraRowsBackward(
          scope,
          { dWeight, direction, magnitude, norms, dDirection, dMagnitude },
          { rows: out, cols: inf, detachNorm: config.detachNorm },
        ),
        mm({ a: dDirection, b: a, c: dB, m: out, k: inf, n: rank, transB: true, alpha: s }),
        mm({ a: b, b: dDirection, c: dA, m: rank, k: out, n: inf, transA: true, alpha: s }),
        adam(a, dA, rank * inf, lrA),
        adam(b, dB, out * rank, lrB),
        adam(magnitude, dMagnitude, out, lrB),
      );
    }
    mergeOps.push(...doraWeight);
  }

  // Evaluation: the merged weight on the whole training and held-out sets, MSE into two slots.
  const evalLosses = empty(2);
  const evalOps: GpuOp[] = [...baseOps, ...mergeOps];
  for (const [slot, xs, ys, n] of [
    [0, data.trainX, data.trainY, trainSize],
    [1, data.heldOutX, data.heldOutY, heldOutSize],
  ] as const) {
    const predictions = empty(n * out);
    evalOps.push(
      mm({ a: xs, b: merged, c: predictions, m: n, k: inf, n: out, transB: true }),
      createElementwise(scope, 'sub', { a: predictions, b: ys, out: predictions }, { n: n * out }),
      createSum(scope, { input: predictions, output: evalLosses }, { n: n * out, outIndex: slot, scale: 1 / (n * out), squares: true }),
    );
  }

  let stepsDone = 0;
  return {
    backend: 'webgpu',
    trainableParams: trainableParams(config, task),
    frozenBaseBytes,
    async runSteps(count, evaluate): Promise<ChunkReport<Losses>> {
      if (stepsDone + count > MAX_GPU_STEPS) throw new Error(`the GPU trainer runs at most ${MAX_GPU_STEPS} steps`);
      if (fused) submitOps(gpu, [...baseOps, ...fused.opsFor(stepsDone, count)]);
      else submitOps(gpu, stepOps, count);
      if (evaluate) submitOps(gpu, evalOps);
      const [stepLosses, losses] = await Promise.all([
        count > 0 ? gpu.read(history, count, stepsDone) : Promise.resolve(new Float32Array(0)),
        evaluate ? gpu.read(evalLosses, 2) : Promise.resolve(null),
      ]);
      stepsDone += count;
      return { stepLosses, evaluation: losses && { train: losses[0], heldOut: losses[1] } };
    },
    async parameters(): Promise<AdapterParameters> {
      const read = (buffer: GPUBuffer, n: number) => (n > 0 ? gpu.read(buffer, n) : Promise.resolve(new Float32Array(0)));
      const [pa, pb, pm, pw] = await Promise.all([
        read(a, init.a.length),
        read(b, init.b.length),
        read(magnitude, init.magnitude.length),
        read(weight, init.weight.length),
      ]);
      return { a: pa, b: pb, magnitude: pm, weight: pw };
    },
    destroy() {
      scope.destroy();
    },
  };
}
