/**
 * A reward model from the tiny chat model, on the trainer protocol: the transformer with its
 * lm_head set aside and a scalar head `score` (hidden size -> 1, no bias) reading the final hidden
 * state at each conversation's last token, as transformers' LlamaForSequenceClassification does
 * with num_labels = 1 (the last non-padding token). The body is tuned with a LoRA adapter and the
 * head is trained whole, as PEFT does for task_type SEQ_CLS (the head in modules_to_save, saved as
 * base_model.model.score.weight). The loss is TRL's RewardTrainer's (kernels/rlhf/reward-model.ts)
 * on the same preference pairs the DPO widget uses.
 *
 * A step: forward the chosen and rejected conversations (one per row), r = h_last . w; the loss
 * and dL/dr; then, as matmuls, dw = dr^T H and dH = dr w (non-zero only at each row's last
 * token), and the engine's backward from the final hidden state into the adapters.
 */
import { rewardModelLoss } from '../rlhf/reward-model';
import { createRng } from '../random/rng';
import type { ChunkReport, Trainer } from '../training/trainer';
import type { Sequence } from './data/batches';
import { epochOrder, evaluatedPairs, preferencePairs, type Flaw } from './data/preference-pairs';
import type { Backend, Op } from './engine/backend';
import { buildModel, optimizerOps, readTrainables, TRANSFORMERS_ADAMW, type AdapterConfig, type Model, type Trainable } from './engine/program';
import type { LoadedModel } from './model-files';
import { pairItems, type PairItem } from './preference-trainer';
import { writeSequences } from './sequence-scorer';
import { CONTEXT } from './tiny-model';

/** PEFT's name for the trained head in adapter_model.safetensors. */
export const SCORE_HEAD = 'base_model.model.score.weight';

export interface RewardRunConfig {
  adapter: AdapterConfig;
  lr: number;
  steps: number;
  /** Preference pairs per step. */
  pairs: number;
  /** TRL's center_rewards_coefficient (0: none, TRL's default). */
  centerCoefficient: number;
  seed: number;
  maxGradNorm: number;
  /** Held-out pairs evaluated, the first of the held-out set (all of them when 0). */
  heldOutPairs: number;
}

export interface RewardEvaluation {
  /** Mean Bradley-Terry loss (with the centring term, as trained) over the held-out pairs. */
  loss: number;
  /** Share of held-out pairs the model orders right (r_chosen > r_rejected), over all and by what the rejected reply gets wrong. */
  accuracy: number;
  accuracyByFlaw: Record<Flaw, number>;
  /** The same share on as many training pairs (the first of the training set). */
  trainAccuracy: number;
  chosenReward: number;
  rejectedReward: number;
  margin: number;
  /** Each held-out pair's two rewards. */
  pairs: { chosen: number; rejected: number; flaw: Flaw }[];
}

export interface RewardTrainer extends Trainer<RewardEvaluation> {
  readonly pairsPerStep: number;
  /** Each trainable's shape as PyTorch stores it, by PEFT's name. */
  readonly trainableShapes: Map<string, number[]>;
  trainables(): Promise<Map<string, Float32Array>>;
}

/** The scalar head on a built model: rewards of sequences (one per row) and the backward pass from dL/dr. */
export interface RewardHead {
  /** The head as a trainable (PEFT's name, shape [1, hidden]). */
  readonly head: Trainable;
  /** Loads the sequences (every token an input) and runs the forward pass: each one's reward, and the row of its last token. */
  rewards(seqs: readonly Sequence[]): Promise<{ values: number[]; last: number[] }>;
  /** After `rewards`: backpropagates dL/dr of each sequence into every trainable's gradient (the head's too), then runs `after`. */
  backward(dRewards: readonly number[], last: readonly number[], after: Op[]): void;
}

export function rewardHead(be: Backend, m: Model, init: Float32Array, pad: number): RewardHead {
  const d = m.config.hidden_size;
  const seq = m.shape.seq;
  const rows = m.shape.batch * seq;
  const score = be.f32(d, init);
  const head: Trainable = { name: SCORE_HEAD, shape: [1, d], param: score, grad: be.f32(d), lrScale: 1 };
  const rewards = be.f32(rows);
  const dRewards = be.f32(rows);
  const forwardOps = [...m.forward(false), be.matmul(rewards, m.finalHidden, score, rows, d, 1, { transB: true })];
  // dw = dr^T H and dH = dr w: dr is non-zero only at each sequence's last token.
  const backwardOps = [
    be.matmul(head.grad, dRewards, m.finalHidden, 1, rows, d, { transA: true }),
    be.matmul(m.dFinalHidden, dRewards, score, rows, 1, d),
    ...m.backwardFromHidden(),
  ];
  return {
    head,
    async rewards(seqs) {
      // A padding target is appended so the last token is an input too; no position is a target.
      writeSequences(
        be,
        m,
        seqs.map((s) => ({ ids: [...s.ids, pad], lossMask: new Uint8Array(s.ids.length + 1) })),
        pad,
      );
      be.run(forwardOps);
      const all = await be.read(rewards);
      const last = seqs.map((s, k) => k * seq + Math.min(s.ids.length, seq) - 1);
      return { values: last.map((i) => all[i]), last };
    },
    backward(dr, last, after) {
      const grad = new Float32Array(rows);
      dr.forEach((g, k) => (grad[last[k]] = g));
      be.write(dRewards, grad);
      be.run([...backwardOps, ...after]);
    },
  };
}

