/**
 * The transformer's ops, forward and backward, in TypeScript: the CPU fallback of the engine and
 * the oracle its WGSL kernels are tested against (themselves checked against PyTorch autograd).
 * Float32 storage, float64 accumulation inside a reduction; the matmuls inside attention use the
 * CPU matmul (linalg/gemm-cpu.ts). Layouts: activations are [rows, features] row-major with
 * rows = batch x sequence; q, k, v are [rows, heads * headDim] (head h in columns h*hd .. h*hd+hd-1);
 * attention probabilities are [batch, heads, T, T].
 *
 * The formulas follow transformers' modeling_llama.py (v4.46): RMSNorm in float32 with eps
 * inside the root, rotary embeddings with rotate_half (dimension i pairs with i + hd/2),
 * softmax(q k^T / sqrt(hd)) with a causal mask, down(silu(gate(x)) * up(x)).
 */

import { gemmCpu } from '../../linalg/gemm-cpu';

export function embedForward(out: Float32Array, table: Float32Array, tokens: Int32Array, d: number): void {
  for (let r = 0; r < tokens.length; r++) out.set(table.subarray(tokens[r] * d, tokens[r] * d + d), r * d);
}

/** dTable[token] += dOut[row], for every row. */
export function embedBackward(dTable: Float32Array, dOut: Float32Array, tokens: Int32Array, d: number): void {
  for (let r = 0; r < tokens.length; r++) {
    const t = tokens[r] * d;
    const o = r * d;
    for (let j = 0; j < d; j++) dTable[t + j] += dOut[o + j];
  }
}

/** y = w * x / sqrt(mean(x^2) + eps), per row; keeps 1/sqrt(...) per row in `rstd` for the backward pass. */
export function rmsnormForward(out: Float32Array, rstd: Float32Array, x: Float32Array, w: Float32Array, rows: number, d: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let ss = 0;
    for (let j = 0; j < d; j++) ss += x[o + j] * x[o + j];
    const s = 1 / Math.sqrt(ss / d + eps);
    rstd[r] = s;
    for (let j = 0; j < d; j++) out[o + j] = w[j] * (x[o + j] * s);
  }
}

/**
 * With x^ = x r: dx += r (g - x^ mean(g x^)) where g = dy w, and dw += sum over rows of dy x^
 * (dw may be null when the norm is frozen). dx is accumulated: the residual stream adds it.
 */
export function rmsnormBackward(
  dx: Float32Array,
  dw: Float32Array | null,
  dOut: Float32Array,
  x: Float32Array,
  w: Float32Array,
  rstd: Float32Array,
  rows: number,
  d: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    const s = rstd[r];
    let dot = 0;
    for (let j = 0; j < d; j++) dot += dOut[o + j] * w[j] * x[o + j] * s;
    const mean = dot / d;
    for (let j = 0; j < d; j++) {
      const xh = x[o + j] * s;
      dx[o + j] += s * (dOut[o + j] * w[j] - xh * mean);
      if (dw) dw[j] += dOut[o + j] * xh;
    }
  }
}

/** inv_freq as LlamaRotaryEmbedding computes it in float32: 1 / theta^(2i / hd). */
export function ropeInverseFrequencies(headDim: number, theta: number): Float32Array {
  const f = Math.fround;
  return Float32Array.from({ length: headDim / 2 }, (_, i) => f(1 / f(Math.pow(theta, f((2 * i) / headDim)))));
}

