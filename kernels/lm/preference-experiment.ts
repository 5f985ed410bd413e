/**
 * One preference-tuning run of the tiny model as the page shows it: replies to the held-out
 * prompts before (greedy, and sampled at temperature 1 to measure how often the model breaks the
 * rule), the run on the training loop (held-out loss, rewards, accuracy, KL), the same replies
 * after. The runtime supplies the trainer and the generator (experiment.ts's LmRuntime).
 */
import { trainLoop } from '../training/loop';
import type { ChunkReport } from '../training/trainer';
import { judgeReply, preferencePairs } from './data/preference-pairs';
import { promptIds, REPLY_TOKENS, type LmRuntime } from './experiment';
import type { LoadedModel } from './model-files';
import type { PreferenceEvaluation, PreferenceRunConfig } from './preference-trainer';

/** Samples per held-out prompt at temperature 1. */
export const SAMPLES_PER_PROMPT = 4;
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

async function replies(runtime: LmRuntime, model: LoadedModel, trained: Trained): Promise<{ greedy: DemoReply[]; sampled: ReplyStats }> {
  const pairs = preferencePairs().heldOut;
  const stopTokens = [model.tokenizer.id('<|im_end|>'), model.tokenizer.id('</s>')];
  const base = { maxNewTokens: REPLY_TOKENS, topK: 0, stopTokens };
  const prompts = pairs.map((p) => promptIds(model, p.prompt));
  const decode = (ids: number[]) => model.tokenizer.decode(ids, { skipSpecial: true });
  const greedyGens = await runtime.generate(prompts.slice(0, DEMO_PROMPTS), { ...base, temperature: 0, seed: 1 }, trained);
  const greedy = greedyGens.map((g, i) => ({ prompt: pairs[i].prompt, reply: decode(g.ids), ...judgeReply(decode(g.ids), pairs[i]) }));
  let filler = 0;
  let correct = 0;
  let length = 0;
  for (let s = 0; s < SAMPLES_PER_PROMPT; s++) {
    // One seed per prompt and sample, far apart: the generator's first draws for neighbouring seeds are alike.
    const gens = await Promise.all(
      prompts.map((ids, i) => runtime.generate([ids], { ...base, temperature: 1, seed: 7919 * (s + 1) + 104729 * (i + 1) }, trained)),
    );
    gens.forEach(([g], i) => {
      const j = judgeReply(decode(g.ids), pairs[i]);
      filler += +j.filler;
      correct += +j.correct;
      length += g.ids.length;
    });
  }
  const n = pairs.length * SAMPLES_PER_PROMPT;
  return { greedy, sampled: { filler: filler / n, correct: correct / n, length: length / n, samples: n } };
}

export async function runPreferenceTuning(
  runtime: LmRuntime,
  model: LoadedModel,
  run: PreferenceRunConfig,
  evaluations: number,
  hooks: PreferenceHooks = {},
): Promise<PreferenceResult> {
  hooks.onPhase?.('before');
  const before = await replies(runtime, model, null);
  await hooks.tick?.();

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
      watch: (e) => [e.loss],
      tick: hooks.tick,
      onProgress: (done, losses) => {
        if (done === 0) return;
        hooks.onStep?.(done, losses);
      },
      onEvaluation: (step, e) => {
        if (step === 0) hooks.onPhase?.('training');
        const point = { step, ...e };
        curve.push(point);
        hooks.onPoint?.(point);
      },
    });
    trained = await trainer.trainables();
  } finally {
    trainer.destroy();
  }

  hooks.onPhase?.('after');
  const after = await replies(runtime, model, { adapter: run.adapter, tensors: trained });
  return {
    method: run.method,
    beta: run.beta,
    steps: run.steps,
    trainableParams: trainer.trainableParams,
    curve,
    stepLosses: loop.stepLosses,
    stepsPerSecond: loop.trainingStepsPerSecond,
    referenceMs,
    trainingMs: (run.steps / loop.trainingStepsPerSecond) * 1000,
    before,
    after,
  };
}
