import { describe, expect, it } from 'vitest';
import { makeTask } from '../../../kernels/lora/task';
import { DEFAULT_TRAINER, type TrainerConfig } from '../../../kernels/lora/trainer';
import { createCpuTrainer } from '../../../kernels/lora/trainer-cpu';
import { createGpuTrainer, type GpuTrainerOptions } from '../../../kernels/lora/trainer-gpu';
import { FUSED_STEPS_PER_DISPATCH, fusedStepFits } from '../../../kernels/lora/fused-step';
import { GPU_CPU_TOLERANCE } from '../../../kernels/lora/tolerance';
import { nf4BitsPerParam } from '../../../kernels/memory/training-memory';
import { maxRelDiff, testGpu } from '../gpu-setup';

const STEPS = 40;

// LoRA at these sizes runs as the fused step; 'unfused' cases keep the separate dispatches.
const cases: [string, Partial<TrainerConfig>, number, GpuTrainerOptions?][] = [
  ['LoRA', { method: 'lora' }, 0],
  ['LoRA, unfused step', { method: 'lora' }, 0, { fuse: false }],
  ['LoRA+ (ratio 8), rsLoRA scaling', { method: 'lora', loraPlusRatio: 8, scaling: 'rslora', rank: 8 }, 0],
  ['DoRA, norm detached', { method: 'dora' }, 0.4],
  ['DoRA, norm differentiated', { method: 'dora', detachNorm: false }, 0.4],
  ['DoRA, unfused step', { method: 'dora', detachNorm: false }, 0.4, { fuse: false }],
  ['full fine-tuning', { method: 'full', lr: 0.003 }, 0.4],
  ['QLoRA: LoRA on an NF4 base', { method: 'lora', base: 'nf4' }, 0],
  ['QLoRA, unfused step', { method: 'lora', base: 'nf4' }, 0, { fuse: false }],
  ['QDoRA: DoRA on an NF4 base, batch wrapping the data', { method: 'dora', base: 'nf4', batch: 48 }, 0.4],
];

describe('the WebGPU trainer follows the CPU trainer', () => {
  for (const [name, override, magnitudeMix, options] of cases) {
    it(`${name}: ${STEPS} steps, losses and parameters within tolerance`, async () => {
      const gpu = await testGpu();
      const task = makeTask({ magnitudeMix, trainSize: 256, heldOutSize: 128 });
      const config = { ...DEFAULT_TRAINER, ...override };
      const cpu = createCpuTrainer(task, config);
      const onGpu = createGpuTrainer(gpu, task, config, options);
      expect(onGpu.trainableParams).toBe(cpu.trainableParams);
      const before = [await cpu.runSteps(0, true), await onGpu.runSteps(0, true)];
      expect(relDiff(before[1].evaluation!.heldOut, before[0].evaluation!.heldOut)).toBeLessThan(1e-5);
      // Two chunks, so the step counter and the history offset carry over between submissions.
      const c = [await cpu.runSteps(STEPS / 2, false), await cpu.runSteps(STEPS / 2, true)];
      const g = [await onGpu.runSteps(STEPS / 2, false), await onGpu.runSteps(STEPS / 2, true)];
      const cpuLosses = [...c[0].stepLosses, ...c[1].stepLosses];
      const gpuLosses = [...g[0].stepLosses, ...g[1].stepLosses];
      for (let i = 0; i < STEPS; i++) expect(relDiff(gpuLosses[i], cpuLosses[i])).toBeLessThan(GPU_CPU_TOLERANCE.loss);
      expect(cpuLosses[STEPS - 1]).toBeLessThan(cpuLosses[0]);
      expect(relDiff(g[1].evaluation!.train, c[1].evaluation!.train)).toBeLessThan(GPU_CPU_TOLERANCE.loss);
      expect(relDiff(g[1].evaluation!.heldOut, c[1].evaluation!.heldOut)).toBeLessThan(GPU_CPU_TOLERANCE.loss);
      const pc = await cpu.parameters();
      const pg = await onGpu.parameters();
      for (const key of ['a', 'b', 'magnitude', 'weight'] as const) {
        expect(pg[key].length).toBe(pc[key].length);
        expect(maxRelDiff(pg[key], pc[key])).toBeLessThan(GPU_CPU_TOLERANCE.parameters);
      }
      onGpu.destroy();
    });
  }
});

