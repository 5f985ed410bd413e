/**
 * Runs the fine-tuning experiments the chapters quote (kernels/lm/chapter-runs.ts) on the CPU with
 * the shipped model and writes their summaries to content/data/lm-runs.json.
 *
 *   npm run lm:runs                 # all of them (a few minutes)
 *   npm run lm:runs -- facts-dora   # some of them, merged into the existing file
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { prepareCpuGemm } from '../../kernels/linalg/gemm-cpu';
import { CHAPTER_RUN_NAMES, LM_RUNS_PATH, runChapterRecipe, type ChapterRunName, type RunSummary } from '../../kernels/lm/chapter-runs';
import { loadModelFiles } from '../../kernels/lm/model-files';
import { localRuntime } from '../../kernels/lm/runtime';
import { TINY_MODEL_DIR } from '../../kernels/lm/tiny-model';

await prepareCpuGemm();
const model = await loadModelFiles(async (n) => new Uint8Array(readFileSync(`${TINY_MODEL_DIR}/${n}`)));
const asked = process.argv.slice(2) as ChapterRunName[];
for (const name of asked) if (!CHAPTER_RUN_NAMES.includes(name)) throw new Error(`unknown run ${name}; known: ${CHAPTER_RUN_NAMES.join(', ')}`);
const names = asked.length ? asked : CHAPTER_RUN_NAMES;
const runs: Record<string, RunSummary> = existsSync(LM_RUNS_PATH) ? JSON.parse(readFileSync(LM_RUNS_PATH, 'utf8')) : {};
for (const name of names) {
  const t0 = performance.now();
  const s = await runChapterRecipe(localRuntime(model), model, name);
  runs[name] = s;
  const f = (p: [number, number]) => `${p[0].toFixed(3)} -> ${p[1].toFixed(3)}`;
  console.log(
    `${name} (${((performance.now() - t0) / 1000).toFixed(0)} s): task ${f(s.taskLoss)}, prompt ${f(s.promptLoss)}, pretrain ${f(s.pretrainLoss)}, success ${f(s.success)}`,
  );
}
const ordered = Object.fromEntries(CHAPTER_RUN_NAMES.filter((n) => runs[n]).map((n) => [n, runs[n]]));
mkdirSync('content/data', { recursive: true });
writeFileSync(LM_RUNS_PATH, `${JSON.stringify(ordered, null, 1)}\n`);
console.log(`wrote ${LM_RUNS_PATH}`);
