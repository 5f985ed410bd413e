/**
 * Training throughput of the tiny LLaMA (kernels/lm/tiny-model.ts: 4 layers, hidden 128, 4 heads,
 * SwiGLU 352, 357 tokens) with LoRA r = 8 on all seven linear layers, batch 4 x 128 positions:
 * our WebGPU and CPU (WebAssembly SIMD matmul) trainers against the same step written with
 * TensorFlow.js 4.22 (webgpu, webgl, wasm with one thread, cpu backends), in one run.
 *
 * Every contender does one training step the same way: embedding, RMSNorm, rotary embeddings,
 * causal attention, SwiGLU, the output head, cross-entropy over the positions, the gradients of
 * the adapters and an Adam update, with the loss read back once per chunk. Weights are random:
 * speed does not depend on their values. Reported in input positions per second.
 */
import { acquireGpu } from '../kernels/gpu/device';
import { prepareCpuGemm } from '../kernels/linalg/gemm-cpu';
import { LINEAR_MODULES, linearShape } from '../kernels/lm/config';
import { createCpuBackend } from '../kernels/lm/engine/cpu-backend';
import { createGpuBackend } from '../kernels/lm/engine/gpu-backend';
import type { Backend } from '../kernels/lm/engine/backend';
import type { LoadedModel } from '../kernels/lm/model-files';
import { randomWeights } from '../kernels/lm/random-model';
import { DEFAULT_RECIPE, runConfigFor } from '../kernels/lm/recipe';
import { CHATML_TEMPLATE, CONTEXT, TINY_CONFIG } from '../kernels/lm/tiny-model';
import { Tokenizer } from '../kernels/lm/tokenizer';
import { createLmTrainer } from '../kernels/lm/trainer';
import { sftTask } from '../kernels/lm/data/sft-tasks';
import { createRng } from '../kernels/random/rng';
import { GPU_ONLY } from './options';
import { tf, useTfBackend, type TfBackend } from './tfjs';
import { trainerStepsPerSecond, unitsPerSecond } from './timing';
import type { BenchReport } from './types';

const MIN_SECONDS = 3;
const BATCH = DEFAULT_RECIPE.batch;
const RANK = DEFAULT_RECIPE.rank;
const POSITIONS = BATCH * CONTEXT;

function model(): LoadedModel {
  return { config: TINY_CONFIG, weights: randomWeights(TINY_CONFIG, createRng(1)), tokenizer: Tokenizer.standard(), chatTemplate: CHATML_TEMPLATE };
}

function ours(be: Backend): Promise<number> {
  return trainerStepsPerSecond(createLmTrainer(be, model(), sftTask('json'), { ...runConfigFor(DEFAULT_RECIPE), steps: 100_000 }), MIN_SECONDS);
}

