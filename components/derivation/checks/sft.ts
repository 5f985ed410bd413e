/**
 * Live checks beside the supervised fine-tuning chapter (content/chapters/sft.mdx), computed with
 * the tiny model's tokenizer and chat template and with the engine (kernels/lm/) on a small random
 * LLaMA, so each runs in a few milliseconds.
 */
import { createRng, type Rng } from '../../../kernels/random/rng';
import { tokenizeConversation } from '../../../kernels/lm/chat-template';
import { LINEAR_MODULES, linearShape, lmTrainableParams, modelParamCount } from '../../../kernels/lm/config';
import { finishRows, packRows, padRows, type Rows, type Sequence } from '../../../kernels/lm/data/batches';
import { SFT_TASK_IDS, sftTask } from '../../../kernels/lm/data/sft-tasks';
import { createCpuBackend } from '../../../kernels/lm/engine/cpu-backend';
import { buildModel } from '../../../kernels/lm/engine/program';
import { crossEntropy } from '../../../kernels/lm/ops/cpu';
import { SMALL_CONFIG, randomWeights } from '../../../kernels/lm/random-model';
import { CHATML_TEMPLATE, TINY_CONFIG } from '../../../kernels/lm/tiny-model';
import { Tokenizer } from '../../../kernels/lm/tokenizer';
import type { CheckFn } from '../types';
import { formatInteger, formatNumber } from './lora';

const tokenizer = Tokenizer.standard();
const FULL = {
  method: 'full' as const,
  base: 'fp32' as const,
  rank: 1,
  alpha: 1,
  scaling: 'alpha/r' as const,
  targets: [],
  loraPlusRatio: 1,
  seed: 1,
};

/** The summed weighted cross-entropy of `rows` through a small random model (weights normalised over all rows). */
function lossOf(rows: Rows, rng: Rng, segmentsAware = true): number {
  const seq = rows.seq;
  const r = finishRows(rows, rows.rows, 0);
  const be = createCpuBackend(SMALL_CONFIG);
  const m = buildModel(be, SMALL_CONFIG, randomWeights(SMALL_CONFIG, rng), FULL, { batch: r.rows, seq });
  be.write(m.inputs.tokens, r.tokens);
  be.write(m.inputs.targets, r.targets);
  be.write(m.inputs.weights, r.weights);
  // Naive packing: one segment per row and positions running on, so sequences see each other.
  be.write(m.inputs.positions, segmentsAware ? r.positions : Int32Array.from(r.positions, (_, i) => i % seq));
  be.write(m.inputs.segments, segmentsAware ? r.segments : Int32Array.from(r.segments, (_, i) => Math.floor(i / seq)));
  const rowLoss = be.f32(r.rows * seq);
  be.run([...m.forward(), ...m.loss(m.inputs.weights, rowLoss, false)]);
  let total = 0;
  for (const v of (rowLoss as unknown as { data: Float32Array }).data) total += v;
  return total;
}

/** Random sequences of token ids below the small model's vocabulary, with a loss mask on their second half. */
function randomSequences(rng: Rng, count: number): Sequence[] {
  return Array.from({ length: count }, () => {
    const n = 3 + rng.int(9);
    const ids = Array.from({ length: n }, () => 1 + rng.int(SMALL_CONFIG.vocab_size - 1));
    return { ids, lossMask: ids.map((_, i) => (i >= n / 2 ? 1 : 0)) };
  });
}