/** cos and sin of position * inv_freq, [positions, hd/2], rounded to float32 as torch computes them. */
export function ropeTables(maxPosition: number, headDim: number, theta: number): { cos: Float32Array; sin: Float32Array } {
  const inv = ropeInverseFrequencies(headDim, theta);
  const half = headDim / 2;
  const cos = new Float32Array(maxPosition * half);
  const sin = new Float32Array(maxPosition * half);
  for (let p = 0; p < maxPosition; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * inv[i]);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * Rotates each head's pairs (i, i + hd/2) by position * inv_freq[i], in place:
 * x_i' = x_i cos - x_{i+h} sin, x_{i+h}' = x_{i+h} cos + x_i sin (HF's q*cos + rotate_half(q)*sin).
 * `inverse` rotates back (the backward pass multiplies the gradient by the transposed rotation).
 */
export function rope(
  x: Float32Array,
  positions: Int32Array,
  tables: { cos: Float32Array; sin: Float32Array },
  heads: number,
  headDim: number,
  inverse = false,
): void {
  const half = headDim / 2;
  const width = heads * headDim;
  const sign = inverse ? -1 : 1;
  for (let r = 0; r < positions.length; r++) {
    const t = positions[r] * half;
    for (let h = 0; h < heads; h++) {
      const o = r * width + h * headDim;
      for (let i = 0; i < half; i++) {
        const c = tables.cos[t + i];
        const s = sign * tables.sin[t + i];
        const a = x[o + i];
        const b = x[o + i + half];
        x[o + i] = a * c - b * s;
        x[o + i + half] = b * c + a * s;
      }
    }
  }
}

/** Copies head h of rows b*seq .. b*seq+seq-1 of x ([rows, heads*hd]) into dst ([seq, hd]), or back when `scatter`. */
function headBlock(x: Float32Array, dst: Float32Array, b: number, h: number, seq: number, heads: number, headDim: number, scatter = false): void {
  const width = heads * headDim;
  for (let t = 0; t < seq; t++) {
    const o = (b * seq + t) * width + h * headDim;
    if (scatter) x.set(dst.subarray(t * headDim, (t + 1) * headDim), o);
    else dst.set(x.subarray(o, o + headDim), t * headDim);
  }
}

/**
 * Causal attention within segments: token i of a row attends to tokens j <= i of the same row
 * that have the same segment id (packed sequences do not see each other; padding is its own
 * segment). probs [B, H, T, T] (zero where masked), out [rows, H * hd]. Per batch row and head,
 * S = Q K^T / sqrt(hd) and O = P V are matmuls.
 */
export function attentionForward(
  out: Float32Array,
  probs: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  segments: Int32Array,
  batch: number,
  seq: number,
  heads: number,
  headDim: number,
): void {
  const scale = 1 / Math.sqrt(headDim);
  const [qh, kh, vh, oh] = [0, 0, 0, 0].map(() => new Float32Array(seq * headDim));
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      headBlock(q, qh, b, h, seq, heads, headDim);
      headBlock(k, kh, b, h, seq, heads, headDim);
      headBlock(v, vh, b, h, seq, heads, headDim);
      const p = probs.subarray((b * heads + h) * seq * seq, (b * heads + h + 1) * seq * seq);
      gemmCpu(qh, kh, seq, headDim, seq, { transB: true, alpha: scale }, p);
      for (let i = 0; i < seq; i++) {
        const row = i * seq;
        const seg = segments[b * seq + i];
        let max = -Infinity;
        for (let j = 0; j <= i; j++) if (segments[b * seq + j] === seg && p[row + j] > max) max = p[row + j];
        let sum = 0;
        for (let j = 0; j < seq; j++) {
          const e = j <= i && segments[b * seq + j] === seg ? Math.exp(p[row + j] - max) : 0;
          p[row + j] = e;
          sum += e;
        }
        for (let j = 0; j <= i; j++) p[row + j] /= sum;
      }
      gemmCpu(p, vh, seq, seq, headDim, {}, oh);
      headBlock(out, oh, b, h, seq, heads, headDim, true);
    }
  }
}

/**
 * With s = q k^T / sqrt(hd), p = softmax(s), o = p v:
 *   dv = p^T do;  dp = do v^T;  ds_ij = p_ij (dp_ij - sum_j' p_ij' dp_ij') / sqrt(hd);
 *   dq = ds k;  dk = ds^T q.
 * dq, dk, dv are overwritten.
 */