/** The same model and LoRA step in TensorFlow.js. */
async function tfjs(backend: TfBackend): Promise<number | null> {
  if (!(await useTfBackend(backend))) return null;
  const c = TINY_CONFIG;
  const d = c.hidden_size;
  const H = c.num_attention_heads;
  const hd = d / H;
  const T = CONTEXT;
  const V = c.vocab_size;
  const s = DEFAULT_RECIPE.alpha / RANK;
  const rng = createRng(2);
  const w = randomWeights(c, rng);
  const keep: tf.Tensor[] = [];
  const frozen = (data: Float32Array, shape: number[]) => {
    const t = tf.tensor(data, shape);
    keep.push(t);
    return t;
  };
  const embed = frozen(w.embedTokens, [V, d]);
  const head = frozen(w.lmHead, [V, d]);
  const finalNorm = frozen(w.finalNorm, [d]);
  const layers = w.layers.map((l) => {
    const lin = Object.fromEntries(
      LINEAR_MODULES.map((m) => {
        const [out, inf] = linearShape(c, m);
        const a = tf.variable(tf.randomUniform([RANK, inf], -1 / Math.sqrt(inf), 1 / Math.sqrt(inf), 'float32', 3));
        const b = tf.variable(tf.zeros([out, RANK]));
        keep.push(a, b);
        return [m, { w: frozen(l.linear[m], [out, inf]), a, b }];
      }),
    );
    return { lin, n1: frozen(l.inputNorm, [d]), n2: frozen(l.postAttentionNorm, [d]) };
  });
  // Rotary tables as transformers builds them: angles t / theta^(2i/hd), both halves repeated.
  const inv = Array.from({ length: hd / 2 }, (_, i) => 1 / c.rope_theta ** ((2 * i) / hd));
  const angles = Float32Array.from({ length: T * hd }, (_, k) => Math.floor(k / hd) * inv[(k % hd) % (hd / 2)]);
  const cos = frozen(angles.map(Math.cos), [1, 1, T, hd]);
  const sin = frozen(angles.map(Math.sin), [1, 1, T, hd]);
  const mask = frozen(
    Float32Array.from({ length: T * T }, (_, k) => (k % T > Math.floor(k / T) ? -1e9 : 0)),
    [1, 1, T, T],
  );
  const tokens = frozen(Int32Array.from({ length: BATCH * T }, () => rng.int(V)) as unknown as Float32Array, [BATCH, T]).cast('int32');
  const targets = tf.oneHot(
    tf.tensor1d(
      Int32Array.from({ length: BATCH * T }, () => rng.int(V)),
      'int32',
    ),
    V,
  );
  keep.push(tokens, targets);

  const rms = (x: tf.Tensor, g: tf.Tensor) => x.mul(tf.rsqrt(x.square().mean(-1, true).add(c.rms_norm_eps))).mul(g);
  const linear = (x: tf.Tensor2D, p: { w: tf.Tensor; a: tf.Variable; b: tf.Variable }) =>
    tf
      .matMul(x, p.w as tf.Tensor2D, false, true)
      .add(tf.matMul(tf.matMul(x, p.a as tf.Tensor2D, false, true), p.b as tf.Tensor2D, false, true).mul(s));
  const heads = (x: tf.Tensor) => x.reshape([BATCH, T, H, hd]).transpose([0, 2, 1, 3]);
  const rope = (x: tf.Tensor) => {
    const [x1, x2] = tf.split(x, 2, -1);
    return x.mul(cos).add(tf.concat([x2.neg(), x1], -1).mul(sin));
  };
  const loss = () => {
    let x = tf.gather(embed, tokens).reshape([BATCH * T, d]) as tf.Tensor2D;
    for (const l of layers) {
      const h = rms(x, l.n1) as tf.Tensor2D;
      const q = rope(heads(linear(h, l.lin.q_proj)));
      const k = rope(heads(linear(h, l.lin.k_proj)));
      const v = heads(linear(h, l.lin.v_proj));
      const p = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(hd)).add(mask));
      const att = tf
        .matMul(p, v)
        .transpose([0, 2, 1, 3])
        .reshape([BATCH * T, d]) as tf.Tensor2D;
      x = x.add(linear(att, l.lin.o_proj));
      const h2 = rms(x, l.n2) as tf.Tensor2D;
      const g = linear(h2, l.lin.gate_proj);
      x = x.add(linear(g.mul(tf.sigmoid(g)).mul(linear(h2, l.lin.up_proj)) as tf.Tensor2D, l.lin.down_proj));
    }
    const logits = tf.matMul(rms(x, finalNorm) as tf.Tensor2D, head as tf.Tensor2D, false, true);
    return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
  };
  const optimizer = tf.train.adam(DEFAULT_RECIPE.lr);
  try {
    return await unitsPerSecond(async (count) => {
      let cost: tf.Scalar | null = null;
      for (let i = 0; i < count; i++) {
        cost?.dispose();
        cost = optimizer.minimize(loss, true);
      }
      await cost!.data();
      cost!.dispose();
    }, MIN_SECONDS);
  } finally {
    optimizer.dispose();
    tf.dispose(keep);
  }
}

export default async function lmBench(): Promise<BenchReport> {
  const wasm = await prepareCpuGemm();
  const gpu = await acquireGpu();
  const oursGpu = gpu ? await ours(createGpuBackend(gpu, TINY_CONFIG)) : null;
  const oursCpu = GPU_ONLY ? null : await ours(createCpuBackend(TINY_CONFIG));
  const tfWebgpu = await tfjs('webgpu');
  const tfWebgl = await tfjs('webgl');
  const tfWasm = GPU_ONLY ? null : await tfjs('wasm');
  const tfCpu = GPU_ONLY ? null : await tfjs('cpu');
  const rows: BenchReport['rows'] = [];
  const ratios: BenchReport['ratios'] = [];
  const row = (label: string, v: number | null, onCpu = false) => {
    if (onCpu && GPU_ONLY) return;
    rows.push({ label, value: v === null ? 0 : v * POSITIONS, unit: v === null ? 'backend unavailable' : 'positions/s' });
  };
  row('ours, WebGPU (WGSL kernels)', oursGpu);
  row(`ours, CPU (${wasm ? 'WebAssembly SIMD matmul' : 'TypeScript matmul'})`, oursCpu, true);
  row('TensorFlow.js 4.22, webgpu backend', tfWebgpu);
  row('TensorFlow.js 4.22, webgl backend', tfWebgl);
  row('TensorFlow.js 4.22, wasm backend (1 thread)', tfWasm, true);
  row('TensorFlow.js 4.22, cpu backend', tfCpu, true);
  const ratio = (label: string, x: number | null, y: number | null) => {
    if (x !== null && y !== null) ratios.push({ label, value: x / y });
  };
  ratio('ours WebGPU / TF.js webgpu', oursGpu, tfWebgpu);
  ratio('ours WebGPU / TF.js webgl', oursGpu, tfWebgl);
  ratio('ours CPU / TF.js wasm', oursCpu, tfWasm);
  ratio('ours CPU / TF.js cpu', oursCpu, tfCpu);
  ratio('ours WebGPU / ours CPU', oursGpu, oursCpu);
  const adapter = gpu ? gpu.adapter.description || [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ') : 'no WebGPU';
  return { title: `Tiny LLaMA LoRA training, positions per second (r = ${RANK}, batch ${BATCH} x ${CONTEXT}; ${adapter})`, rows, ratios };
}
