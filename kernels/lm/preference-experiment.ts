/**
 * One preference-tuning run of the tiny model as the page shows it: greedy replies to a few
 * held-out prompts and many replies sampled at temperature 1 before and after (how often the
 * model breaks the rule), and the run on the training loop, where every evaluation measures the
 * held-out pairs (loss, rewards, accuracy, KL) and one reply sampled per held-out prompt with the
 * adapter as trained so far, with the same seeds each time (length, filler, correctness: DPO's
 * length bias shows there). The runtime supplies the trainer and the generator (experiment.ts's
 * LmRuntime).
 */
import { trainLoop } from '../training/loop';
import type { ChunkReport } from '../training/trainer';
import { judgeReply, preferencePairs } from './data/preference-pairs';
import { promptIds, REPLY_TOKENS, type LmRuntime } from './experiment';
import type { LoadedModel } from './model-files';
import type { PreferenceEvaluation, PreferenceRunConfig } from './preference-trainer';
import { SAMPLES_PER_PROMPT } from './recipe';

/** Held-out prompts whose greedy replies the page shows. */
export const DEMO_PROMPTS = 4;

export interface ReplyStats {
  /** Shares of sampled replies that open with filler, and that contain the right sentence. */
  filler: number;
  correct: number;
  /** Mean reply length in tokens. */
  length: number;
  samples: number;
}

export interface DemoReply {
  prompt: string;
  reply: string;
  correct: boolean;
  filler: boolean;
}

export interface PreferencePoint extends PreferenceEvaluation {
  step: number;
  /** One reply sampled per held-out prompt (temperature 1, the same seeds at every evaluation). */
  replies: ReplyStats;
}

export interface PreferenceResult {
  method: PreferenceRunConfig['method'];
  beta: number;
  steps: number;
  trainableParams: number;
  curve: PreferencePoint[];
  stepLosses: number[];
  stepsPerSecond: number;
  /** Wall time of the one pass that computed the reference's log-probs (every step's pairs and the held-out set), ms. */
  referenceMs: number;
  /** Wall time of training alone (evaluations and the reference pass left out), ms. */
  trainingMs: number;
  before: { greedy: DemoReply[]; sampled: ReplyStats };
  after: { greedy: DemoReply[]; sampled: ReplyStats };
}

export interface PreferenceHooks {
  tick?: () => Promise<void>;
  onPhase?: (phase: 'before' | 'reference' | 'training' | 'after') => void;
  onPoint?: (point: PreferencePoint) => void;
  onStep?: (done: number, stepLosses: readonly number[]) => void;
}

type Trained = Parameters<LmRuntime['generate']>[2];

function heldOutPrompts(model: LoadedModel) {
  const pairs = preferencePairs().heldOut;
  const stopTokens = [model.tokenizer.id('<|im_end|>'), model.tokenizer.id('</s>')];
  return {
    pairs,
    prompts: pairs.map((p) => promptIds(model, p.prompt)),
    options: { maxNewTokens: REPLY_TOKENS, topK: 0, stopTokens },
    decode: (ids: number[]) => model.tokenizer.decode(ids, { skipSpecial: true }),
  };
}

/** Greedy replies to the first DEMO_PROMPTS held-out prompts. */
async function demoReplies(runtime: LmRuntime, model: LoadedModel, trained: Trained): Promise<DemoReply[]> {
  const { pairs, prompts, options, decode } = heldOutPrompts(model);
  const gens = await runtime.generate(prompts.slice(0, DEMO_PROMPTS), { ...options, temperature: 0, seed: 1 }, trained);
  return gens.map((g, i) => ({ prompt: pairs[i].prompt, reply: decode(g.ids), ...judgeReply(decode(g.ids), pairs[i]) }));
}

/** `perPrompt` replies to every held-out prompt at temperature 1, each from its own fixed seed. */
async function sampledReplies(runtime: LmRuntime, model: LoadedModel, trained: Trained, perPrompt = SAMPLES_PER_PROMPT): Promise<ReplyStats> {
  const { pairs, prompts, options, decode } = heldOutPrompts(model);
  let filler = 0;
  let correct = 0;
  let length = 0;
  for (let s = 0; s < perPrompt; s++) {
    // One seed per prompt and sample, far apart: the generator's first draws for neighbouring seeds are alike.
    const gens = await Promise.all(
      prompts.map((ids, i) => runtime.generate([ids], { ...options, temperature: 1, seed: 7919 * (s + 1) + 104729 * (i + 1) }, trained)),
    );
    gens.forEach(([g], i) => {
      const j = judgeReply(decode(g.ids), pairs[i]);
      filler += +j.filler;
      correct += +j.correct;
      length += g.ids.length;
    });
  }
  const n = pairs.length * perPrompt;
  return { filler: filler / n, correct: correct / n, length: length / n, samples: n };
}

