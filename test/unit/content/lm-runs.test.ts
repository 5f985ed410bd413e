/**
 * The fine-tuning runs the chapters quote (content/data/lm-runs.json, written by `npm run lm:runs`):
 * every configured run is there with its recipe, one of them reproduces exactly when run again,
 * and every claim the chapters' text makes about them holds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareCpuGemm } from '../../../kernels/linalg/gemm-cpu';
import { CHAPTER_RUN_NAMES, chapterRecipe, LM_RUNS_PATH, runChapterRecipe, type RunSummary } from '../../../kernels/lm/chapter-runs';
import { loadModelFiles } from '../../../kernels/lm/model-files';
import { localRuntime } from '../../../kernels/lm/runtime';
import { packingStats } from '../../../kernels/lm/sft-figures';
import { TINY_MODEL_DIR } from '../../../kernels/lm/tiny-model';

const runs = JSON.parse(readFileSync(LM_RUNS_PATH, 'utf8')) as Record<string, RunSummary>;
const rise = (r: RunSummary) => r.pretrainLoss[1] - r.pretrainLoss[0];

describe('the recorded runs', () => {
  it('hold every configured run, with the recipe it is configured with', () => {
    expect(Object.keys(runs).sort()).toEqual([...CHAPTER_RUN_NAMES].sort());
    for (const name of CHAPTER_RUN_NAMES) expect(runs[name].recipe, name).toEqual(chapterRecipe(name));
  });

  it('reproduce: the default "new facts" run gives the same losses and replies again', async () => {
    await prepareCpuGemm();
    const model = await loadModelFiles(async (n) => new Uint8Array(readFileSync(`${TINY_MODEL_DIR}/${n}`)));
    const again = await runChapterRecipe(localRuntime(model), model, 'facts-masked');
    const recorded = runs['facts-masked'];
    for (const key of ['taskLoss', 'promptLoss', 'pretrainLoss'] as const)
      for (let i = 0; i < 2; i++) expect(again[key][i], key).toBeCloseTo(recorded[key][i], 5);
    expect(again.success).toEqual(recorded.success);
    expect(again.samples).toEqual(recorded.samples);
  }, 180_000);
});

describe('the SFT chapter’s claims about them', () => {
  it('fine-tuning teaches each task: success rises and the task loss falls', () => {
    for (const name of ['facts-masked', 'json-lr-3e-3', 'pirate-lora'] as const) {
      const r = runs[name];
      expect(r.success[1], name).toBeGreaterThan(r.success[0]);
      expect(r.taskLoss[1], name).toBeLessThan(r.taskLoss[0]);
    }
  });

  it('with the loss on every token, the prompt loss falls further than with the replies only', () => {
    const masked = runs['facts-masked'];
    const unmasked = runs['facts-unmasked'];
    expect(unmasked.promptLoss[1]).toBeLessThan(unmasked.promptLoss[0]);
    expect(unmasked.promptLoss[1]).toBeLessThan(masked.promptLoss[1]);
  });

  it('less data, or wrong replies, answer fewer held-out questions', () => {
    const s = (n: string) => runs[n].success[1];
    expect(s('facts-data-25')).toBeLessThan(s('facts-data-50'));
    expect(s('facts-data-50')).toBeLessThanOrEqual(s('facts-masked'));
    expect(s('facts-noisy-30')).toBeLessThan(s('facts-masked'));
  });

  it('too low a learning rate learns less; too high a one forgets more', () => {
    expect(runs['json-lr-3e-4'].success[1]).toBeLessThan(runs['json-lr-3e-3'].success[1]);
    expect(rise(runs['json-lr-3e-2'])).toBeGreaterThan(rise(runs['json-lr-3e-3']));
  });

  it('LoRA and full fine-tuning forget about the same at a similar task loss; lower rates forget less; replay cuts it most', () => {
    const pairs = [
      ['pirate-lora-low', 'pirate-full-low'],
      ['pirate-lora', 'pirate-full'],
    ] as const;
    for (const [lora, full] of pairs) {
      expect(Math.abs(runs[lora].taskLoss[1] - runs[full].taskLoss[1]), `${lora} vs ${full} task loss`).toBeLessThan(0.03);
      expect(Math.abs(rise(runs[lora]) - rise(runs[full])), `${lora} vs ${full}`).toBeLessThan(0.15 * Math.max(rise(runs[lora]), rise(runs[full])));
    }
    expect(rise(runs['pirate-lora-low'])).toBeLessThan(rise(runs['pirate-lora']));
    expect(rise(runs['pirate-full-low'])).toBeLessThan(rise(runs['pirate-full']));
    expect(rise(runs['pirate-full-replay'])).toBeLessThan(0.5 * rise(runs['pirate-full']));
    expect(runs['pirate-full-replay'].success[1]).toBeLessThan(runs['pirate-full'].success[1]);
    expect(runs['pirate-full'].trainableParams).toBe(runs['pirate-full'].modelParams);
  });

  it('packing saves a few percent of the rows on the JSON and pirate tasks and nothing on new facts', () => {
    for (const task of ['json', 'pirate'] as const) {
      const p = packingStats(task);
      expect(p.packedRows, task).toBeLessThan(p.paddedRows);
      expect(p.packedRows, task).toBeGreaterThan(0.85 * p.paddedRows);
      expect(p.meanTokens, task).toBeGreaterThan(80);
    }
    const facts = packingStats('facts');
    expect(facts.packedRows).toBe(facts.paddedRows);
  });
});

describe('the LoRA, DoRA and QLoRA chapters’ claims about them', () => {
  const success = (n: string) => runs[n].success[1];
  it('rank: 1 answers none, then 4 < 8 <= 32; rank 32 moves the pretraining loss more than rank 8', () => {
    expect(success('facts-rank-1')).toBe(0);
    expect(success('facts-rank-4')).toBeLessThan(success('facts-masked'));
    expect(success('facts-masked')).toBeLessThanOrEqual(success('facts-rank-32'));
    expect(rise(runs['facts-rank-32'])).toBeGreaterThan(rise(runs['facts-masked']));
  });
  it('DoRA ends where LoRA does on this task: same success, task losses within 0.01, one magnitude per output row more', () => {
    expect(success('facts-dora')).toBe(success('facts-masked'));
    expect(Math.abs(runs['facts-dora'].taskLoss[1] - runs['facts-masked'].taskLoss[1])).toBeLessThan(0.01);
    // 4 layers x (4 x 128 + 2 x 352 + 128) output rows
    expect(runs['facts-dora'].trainableParams - runs['facts-masked'].trainableParams).toBe(4 * (4 * 128 + 2 * 352 + 128));
  });
  it('QLoRA: the NF4 base moves the losses by about 1% before training; the adapter reaches the same success', () => {
    for (const key of ['taskLoss', 'pretrainLoss'] as const) {
      const q = runs['facts-qlora'][key][0];
      const b = runs['facts-masked'][key][0];
      expect(Math.abs(q - b) / b, key).toBeLessThan(0.015);
    }
    expect(success('facts-qlora')).toBe(success('facts-masked'));
    expect(Math.abs(runs['facts-qlora'].taskLoss[1] - runs['facts-masked'].taskLoss[1])).toBeLessThan(0.01);
  });
});
