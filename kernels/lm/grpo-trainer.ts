/**
 * GRPO on the tiny model with a verifiable reward: sums of two numbers from 0 to 12, rewarded 1
 * when the reply states "<a> plus <b> is <a + b>", else 0. As TRL's GRPOTrainer (v1.9.0) runs
 * it by default:
 *   - each step samples `generations` completions (temperature 1) for each of `prompts` prompts
 *     from the current policy;
 *   - advantages are group-relative: (r - group mean) / (group std + 1e-4) (scale_rewards "group");
 *   - one gradient step per batch (num_iterations 1): the importance ratio is 1, so the clipped
 *     surrogate's gradient is -A on every completion token, averaged over the batch's completion
 *     tokens (loss_type "dapo");
 *   - beta 0: no KL term, no reference model.
 * The gradient goes through sequence-scorer.ts: the surrogate is -(1/N) sum_i A_i log pi(y_i) in
 * the completions' summed log-probs, so its derivative with respect to each is -A_i / N.
 */
import { clippedTokenLoss, groupAdvantages } from '../rlhf/policy-gradient';
import { createRng } from '../random/rng';
import type { ChunkReport, Trainer } from '../training/trainer';
import type { Sequence } from './data/batches';
import { shuffled, sumQuestion } from './data/questions';
import { MAX_OPERAND } from './data/world';
import type { Backend } from './engine/backend';
import { buildModel, optimizerOps, readTrainables, TRANSFORMERS_ADAMW, type AdapterConfig } from './engine/program';
import { promptIds } from './experiment';
import type { GenerateOptions, Generation } from './generate';
import type { LoadedModel } from './model-files';
import { sequenceScorer } from './sequence-scorer';
import { CONTEXT } from './tiny-model';

export interface GrpoRunConfig {
  adapter: AdapterConfig;
  lr: number;
  steps: number;
  /** Prompts per step, and completions sampled for each (TRL's num_generations). */
  prompts: number;
  generations: number;
  /** PPO/GRPO clip range (TRL's epsilon, 0.2); inactive with one gradient step per batch, kept for the formula. */
  epsilon: number;
  maxNewTokens: number;
  seed: number;
  maxGradNorm: number;
  /** Held-out sums evaluated, the first of the held-out set (all of them when 0). */
  heldOutSums: number;
}

export interface GrpoEvaluation {
  /** Mean reward (accuracy + format, 0 to 2) of each training step so far, on its own sampled completions. */
  stepRewards: number[];
  /** On held-out sums, sampled at temperature 1 (EVAL_SAMPLES each): mean reward, and the shares with the right sum and the bare format. */
  reward: number;
  accuracy: number;
  format: number;
  /** Share of held-out sums whose greedy reply has the right sum. */
  greedyAccuracy: number;
  /** Mean sampled completion length, tokens. */
  length: number;
}

/** Samples per held-out prompt in an evaluation. */
export const EVAL_SAMPLES = 4;

export type Generator = (
  prompts: number[][],
  options: GenerateOptions,
  trained: { adapter: AdapterConfig; tensors: Map<string, Float32Array> },
) => Promise<Generation[]>;

export interface SumPrompt {
  a: number;
  b: number;
  question: string;
}

/** The accuracy reward: 1 when the reply states the sum of the prompt's numbers correctly, else 0. */
export function accuracyReward(p: SumPrompt, reply: string): number {
  const m = /(\d+) plus (\d+) is (\d+)/.exec(reply);
  return m && Number(m[1]) === p.a && Number(m[2]) === p.b && Number(m[3]) === p.a + p.b ? 1 : 0;
}

/** The format reward: 1 when the reply is one sentence of the form "<a> plus <b> is <c>." with nothing before or after it. */
export function formatReward(reply: string): number {
  return /^\d+ plus \d+ is \d+\.$/.test(reply.trim()) ? 1 : 0;
}

