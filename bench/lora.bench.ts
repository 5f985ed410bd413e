/**
 * Training steps per second of the default ft-lora-trainer configuration (LoRA, r = 4, alpha 8,
 * a 64 x 64 layer, batch 32, AdamW lr 0.01) on our WebGPU and CPU trainers and on the same
 * model written with TensorFlow.js 4.22 on its webgpu, webgl and cpu backends, in one Chromium.
 *
 * Every contender does the same work per step: forward X W0^T + s (X A^T) B^T on the step's
 * minibatch, MSE, the gradients of A and B, and an Adam update, with the loss read back once
 * per chunk of steps (never every step). Each is warmed up, then timed over whole chunks for
 * at least MIN_SECONDS.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { acquireGpu } from '../kernels/gpu/device';
import { makeTask, type Task } from '../kernels/lora/task';
import { DEFAULT_TRAINER, scalingOf, type LayerTrainer } from '../kernels/lora/trainer';
import { createCpuTrainer } from '../kernels/lora/trainer-cpu';
import { createGpuTrainer } from '../kernels/lora/trainer-gpu';
import type { BenchReport } from './types';

const CHUNK = 100;
const WARM_UP_CHUNKS = 1;
const MIN_SECONDS = 2;

/** Runs `chunk()` (CHUNK steps each) until MIN_SECONDS have passed; returns steps per second. */
async function stepsPerSecond(chunk: () => Promise<void>): Promise<number> {
  for (let i = 0; i < WARM_UP_CHUNKS; i++) await chunk();
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < MIN_SECONDS * 1000) {
    await chunk();
    steps += CHUNK;
  }
  return steps / ((performance.now() - t0) / 1000);
}

async function ours(trainer: LayerTrainer): Promise<number> {
  try {
    return await stepsPerSecond(async () => {
      await trainer.runSteps(CHUNK, false);
    });
  } finally {
    trainer.destroy();
  }
}

/** The same LoRA layer and training loop in TensorFlow.js; the loss is read once per chunk. */
async function tfjs(backend: string, task: Task): Promise<number | null> {
  if (!(await tf.setBackend(backend).catch(() => false))) return null;
  await tf.ready();
  const { outFeatures: out, inFeatures: inf, trainSize } = task.config;
  const { rank, batch, lr } = DEFAULT_TRAINER;
  const s = scalingOf(DEFAULT_TRAINER);
  const bound = 1 / Math.sqrt(inf);
  const w0 = tf.tensor2d(task.base, [out, inf]);
  const trainX = tf.tensor2d(task.trainX, [trainSize, inf]);
  const trainY = tf.tensor2d(task.trainY, [trainSize, out]);
  const a = tf.variable(tf.randomUniform([rank, inf], -bound, bound, 'float32', 1));
  const b = tf.variable(tf.zeros([out, rank]));
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  let step = 0;
  const batches = trainSize / batch;
  try {
    return await stepsPerSecond(async () => {
      let cost: tf.Scalar | null = null;
      for (let i = 0; i < CHUNK; i++) {
        const start = (step++ % batches) * batch;
        cost?.dispose();
        cost = optimizer.minimize(() => {
          const x = trainX.slice([start, 0], [batch, inf]);
          const y = trainY.slice([start, 0], [batch, out]);
          const base = tf.matMul(x, w0, false, true);
          const low = tf.matMul(tf.matMul(x, a, false, true), b, false, true);
          return tf.losses.meanSquaredError(y, base.add(low.mul(s)));
        }, true);
      }
      await cost!.data();
      cost!.dispose();
    });
  } finally {
    optimizer.dispose();
    tf.dispose([w0, trainX, trainY, a, b]);
  }
}

export default async function loraBench(): Promise<BenchReport> {
  const task = makeTask();
  const rows: BenchReport['rows'] = [];
  const ratios: BenchReport['ratios'] = [];
  const gpu = await acquireGpu();
  const oursGpu = gpu ? await ours(createGpuTrainer(gpu, task, DEFAULT_TRAINER)) : null;
  const oursCpu = await ours(createCpuTrainer(task, DEFAULT_TRAINER));
  const tfWebgpu = await tfjs('webgpu', task);
  const tfWebgl = await tfjs('webgl', task);
  const tfCpu = await tfjs('cpu', task);
  const row = (label: string, v: number | null) => rows.push({ label, value: v ?? 0, unit: v === null ? 'backend unavailable' : 'steps/s' });
  row('ours, WebGPU (WGSL kernels)', oursGpu);
  row('ours, CPU (TypeScript reference)', oursCpu);
  row('TensorFlow.js 4.22, webgpu backend', tfWebgpu);
  row('TensorFlow.js 4.22, webgl backend', tfWebgl);
  row('TensorFlow.js 4.22, cpu backend', tfCpu);
  const ratio = (label: string, x: number | null, y: number | null) => {
    if (x !== null && y !== null) ratios.push({ label, value: x / y });
  };
  ratio('ours WebGPU / TF.js webgpu', oursGpu, tfWebgpu);
  ratio('ours WebGPU / TF.js webgl', oursGpu, tfWebgl);
  ratio('ours CPU / TF.js cpu', oursCpu, tfCpu);
  ratio('ours WebGPU / ours CPU', oursGpu, oursCpu);
  const adapter = gpu ? gpu.adapter.description || [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ') : 'no WebGPU';
  return { title: `LoRA trainer steps per second (r = 4, 64 x 64, batch 32; ${adapter})`, rows, ratios };
}
