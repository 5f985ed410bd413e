import { describe, expect, it } from 'vitest';
import { makeTask, type TaskConfig } from '../../../kernels/lora/task';
import { createCpuTrainer } from '../../../kernels/lora/trainer-cpu';
import { DEFAULT_TRAINER, type TrainerConfig } from '../../../kernels/lora/trainer';
import { trainLoop } from '../../../kernels/training/loop';
import { watchLosses } from '../../../kernels/lora/experiments';
import { decomposeUpdate, traceDecomposition } from '../../../kernels/lora/analysis';

/**
 * The measurements the LoRA and DoRA chapters state in prose ("What our runs measure", LoRA+,
 * the rank sweep's elbow), rerun on the CPU trainer with the chapters' settings: the default
 * 64 x 64 task of intrinsic rank 4, 300 Adam steps at lr 0.01, alpha 8, seed 1.
 */
async function heldOutAfter300(task: Partial<TaskConfig>, trainer: Partial<TrainerConfig>) {
  // The chapters' settings, spelled out so that a change of the widgets' defaults cannot move them silently.
  const config: TrainerConfig = { ...DEFAULT_TRAINER, lr: 0.01, alpha: 8, scaling: 'alpha/r', batch: 32, seed: 1, loraPlusRatio: 1, ...trainer };
  const taskConfig = { outFeatures: 64, inFeatures: 64, updateSize: 0.5, trainSize: 512, heldOutSize: 256, seed: 1, ...task };
  const { evaluations } = await trainLoop(createCpuTrainer(makeTask(taskConfig), config), { steps: 300, evalEvery: 300, watch: watchLosses });
  return { start: evaluations[0].evaluation.heldOut, end: evaluations[evaluations.length - 1].evaluation.heldOut };
}

const DIRECTION_ONLY = { intrinsicRank: 4, magnitudeMix: 0 };
const WITH_RESCALING = { intrinsicRank: 4, magnitudeMix: 0.3 };

describe('DoRA chapter: what our runs measure', () => {
  it('pure direction change: LoRA and DoRA at r = 4 both fit (0.26 -> below 1e-4); at r = 2 both stall above 1e-2', async () => {
    const lora4 = await heldOutAfter300(DIRECTION_ONLY, { method: 'lora', rank: 4 });
    const dora4 = await heldOutAfter300(DIRECTION_ONLY, { method: 'dora', rank: 4 });
    expect(lora4.start).toBeCloseTo(0.26, 2);
    expect(lora4.end).toBeLessThan(1e-4);
    expect(dora4.end).toBeLessThan(1e-4);
    const lora2 = await heldOutAfter300(DIRECTION_ONLY, { method: 'lora', rank: 2 });
    const dora2 = await heldOutAfter300(DIRECTION_ONLY, { method: 'dora', rank: 2 });
    expect(lora2.end).toBeGreaterThan(1e-2);
    expect(dora2.end).toBeGreaterThan(1e-2);
  }, 60_000);

  it('30% rescaling: LoRA r = 4 stalls above 1e-2, LoRA r = 64 gets below 1e-3, DoRA r = 4 below 1e-5', async () => {
    const lora4 = await heldOutAfter300(WITH_RESCALING, { method: 'lora', rank: 4 });
    const lora64 = await heldOutAfter300(WITH_RESCALING, { method: 'lora', rank: 64 });
    const dora4 = await heldOutAfter300(WITH_RESCALING, { method: 'dora', rank: 4 });
    expect(lora4.end).toBeGreaterThan(1e-2);
    expect(lora4.end).toBeLessThan(5e-2);
    expect(lora64.end).toBeLessThan(1e-3);
    expect(dora4.end).toBeLessThan(1e-5);
  }, 60_000);

  it('LoRA+ ratio 16 at lr 0.01 is worse than ratio 1 on the direction-only task (about 4e-4 vs below 1e-6)', async () => {
    const plain = await heldOutAfter300(DIRECTION_ONLY, { method: 'lora', rank: 4, loraPlusRatio: 1 });
    const plus = await heldOutAfter300(DIRECTION_ONLY, { method: 'lora', rank: 4, loraPlusRatio: 16 });
    expect(plain.end).toBeLessThan(1e-6);
    expect(plus.end).toBeGreaterThan(1e-4);
    expect(plus.end).toBeLessThan(1e-3);
  }, 60_000);
});

describe('LoRA chapter: the rank sweep elbow sits at the intrinsic rank', () => {
  it('rank 3 stays far above ranks 4 and 8 on a rank-4 task', async () => {
    const below = await heldOutAfter300(DIRECTION_ONLY, { method: 'lora', rank: 3 });
    const at = await heldOutAfter300(DIRECTION_ONLY, { method: 'lora', rank: 4 });
    const above = await heldOutAfter300(DIRECTION_ONLY, { method: 'lora', rank: 8 });
    expect(below.end).toBeGreaterThan(100 * at.end);
    expect(below.end).toBeGreaterThan(100 * above.end);
  }, 60_000);
});

describe('DoRA chapter: the magnitude/direction widget at its defaults', () => {
  it('LoRA r = 4 reaches the target direction change but about half its magnitude change; DoRA reaches both', async () => {
    const task = makeTask({ outFeatures: 64, inFeatures: 64, updateSize: 0.5, trainSize: 512, heldOutSize: 256, seed: 1, ...WITH_RESCALING });
    const target = decomposeUpdate(task.base, task.target, 64, 64);
    expect(target.magnitudeChange).toBeCloseTo(0.159, 3);
    expect(target.directionChange).toBeCloseTo(0.053, 3);
    const trace = async (method: 'lora' | 'dora') => {
      const config: TrainerConfig = {
        ...DEFAULT_TRAINER,
        method,
        rank: 4,
        lr: 0.01,
        alpha: 8,
        scaling: 'alpha/r',
        batch: 32,
        seed: 1,
        loraPlusRatio: 1,
      };
      const points = await traceDecomposition(createCpuTrainer(task, config), config, task, { steps: 300, every: 5 });
      return points[points.length - 1];
    };
    const lora = await trace('lora');
    expect(lora.directionChange).toBeGreaterThan(0.05);
    expect(lora.directionChange).toBeLessThan(0.06);
    expect(lora.magnitudeChange).toBeGreaterThan(0.07);
    expect(lora.magnitudeChange).toBeLessThan(0.1);
    const dora = await trace('dora');
    expect(Math.abs(dora.magnitudeChange - target.magnitudeChange)).toBeLessThan(1e-3);
    expect(Math.abs(dora.directionChange - target.directionChange)).toBeLessThan(1e-3);
  }, 60_000);
});