export function createRewardTrainer(be: Backend, model: LoadedModel, run: RewardRunConfig): RewardTrainer {
  if (!Number.isInteger(run.pairs) || run.pairs < 1) throw new Error(`pairs per step must be a positive whole number, got ${run.pairs}`);
  if (!(run.centerCoefficient >= 0)) throw new Error(`the centring coefficient must be 0 or more, got ${run.centerCoefficient}`);
  const { config, tokenizer } = model;
  const pad = tokenizer.id('<pad>');
  const d = config.hidden_size;
  const batch = 2 * run.pairs;
  const m = buildModel(be, config, model.weights, run.adapter, { batch, seq: CONTEXT });

  // The head, initialised as transformers initialises a Linear: normal(0, initializer_range).
  const rng = createRng(run.seed + 7);
  const rm = rewardHead(
    be,
    m,
    Float32Array.from({ length: d }, () => config.initializer_range * rng.normal()),
    pad,
  );
  const trainables = [...m.trainables, rm.head];
  const optimizer = optimizerOps(be, trainables, { ...TRANSFORMERS_ADAMW, lr: run.lr, decaySteps: run.steps, maxGradNorm: run.maxGradNorm });
  const forward = rm.rewards;

  const data = preferencePairs();
  const train = pairItems(model, data.train);
  const heldOut = pairItems(model, evaluatedPairs(run.heldOutPairs));
  const order = epochOrder(train.length, run.steps * run.pairs, run.seed + 104729);

  /** Both rewards of each pair, `run.pairs` pairs per forward pass. */
  async function measure(items: readonly PairItem[]): Promise<RewardEvaluation['pairs']> {
    const out: RewardEvaluation['pairs'] = [];
    for (let start = 0; start < items.length; start += run.pairs) {
      const group = items.slice(start, start + run.pairs);
      const { values } = await forward([...group.map((it) => it.chosen), ...group.map((it) => it.rejected)]);
      group.forEach((it, i) => out.push({ chosen: values[i], rejected: values[group.length + i], flaw: it.pair.flaw }));
    }
    return out;
  }
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  const accuracy = (pairs: RewardEvaluation['pairs']) => mean(pairs.map((p) => (p.chosen > p.rejected ? 1 : 0)));
  // As many training pairs as held-out ones, to tell what the model learned from what it memorised.
  const trainSample = train.slice(0, heldOut.length);

  async function evaluate(): Promise<RewardEvaluation> {
    const pairs = await measure(heldOut);
    const { loss } = rewardModelLoss(
      pairs.map((p) => p.chosen),
      pairs.map((p) => p.rejected),
      { centerCoefficient: run.centerCoefficient },
    );
    const byFlaw = (f: Flaw) => accuracy(pairs.filter((p) => p.flaw === f));
    return {
      loss,
      accuracy: accuracy(pairs),
      accuracyByFlaw: { wrong: byFlaw('wrong'), filler: byFlaw('filler') },
      trainAccuracy: accuracy(await measure(trainSample)),
      chosenReward: mean(pairs.map((p) => p.chosen)),
      rejectedReward: mean(pairs.map((p) => p.rejected)),
      margin: mean(pairs.map((p) => p.chosen - p.rejected)),
      pairs,
    };
  }

  let stepsDone = 0;
  let destroyed = false;
  return {
    backend: be.kind,
    trainableParams: trainables.reduce((s, t) => s + t.param.length, 0),
    pairsPerStep: run.pairs,
    trainableShapes: new Map(trainables.map((t) => [t.name, t.shape])),
    async runSteps(count, evaluateNow): Promise<ChunkReport<RewardEvaluation>> {
      if (stepsDone + count > run.steps) throw new Error(`this run has ${run.steps} steps; ${stepsDone} are done`);
      const stepLosses = new Float32Array(count);
      for (let c = 0; c < count; c++, stepsDone++) {
        const group = order.slice(stepsDone * run.pairs, (stepsDone + 1) * run.pairs).map((i) => train[i]);
        const { values, last } = await forward([...group.map((it) => it.chosen), ...group.map((it) => it.rejected)]);
        const n = group.length;
        const { loss, dChosen, dRejected } = rewardModelLoss(values.slice(0, n), values.slice(n), { centerCoefficient: run.centerCoefficient });
        rm.backward([...dChosen, ...dRejected], last, optimizer);
        stepLosses[c] = loss;
      }
      if (!evaluateNow) return { stepLosses, evaluation: null };
      const e0 = performance.now();
      const evaluation = await evaluate();
      return { stepLosses, evaluation, evaluationMs: performance.now() - e0 };
    },
    trainables: () => readTrainables(be, trainables),
    destroy() {
      if (!destroyed) be.destroy();
      destroyed = true;
    },
  };
}
