/**
 * Training steps per second of one LoRA layer (r = 4, alpha 8, AdamW lr 0.01) at 64, 256, 1024
 * and 4096 features square and batches of 32 and 128: our WebGPU and CPU trainers against the
 * same step in TensorFlow.js 4.22 (webgpu, webgl, wasm with one thread, cpu) and in jax-js 0.1.25
 * (wasm, webgpu; its step is `jit`-compiled), in one run.
 *
 * Every contender does the same work per step: forward X W0^T + s (X A^T) B^T on the step's
 * minibatch, MSE, the gradients of A and B, and an Adam update, with the loss read back once
 * per chunk of steps (never every step). Each is warmed up, then timed for at least MIN_SECONDS
 * (bench/timing.ts sizes the chunks). Sizes above 1024 skip the GPU rows on SwiftShader (a CPU
 * emulation, minutes per step) and TF.js's plain-JavaScript cpu backend (seconds per step).
 */
import { jit, tree, valueAndGrad } from '@jax-js/jax';
import { acquireGpu } from '../kernels/gpu/device';
import { makeTask, type Task } from '../kernels/lora/task';
import { DEFAULT_TRAINER, scalingOf, type LayerTrainer, type TrainerConfig } from '../kernels/lora/trainer';
import { createCpuTrainer } from '../kernels/lora/trainer-cpu';
import { createGpuTrainer } from '../kernels/lora/trainer-gpu';
import { fusedStepFits } from '../kernels/lora/fused-step';
import { prepareCpuGemm } from '../kernels/linalg/gemm-cpu';
import { np, useJaxDevice } from './jax';
import { GPU_ONLY } from './options';
import { tf, useTfBackend, type TfBackend } from './tfjs';
import { trainerStepsPerSecond, unitsPerSecond } from './timing';
import type { BenchReport } from './types';

const SIZES = [64, 256, 1024, 4096];
const BATCHES = [32, 128];
const MIN_SECONDS = 1;
const [BETA1, BETA2, EPS] = [0.9, 0.999, 1e-8];

type Contender = (task: Task, config: TrainerConfig) => Promise<number | null>;

function ours(make: (task: Task, config: TrainerConfig) => LayerTrainer): Contender {
  return (task, config) => trainerStepsPerSecond(make(task, config), MIN_SECONDS);
}

