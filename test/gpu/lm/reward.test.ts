/** The reward-model trainer on WebGPU against the same trainer on the CPU, on the shipped model. */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../kernels/lm/engine/cpu-backend';
import { createGpuBackend } from '../../../kernels/lm/engine/gpu-backend';
import { fetchReader, loadModelFiles } from '../../../kernels/lm/model-files';
import { DEFAULT_REWARD_RECIPE, rewardRunConfigFor } from '../../../kernels/lm/recipe';
import { createRewardTrainer } from '../../../kernels/lm/reward-trainer';
import { maxRelDiff, testGpu } from '../gpu-setup';

describe('a reward model from the shipped model, GPU against CPU', () => {
  it('two steps of one pair give the same losses, held-out rewards and trained tensors (the head included)', async () => {
    const gpu = await testGpu();
    const model = await loadModelFiles(fetchReader('/models/tiny-llama'));
    const run = rewardRunConfigFor({ ...DEFAULT_REWARD_RECIPE, steps: 2, pairs: 1, lr: 3e-3, heldOut: 2 });
    const results = [];
    for (const be of [createCpuBackend(model.config), createGpuBackend(gpu, model.config)]) {
      const trainer = createRewardTrainer(be, model, run);
      const r = await trainer.runSteps(2, true);
      results.push({ losses: r.stepLosses, evaluation: r.evaluation!, params: await trainer.trainables() });
      trainer.destroy();
    }
    const [cpu, webgpu] = results;
    expect(maxRelDiff(webgpu.losses, cpu.losses)).toBeLessThan(1e-4);
    const rewards = (e: typeof cpu.evaluation) => Float32Array.from(e.pairs.flatMap((p) => [p.chosen, p.rejected]));
    expect(maxRelDiff(rewards(webgpu.evaluation), rewards(cpu.evaluation))).toBeLessThan(1e-3);
    expect(webgpu.params.size).toBe(cpu.params.size);
    for (const [name, p] of cpu.params) expect(maxRelDiff(webgpu.params.get(name)!, p), name).toBeLessThan(1e-3);
  });
});
