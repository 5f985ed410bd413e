/**
 * The transformer's ops, forward and backward, in plain TypeScript: the CPU fallback of the
 * engine and the oracle its WGSL kernels are tested against. Float32 storage, float64
 * accumulation inside a reduction. Layouts: activations are [rows, features] row-major with
 * rows = batch x sequence; q, k, v are [rows, heads * headDim] (head h in columns h*hd .. h*hd+hd-1);
 * attention probabilities are [batch, heads, T, T].
 *
 * The formulas follow transformers' modeling_llama.py (v4.46): RMSNorm in float32 with eps
 * inside the root, rotary embeddings with rotate_half (dimension i pairs with i + hd/2),
 * softmax(q k^T / sqrt(hd)) with a causal mask, down(silu(gate(x)) * up(x)).
 */

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

/**
 * Causal attention within segments: token i of a row attends to tokens j <= i of the same row
 * that have the same segment id (packed sequences do not see each other; padding is its own
 * segment). probs [B, H, T, T] (zero where masked), out [rows, H * hd].
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
  const width = heads * headDim;
  const scale = 1 / Math.sqrt(headDim);
  const scores = new Float64Array(seq);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < seq; i++) {
        const qi = (b * seq + i) * width + h * headDim;
        const seg = segments[b * seq + i];
        let max = -Infinity;
        for (let j = 0; j <= i; j++) {
          if (segments[b * seq + j] !== seg) {
            scores[j] = -Infinity;
            continue;
          }
          const kj = (b * seq + j) * width + h * headDim;
          let dot = 0;
          for (let c = 0; c < headDim; c++) dot += q[qi + c] * k[kj + c];
          scores[j] = dot * scale;
          if (scores[j] > max) max = scores[j];
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) {
          scores[j] = scores[j] === -Infinity ? 0 : Math.exp(scores[j] - max);
          sum += scores[j];
        }
        const p = ((b * heads + h) * seq + i) * seq;
        probs.fill(0, p, p + seq);
        for (let c = 0; c < headDim; c++) out[qi + c] = 0;
        for (let j = 0; j <= i; j++) {
          const pj = scores[j] / sum;
          probs[p + j] = pj;
          if (pj === 0) continue;
          const vj = (b * seq + j) * width + h * headDim;
          for (let c = 0; c < headDim; c++) out[qi + c] += pj * v[vj + c];
        }
      }
    }
  }
}

/**
 * With s = q k^T / sqrt(hd), p = softmax(s), o = p v:
 *   dv_j = sum_i p_ij do_i;  dp_ij = do_i . v_j;  ds_ij = p_ij (dp_ij - sum_j' p_ij' dp_ij');
 *   dq_i = sum_j ds_ij k_j / sqrt(hd);  dk_j = sum_i ds_ij q_i / sqrt(hd).
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
  const width = heads * headDim;
  const scale = 1 / Math.sqrt(headDim);
  dq.fill(0);
  dk.fill(0);
  dv.fill(0);
  const dp = new Float64Array(seq);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < seq; i++) {
        const oi = (b * seq + i) * width + h * headDim;
        const p = ((b * heads + h) * seq + i) * seq;
        let rowDot = 0;
        for (let j = 0; j <= i; j++) {
          const pij = probs[p + j];
          if (pij === 0) {
            dp[j] = 0;
            continue;
          }
          const vj = (b * seq + j) * width + h * headDim;
          let dot = 0;
          for (let c = 0; c < headDim; c++) {
            dot += dOut[oi + c] * v[vj + c];
            dv[vj + c] += pij * dOut[oi + c];
          }
          dp[j] = dot;
          rowDot += pij * dot;
        }
        for (let j = 0; j <= i; j++) {
          const pij = probs[p + j];
          if (pij === 0) continue;
          const ds = pij * (dp[j] - rowDot) * scale;
          const kj = (b * seq + j) * width + h * headDim;
          for (let c = 0; c < headDim; c++) {
            dq[oi + c] += ds * k[kj + c];
            dk[kj + c] += ds * q[oi + c];
          }
        }
      }
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
