/**
 * Live checks beside the derivation steps of the QLoRA chapter (content/chapters/qlora-nf4.mdx).
 * Each draws a fresh random case from the reader's seed and measures one claim with the code in
 * kernels/nf4/ and kernels/quant/.
 */
import type { CheckFn, CheckResult } from '../types';
import { adamMomentBytes, nf4BitsPerParam } from '../../../kernels/memory/training-memory';
import { loraParamCount, loraTensorSizes } from '../../../kernels/lora/param-count';
import { ALL_LINEAR_MODULES, presetById } from '../../../kernels/models/presets';
import { BITSANDBYTES_NF4 } from '../../../kernels/nf4/bitsandbytes-tables';
import { doubleDequantize, doubleQuantize } from '../../../kernels/nf4/double-quant';
import { NF4_OFFSET, symmetricNormalLevels } from '../../../kernels/nf4/levels';
import { kbitUpcastExtraBytes, quantizedWeightMemory } from '../../../kernels/nf4/model-memory';
import {
  dequantizeBlockwise,
  INT4_LEVELS,
  levelThresholds,
  meanSquaredError,
  nearestCode,
  NF4_LEVELS,
  quantizeBlockwise,
} from '../../../kernels/nf4/nf4';
import { normalCdf, normalQuantile } from '../../../kernels/nf4/normal';
import { sampleWeights } from '../../../kernels/nf4/weights';
import { mergeErrors, sampleMergeCase } from '../../../kernels/nf4/merge';
import { compareComputeDtypes } from '../../../kernels/quant/compute-dtype';
import { createRng } from '../../../kernels/random/rng';

const fmt = (v: number, digits = 3) =>
  v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(digits) : v.toExponential(digits - 1);
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

function mseOf(w: Float32Array, levels: Float32Array, blockSize = 64): number {
  const q = quantizeBlockwise(w, blockSize, levels);
  return meanSquaredError(w, dequantizeBlockwise(q.codes, q.absmax, blockSize, levels));
}

