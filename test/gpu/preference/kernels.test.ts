import { describe, expect, it } from 'vitest';
import { submitOps } from '../../../kernels/gpu/compute-op';
import {
  createKtoReferencePointOp,
  createLogSoftmaxOp,
  createPreferenceLossOp,
  packCandidates,
  packExamples,
  preferenceConfigUniform,
} from '../../../kernels/preference/gpu-kernels';
import { ktoReferencePoint } from '../../../kernels/preference/losses';
import { DEFAULT_LOSS, LOSS_NAMES, dataFor, logSoftmaxBackward, lossAndLogpGradient, type LossConfig } from '../../../kernels/preference/objective';
import { createPreferenceTask, logSoftmaxRows } from '../../../kernels/preference/task';
import { createCpuTrainer } from '../../../kernels/preference/trainer-cpu';
import { policyLogp } from '../../../kernels/preference/policy';
import { createGpuTrainer } from '../../../kernels/preference/trainer-gpu';
import { createRng } from '../../../kernels/random/rng';
import { GpuScope } from '../../../kernels/gpu/scope';
import { maxRelDiff, testGpu } from '../gpu-setup';

const LOSSES: Record<(typeof LOSS_NAMES)[number], LossConfig> = {
  dpo: { ...DEFAULT_LOSS, loss: 'dpo', beta: 0.3 },
  ipo: { ...DEFAULT_LOSS, loss: 'ipo', beta: 0.3 },
  simpo: { ...DEFAULT_LOSS, loss: 'simpo', beta: 2, gamma: 0.8 },
  kto: { ...DEFAULT_LOSS, loss: 'kto', beta: 0.3, desirableWeight: 1.2, undesirableWeight: 0.7 },
};

describe('log-softmax kernel', () => {
  it('matches the CPU reference on random logits (K = 7, 300 prompts)', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const rng = createRng(4);
    const prompts = 300;
    const k = 7;
    const scores = rng.normals(prompts * k, 3);
    const refLogits = rng.normals(prompts * k, 2);
    const logp = scope.empty(prompts * k);
    const config = preferenceConfigUniform(scope, prompts, k, 1, DEFAULT_LOSS);
    submitOps(gpu, [createLogSoftmaxOp(scope, { config, scores: scope.upload(scores), refLogits: scope.upload(refLogits), logp }, prompts)]);
    const sum = scores.map((s, i) => s + refLogits[i]);
    expect(maxRelDiff(await gpu.read(logp, prompts * k), logSoftmaxRows(sum, prompts, k))).toBeLessThan(1e-5);
  });
});

describe('loss + gradient kernel against the CPU reference', () => {
  for (const name of LOSS_NAMES) {
    it(`${name}: loss and d loss / d logits`, async () => {
      const gpu = await testGpu();
      const scope = new GpuScope(gpu);
      const task = createPreferenceTask({ prompts: 40, candidates: 5, features: 6, labelNoise: 0.1, seed: 3 });
      const { candidates: k, features: d } = task.config;
      const table = task.train;
      const n = table.prompts * k;
      const loss = LOSSES[name];
      const data = dataFor(task, name);
      // A policy away from the reference, so every term of the loss is exercised.
      const theta = createRng(9).normals(d, 0.8);
      const logp = policyLogp(table, k, d, theta);

      const dLogp = new Float64Array(n);
      const cpu = lossAndLogpGradient(loss, table, data, k, logp, dLogp);
      const expected = new Float32Array(n);
      logSoftmaxBackward(logp, dLogp, table.prompts, k, expected);

      const config = preferenceConfigUniform(scope, table.prompts, k, data.count, loss);
      const buffers = {
        config,
        logp: scope.upload(logp),
        candidates: scope.upload(packCandidates(table.refLogp, table.lengths)),
        examples: scope.upload(packExamples(data)),
        promptStart: scope.upload(data.promptStart),
        stats: scope.empty(4),
        dLogits: scope.empty(n),
        lossPerPrompt: scope.empty(table.prompts),
      };
      const ops = [createPreferenceLossOp(scope, buffers, table.prompts)];
      if (name === 'kto') ops.unshift(createKtoReferencePointOp(scope, buffers));
      submitOps(gpu, ops);
      const got = await gpu.read(buffers.dLogits, n);
      const perPrompt = await gpu.read(buffers.lossPerPrompt, table.prompts);
      const gpuLoss = perPrompt.reduce((a, b) => a + b, 0);
      expect(Math.abs(gpuLoss - cpu.loss) / Math.max(1, cpu.loss)).toBeLessThan(1e-5);
      // Gradients are O(1/n); compare relative to their largest entry.
      const scale = Math.max(...expected.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      expect(
        maxRelDiff(
          got.map((v) => v / scale),
          expected.map((v) => v / scale),
        ),
      ).toBeLessThan(1e-4);
      if (name === 'kto') expect((await gpu.read(buffers.stats, 1))[0]).toBeCloseTo(cpu.kl, 5);
    });
  }
});

describe('KTO reference point kernel', () => {
  it('averages the mismatched log-ratios and clamps at zero', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const task = createPreferenceTask({ prompts: 30, candidates: 4, features: 5, seed: 8 });
    const { candidates: k, features: d } = task.config;
    const data = task.unpaired;
    for (const scale of [0, 1.5]) {
      const logp = policyLogp(task.train, k, d, createRng(2).normals(d, scale));
      const policyKl: number[] = [];
      const referenceKl: number[] = [];
      for (let p = 0; p < task.train.prompts; p++) {
        for (let i = data.promptStart[p]; i < data.promptStart[p + 1]; i++) {
          policyKl.push(logp[p * k + data.second[i]]);
          referenceKl.push(task.train.refLogp[p * k + data.second[i]]);
        }
      }
      const buffers = {
        config: preferenceConfigUniform(scope, task.train.prompts, k, data.count, LOSSES.kto),
        logp: scope.upload(logp),
        candidates: scope.upload(packCandidates(task.train.refLogp, task.train.lengths)),
        examples: scope.upload(packExamples(data)),
        stats: scope.empty(4),
      };
      submitOps(gpu, [createKtoReferencePointOp(scope, buffers)]);
      expect((await gpu.read(buffers.stats, 1))[0]).toBeCloseTo(ktoReferencePoint(policyKl, referenceKl), 5);
    }
  });
});

describe('GPU trainer against the CPU trainer', () => {
  for (const name of LOSS_NAMES) {
    it(`${name}: 150 Adam steps give the same parameters and loss`, async () => {
      const gpu = await testGpu();
      const task = createPreferenceTask({ prompts: 24, heldOutPrompts: 8, seed: 5, labelNoise: 0.1 });
      const options = { loss: LOSSES[name], adam: { lr: 0.05 } };
      const cpu = createCpuTrainer(task, options);
      const onGpu = createGpuTrainer(gpu, task, options);
      const c = await cpu.runSteps(150, true);
      const g = await onGpu.runSteps(150, true);
      const [cpuLoss, gpuLoss] = [c.stepLosses[149], g.stepLosses[149]];
      const [b, a] = [c.evaluation!.theta, g.evaluation!.theta];
      expect(Math.abs(gpuLoss - cpuLoss) / Math.max(1, Math.abs(cpuLoss))).toBeLessThan(1e-3);
      const scale = Math.max(1, ...b.map(Math.abs));
      expect(
        maxRelDiff(
          a.map((v) => v / scale),
          b.map((v) => v / scale),
        ),
      ).toBeLessThan(2e-3);
      onGpu.destroy();
    });
  }
});
