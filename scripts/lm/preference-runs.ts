/**
 * Measures the DPO chapter's preference-tuning runs on the CPU and writes them to
 * content/data/lm-preference-runs.json: `npm run lm:preference-runs [names…]` (all when none).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { prepareCpuGemm } from '../../kernels/linalg/gemm-cpu';
import { loadModelFiles } from '../../kernels/lm/model-files';
import { PREFERENCE_RUNS, PREFERENCE_RUNS_PATH, runPreferenceRecipe, type PreferenceRunName } from '../../kernels/lm/preference-runs';
import { TINY_MODEL_DIR } from '../../kernels/lm/tiny-model';

await prepareCpuGemm();
const model = await loadModelFiles(async (n) => new Uint8Array(readFileSync(`${TINY_MODEL_DIR}/${n}`)));
const names = (process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PREFERENCE_RUNS)) as PreferenceRunName[];
for (const name of names) if (!(name in PREFERENCE_RUNS)) throw new Error(`no run named ${name}; runs: ${Object.keys(PREFERENCE_RUNS).join(', ')}`);
for (const name of names) {
  const summary = await runPreferenceRecipe(model, name);
  // Read again before writing: several invocations may run side by side.
  const runs = existsSync(PREFERENCE_RUNS_PATH) ? JSON.parse(readFileSync(PREFERENCE_RUNS_PATH, 'utf8')) : {};
  runs[name] = summary;
  const ordered = Object.fromEntries(
    Object.keys(PREFERENCE_RUNS)
      .filter((k) => k in runs)
      .map((k) => [k, runs[k]]),
  );
  writeFileSync(PREFERENCE_RUNS_PATH, `${JSON.stringify(ordered, null, 1)}\n`);
  console.log(name, JSON.stringify({ end: summary.end, before: summary.before, after: summary.after }));
}