/** Both rewards summed, as TRL sums its reward functions (reward_weights 1, 1) before normalising. */
export function sumReward(p: SumPrompt, reply: string): number {
  return accuracyReward(p, reply) + formatReward(reply);
}

/** Sums held out of training, a seeded draw from the 13 x 13 grid of operands 0 to 12. */
export const HELD_OUT_SUMS = 24;

/** Training and held-out sum prompts (in the canonical phrasing); pretraining saw every one of these sums. */
export function sumPrompts(): { train: SumPrompt[]; heldOut: SumPrompt[] } {
  const all: SumPrompt[] = [];
  for (let a = 0; a <= MAX_OPERAND; a++) for (let b = 0; b <= MAX_OPERAND; b++) all.push({ a, b, question: sumQuestion(a, b).phrasings[0] });
  const order = shuffled(all, createRng(271828));
  return { train: order.slice(HELD_OUT_SUMS), heldOut: order.slice(0, HELD_OUT_SUMS) };
}

const completionLength = (s: Sequence) => {
  let n = 0;
  for (let t = 1; t < s.ids.length; t++) if (s.lossMask[t]) n++;
  return n;
};

/**
 * The surrogate loss of a batch (loss_type "dapo": token losses summed, divided by the batch's
 * completion tokens) and its derivative with respect to each completion's summed log-prob. On
 * policy with one step per batch every token's log ratio is 0 (the log-probs only report it), so
 * each token of completion i contributes -A_i / N and dL/dlog pi(y_i) = -A_i / N.
 */
export function grpoBatch(
  advantages: readonly number[],
  lengths: readonly number[],
  logps: readonly number[],
  epsilon: number,
): { loss: number; dLogp: number[] } {
  const tokens = lengths.reduce((a, b) => a + b, 0);
  if (!(tokens > 0)) throw new Error('the batch has no completion tokens');
  let loss = 0;
  const dLogp = advantages.map((a, i) => {
    if (!Number.isFinite(logps[i])) throw new Error(`completion ${i} has log-prob ${logps[i]}`);
    const token = clippedTokenLoss(0, a, epsilon);
    loss += (lengths[i] * token.loss) / tokens;
    return token.dLogp / tokens;
  });
  return { loss, dLogp };
}

export interface GrpoTrainer extends Trainer<GrpoEvaluation> {
  trainables(): Promise<Map<string, Float32Array>>;
}

