/** Measures the RLHF chapter's reward-model run on the CPU and writes content/data/lm-reward-run.json: `npm run lm:reward-run`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { prepareCpuGemm } from '../../kernels/linalg/gemm-cpu';
import { loadModelFiles } from '../../kernels/lm/model-files';
import { REWARD_RUN_PATH, measureRewardRun } from '../../kernels/lm/reward-runs';
import { TINY_MODEL_DIR } from '../../kernels/lm/tiny-model';

await prepareCpuGemm();
const model = await loadModelFiles(async (n) => new Uint8Array(readFileSync(`${TINY_MODEL_DIR}/${n}`)));
const summary = await measureRewardRun(model);
writeFileSync(REWARD_RUN_PATH, `${JSON.stringify(summary, null, 1)}\n`);
for (const p of summary.curve) {
  console.log(
    p.step,
    p.loss.toFixed(3),
    p.accuracy.toFixed(2),
    JSON.stringify(p.accuracyByFlaw),
    'train',
    p.trainAccuracy.toFixed(2),
    p.margin.toFixed(2),
  );
}
console.log(`${summary.stepsPerSecond} steps/s`);