/** The same LoRA layer and training loop in TensorFlow.js; the loss is read once per chunk. */
function tfjs(backend: TfBackend): Contender {
  return async (task, config) => {
    if (!(await useTfBackend(backend))) return null;
    const { outFeatures: out, inFeatures: inf, trainSize } = task.config;
    const { rank, batch, lr } = config;
    const s = scalingOf(config);
    const bound = 1 / Math.sqrt(inf);
    const w0 = tf.tensor2d(task.base, [out, inf]);
    const trainX = tf.tensor2d(task.trainX, [trainSize, inf]);
    const trainY = tf.tensor2d(task.trainY, [trainSize, out]);
    const a = tf.variable(tf.randomUniform([rank, inf], -bound, bound, 'float32', 1));
    const b = tf.variable(tf.zeros([out, rank]));
    const optimizer = tf.train.adam(lr, BETA1, BETA2, EPS);
    let step = 0;
    const batches = trainSize / batch;
    try {
      return await unitsPerSecond(async (count) => {
        let cost: tf.Scalar | null = null;
        for (let i = 0; i < count; i++) {
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
      }, MIN_SECONDS);
    } finally {
      optimizer.dispose();
      tf.dispose([w0, trainX, trainY, a, b]);
    }
  };
}

type LoraParams = { a: np.Array; b: np.Array };

/**
 * The same step in jax-js: the loss, its gradient (valueAndGrad) and Adam in one `jit`-compiled
 * function. jax-js arrays are reference-counted: a function consumes its arguments, `.ref` keeps one.
 */
function jax(device: 'wasm' | 'webgpu'): Contender {
  return async (task, config) => {
    if (!(await useJaxDevice(device))) return null;
    const { outFeatures: out, inFeatures: inf, trainSize } = task.config;
    const { rank, batch, lr } = config;
    const s = scalingOf(config);
    const loss = (p: LoraParams, x: np.Array, y: np.Array, w0: np.Array) => {
      const base = np.matmul(x.ref, w0.transpose());
      const low = np.matmul(np.matmul(x, p.a.transpose()), p.b.transpose()).mul(s);
      return np.square(base.add(low).sub(y)).mean();
    };
    const adam = (p: np.Array, g: np.Array, m: np.Array, v: np.Array, lrT: np.Array): [np.Array, np.Array, np.Array] => {
      const m2 = m.mul(BETA1).add(g.ref.mul(1 - BETA1));
      const v2 = v.mul(BETA2).add(np.square(g).mul(1 - BETA2));
      return [p.sub(m2.ref.mul(lrT).div(np.sqrt(v2.ref).add(EPS))), m2, v2];
    };
    const trainStep = jit((p: LoraParams, m: LoraParams, v: LoraParams, x: np.Array, y: np.Array, w0: np.Array, lrT: np.Array) => {
      const [value, g] = valueAndGrad(loss)(tree.ref(p), x, y, w0);
      const [a, ma, va] = adam(p.a, g.a, m.a, v.a, lrT.ref);
      const [b, mb, vb] = adam(p.b, g.b, m.b, v.b, lrT);
      return { loss: value, p: { a, b }, m: { a: ma, b: mb }, v: { a: va, b: vb } };
    });
    const bound = 1 / Math.sqrt(inf);
    const w0 = np.array(task.base.slice()).reshape([out, inf]);
    const batches = Array.from({ length: trainSize / batch }, (_, i) => ({
      x: np.array(task.trainX.slice(i * batch * inf, (i + 1) * batch * inf)).reshape([batch, inf]),
      y: np.array(task.trainY.slice(i * batch * out, (i + 1) * batch * out)).reshape([batch, out]),
    }));
    const initialA = Float32Array.from({ length: rank * inf }, (_, i) => bound * Math.sin(i + 1));
    let p: LoraParams = { a: np.array(initialA).reshape([rank, inf]), b: np.zeros([out, rank]) };
    let m: LoraParams = { a: np.zeros([rank, inf]), b: np.zeros([out, rank]) };
    let v: LoraParams = { a: np.zeros([rank, inf]), b: np.zeros([out, rank]) };
    let step = 0;
    try {
      return await unitsPerSecond(async (count) => {
        let last: np.Array | null = null;
        for (let i = 0; i < count; i++) {
          const { x, y } = batches[step % batches.length];
          step++;
          const lrT = np.array([(lr * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step)]);
          last?.dispose();
          const next = trainStep(p, m, v, x.ref, y.ref, w0.ref, lrT);
          ({ p, m, v } = next);
          last = next.loss;
        }
        await last!.data();
      }, MIN_SECONDS);
    } finally {
      tree.dispose([p, m, v, w0, batches]);
    }
  };
}

export default async function loraBench(): Promise<BenchReport> {
  const rows: BenchReport['rows'] = [];
  const ratios: BenchReport['ratios'] = [];
  const gpu = await acquireGpu();
  const adapter = gpu ? gpu.adapter.description || [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ') : 'no WebGPU';
  const emulated = gpu?.adapter.software ?? false;
  const wasm = await prepareCpuGemm();
  const oursCpu = `ours, CPU (${wasm ? 'WebAssembly SIMD matmul' : 'TypeScript matmul'})`;
  const all: { label: string; run: Contender; gpu: boolean; slow?: boolean; onlyWhenFused?: boolean }[] = [
    { label: 'ours, WebGPU', run: async (t, c) => (gpu ? ours((task, config) => createGpuTrainer(gpu, task, config))(t, c) : null), gpu: true },
    // The same step as separate dispatches: what the fused step (kernels/lora/fused-step.ts) saves.
    // Where it does not apply, the row above already is this path.
    {
      label: 'ours, WebGPU, unfused',
      run: async (t, c) => (gpu ? ours((task, config) => createGpuTrainer(gpu, task, config, { fuse: false }))(t, c) : null),
      gpu: true,
      onlyWhenFused: true,
    },
    { label: oursCpu, run: ours(createCpuTrainer), gpu: false },
    { label: 'TF.js webgpu', run: tfjs('webgpu'), gpu: true },
    { label: 'TF.js webgl', run: tfjs('webgl'), gpu: true },
    { label: 'TF.js wasm (1 thread)', run: tfjs('wasm'), gpu: false },
    { label: 'TF.js cpu', run: tfjs('cpu'), gpu: false, slow: true },
    { label: 'jax-js webgpu', run: jax('webgpu'), gpu: true },
    { label: 'jax-js wasm', run: jax('wasm'), gpu: false },
  ];
  const contenders = all.filter((c) => c.gpu || !GPU_ONLY);
  for (const size of SIZES) {
    // Two minibatches of the largest batch; one held-out row (the bench never evaluates).
    const task = makeTask({ outFeatures: size, inFeatures: size, trainSize: 2 * Math.max(...BATCHES), heldOutSize: 1 });
    for (const batch of BATCHES) {
      const config = { ...DEFAULT_TRAINER, batch };
      const fuses = config.method !== 'full' && fusedStepFits(config.method, { batch, inFeatures: size, outFeatures: size, rank: config.rank });
      const results = new Map<string, number | null>();
      for (const c of contenders) {
        const tooSlow = size > 1024 && ((c.gpu && emulated) || c.slow);
        const sameAsOurs = c.onlyWhenFused && !fuses;
        const value = tooSlow || sameAsOurs ? null : await c.run(task, config).catch(() => null);
        results.set(c.label, value);
        rows.push({
          label: `${size} x ${size}, batch ${batch}: ${c.label}`,
          value: value ?? 0,
          unit: tooSlow
            ? 'skipped (too slow here)'
            : sameAsOurs
              ? 'skipped (the fused step does not apply: the row above is this path)'
              : value === null
                ? 'unavailable'
                : 'steps/s',
        });
      }
      const ratio = (x: string, y: string) => {
        const [a, b] = [results.get(x), results.get(y)];
        if (a && b) ratios.push({ label: `${size}, batch ${batch}: ${x} / ${y}`, value: a / b });
      };
      ratio('ours, WebGPU', 'ours, WebGPU, unfused');
      ratio('ours, WebGPU', 'TF.js webgpu');
      ratio('ours, WebGPU', 'jax-js webgpu');
      ratio(oursCpu, 'TF.js wasm (1 thread)');
      ratio(oursCpu, 'jax-js wasm');
      ratio('ours, WebGPU', oursCpu);
    }
  }
  return { title: `LoRA trainer steps per second (r = 4; GPU: ${adapter})`, rows, ratios };
}