export const checks: Record<string, CheckFn> = {
  /** A training conversation in ChatML: the completion tokens are the reply, <|im_end|> and the newline. */
  'chatml-mask': (rng) => {
    const task = sftTask(SFT_TASK_IDS[rng.int(SFT_TASK_IDS.length)]);
    const example = task.train[rng.int(task.train.length)];
    const t = tokenizeConversation(tokenizer, CHATML_TEMPLATE, example.messages);
    const completion = tokenizer.decode(t.ids.filter((_, i) => t.completion[i]));
    const loss = t.completion.reduce((a, b) => a + b, 0);
    return {
      label: `“${example.messages[0].content}” in ChatML: tokens, and those that carry the loss`,
      value: `${t.ids.length} tokens, ${loss} with loss (“${completion.replace(/\n/g, '\\n')}”)`,
      ok: completion === `${example.messages[1].content}<|im_end|>\n` && t.promptLength + loss === t.ids.length,
    };
  },

  /** Weights m_t / sum(m) make the summed cross-entropy the mean over the tokens that count. */
  'masked-mean': (rng) => {
    const rows = 6 + rng.int(10);
    const vocab = 20;
    const seeded = createRng(rng.int(2 ** 31));
    const logits = seeded.normals(rows * vocab, 2);
    const targets = Int32Array.from({ length: rows }, () => seeded.int(vocab));
    const mask: number[] = Array.from({ length: rows }, () => (seeded.next() < 0.5 ? 1 : 0));
    mask[0] = 1;
    const count = mask.reduce((a, b) => a + b, 0);
    const weights = Float32Array.from(mask, (m) => m / count);
    const ce = new Float32Array(rows);
    const weighted = crossEntropy(null, logits, targets, weights, vocab, ce);
    let mean = 0;
    ce.forEach((v, i) => (mean += mask[i] ? v / count : 0));
    return {
      label: `${rows} positions, ${count} with loss: Σ w_t CE_t with w_t = m_t / Σm, against the mean CE over the masked-in positions`,
      value: `${formatNumber(weighted)} and ${formatNumber(mean)}`,
      ok: Math.abs(weighted - mean) < 1e-6 * Math.max(1, mean),
    };
  },

  /** Packing with restarted positions and per-sequence attention gives padding's loss in fewer rows. */
  'packing-equals-padding': (rng) => {
    const seqs = randomSequences(rng, 5 + rng.int(6));
    const seed = rng.int(2 ** 31);
    const packed = packRows(seqs, 16, 0);
    const padded = padRows(seqs, 16, 0);
    const a = lossOf(packed, createRng(seed));
    const b = lossOf(padded, createRng(seed));
    return {
      label: `${seqs.length} sequences: loss packed into ${packed.rows} rows of 16, against padded one per row (${padded.rows} rows)`,
      value: `${formatNumber(a)} and ${formatNumber(b)}`,
      ok: Math.abs(a - b) < 1e-5 * Math.max(1, b) && packed.rows < padded.rows,
    };
  },

  /** Without the per-sequence mask, packed sequences attend to each other and the loss changes. */
  'naive-packing-leaks': (rng) => {
    const seqs = randomSequences(rng, 6);
    const seed = rng.int(2 ** 31);
    const packed = packRows(seqs, 16, 0);
    const masked = lossOf(packed, createRng(seed));
    const naive = lossOf(packed, createRng(seed), false);
    return {
      label: 'the same packed rows: loss with per-sequence attention, and with one causal mask per row',
      value: `${formatNumber(masked)} and ${formatNumber(naive)}`,
      ok: Math.abs(masked - naive) > 1e-4,
    };
  },

  /** The tiny model's LoRA parameters: r (in + out) per adapted layer, four layers. */
  'tiny-lora-count': (rng) => {
    const rank = [2, 4, 8, 16, 32][rng.int(5)];
    const targets = LINEAR_MODULES.filter(() => rng.next() < 0.6);
    if (targets.length === 0) targets.push('v_proj');
    const count = lmTrainableParams(TINY_CONFIG, { method: 'lora', rank, targets });
    const byHand = targets.reduce((s, m) => s + rank * linearShape(TINY_CONFIG, m).reduce((a, b) => a + b, 0), 0) * TINY_CONFIG.num_hidden_layers;
    const total = modelParamCount(TINY_CONFIG);
    return {
      label: `tiny model, LoRA r = ${rank} on ${targets.join(', ')}: trainable parameters and their share of ${formatInteger(total)}`,
      value: `${formatInteger(count)} (${((100 * count) / total).toFixed(2)}%)`,
      ok: count === byHand,
    };
  },
};
