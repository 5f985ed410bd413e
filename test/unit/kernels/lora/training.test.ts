import { describe, expect, it } from 'vitest';
import { runRankSweep, runTraining } from '../../../../kernels/lora/experiments';
import { makeTask } from '../../../../kernels/lora/task';
import { DEFAULT_TRAINER } from '../../../../kernels/lora/trainer';
import { trainLoop } from '../../../../kernels/training/loop';
import { TrainingDiverged } from '../../../../kernels/training/trainer';
import { watchLosses } from '../../../../kernels/lora/experiments';
import { createCpuTrainer } from '../../../../kernels/lora/trainer-cpu';
import { numericRank } from '../../../../kernels/lora/reference';
import { prepareCpuGemm } from '../../../../kernels/linalg/gemm-cpu';

describe('the synthetic task', () => {
  it('a pure direction change W* - W0 has the intrinsic rank; a magnitude change makes it full rank', () => {
    const direction = makeTask({ intrinsicRank: 3, magnitudeMix: 0 });
    const diff = direction.target.map((v, i) => v - direction.base[i]);
    expect(numericRank(diff, 64, 64)).toBe(3);
    const mixed = makeTask({ intrinsicRank: 3, magnitudeMix: 0.3 });
    expect(
      numericRank(
        mixed.target.map((v, i) => v - mixed.base[i]),
        64,
        64,
      ),
    ).toBe(64);
  });
  it('the untrained loss is about updateSize^2 (rows of W0 have norm about 1)', async () => {
    const t = createCpuTrainer(makeTask({ updateSize: 0.5 }), DEFAULT_TRAINER);
    const { evaluation: losses } = await t.runSteps(0, true);
    expect(losses!.heldOut).toBeGreaterThan(0.25 * 0.7);
    expect(losses!.heldOut).toBeLessThan(0.25 * 1.3);
  });
});

describe('training on the CPU backend', () => {
  it('the loss falls on the default task: held-out loss below 1% of the untrained loss in 200 steps', async () => {
    const out = await runTraining({}, DEFAULT_TRAINER, 200, 50, createCpuTrainer);
    expect(out.curve.map((p) => p.step)).toEqual([0, 50, 100, 150, 200]);
    expect(out.finalHeldOut).toBeLessThan(0.01 * out.untrainedHeldOut);
    expect(out.trainableParams).toBe(4 * (64 + 64));
  });

  it('the WebAssembly matmul trains LoRA, DoRA and full fine-tuning to the same losses as the TypeScript one', async () => {
    const methods = [{ method: 'lora' }, { method: 'dora', detachNorm: false }, { method: 'full' }] as const;
    for (const method of methods) {
      const config = { ...DEFAULT_TRAINER, ...method, rank: 8, batch: 48 };
      const losses = async (wasm: boolean) => {
        expect(await prepareCpuGemm(wasm)).toBe(wasm);
        const trainer = createCpuTrainer(makeTask({ outFeatures: 40, inFeatures: 72 }), config);
        const { stepLosses, evaluation } = await trainer.runSteps(60, true);
        return [...stepLosses, evaluation!.heldOut];
      };
      const typescript = await losses(false);
      const wasm = await losses(true);
      await prepareCpuGemm(false);
      // float32 sums in another order: agreement to float32 rounding over 60 Adam steps.
      for (let i = 0; i < wasm.length; i++) expect(wasm[i], `${method.method}, entry ${i}`).toBeCloseTo(typescript[i], 5);
      expect(wasm.at(-1)!).toBeLessThan(0.5 * wasm[0]);
    }
  });

  it('runs are deterministic for a seed', async () => {
    const a = await runTraining({}, { ...DEFAULT_TRAINER, method: 'dora' }, 40, 20, createCpuTrainer);
    const b = await runTraining({}, { ...DEFAULT_TRAINER, method: 'dora' }, 40, 20, createCpuTrainer);
    expect(b.curve).toEqual(a.curve);
  });

  it('a learning rate far too high is reported as divergence', async () => {
    const trainer = createCpuTrainer(makeTask(), { ...DEFAULT_TRAINER, lr: 5 });
    await expect(trainLoop(trainer, { steps: 200, evalEvery: 20, watch: watchLosses })).rejects.toBeInstanceOf(TrainingDiverged);
  });

  it('QLoRA: an NF4 base costs loss before training, and the same adapter on the fp32 base ends lower', async () => {
    const out = await runTraining({}, { ...DEFAULT_TRAINER, base: 'nf4' }, 200, 100, createCpuTrainer);
    const q = out.quantization!;
    expect(q.baseOutputMse).toBeGreaterThan(0);
    expect(q.costBefore).toBeGreaterThan(0);
    expect(q.trainedNf4).toBeGreaterThan(q.trainedFp32);
    expect(q.untrainedFp32).toBeCloseTo(await untrainedHeldOut(), 6);
  });
});

async function untrainedHeldOut(): Promise<number> {
  return (await createCpuTrainer(makeTask(), DEFAULT_TRAINER).runSteps(0, true)).evaluation!.heldOut;
}

describe('rank sweep', () => {
  it('direction-only task of intrinsic rank 4: LoRA and DoRA at rank >= 4 end far below rank 3', async () => {
    const points = await runRankSweep({ intrinsicRank: 4 }, DEFAULT_TRAINER, ['lora', 'dora'], [2, 3, 4, 8], 200, createCpuTrainer);
    for (const method of ['lora', 'dora'] as const) {
      const at = (r: number) => points.find((p) => p.method === method && p.rank === r)!.finalHeldOut;
      expect(at(4)).toBeLessThan(0.01 * at(3));
      expect(at(8)).toBeLessThan(0.01 * at(3));
      expect(at(3)).toBeLessThan(at(2));
    }
  }, 60_000);

  it('with a magnitude change, DoRA at the intrinsic rank fits the task and LoRA does not', async () => {
    const points = await runRankSweep({ intrinsicRank: 4, magnitudeMix: 0.25 }, DEFAULT_TRAINER, ['lora', 'dora'], [4], 300, createCpuTrainer);
    const [lora, dora] = points;
    expect(dora.finalHeldOut).toBeLessThan(0.01 * lora.finalHeldOut);
  }, 60_000);
});
