/**
 * Blockwise 4-bit quantization, the CPU reference (and test oracle) for the WGSL kernels in
 * `nf4-gpu.ts`. It follows bitsandbytes 0.50 (`quantize_4bit` / `dequantize_4bit`, whose
 * plain-PyTorch version is in `bitsandbytes/backends/default/ops.py`; it finds the level with
 * `torch.bucketize` over the midpoints, argmin before 0.50, both as below):
 *
 *   absmax_b = max |w_i| over block b (blockSize consecutive weights, the last block may be short)
 *   code_i   = index of the level nearest to w_i * (1 / absmax_b)   (ties go to the lower level)
 *   w^_i     = levels[code_i] * absmax_b
 *
 * Codes are one per byte here (bitsandbytes packs two per byte; the GPU path packs eight per
 * u32). An all-zero block has absmax 0 and every weight gets the level nearest 0.
 */
import { NF4_LEVELS } from './levels';

export { NF4_LEVELS, INT4_LEVELS, FP4_LEVELS, FOUR_BIT_TYPES, type FourBitType } from './levels';

const f32 = Math.fround;

export interface Quantized {
  /** One code per weight: an index into the sorted levels. */
  codes: Uint8Array;
  /** One float32 scale per block. */
  absmax: Float32Array;
}

/**
 * Decision thresholds between neighbouring levels: the midpoints, in float32. A normalised
 * weight x gets the code k = number of thresholds t with x > t, i.e. the nearest level.
 */
export function levelThresholds(levels: Float32Array): Float32Array {
  checkLevels(levels);
  const t = new Float32Array(levels.length - 1);
  for (let k = 0; k < t.length; k++) t[k] = f32((levels[k] + levels[k + 1]) / 2);
  return t;
}

/** The code of normalised value x: binary search over the thresholds (x > t goes up). */
export function nearestCode(x: number, thresholds: Float32Array): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x > thresholds[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function blockCount(n: number, blockSize: number): number {
  return Math.ceil(n / blockSize);
}

export function quantizeBlockwise(w: Float32Array, blockSize: number, levels: Float32Array = NF4_LEVELS): Quantized {
  checkBlockSize(blockSize);
  const thresholds = levelThresholds(levels);
  const n = w.length;
  const blocks = blockCount(n, blockSize);
  const codes = new Uint8Array(n);
  const absmax = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const start = b * blockSize;
    const end = Math.min(n, start + blockSize);
    let m = 0;
    for (let i = start; i < end; i++) {
      const a = Math.abs(w[i]);
      if (!Number.isFinite(a)) throw new Error(`weight ${i} is ${w[i]}; only finite weights can be quantized`);
      if (a > m) m = a;
    }
    absmax[b] = m;
    // bitsandbytes multiplies by the float32 reciprocal rather than dividing.
    const inv = m > 0 ? f32(1 / m) : 0;
    for (let i = start; i < end; i++) {
      const x = Math.min(1, Math.max(-1, f32(w[i] * inv)));
      codes[i] = nearestCode(x, thresholds);
    }
  }
  return { codes, absmax };
}

export function dequantizeBlockwise(codes: Uint8Array, absmax: Float32Array, blockSize: number, levels: Float32Array = NF4_LEVELS): Float32Array {
  checkBlockSize(blockSize);
  checkLevels(levels);
  if (absmax.length !== blockCount(codes.length, blockSize)) {
    throw new Error(`${codes.length} codes in blocks of ${blockSize} need ${blockCount(codes.length, blockSize)} scales, got ${absmax.length}`);
  }
  const out = new Float32Array(codes.length);
  for (let b = 0; b < absmax.length; b++) {
    const scale = absmax[b];
    const end = Math.min(codes.length, (b + 1) * blockSize);
    for (let i = b * blockSize; i < end; i++) {
      const level = levels[codes[i]];
      if (level === undefined) throw new Error(`code ${codes[i]} at ${i} is outside the ${levels.length} levels`);
      out[i] = f32(level * scale);
    }
  }
  return out;
}

/** Mean squared error between a tensor and its reconstruction. */
export function meanSquaredError(w: Float32Array, reconstructed: Float32Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    const d = w[i] - reconstructed[i];
    s += d * d;
  }
  return s / w.length;
}

/** Signal-to-quantization-noise ratio in dB: 10 log10( sum w^2 / sum (w - w^)^2 ). Infinite for an exact reconstruction. */
export function sqnrDb(w: Float32Array, reconstructed: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < w.length; i++) {
    signal += w[i] * w[i];
    const d = w[i] - reconstructed[i];
    noise += d * d;
  }
  return 10 * Math.log10(signal / noise);
}

function checkBlockSize(blockSize: number): void {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`block size must be a positive integer, got ${blockSize}`);
}

function checkLevels(levels: Float32Array): void {
  if (levels.length < 2 || levels.length > 256) throw new Error(`a code book needs 2 to 256 levels, got ${levels.length}`);
  for (let k = 1; k < levels.length; k++) {
    if (!(levels[k] >= levels[k - 1])) throw new Error('levels must be sorted ascending');
  }
}