export async function runPreferenceTuning(
  runtime: LmRuntime,
  model: LoadedModel,
  run: PreferenceRunConfig,
  evaluations: number,
  hooks: PreferenceHooks = {},
  samplesPerPrompt = SAMPLES_PER_PROMPT,
): Promise<PreferenceResult> {
  hooks.onPhase?.('before');
  const greedyBefore = await demoReplies(runtime, model, null);
  const sampledBefore = await sampledReplies(runtime, model, null, samplesPerPrompt);
  await hooks.tick?.();
  const t = await tune(runtime, model, run, evaluations, hooks);
  hooks.onPhase?.('after');
  const trained = { adapter: run.adapter, tensors: t.trained };
  const greedyAfter = await demoReplies(runtime, model, trained);
  const sampledAfter = await sampledReplies(runtime, model, trained, samplesPerPrompt);
  return {
    method: run.method,
    beta: run.beta,
    steps: run.steps,
    trainableParams: t.trainableParams,
    curve: t.curve,
    stepLosses: t.loop.stepLosses,
    stepsPerSecond: t.loop.trainingStepsPerSecond,
    referenceMs: t.referenceMs,
    trainingMs: (run.steps / t.loop.trainingStepsPerSecond) * 1000,
    before: { greedy: greedyBefore, sampled: sampledBefore },
    after: { greedy: greedyAfter, sampled: sampledAfter },
  };
}

/**
 * One run of the trainer on the loop: the evaluations (each with one sampled reply per held-out
 * prompt; the start one unless `evaluateStart` is false), the trained tensors.
 */
async function tune(
  runtime: LmRuntime,
  model: LoadedModel,
  run: PreferenceRunConfig,
  evaluations: number,
  hooks: PreferenceHooks,
  evaluateStart = true,
) {
  hooks.onPhase?.('reference');
  const trainer = await runtime.createPreferenceTrainer(run);
  // The first call (no steps, the start evaluation) also runs the reference pass: time it.
  let referenceMs = 0;
  let first = true;
  const timed = {
    ...trainer,
    async runSteps(count: number, evaluate: boolean): Promise<ChunkReport<PreferenceEvaluation>> {
      const t0 = performance.now();
      const r = await trainer.runSteps(count, evaluate);
      if (first) referenceMs = performance.now() - t0 - (r.evaluationMs ?? 0);
      first = false;
      return r;
    },
  };
  const curve: PreferencePoint[] = [];
  let trained: Map<string, Float32Array>;
  let loop: Awaited<ReturnType<typeof trainLoop<PreferenceEvaluation>>>;
  try {
    loop = await trainLoop(timed, {
      steps: run.steps,
      evalEvery: Math.max(1, Math.ceil(run.steps / evaluations)),
      evaluateStart,
      watch: (e) => [e.loss],
      tick: hooks.tick,
      onProgress: (done, losses) => {
        if (done === 0) return;
        hooks.onStep?.(done, losses);
      },
      onEvaluation: async (step, e) => {
        // At step 0 the adapter is the identity (B = 0): these are the model's own replies.
        const replies = await sampledReplies(runtime, model, { adapter: run.adapter, tensors: await trainer.trainables() }, 1);
        if (step === 0) hooks.onPhase?.('training');
        const point = { step, ...e, replies };
        curve.push(point);
        hooks.onPoint?.(point);
      },
    });
    trained = await trainer.trainables();
  } finally {
    trainer.destroy();
  }
  return { curve, loop, trained, referenceMs, trainableParams: trainer.trainableParams };
}

/** Where a beta sweep's run ended: its beta and its last evaluation. */
export interface BetaSweepPoint extends PreferencePoint {
  beta: number;
  /** Mean over the held-out pairs of the log-ratio margin, [log pi/pi_ref](chosen) - [log pi/pi_ref](rejected), in nats: the implicit reward margin without beta. */
  logRatioMargin: number;
}

/** The multiples of the chosen beta a sweep trains at (the chosen one included). */
export const BETA_SWEEP_FACTORS = [1 / 3, 1, 3, 10, 30] as const;

export function sweepPoint(beta: number, end: PreferencePoint): BetaSweepPoint {
  const margin = end.pairs.reduce((s, p) => s + (p.policyChosen - p.refChosen) - (p.policyRejected - p.refRejected), 0) / end.pairs.length;
  return { ...end, beta, logRatioMargin: margin };
}

/**
 * The same run at each beta of `betas`, evaluated at its end: how far the policy moves from the
 * reference (KL) against how much it learned to prefer the chosen replies (the log-ratio margin).
 */
export async function runBetaSweep(
  runtime: LmRuntime,
  model: LoadedModel,
  run: PreferenceRunConfig,
  betas: readonly number[],
  hooks: { tick?: () => Promise<void>; onRun?: (done: number, point: BetaSweepPoint) => void; onStep?: PreferenceHooks['onStep'] } = {},
): Promise<BetaSweepPoint[]> {
  const out: BetaSweepPoint[] = [];
  for (const beta of betas) {
    // Only the end is evaluated: every run starts from the same model.
    const t = await tune(runtime, model, { ...run, beta }, 1, { tick: hooks.tick, onStep: hooks.onStep }, false);
    out.push(sweepPoint(beta, t.curve[t.curve.length - 1]));
    hooks.onRun?.(out.length, out[out.length - 1]);
  }
  return out;
}
