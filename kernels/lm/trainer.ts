/**
 * Supervised fine-tuning of the tiny model on the trainer protocol (kernels/training/): the whole
 * run's batches are built up front (data/batches.ts) and uploaded once, so a chunk of steps is one
 * replay of the step's op list; an evaluation measures three held-out losses:
 *   taskLoss      cross-entropy of the held-out replies (completion tokens), the task's own loss
 *   promptLoss    cross-entropy of the held-out prompts' tokens: what a model trained on
 *                 prompts too learns to predict
 *   pretrainLoss  cross-entropy on held-out pretraining text: forgetting shows as a rise
 */
import type { LinearModule, LlamaConfig } from './config';
import { LINEAR_MODULES, linearShape } from './config';
import { buildSchedule, finishRows, packRows, windowRows, type Rows, type Schedule } from './data/batches';
import { PRETRAIN_SEED } from './data/corpus';
import { heldOutWindows, pretrainingStream } from './data/pretraining';
import { conversationSequences, trainingSubset, type SftTask } from './data/sft-tasks';
import type { Backend, Op } from './engine/backend';
import { QLORA_BLOCK_SIZE, buildModel, optimizerOps, readTrainables, TRANSFORMERS_ADAMW, type AdapterConfig, type Model } from './engine/program';
import type { LoadedModel } from './model-files';
import { CONTEXT } from './tiny-model';
import type { ChunkReport, Trainer } from '../training/trainer';
import { linearName, stateDict, type ModelWeights } from './weights';
import { loraScaling, mergeDora, mergeLora } from '../lora/reference';
import { NF4_LEVELS } from '../nf4/levels';
import { dequantizeBlockwise, quantizeBlockwise } from '../nf4/nf4';

export interface LmRunConfig {
  adapter: AdapterConfig;
  lr: number;
  steps: number;
  /** Rows of CONTEXT positions per step. */
  batch: number;
  /** Loss on the assistant's replies only (TRL's completion_only_loss), or on every token. */
  completionOnly: boolean;
  /** Share of each batch's rows that replays pretraining text. */
  replayShare: number;
  /** Share of the task's training conversations used (quantity), and share of those with a wrong reply (quality). */
  dataShare: number;
  noisyShare: number;
  /** Seeds the data order. */
  seed: number;
  /** Global gradient-norm clipping (transformers' max_grad_norm; 0 turns it off). */
  maxGradNorm: number;
  /** 'linear': decay to zero over the run (transformers' default); 'constant'. */
  schedule: 'linear' | 'constant';
}

export interface LmEvaluation {
  taskLoss: number;
  promptLoss: number;
  pretrainLoss: number;
}

export interface LmTrainer extends Trainer<LmEvaluation> {
  readonly schedule: Schedule;
  /** Input positions per step that hold a token (padding excluded). */
  readonly tokensPerStep: number;
  /** The trainable tensors by name (PEFT's names for adapters, transformers' for full fine-tuning). */
  trainables(): Promise<Map<string, Float32Array>>;
  /** Their shapes, by the same names. */
  readonly trainableShapes: Map<string, number[]>;
}

/** Pretraining windows held out for the forgetting measurement. */
export const FORGETTING_WINDOWS = 4;

