/** The preference trainer on WebGPU against the same trainer on the CPU, on the shipped model. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../kernels/lm/engine/cpu-backend';
import { createGpuBackend } from '../../../kernels/lm/engine/gpu-backend';
import { fetchReader, loadModelFiles } from '../../../kernels/lm/model-files';
import { createPreferenceTrainer, type PreferenceMethod } from '../../../kernels/lm/preference-trainer';
import { DEFAULT_PREFERENCE_RECIPE, preferenceRunConfigFor } from '../../../kernels/lm/recipe';
import { maxRelDiff, testGpu } from '../gpu-setup';

describe('preference tuning of the shipped model, GPU against CPU', () => {
  // DPO; KTO's extra rows run the same engine (its gradient is checked on the CPU in test/unit/kernels/lm/preference.test.ts).
  for (const method of ['dpo'] as PreferenceMethod[]) {
    it(`${method}: two steps of one pair give the same losses, held-out metrics and adapters`, async () => {
      const gpu = await testGpu();
      const model = await loadModelFiles(fetchReader('/models/tiny-llama'));
      const run = preferenceRunConfigFor({ ...DEFAULT_PREFERENCE_RECIPE, method, steps: 2, pairs: 1, lr: 1e-3, heldOut: 3 });
      const results = [];
      for (const be of [createCpuBackend(model.config), createGpuBackend(gpu, model.config)]) {
        const trainer = createPreferenceTrainer(be, model, run);
        await trainer.runSteps(0, false);
        const r = await trainer.runSteps(2, true);
        results.push({ losses: r.stepLosses, evaluation: r.evaluation!, params: await trainer.trainables() });
        trainer.destroy();
      }
      const [cpu, webgpu] = results;
      expect(maxRelDiff(webgpu.losses, cpu.losses)).toBeLessThan(1e-4);
      for (const key of ['loss', 'chosenLogp', 'rejectedLogp', 'margin'] as const) {
        expect(Math.abs(webgpu.evaluation[key] - cpu.evaluation[key]), key).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu.evaluation[key])));
      }
      expect(Math.abs(webgpu.evaluation.kl - cpu.evaluation.kl)).toBeLessThan(1e-4);
      for (const [name, p] of cpu.params) expect(maxRelDiff(webgpu.params.get(name)!, p), name).toBeLessThan(1e-3);
    });
  }
});