export const checks: Record<string, CheckFn> = {
  /** Our computed level k equals bitsandbytes' hard-coded one. */
  'matches-bitsandbytes': (rng) => {
    const k = rng.int(16);
    let worst = 0;
    for (let i = 0; i < 16; i++) worst = Math.max(worst, Math.abs(NF4_LEVELS[i] - BITSANDBYTES_NF4[i]));
    return {
      label: `level ${k}: computed vs bitsandbytes; largest gap over all 16`,
      value: `${NF4_LEVELS[k].toPrecision(10)} vs ${BITSANDBYTES_NF4[k].toPrecision(10)}; ${worst === 0 ? '0 (bit for bit)' : fmt(worst)}`,
      ok: worst < 1e-7,
    };
  },

  /** Undoing the normalisation, the positive levels sit at evenly spaced probabilities. */
  'even-probabilities': (rng) => {
    const scale = normalQuantile(Math.fround(NF4_OFFSET));
    const i = 8 + rng.int(7); // a positive level below the top one
    const p = normalCdf(NF4_LEVELS[i] * scale);
    const pNext = normalCdf(NF4_LEVELS[i + 1] * scale);
    const step = (NF4_OFFSET - 0.5) / 8;
    return {
      label: `Φ(c·q${i + 1}) − Φ(c·q${i}), with c = Φ⁻¹(0.9677083); expected (0.9677083 − 0.5) / 8`,
      value: `${(pNext - p).toFixed(6)} vs ${step.toFixed(6)}`,
      ok: Math.abs(pNext - p - step) < 1e-5,
    };
  },

  /** The symmetric formula has no zero, so exact zeros come back non-zero; NF4 keeps them. */
  'symmetric-has-no-zero': (rng) => {
    const block = sampleWeights('normal', 64, rng);
    for (let i = 0; i < 16; i++) block[rng.int(64)] = 0; // pruned or padded weights
    const sym = symmetricNormalLevels();
    const zeroError = (levels: Float32Array) => {
      const q = quantizeBlockwise(block, 64, levels);
      const r = dequantizeBlockwise(q.codes, q.absmax, 64, levels);
      let worst = 0;
      block.forEach((w, j) => {
        if (w === 0) worst = Math.max(worst, Math.abs(r[j]));
      });
      return worst / q.absmax[0];
    };
    const symErr = zeroError(sym);
    const nf4Err = zeroError(NF4_LEVELS);
    return {
      label: 'exact zeros in a block come back as |ŵ| / absmax = … (symmetric formula vs NF4)',
      value: `${fmt(symErr)} vs ${fmt(nf4Err)}`,
      ok: symErr > 0.03 && nf4Err === 0,
    };
  },

  /** Thresholds at midpoints give the same code as searching all 16 levels for the nearest. */
  'nearest-level': (rng) => {
    const t = levelThresholds(NF4_LEVELS);
    let agree = 0;
    const trials = 1000;
    for (let n = 0; n < trials; n++) {
      const x = Math.fround(2 * rng.next() - 1);
      let best = 0;
      for (let k = 1; k < 16; k++) if (Math.abs(x - NF4_LEVELS[k]) < Math.abs(x - NF4_LEVELS[best])) best = k;
      if (nearestCode(x, t) === best) agree++;
    }
    return {
      label: 'random x in [−1, 1]: code from the midpoint thresholds vs brute-force nearest level',
      value: `${agree} / ${trials} agree`,
      ok: agree === trials,
    };
  },

  /** Each block's largest weight is stored exactly; every error is at most half a gap times absmax. */
  'absmax-block': (rng) => {
    const w = sampleWeights('normal', 64, rng);
    const q = quantizeBlockwise(w, 64, NF4_LEVELS);
    const r = dequantizeBlockwise(q.codes, q.absmax, 64, NF4_LEVELS);
    let widest = 0;
    for (let k = 1; k < 16; k++) widest = Math.max(widest, NF4_LEVELS[k] - NF4_LEVELS[k - 1]);
    let worst = 0;
    let maxKept = false;
    w.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - r[i]));
      if (Math.abs(v) === q.absmax[0]) maxKept = r[i] === v;
    });
    const bound = (widest / 2) * q.absmax[0];
    return {
      label: 'one block of 64: largest error vs the bound (half the widest gap × absmax); largest weight kept exactly?',
      value: `${fmt(worst)} <= ${fmt(bound)}; ${maxKept ? 'yes' : 'no'}`,
      ok: worst <= bound * (1 + 1e-6) && maxKept,
    };
  },

  /** Double quantization: bits per parameter for the scales, and how well the scales survive. */
  'double-quant': (rng) => {
    const w = sampleWeights('normal', 64 * 512, rng);
    const { absmax } = quantizeBlockwise(w, 64, NF4_LEVELS);
    const back = doubleDequantize(doubleQuantize(absmax));
    let worst = 0;
    absmax.forEach((a, i) => (worst = Math.max(worst, Math.abs(back[i] - a) / a)));
    const before = nf4BitsPerParam(false) - 4;
    const after = nf4BitsPerParam(true) - 4;
    return {
      label: 'scale bits per weight: plain vs double-quantized; worst relative error of 512 recovered scales',
      value: `${before} → ${after.toFixed(4)}; ${fmt(worst)}`,
      ok: before === 0.5 && Math.abs(after - 0.127) < 5e-4 && worst < 0.01,
    };
  },

  /** NF4 beats INT4 on normal blocks and loses on blocks crowded near +-absmax. */
  'nf4-vs-int4': (rng) => {
    const normal = sampleWeights('normal', 64 * 64, rng);
    const crowded = sampleWeights('crowded', 64 * 64, rng);
    const rn = mseOf(normal, INT4_LEVELS) / mseOf(normal, NF4_LEVELS);
    const rc = mseOf(crowded, INT4_LEVELS) / mseOf(crowded, NF4_LEVELS);
    return {
      label: 'MSE(INT4) / MSE(NF4): normal blocks, then blocks crowded near ±absmax',
      value: `${rn.toFixed(2)}, ${rc.toFixed(2)}`,
      ok: rn > 1 && rc < 1,
    };
  },

  /** Where float16 overflows: a float16 mean of squares and a stored value above 65504, not a float32-upcast RMSNorm. */
  'fp16-overflow': (rng) => {
    const r = compareComputeDtypes(rng);
    const shown = (v: number) => (v === Infinity ? '∞' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : fmt(v, 4));
    return {
      label:
        'hidden state (4096 wide, 4 channels of 750–1500) stored in float16: mean of x² computed in float16; ' +
        'largest |RMSNorm(x)| computed in float32 as transformers does; an output of 70,000 stored in float16, bfloat16',
      value: `${shown(r.meanSquareFloat16)}; ${shown(r.rmsNormFloat16Upcast)}; ${shown(r.largeOutputFloat16)}, ${shown(r.largeOutputBfloat16)}`,
      ok:
        r.meanSquareFloat16 === Infinity &&
        Number.isFinite(r.rmsNormFloat16Upcast) &&
        r.largeOutputFloat16 === Infinity &&
        Number.isFinite(r.largeOutputBfloat16),
    };
  },

  /** Small gradients vanish in float16 and survive in bfloat16. */
  'fp16-underflow': (rng) => {
    const r = compareComputeDtypes(rng);
    return {
      label: 'share of 10,000 gradients (magnitudes 10^N(−6, 1.5²)) that round to 0: float16, bfloat16',
      value: `${(100 * r.gradientsUnderflowFloat16).toFixed(1)}%, ${(100 * r.gradientsUnderflowBfloat16).toFixed(1)}%`,
      ok: r.gradientsUnderflowFloat16 > 0 && r.gradientsUnderflowBfloat16 === 0,
    };
  },

  /** Merging an adapter back into 4 bits re-rounds the whole matrix; into a bf16 copy it does not. */
  'merge-4bit': (rng) => {
    const { w, delta } = sampleMergeCase(rng);
    const e = mergeErrors(w, delta);
    return {
      label:
        '128×128 NF4 base, rank-8 update of 5% of |W|: change to the trained model, over |update|, when merging into ' +
        'the dequantized base in bf16; into the original 16-bit W; re-quantized to NF4',
      value: `${fmt(e.intoDequantizedBf16, 2)}; ${fmt(e.intoOriginalWeights, 3)}; ${fmt(e.requantizedNf4, 3)}`,
      ok: e.intoDequantizedBf16 < 0.1 && e.requantizedNf4 > 0.5 && e.intoOriginalWeights > 1,
    };
  },

  /** The QLoRA recipe's adapter on a preset: its size, Adam's moments in 32 and 8 bits, and the fp32 upcast. */
  'recipe-memory': (rng) => {
    const id = ['7b', '13b', '70b'][rng.int(3)];
    const model = presetById(id);
    const params = loraParamCount(model, 64, ALL_LINEAR_MODULES);
    const sizes = loraTensorSizes(model, 64, ALL_LINEAR_MODULES);
    const m32 = adamMomentBytes(sizes, 32);
    const m8 = adamMomentBytes(sizes, 8);
    return {
      label: `LLaMA-2-${id.toUpperCase()}, r = 64 on all seven linear modules: adapter parameters; Adam moments in 32-bit, 8-bit; extra memory of prepare_model_for_kbit_training's fp32 upcast`,
      value: `${(params / 1e6).toFixed(1)}M; ${gb(m32)}, ${gb(m8)}; ${gb(kbitUpcastExtraBytes(model))}`,
      ok: sizes.reduce((a, b) => a + b, 0) === params && m8 < m32 / 3.9 && m8 > m32 / 4.1,
    };
  },

  /** Weight memory of a preset in bf16, NF4 and NF4 with double quantization. */
  'model-memory': (rng) => {
    const id = ['7b', '13b', '70b'][rng.int(3)];
    const m = quantizedWeightMemory(presetById(id));
    return {
      label: `LLaMA-2-${id.toUpperCase()} weights: bf16, NF4, NF4 + double quantization`,
      value: `${gb(m.bf16Bytes)}, ${gb(m.nf4Bytes)}, ${gb(m.nf4DoubleQuantBytes)}`,
      ok: m.nf4DoubleQuantBytes < m.nf4Bytes && m.nf4Bytes < m.bf16Bytes / 3,
    };
  },
};

/** Used by the test suite: every check on a range of seeds. */
export function runAllChecks(seed: number): Record<string, CheckResult> {
  return Object.fromEntries(Object.entries(checks).map(([name, fn]) => [name, fn(createRng(seed))]));
}
