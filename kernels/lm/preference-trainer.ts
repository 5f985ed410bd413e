/**
 * Preference tuning of the tiny model (DPO, IPO, SimPO, KTO, ORPO) on the trainer protocol, with
 * the losses of kernels/preference/losses.ts on real sequence log-probabilities.
 *
 * A step, as TRL's trainers take it:
 *   1. forward the step's sequences (each in its own row) and read back each position's
 *      cross-entropy on the reply tokens: a sequence's log-prob is minus their sum;
 *   2. the method's loss of those log-probs and its derivative with respect to each sequence's
 *      log-prob, dL/dlogp (losses.ts);
 *   3. since d(-logp)/d(logits) is what the weighted cross-entropy's backward computes, weighting
 *      each reply token of a sequence by -dL/dlogp and running the engine's backward gives the
 *      exact gradient of the preference loss; then clipping and AdamW.
 * The reference's log-probs are computed once, before training, by the untrained policy (with
 * adapters the policy starts as the base model): TRL's precompute_ref_log_probs, which spares a
 * second model, or with PEFT a second forward pass with the adapter disabled, in every step.
 *
 * Layout per step, `pairs` pairs: chosen and rejected rows (2 x pairs); KTO adds one row per pair
 * for its KL reference point, the pair's prompt with the next pair's chosen reply (TRL pairs each
 * prompt with another example's completion of the batch).
 */
import { dpoLoss, ipoLoss, ktoLoss, orpoLoss, simpoLoss, type PairLogps, type PairLoss } from '../preference/losses';
import type { ChunkReport, Trainer } from '../training/trainer';
import type { Sequence } from './data/batches';
import { epochOrder, evaluatedPairs, preferencePairs, type PreferencePair } from './data/preference-pairs';
import { conversationSequences } from './data/sft-tasks';
import type { Backend } from './engine/backend';
import { sequenceScorer } from './sequence-scorer';
import { buildModel, optimizerOps, readTrainables, TRANSFORMERS_ADAMW, type AdapterConfig } from './engine/program';
import type { LoadedModel } from './model-files';
import { CONTEXT } from './tiny-model';

export const PREFERENCE_METHODS = ['dpo', 'ipo', 'simpo', 'kto', 'orpo'] as const;
export type PreferenceMethod = (typeof PREFERENCE_METHODS)[number];

/** Methods that compare the policy with a frozen reference (SimPO and ORPO have none). */
export const usesReference = (m: PreferenceMethod) => m === 'dpo' || m === 'ipo' || m === 'kto';

export interface PreferenceRunConfig {
  method: PreferenceMethod;
  /** DPO/IPO/KTO/SimPO's beta; ORPO's lambda (TRL calls it beta too). */
  beta: number;
  /** SimPO's target margin gamma (TRL's simpo_gamma). */
  gamma: number;
  adapter: AdapterConfig;
  lr: number;
  steps: number;
  /** Preference pairs per step. */
  pairs: number;
  seed: number;
  maxGradNorm: number;
  /** Held-out pairs evaluated, the first of the held-out set (all of them when 0). */
  heldOutPairs: number;
}

export interface PreferenceEvaluation {
  /** Mean loss of the held-out pairs. */
  loss: number;
  /** Mean implicit rewards (as TRL logs them) of the held-out chosen and rejected replies, and their gap. */
  chosenReward: number;
  rejectedReward: number;
  margin: number;
  /** Share of held-out pairs whose chosen reward is above the rejected one. */
  accuracy: number;
  /** Mean summed log-probs of the held-out chosen and rejected replies under the policy. */
  chosenLogp: number;
  rejectedLogp: number;
  /** Mean per-token KL(policy || reference) over the held-out chosen replies' positions, in nats. */
  kl: number;
  /** Each held-out pair's summed reply log-probs under the policy and the reference, and reply lengths in tokens. */
  pairs: (PairLogps & { chosenLength: number; rejectedLength: number })[];
}

export interface PreferenceTrainer extends Trainer<PreferenceEvaluation> {
  readonly pairsPerStep: number;
  /** Milliseconds the reference pass took (once, before training). */
  readonly referenceMs: number;
  trainables(): Promise<Map<string, Float32Array>>;
}