export function createGrpoTrainer(be: Backend, model: LoadedModel, run: GrpoRunConfig, generate: Generator): GrpoTrainer {
  if (!Number.isInteger(run.generations) || run.generations < 2)
    throw new Error(`GRPO needs at least 2 generations per prompt, got ${run.generations}`);
  if (!Number.isInteger(run.prompts) || run.prompts < 1) throw new Error(`prompts per step must be a positive whole number, got ${run.prompts}`);
  const { tokenizer } = model;
  const pad = tokenizer.id('<pad>');
  const imEnd = tokenizer.id('<|im_end|>');
  const stopTokens = [imEnd, tokenizer.id('</s>')];
  const batch = run.prompts * run.generations;
  const m = buildModel(be, model.config, model.weights, run.adapter, { batch, seq: CONTEXT });
  const scorer = sequenceScorer(be, m, pad);
  const optimizer = optimizerOps(be, m.trainables, { ...TRANSFORMERS_ADAMW, lr: run.lr, decaySteps: run.steps, maxGradNorm: run.maxGradNorm });
  const prompts = sumPrompts();
  const train = prompts.train;
  const heldOut = run.heldOutSums > 0 ? prompts.heldOut.slice(0, run.heldOutSums) : prompts.heldOut;
  const rng = createRng(run.seed + 65537);
  const stepPrompts = Array.from({ length: run.steps }, () => Array.from({ length: run.prompts }, () => train[rng.int(train.length)]));
  const decode = (ids: number[]) => tokenizer.decode(ids, { skipSpecial: true });
  const stepRewards: number[] = [];

  const current = async () => ({ adapter: run.adapter, tensors: await readTrainables(be, m.trainables) });

  async function step(s: number): Promise<number> {
    const prompts = stepPrompts[s];
    const ids = prompts.map((p) => promptIds(model, p.question));
    const trained = await current();
    // One seeded request per completion: the same seed for every prompt would draw alike.
    const completions = await Promise.all(
      prompts.flatMap((_, i) =>
        Array.from({ length: run.generations }, (_, g) =>
          generate(
            [ids[i]],
            {
              maxNewTokens: run.maxNewTokens,
              temperature: 1,
              topK: 0,
              seed: 7919 * (s + 1) + 104729 * (i * run.generations + g + 1) + run.seed,
              stopTokens,
            },
            trained,
          ).then(([gen]) => gen),
        ),
      ),
    );
    const rewards = completions.map((c, k) => sumReward(prompts[Math.floor(k / run.generations)], decode(c.ids)));
    const advantages = groupAdvantages(rewards, run.generations);
    // The completion includes its end token, as TRL's completion mask does; padding rows carry no loss.
    const seqs: Sequence[] = completions.map((c, k) => {
      const prompt = ids[Math.floor(k / run.generations)];
      const completion = c.stoppedBy === 'stop-token' ? [...c.ids, imEnd] : c.ids;
      return { ids: [...prompt, ...completion], lossMask: [...prompt.map(() => 0), ...completion.map(() => 1)] };
    });
    const { logps, rowMask } = await scorer.logps(seqs);
    const { loss, dLogp } = grpoBatch(advantages, seqs.map(completionLength), logps, run.epsilon);
    scorer.backward(dLogp, rowMask, optimizer);
    stepRewards.push(rewards.reduce((a, b) => a + b, 0) / rewards.length);
    return loss;
  }

  async function evaluate(): Promise<GrpoEvaluation> {
    const trained = await current();
    const ids = heldOut.map((p) => promptIds(model, p.question));
    const base = { maxNewTokens: run.maxNewTokens, topK: 0, stopTokens };
    const greedy = await generate(ids, { ...base, temperature: 0, seed: 1 }, trained);
    let accuracy = 0;
    let format = 0;
    let length = 0;
    const sampled = await Promise.all(
      ids.flatMap((prompt, i) =>
        Array.from({ length: EVAL_SAMPLES }, (_, s) =>
          generate([prompt], { ...base, temperature: 1, seed: 7919 * (s + 1) + 104729 * (i + 1) }, trained).then(([g]) => [i, g] as const),
        ),
      ),
    );
    for (const [i, g] of sampled) {
      const reply = decode(g.ids);
      accuracy += accuracyReward(heldOut[i], reply);
      format += formatReward(reply);
      length += g.ids.length;
    }
    const n = sampled.length;
    return {
      stepRewards: [...stepRewards],
      reward: (accuracy + format) / n,
      accuracy: accuracy / n,
      format: format / n,
      greedyAccuracy: greedy.filter((g, i) => accuracyReward(heldOut[i], decode(g.ids))).length / heldOut.length,
      length: length / n,
    };
  }

  let stepsDone = 0;
  let destroyed = false;
  return {
    backend: be.kind,
    trainableParams: m.trainables.reduce((s, t) => s + t.param.length, 0),
    async runSteps(count, evaluateNow): Promise<ChunkReport<GrpoEvaluation>> {
      if (stepsDone + count > run.steps) throw new Error(`this run has ${run.steps} steps; ${stepsDone} are done`);
      const stepLosses = new Float32Array(count);
      for (let c = 0; c < count; c++) stepLosses[c] = await step(stepsDone++);
      if (!evaluateNow) return { stepLosses, evaluation: null };
      const t0 = performance.now();
      const evaluation = await evaluate();
      return { stepLosses, evaluation, evaluationMs: performance.now() - t0 };
    },
    trainables: async () => (await current()).tensors,
    destroy() {
      if (!destroyed) be.destroy();
      destroyed = true;
    },
  };
}