export function attentionBackward(
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  dOut: Float32Array,
  probs: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  batch: number,
  seq: number,
  heads: number,
  headDim: number,
): void {
  const scale = 1 / Math.sqrt(headDim);
  const [qh, kh, vh, doh, gh] = [0, 0, 0, 0, 0].map(() => new Float32Array(seq * headDim));
  const ds = new Float32Array(seq * seq);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      headBlock(q, qh, b, h, seq, heads, headDim);
      headBlock(k, kh, b, h, seq, heads, headDim);
      headBlock(v, vh, b, h, seq, heads, headDim);
      headBlock(dOut, doh, b, h, seq, heads, headDim);
      const p = probs.subarray((b * heads + h) * seq * seq, (b * heads + h + 1) * seq * seq);
      gemmCpu(p, doh, seq, seq, headDim, { transA: true }, gh);
      headBlock(dv, gh, b, h, seq, heads, headDim, true);
      gemmCpu(doh, vh, seq, headDim, seq, { transB: true }, ds);
      for (let i = 0; i < seq; i++) {
        const row = i * seq;
        let rowDot = 0;
        for (let j = 0; j <= i; j++) rowDot += p[row + j] * ds[row + j];
        for (let j = 0; j < seq; j++) ds[row + j] = p[row + j] === 0 ? 0 : p[row + j] * (ds[row + j] - rowDot) * scale;
      }
      gemmCpu(ds, kh, seq, seq, headDim, {}, gh);
      headBlock(dq, gh, b, h, seq, heads, headDim, true);
      gemmCpu(ds, qh, seq, seq, headDim, { transA: true }, gh);
      headBlock(dk, gh, b, h, seq, heads, headDim, true);
    }
  }
}

/** out = silu(gate) * up, silu(g) = g / (1 + e^-g). */
export function swigluForward(out: Float32Array, gate: Float32Array, up: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const g = gate[i];
    out[i] = (g / (1 + Math.exp(-g))) * up[i];
  }
}

/** dUp = dOut silu(g); dGate = dOut up sigma(g) (1 + g (1 - sigma(g))). */
export function swigluBackward(dGate: Float32Array, dUp: Float32Array, dOut: Float32Array, gate: Float32Array, up: Float32Array): void {
  for (let i = 0; i < dOut.length; i++) {
    const g = gate[i];
    const s = 1 / (1 + Math.exp(-g));
    dUp[i] = dOut[i] * g * s;
    dGate[i] = dOut[i] * up[i] * s * (1 + g * (1 - s));
  }
}

/**
 * Weighted next-token cross-entropy: loss = sum_r w_r (logsumexp(z_r) - z_r[target_r]), and
 * dLogits_r = w_r (softmax(z_r) - onehot(target_r)). Weights carry the loss mask and the
 * normalisation (1 / number of counted tokens), so a batch's loss is their weighted sum.
 * Rows with weight 0 get a zero gradient. Returns the loss; `rowLoss` (optional) gets each row's
 * unweighted cross-entropy.
 */
export function crossEntropy(
  dLogits: Float32Array | null,
  logits: Float32Array,
  targets: Int32Array,
  weights: Float32Array,
  vocab: number,
  rowLoss?: Float32Array,
): number {
  let loss = 0;
  for (let r = 0; r < targets.length; r++) {
    const o = r * vocab;
    let max = -Infinity;
    for (let j = 0; j < vocab; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < vocab; j++) sum += Math.exp(logits[o + j] - max);
    const lse = max + Math.log(sum);
    const ce = lse - logits[o + targets[r]];
    if (rowLoss) rowLoss[r] = ce;
    const w = weights[r];
    loss += w * ce;
    if (!dLogits) continue;
    if (w === 0) {
      dLogits.fill(0, o, o + vocab);
      continue;
    }
    for (let j = 0; j < vocab; j++) dLogits[o + j] = w * Math.exp(logits[o + j] - lse);
    dLogits[o + targets[r]] -= w;
  }
  return loss;
}