export function createLmTrainer(be: Backend, model: LoadedModel, task: SftTask, run: LmRunConfig): LmTrainer {
  const { config, tokenizer } = model;
  const pad = tokenizer.id('<pad>');
  const seq = CONTEXT;
  const shape = { batch: run.batch, seq };
  const m: Model = buildModel(be, config, model.weights, run.adapter, shape);
  const rows = run.batch * seq;

  const examples = trainingSubset(task, run.dataShare, run.noisyShare, run.seed);
  const schedule = buildSchedule(conversationSequences(model, examples, run.completionOnly), {
    steps: run.steps,
    batch: run.batch,
    seq,
    pad,
    seed: run.seed,
    replayShare: run.replayShare,
    replayStream: run.replayShare > 0 ? pretrainingStream(tokenizer, PRETRAIN_SEED + 1, 200_000) : undefined,
  });
  let realPositions = 0;
  for (let i = 0; i < schedule.segments.length; i++) if (schedule.segments[i] >= 0) realPositions++;

  const upload = (r: Rows) => ({
    tokens: be.i32(r.tokens.length, r.tokens),
    targets: be.i32(r.targets.length, r.targets),
    weights: be.f32(r.weights.length, r.weights),
    positions: be.i32(r.positions.length, r.positions),
    segments: be.i32(r.segments.length, r.segments),
  });
  const inputPairs = (src: ReturnType<typeof upload>) =>
    [
      [m.inputs.tokens, src.tokens],
      [m.inputs.targets, src.targets],
      [m.inputs.weights, src.weights],
      [m.inputs.positions, src.positions],
      [m.inputs.segments, src.segments],
    ] as const;

  // Training step.
  const counter = be.i32(1);
  const history = be.f32(run.steps);
  const rowLoss = be.f32(rows);
  const stepOps: Op[] = [
    be.loadRows(inputPairs(upload(schedule)), rows, counter),
    ...m.forward(),
    ...m.loss(m.inputs.weights, rowLoss, true),
    ...m.backward(),
    ...optimizerOps(be, m.trainables, {
      ...TRANSFORMERS_ADAMW,
      lr: run.lr,
      decaySteps: run.schedule === 'linear' ? run.steps : 0,
      maxGradNorm: run.maxGradNorm,
    }),
    be.recordLoss(history, rowLoss, rows, counter),
  ];

  // Evaluation sets: the task's held-out conversations (reply and prompt weights) and pretraining windows.
  const evalCounter = be.i32(1);
  const heldOut = conversationSequences(model, task.heldOut, true);
  const packed = packRows(heldOut, seq, pad);
  const completionRows = finishRows(packed, run.batch, pad);
  const promptRows = finishRows(
    packRows(
      heldOut.map((s) => ({ ids: s.ids, lossMask: Array.from(s.lossMask, (v, i) => (i > 0 && !v ? 1 : 0)) })),
      seq,
      pad,
    ),
    run.batch,
    pad,
  );
  const taskSrc = upload(completionRows);
  const promptWeightsSrc = be.f32(promptRows.weights.length, promptRows.weights);
  const promptWeights = be.f32(rows);
  const taskChunks = completionRows.rows / run.batch;
  const [histTask, histPrompt, rowLoss2] = [be.f32(taskChunks), be.f32(taskChunks), be.f32(rows)];
  const taskEvalOps: Op[] = [
    be.loadRows([...inputPairs(taskSrc), [promptWeights, promptWeightsSrc]], rows, evalCounter),
    ...m.forward(),
    ...m.loss(m.inputs.weights, rowLoss, false),
    ...m.loss(promptWeights, rowLoss2, false),
    be.recordLoss(histTask, rowLoss, rows, evalCounter, false),
    be.recordLoss(histPrompt, rowLoss2, rows, evalCounter),
  ];
  const windows = finishRows(windowRows(heldOutWindows(tokenizer, FORGETTING_WINDOWS), seq, pad), run.batch, pad);
  const pretrainChunks = windows.rows / run.batch;
  const histPretrain = be.f32(pretrainChunks);
  const pretrainEvalOps: Op[] = [
    be.loadRows(inputPairs(upload(windows)), rows, evalCounter),
    ...m.forward(),
    ...m.loss(m.inputs.weights, rowLoss, false),
    be.recordLoss(histPretrain, rowLoss, rows, evalCounter),
  ];

  const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
  async function evaluate(): Promise<LmEvaluation> {
    be.write(evalCounter, new Int32Array([0]));
    be.run(taskEvalOps, taskChunks);
    be.write(evalCounter, new Int32Array([0]));
    be.run(pretrainEvalOps, pretrainChunks);
    const [t, p, pre] = await Promise.all([be.read(histTask), be.read(histPrompt), be.read(histPretrain)]);
    return { taskLoss: sum(t), promptLoss: sum(p), pretrainLoss: sum(pre) };
  }

  let stepsDone = 0;
  let destroyed = false;
  return {
    backend: be.kind,
    trainableParams: m.trainables.reduce((s, t) => s + t.param.length, 0),
    schedule,
    tokensPerStep: realPositions / run.steps,
    trainableShapes: new Map(m.trainables.map((t) => [t.name, t.shape])),
    async runSteps(count, evaluateNow): Promise<ChunkReport<LmEvaluation>> {
      if (stepsDone + count > run.steps) throw new Error(`this run has ${run.steps} steps; ${stepsDone} are done`);
      let stepLosses: Float32Array = new Float32Array(0);
      if (count > 0) {
        be.run(stepOps, count);
        stepLosses = await be.read(history, count, stepsDone);
        stepsDone += count;
      }
      if (!evaluateNow) return { stepLosses, evaluation: null };
      const t0 = performance.now();
      const evaluation = await evaluate();
      return { stepLosses, evaluation, evaluationMs: performance.now() - t0 };
    },
    trainables: () => readTrainables(be, m.trainables),
    destroy() {
      if (!destroyed) be.destroy();
      destroyed = true;
    },
  };
}