export interface PairItem {
  pair: PreferencePair;
  chosen: Sequence;
  rejected: Sequence;
  /** Prompt with another pair's chosen reply (KTO's KL term). */
  mismatch: Sequence;
}

/** Each pair's conversations, tokenized with the chat template, the reply tokens masked for the loss. */
export function pairItems(model: LoadedModel, pairs: readonly PreferencePair[]): PairItem[] {
  const seqs = (replies: (p: PreferencePair, i: number) => [string, string]) =>
    conversationSequences(
      model,
      pairs.map((p, i) => {
        const [prompt, reply] = replies(p, i);
        return {
          messages: [
            { role: 'user' as const, content: prompt },
            { role: 'assistant' as const, content: reply },
          ],
          fact: '',
        };
      }),
      true,
    );
  const chosen = seqs((p) => [p.prompt, p.chosen]);
  const rejected = seqs((p) => [p.prompt, p.rejected]);
  const mismatch = seqs((p, i) => [p.prompt, pairs[(i + 1) % pairs.length].chosen]);
  return pairs.map((pair, i) => ({ pair, chosen: chosen[i], rejected: rejected[i], mismatch: mismatch[i] }));
}

const replyLength = (s: Sequence) => {
  let n = 0;
  for (let t = 1; t < s.ids.length; t++) if (s.lossMask[t]) n++;
  return n;
};

/** The method's loss over a batch of pairs and d loss / d logp of every sequence (batch mean). */
export function batchLoss(
  method: PreferenceMethod,
  beta: number,
  gamma: number,
  policy: { chosen: number[]; rejected: number[]; mismatch: number[] },
  reference: { chosen: number[]; rejected: number[]; mismatch: number[] },
  lengths: { chosen: number[]; rejected: number[] },
): { loss: number; pairs: PairLoss[]; dMismatch: number[] } {
  const n = policy.chosen.length;
  if (method === 'kto') {
    // Unpaired: every chosen reply is a desirable example, every rejected one an undesirable example.
    const k = ktoLoss({
      policy: [...policy.chosen, ...policy.rejected],
      reference: [...reference.chosen, ...reference.rejected],
      desirable: [...policy.chosen.map(() => true), ...policy.rejected.map(() => false)],
      policyKl: policy.mismatch,
      referenceKl: reference.mismatch,
      beta,
    });
    const pairs = policy.chosen.map((_, i) => ({
      loss: (k.losses[i] + k.losses[n + i]) / 2,
      dPolicyChosen: k.dPolicy[i],
      dPolicyRejected: k.dPolicy[n + i],
      chosenReward: k.rewards[i],
      rejectedReward: k.rewards[n + i],
    }));
    // z is detached: the mismatched rows carry no gradient.
    return { loss: k.loss, pairs, dMismatch: policy.mismatch.map(() => 0) };
  }
  const pairs = policy.chosen.map((_, i) => {
    const logps = {
      policyChosen: policy.chosen[i],
      policyRejected: policy.rejected[i],
      refChosen: reference.chosen[i],
      refRejected: reference.rejected[i],
    };
    const lens = { chosenLength: lengths.chosen[i], rejectedLength: lengths.rejected[i] };
    let l: PairLoss;
    if (method === 'dpo') l = dpoLoss({ ...logps, beta });
    else if (method === 'ipo') l = ipoLoss({ ...logps, ...lens, beta });
    else if (method === 'simpo') l = simpoLoss({ policyChosen: logps.policyChosen, policyRejected: logps.policyRejected, ...lens, beta, gamma });
    else l = orpoLoss({ policyChosen: logps.policyChosen, policyRejected: logps.policyRejected, ...lens, lambda: beta });
    // The batch loss is the mean over pairs.
    return { ...l, dPolicyChosen: l.dPolicyChosen / n, dPolicyRejected: l.dPolicyRejected / n };
  });
  return { loss: pairs.reduce((s, p) => s + p.loss, 0) / n, pairs, dMismatch: policy.mismatch.map(() => 0) };
}

