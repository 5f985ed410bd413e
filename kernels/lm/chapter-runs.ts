/**
 * The fine-tuning runs whose results the chapters quote (SFT, LoRA, DoRA, QLoRA). Each is a
 * recipe: DEFAULT_RECIPE with a few settings changed. `npm run lm:runs` runs them all on the CPU
 * and writes content/data/lm-runs.json, which the chapters read; the test suite runs some of them
 * again and requires the same numbers, and checks every claim the chapters make about them.
 */
import { runFineTuning, type FineTuneResult, type LmRuntime } from './experiment';
import type { LoadedModel } from './model-files';
import { DEFAULT_RECIPE, runConfigFor, type FineTuneRecipe } from './recipe';

/** Where `npm run lm:runs` writes the summaries. */
export const LM_RUNS_PATH = 'content/data/lm-runs.json';

export const CHAPTER_RUNS = {
  // SFT: loss on the replies only, or on every token.
  'facts-masked': { task: 'facts' },
  'facts-unmasked': { task: 'facts', completionOnly: false },
  // SFT: data quantity and quality.
  'facts-data-25': { task: 'facts', data: 0.25 },
  'facts-data-50': { task: 'facts', data: 0.5 },
  'facts-noisy-30': { task: 'facts', noisy: 0.3 },
  // SFT: learning rate.
  'json-lr-3e-4': { lr: 3e-4 },
  'json-lr-3e-3': {},
  'json-lr-3e-2': { lr: 3e-2 },
  // SFT: forgetting, full fine-tuning against LoRA, and replay.
  'pirate-lora-low': { task: 'pirate', lr: 1e-3 },
  'pirate-lora': { task: 'pirate' },
  'pirate-full-low': { task: 'pirate', method: 'full', lr: 1.5e-4 },
  'pirate-full': { task: 'pirate', method: 'full', lr: 5e-4 },
  'pirate-full-replay': { task: 'pirate', method: 'full', lr: 5e-4, replay: 0.5 },
  // LoRA: a rank sweep on the model.
  'facts-rank-1': { task: 'facts', rank: 1, alpha: 2 },
  'facts-rank-4': { task: 'facts', rank: 4, alpha: 8 },
  'facts-rank-32': { task: 'facts', rank: 32, alpha: 64 },
  // DoRA and QLoRA against LoRA on the same task.
  'facts-dora': { task: 'facts', method: 'dora' },
  'facts-qlora': { task: 'facts', method: 'qlora' },
} as const satisfies Record<string, Partial<FineTuneRecipe>>;

export type ChapterRunName = keyof typeof CHAPTER_RUNS;
export const CHAPTER_RUN_NAMES = Object.keys(CHAPTER_RUNS) as ChapterRunName[];

export function chapterRecipe(name: ChapterRunName): FineTuneRecipe {
  return { ...DEFAULT_RECIPE, ...(CHAPTER_RUNS[name] as Partial<FineTuneRecipe>) };
}

/** What a chapter quotes from a run: losses before and after, success rates, a few replies. */
export interface RunSummary {
  recipe: FineTuneRecipe;
  trainableParams: number;
  modelParams: number;
  epochs: number;
  taskLoss: [number, number];
  promptLoss: [number, number];
  pretrainLoss: [number, number];
  success: [number, number];
  heldOutQuestions: number;
  samples: { question: string; expected: string; before: string; after: string }[];
}

export function summarise(recipe: FineTuneRecipe, r: FineTuneResult): RunSummary {
  const first = r.curve[0];
  const last = r.curve[r.curve.length - 1];
  return {
    recipe,
    trainableParams: r.trainableParams,
    modelParams: r.modelParams,
    epochs: r.epochs,
    taskLoss: [first.taskLoss, last.taskLoss],
    promptLoss: [first.promptLoss, last.promptLoss],
    pretrainLoss: [first.pretrainLoss, last.pretrainLoss],
    success: [r.heldOutSuccessBefore, r.heldOutSuccessAfter],
    heldOutQuestions: r.heldOutQuestions,
    samples: r.before.map((b, i) => ({ question: b.question, expected: b.expected, before: b.reply, after: r.after[i].reply })),
  };
}

export async function runChapterRecipe(runtime: LmRuntime, model: LoadedModel, name: ChapterRunName): Promise<RunSummary> {
  const recipe = chapterRecipe(name);
  const result = await runFineTuning(runtime, model, recipe.task, runConfigFor(recipe), 4);
  return summarise(recipe, result);
}
