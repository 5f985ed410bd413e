/** Measures the RLHF chapter's GRPO run on the CPU and writes content/data/lm-grpo-run.json: `npm run lm:grpo-run`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { prepareCpuGemm } from '../../kernels/linalg/gemm-cpu';
import { GRPO_RUN_PATH, measureGrpoRun } from '../../kernels/lm/grpo-runs';
import { loadModelFiles } from '../../kernels/lm/model-files';
import { TINY_MODEL_DIR } from '../../kernels/lm/tiny-model';

await prepareCpuGemm();
const model = await loadModelFiles(async (n) => new Uint8Array(readFileSync(`${TINY_MODEL_DIR}/${n}`)));
const summary = await measureGrpoRun(model);
writeFileSync(GRPO_RUN_PATH, `${JSON.stringify(summary, null, 1)}\n`);
console.log(JSON.stringify({ curve: summary.curve, before: summary.before, after: summary.after }));