export function createPreferenceTrainer(be: Backend, model: LoadedModel, run: PreferenceRunConfig): PreferenceTrainer {
  if (!PREFERENCE_METHODS.includes(run.method)) throw new Error(`unknown preference method "${run.method}"`);
  if (!(run.beta > 0)) throw new Error(`beta must be positive, got ${run.beta}`);
  if (!Number.isInteger(run.pairs) || run.pairs < 1) throw new Error(`pairs per step must be a positive whole number, got ${run.pairs}`);
  const { config, tokenizer } = model;
  const pad = tokenizer.id('<pad>');
  const kto = run.method === 'kto';
  const perPair = kto ? 3 : 2;
  const batch = run.pairs * perPair;
  const vocab = config.vocab_size;
  const m = buildModel(be, config, model.weights, run.adapter, { batch, seq: CONTEXT });
  const scorer = sequenceScorer(be, m, pad);
  const optimizer = optimizerOps(be, m.trainables, { ...TRANSFORMERS_ADAMW, lr: run.lr, decaySteps: run.steps, maxGradNorm: run.maxGradNorm });

  // The run's batches, fixed up front: the training pairs shuffled afresh each epoch.
  const data = preferencePairs();
  const train = pairItems(model, data.train);
  const heldOut = pairItems(model, evaluatedPairs(run.heldOutPairs));
  const order = epochOrder(train.length, run.steps * run.pairs, run.seed + 104729);
  const stepItems = (step: number) => order.slice(step * run.pairs, (step + 1) * run.pairs).map((i) => train[i]);
  /** Rows of a group of items: chosen rows, rejected rows, then (KTO) mismatched rows. */
  const groupSequences = (group: readonly PairItem[]) => [
    ...group.map((it) => it.chosen),
    ...group.map((it) => it.rejected),
    ...(kto ? group.map((it) => it.mismatch) : []),
  ];

  const forwardLogps = scorer.logps;

  const split = (v: number[], n: number) => ({ chosen: v.slice(0, n), rejected: v.slice(n, 2 * n), mismatch: kto ? v.slice(2 * n, 3 * n) : [] });

  // Reference log-probs, once: every step's rows and the held-out rows, by the untrained policy.
  const t0 = performance.now();
  let referenceReady: Promise<{ steps: ReturnType<typeof split>[]; heldOut: ReturnType<typeof split>; heldOutLogProbs: Float32Array[] }> | null =
    null;
  async function reference() {
    const steps: ReturnType<typeof split>[] = [];
    if (usesReference(run.method)) {
      for (let s = 0; s < run.steps; s++) steps.push(split((await forwardLogps(groupSequences(stepItems(s)))).logps, run.pairs));
    }
    const { logps, logProbs } = await evalPass();
    return { steps, heldOut: logps, heldOutLogProbs: logProbs };
  }

  /** Held-out rows in chunks of `batch`; also each chosen reply position's log-softmax (for the KL). */
  async function evalPass(): Promise<{ logps: ReturnType<typeof split>; logProbs: Float32Array[] }> {
    const chosen: number[] = [];
    const rejected: number[] = [];
    const mismatch: number[] = [];
    const logProbs: Float32Array[] = [];
    for (let start = 0; start < heldOut.length; start += run.pairs) {
      const group = heldOut.slice(start, start + run.pairs);
      const { logps, rowMask } = await forwardLogps(groupSequences(group));
      const g = split(logps, group.length);
      chosen.push(...g.chosen);
      rejected.push(...g.rejected);
      mismatch.push(...g.mismatch);
      const logits = await be.read(m.logits);
      for (let k = 0; k < group.length; k++) {
        for (let t = k * CONTEXT; t < (k + 1) * CONTEXT; t++) {
          if (!rowMask[t]) continue;
          const row = logits.subarray(t * vocab, (t + 1) * vocab);
          let max = -Infinity;
          for (let j = 0; j < vocab; j++) max = Math.max(max, row[j]);
          let sum = 0;
          for (let j = 0; j < vocab; j++) sum += Math.exp(row[j] - max);
          const lse = max + Math.log(sum);
          logProbs.push(Float32Array.from(row, (v) => v - lse));
        }
      }
    }
    return { logps: { chosen, rejected, mismatch }, logProbs };
  }

  const heldOutLengths = { chosen: heldOut.map((it) => replyLength(it.chosen)), rejected: heldOut.map((it) => replyLength(it.rejected)) };

  async function evaluate(ref: Awaited<ReturnType<typeof reference>>): Promise<PreferenceEvaluation> {
    const { logps, logProbs } = await evalPass();
    const { loss, pairs } = batchLoss(run.method, run.beta, run.gamma, logps, ref.heldOut, heldOutLengths);
    let kl = 0;
    logProbs.forEach((lp, i) => {
      const refLp = ref.heldOutLogProbs[i];
      for (let j = 0; j < lp.length; j++) kl += Math.exp(lp[j]) * (lp[j] - refLp[j]);
    });
    const mean = (f: (p: PairLoss) => number) => pairs.reduce((s, p) => s + f(p), 0) / pairs.length;
    const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    return {
      loss,
      chosenReward: mean((p) => p.chosenReward),
      rejectedReward: mean((p) => p.rejectedReward),
      margin: mean((p) => p.chosenReward - p.rejectedReward),
      accuracy: mean((p) => (p.chosenReward > p.rejectedReward ? 1 : 0)),
      chosenLogp: avg(logps.chosen),
      rejectedLogp: avg(logps.rejected),
      kl: kl / logProbs.length,
      pairs: logps.chosen.map((c, i) => ({
        policyChosen: c,
        policyRejected: logps.rejected[i],
        refChosen: ref.heldOut.chosen[i],
        refRejected: ref.heldOut.rejected[i],
        chosenLength: heldOutLengths.chosen[i],
        rejectedLength: heldOutLengths.rejected[i],
      })),
    };
  }

  let stepsDone = 0;
  let destroyed = false;
  let referenceMs = 0;
  const trainer: PreferenceTrainer = {
    backend: be.kind,
    trainableParams: m.trainables.reduce((s, t) => s + t.param.length, 0),
    pairsPerStep: run.pairs,
    get referenceMs() {
      return referenceMs;
    },
    async runSteps(count, evaluateNow): Promise<ChunkReport<PreferenceEvaluation>> {
      if (stepsDone + count > run.steps) throw new Error(`this run has ${run.steps} steps; ${stepsDone} are done`);
      referenceReady ??= reference().then((r) => ((referenceMs = performance.now() - t0), r));
      const ref = await referenceReady;
      const stepLosses = new Float32Array(count);
      for (let c = 0; c < count; c++, stepsDone++) {
        const group = stepItems(stepsDone);
        const seqs = groupSequences(group);
        const { logps, rowMask } = await forwardLogps(seqs);
        const policy = split(logps, group.length);
        const lengths = { chosen: group.map((it) => replyLength(it.chosen)), rejected: group.map((it) => replyLength(it.rejected)) };
        const refLogps = usesReference(run.method) ? ref.steps[stepsDone] : { chosen: [], rejected: [], mismatch: [] };
        const { loss, pairs, dMismatch } = batchLoss(run.method, run.beta, run.gamma, policy, refLogps, lengths);
        // -dL/dlogp on every reply token of each row: the weighted cross-entropy's backward is then dL/dlogits.
        const dLogp = [...pairs.map((p) => p.dPolicyChosen), ...pairs.map((p) => p.dPolicyRejected), ...(kto ? dMismatch : [])];
        scorer.backward(dLogp, rowMask, optimizer);
        stepLosses[c] = loss;
      }
      if (!evaluateNow) return { stepLosses, evaluation: null };
      const e0 = performance.now();
      const evaluation = await evaluate(ref);
      return { stepLosses, evaluation, evaluationMs: performance.now() - e0 };
    },
    trainables: () => readTrainables(be, m.trainables),
    destroy() {
      if (!destroyed) be.destroy();
      destroyed = true;
    },
  };
  return trainer;
}
