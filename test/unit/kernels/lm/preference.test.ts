/**
 * Preference tuning of the tiny model: the data's rule, the gradient of a loss of sequence
 * log-probs taken through the engine's weighted cross-entropy (against finite differences, for
 * DPO and KTO), the start of a run (policy = reference), and the committed default run reproduced.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareCpuGemm } from '../../../../kernels/linalg/gemm-cpu';
import { judgeReply, preferencePairs, wrongSentence } from '../../../../kernels/lm/data/preference-pairs';
import { splitWorldQuestions } from '../../../../kernels/lm/data/questions';
import { createCpuBackend } from '../../../../kernels/lm/engine/cpu-backend';
import { buildModel, type AdapterConfig } from '../../../../kernels/lm/engine/program';
import { loadModelFiles } from '../../../../kernels/lm/model-files';
import { batchLoss, createPreferenceTrainer, type PreferenceMethod } from '../../../../kernels/lm/preference-trainer';
import { sequenceScorer } from '../../../../kernels/lm/sequence-scorer';
import { PREFERENCE_RUNS_PATH, runPreferenceRecipe, type PreferenceRunSummary } from '../../../../kernels/lm/preference-runs';
import { DEFAULT_PREFERENCE_RECIPE, preferenceRunConfigFor } from '../../../../kernels/lm/recipe';
import { SMALL_CONFIG, randomWeights } from '../../../../kernels/lm/random-model';
import { sampledGradientError } from '../../../shared/finite-differences';
import { TINY_MODEL_DIR } from '../../../../kernels/lm/tiny-model';
import { createRng } from '../../../../kernels/random/rng';

describe('the preference pairs', () => {
  const { train, heldOut } = preferencePairs();
  it('follow the rule: the chosen reply is the right sentence, the rejected one a wrong fact or filler before it', () => {
    expect(train.length).toBeGreaterThan(200);
    expect(heldOut.length).toBeGreaterThan(15);
    for (const p of [...train, ...heldOut]) {
      expect(judgeReply(p.chosen, p)).toEqual({ correct: true, filler: false });
      const rejected = judgeReply(p.rejected, p);
      expect(rejected, p.rejected).toEqual(p.flaw === 'filler' ? { correct: true, filler: true } : { correct: false, filler: false });
    }
    // Both flaws in both sets, and no held-out prompt among the training prompts.
    for (const set of [train, heldOut]) expect(new Set(set.map((p) => p.flaw))).toEqual(new Set(['wrong', 'filler']));
    const trainPrompts = new Set(train.map((p) => p.prompt));
    expect(heldOut.some((p) => trainPrompts.has(p.prompt))).toBe(false);
  });
  it('a wrong sentence changes the fact and only the fact (sums keep their operands)', () => {
    const all = splitWorldQuestions().train;
    const rng = createRng(3);
    for (const q of all) {
      const wrong = wrongSentence(q, all, rng);
      expect(wrong).not.toBe(q.sentence);
      expect(wrong.endsWith(q.sentence.slice(-1))).toBe(true);
      if (q.kind === 'sum') expect(wrong.split(' is ')[0]).toBe(q.sentence.split(' is ')[0]);
    }
  });
});

describe('the gradient of a loss of sequence log-probs, through the weighted cross-entropy', () => {
  const C = SMALL_CONFIG;
  const rng = createRng(11);
  const weights = randomWeights(C, rng);
  const adapter: AdapterConfig = { method: 'full', base: 'fp32', rank: 1, alpha: 1, scaling: 'alpha/r', targets: [], loraPlusRatio: 1, seed: 1 };
  const seqOf = (n: number, reply: number) => ({
    ids: Array.from({ length: n }, () => rng.int(C.vocab_size)),
    lossMask: Array.from({ length: n }, (_, i) => (i >= n - reply ? 1 : 0)),
  });
  // Chosen, rejected and (KTO) a mismatched sequence of one pair.
  const seqs = [seqOf(14, 5), seqOf(12, 6), seqOf(13, 4)];
  const ref = { chosen: [-19], rejected: [-23], mismatch: [-17] };
  const lengths = { chosen: [5], rejected: [6] };

  for (const method of ['dpo', 'kto', 'simpo', 'orpo'] as PreferenceMethod[]) {
    it(`${method}: sampled entries of every trainable tensor against central differences`, async () => {
      const be = createCpuBackend(C);
      const m = buildModel(be, C, weights, adapter, { batch: 3, seq: 16 });
      const scorer = sequenceScorer(be, m, 0);
      const lossOf = async () => {
        const { logps, rowMask } = await scorer.logps(seqs);
        const policy = { chosen: [logps[0]], rejected: [logps[1]], mismatch: [logps[2]] };
        return { ...batchLoss(method, 0.5, 0.3, policy, ref, lengths), rowMask };
      };
      const at = await lossOf();
      const d = [at.pairs[0].dPolicyChosen, at.pairs[0].dPolicyRejected, at.dMismatch[0]];
      scorer.backward(d, at.rowMask, []);
      const { worst, checked } = await sampledGradientError(m.trainables, async () => (await lossOf()).loss, rng, 2);
      expect(checked).toBeGreaterThan(20);
      expect(worst, `${checked} entries`).toBeLessThan(2e-2);
    });
  }
});

describe('preference tuning of the shipped model', async () => {
  // The committed runs were measured with the WebAssembly matmul, as the page's worker runs them.
  await prepareCpuGemm();
  const model = await loadModelFiles(async (n) => new Uint8Array(readFileSync(`${TINY_MODEL_DIR}/${n}`)));

  it('starts where the policy is the reference: DPO loss log 2, zero rewards, zero KL', async () => {
    const run = preferenceRunConfigFor({ ...DEFAULT_PREFERENCE_RECIPE, steps: 2, pairs: 2 });
    const trainer = createPreferenceTrainer(createCpuBackend(model.config), model, run);
    const start = (await trainer.runSteps(0, true)).evaluation!;
    expect(start.loss).toBeCloseTo(Math.log(2), 12);
    expect(start.margin).toBe(0);
    expect(start.kl).toBeCloseTo(0, 12);
    // The shipped model already ranks the pairs by likelihood: chosen replies are far more probable.
    expect(start.chosenLogp).toBeGreaterThan(start.rejectedLogp + 5);
    const after = await trainer.runSteps(2, true);
    expect(after.stepLosses[0]).toBeCloseTo(Math.log(2), 6);
    expect(after.evaluation!.kl).toBeGreaterThan(0);
    trainer.destroy();
  });

  it('reproduces the committed default DPO run, and what the chapter says of it', async () => {
    const committed = JSON.parse(readFileSync(PREFERENCE_RUNS_PATH, 'utf8')) as Record<string, PreferenceRunSummary>;
    const again = await runPreferenceRecipe(model, 'dpo');
    for (const key of ['loss', 'margin', 'accuracy', 'kl', 'chosenLogp', 'rejectedLogp'] as const) {
      expect(again.end[key], key).toBeCloseTo(committed.dpo.end[key], 4);
    }
    expect(again.after).toEqual(committed.dpo.after);
    // The default run: rewards order most held-out pairs, the filler goes, correctness holds.
    expect(again.end.accuracy).toBeGreaterThan(0.75);
    expect(again.end.loss).toBeLessThan(Math.log(2));
    expect(again.after.filler).toBeLessThan(again.before.filler / 2);
    expect(again.after.correct).toBeGreaterThanOrEqual(again.before.correct - 0.05);
    // A larger learning rate lowers the chosen replies' likelihood too; a larger still collapses the model.
    expect(committed['dpo-lr-1e-3'].end.chosenLogp).toBeLessThan(committed.dpo.start.chosenLogp);
    expect(committed['dpo-lr-3e-3'].after.correct).toBeLessThan(0.2);
    expect(committed['dpo-lr-3e-3'].end.kl).toBeGreaterThan(1);
    // Over 60 steps beta barely moves the KL (within 25% across 0.03 to 1) while the margin grows with it.
    const sweep = (['dpo-beta-0.03', 'dpo', 'dpo-beta-0.3', 'dpo-beta-1'] as const).map((k) => committed[k].end);
    const kls = sweep.map((e) => e.kl);
    expect(Math.max(...kls) / Math.min(...kls)).toBeLessThan(1.25);
    for (let i = 1; i < sweep.length; i++) expect(sweep[i].margin).toBeGreaterThan(sweep[i - 1].margin);
    // From beta = 1 up the loss saturates first: less KL, a smaller log-ratio margin, more filler left.
    const logRatioMargin = (e: PreferenceRunSummary['end']) =>
      e.pairs.reduce((t, p) => t + (p.policyChosen - p.refChosen) - (p.policyRejected - p.refRejected), 0) / e.pairs.length;
    const high = (['dpo-beta-1', 'dpo-beta-3', 'dpo-beta-10'] as const).map((k) => committed[k]);
    for (let i = 1; i < high.length; i++) {
      expect(high[i].end.kl).toBeLessThan(high[i - 1].end.kl);
      expect(logRatioMargin(high[i].end)).toBeLessThan(logRatioMargin(high[i - 1].end));
    }
    expect(high[2].end.kl).toBeLessThan(committed.dpo.end.kl / 3);
    expect(high[2].after.filler).toBeGreaterThan(committed.dpo.after.filler);
    // Length: the rejected replies are the longer ones here, and DPO shortens sampled replies; the collapse rambles.
    const mean = (k: 'chosenLength' | 'rejectedLength') => committed.dpo.start.pairs.reduce((t, p) => t + p[k], 0) / committed.dpo.start.pairs.length;
    expect(mean('rejectedLength')).toBeGreaterThan(mean('chosenLength'));
    expect(committed.dpo.after.length).toBeLessThan(committed.dpo.before.length);
    expect(committed['dpo-lr-3e-3'].after.length).toBeGreaterThan(2 * committed.dpo.before.length);
    // Every evaluation measured the sampled replies (one per held-out prompt).
    expect(committed.dpo.end.replies.samples).toBe(preferencePairs().heldOut.length);
    // SimPO and ORPO (no reference) order every held-out pair; ORPO's SFT term lifts the chosen replies most.
    expect(committed.simpo.end.accuracy).toBe(1);
    expect(committed.orpo.end.accuracy).toBe(1);
    const others = Object.entries(committed).filter(([k]) => k !== 'orpo');
    for (const [k, r] of others) expect(committed.orpo.end.chosenLogp, k).toBeGreaterThan(r.end.chosenLogp);
    // The reference pass costs a fraction of training: what precomputing saves per step is a forward pass.
    expect(committed.dpo.referenceMs).toBeLessThan(committed.dpo.trainingMs);
  }, 180_000);
});