describe('the fused LoRA and DoRA steps are the unfused ones', () => {
  for (const [name, override] of [
    ['LoRA+', { method: 'lora', loraPlusRatio: 4 }],
    ['DoRA, norm detached', { method: 'dora' }],
    ['DoRA+, norm differentiated', { method: 'dora', detachNorm: false, loraPlusRatio: 4 }],
  ] as const)
    it(`${name}: odd sizes (29 in, 37 out, rank 3, batch 5 wrapping 61 rows), chunks that span several dispatches`, async () => {
      const gpu = await testGpu();
      const task = makeTask({ inFeatures: 29, outFeatures: 37, intrinsicRank: 2, magnitudeMix: 0.4, trainSize: 61, heldOutSize: 17 });
      const config = { ...DEFAULT_TRAINER, rank: 3, batch: 5, ...override };
      expect(fusedStepFits(config.method as 'lora' | 'dora', { batch: 5, inFeatures: 29, outFeatures: 37, rank: 3 })).toBe(true);
      const fused = createGpuTrainer(gpu, task, config);
      const unfused = createGpuTrainer(gpu, task, config, { fuse: false });
      const chunks = [1, 2 * FUSED_STEPS_PER_DISPATCH + 3, 19];
      const losses = { fused: [] as number[], unfused: [] as number[] };
      let last: { fused: number; unfused: number } | null = null;
      for (const count of chunks) {
        const f = await fused.runSteps(count, true);
        const u = await unfused.runSteps(count, true);
        losses.fused.push(...f.stepLosses);
        losses.unfused.push(...u.stepLosses);
        last = { fused: f.evaluation!.heldOut, unfused: u.evaluation!.heldOut };
      }
      const steps = chunks.reduce((x, y) => x + y);
      expect(losses.fused).toHaveLength(steps);
      for (let i = 0; i < steps; i++) expect(relDiff(losses.fused[i], losses.unfused[i]), `step ${i}`).toBeLessThan(GPU_CPU_TOLERANCE.loss);
      expect(losses.fused[steps - 1]).toBeLessThan(losses.fused[0] / 2);
      expect(relDiff(last!.fused, last!.unfused)).toBeLessThan(GPU_CPU_TOLERANCE.loss);
      const [pf, pu] = [await fused.parameters(), await unfused.parameters()];
      for (const key of ['a', 'b', 'magnitude'] as const) expect(maxRelDiff(pf[key], pu[key])).toBeLessThan(GPU_CPU_TOLERANCE.parameters);
      fused.destroy();
      unfused.destroy();
    });

  it('steps whose activations overflow its workgroup memory, or with many inputs, keep the unfused ops', () => {
    for (const method of ['lora', 'dora'] as const) {
      expect(fusedStepFits(method, { batch: 32, inFeatures: 64, outFeatures: 64, rank: 4 }), method).toBe(true);
      expect(fusedStepFits(method, { batch: 128, inFeatures: 64, outFeatures: 64, rank: 4 }), method).toBe(false);
      expect(fusedStepFits(method, { batch: 8, inFeatures: 4096, outFeatures: 64, rank: 4 }), method).toBe(false);
    }
    expect(fusedStepFits('lora', { batch: 32, inFeatures: 64, outFeatures: 64, rank: 8 })).toBe(true);
    expect(fusedStepFits('dora', { batch: 32, inFeatures: 64, outFeatures: 64, rank: 8 })).toBe(false);
  });
});

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

describe('the frozen base on the GPU takes the bytes the QLoRA chapter counts', () => {
  it('fp32: 4 bytes per weight; NF4: 4 bits per weight plus a float32 scale per 64-weight block (4.5 bits)', async () => {
    const gpu = await testGpu();
    const task = makeTask({ trainSize: 64, heldOutSize: 32 });
    const weights = task.config.outFeatures * task.config.inFeatures;
    for (const [base, bytes] of [
      ['fp32', 4 * weights],
      ['nf4', (weights * nf4BitsPerParam(false, 64)) / 8],
    ] as const) {
      const trainer = createGpuTrainer(gpu, task, { ...DEFAULT_TRAINER, base });
      expect(trainer.frozenBaseBytes, base).toBe(bytes);
      expect(createCpuTrainer(task, { ...DEFAULT_TRAINER, base }).frozenBaseBytes, `${base} on the CPU`).toBe(bytes);
      trainer.destroy();
    }
  });
});