/**
 * The model's weights with trained parameters in place: full fine-tuning's tensors, or each
 * adapted layer merged (W + s B A for LoRA, m / ||V||_row V for DoRA), as PEFT's
 * merge_and_unload computes it, on the (dequantized, for NF4) base.
 */
export function mergedWeights(base: ModelWeights, config: LlamaConfig, adapter: AdapterConfig, trained: Map<string, Float32Array>): ModelWeights {
  if (adapter.method === 'full') {
    const sd = stateDict(base, config);
    const get = (name: string) => trained.get(name) ?? sd.get(name)!;
    return {
      embedTokens: get('model.embed_tokens.weight'),
      finalNorm: get('model.norm.weight'),
      lmHead: config.tie_word_embeddings ? get('model.embed_tokens.weight') : get('lm_head.weight'),
      layers: base.layers.map((_, l) => ({
        inputNorm: get(`model.layers.${l}.input_layernorm.weight`),
        postAttentionNorm: get(`model.layers.${l}.post_attention_layernorm.weight`),
        linear: Object.fromEntries(LINEAR_MODULES.map((mod) => [mod, get(linearName(l, mod))])) as Record<LinearModule, Float32Array>,
      })),
    };
  }
  const s = loraScaling(adapter.alpha, adapter.rank, adapter.scaling);
  const targets = new Set(adapter.targets);
  return {
    ...base,
    layers: base.layers.map((layer, l) => ({
      ...layer,
      linear: Object.fromEntries(
        LINEAR_MODULES.map((mod) => {
          const [out, inf] = linearShape(config, mod);
          let w = layer.linear[mod];
          if (adapter.base === 'nf4') {
            const q = quantizeBlockwise(w, QLORA_BLOCK_SIZE, NF4_LEVELS);
            w = dequantizeBlockwise(q.codes, q.absmax, QLORA_BLOCK_SIZE, NF4_LEVELS);
          }
          if (!targets.has(mod)) return [mod, w];
          const prefix = `base_model.model.${linearName(l, mod).replace(/\.weight$/, '')}`;
          const a = trained.get(`${prefix}.lora_A.weight`)!;
          const b = trained.get(`${prefix}.lora_B.weight`)!;
          const dims = { outFeatures: out, inFeatures: inf, rank: adapter.rank };
          if (adapter.method === 'dora') return [mod, mergeDora(w, a, b, trained.get(`${prefix}.lora_magnitude_vector`)!, s, dims).merged];
          return [mod, mergeLora(w, a, b, s, dims)];
        }),
      ) as Record<LinearModule, Float32Array>,
    })),
  };
}
