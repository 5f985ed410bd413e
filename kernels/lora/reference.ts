/**
 * CPU reference for one linear layer y = W x adapted by LoRA, DoRA or full fine-tuning.
 * It is the fallback trainer, the oracle for the WGSL kernels and the code the chapters call.
 *
 * Layout (PyTorch's): every matrix is row-major; a weight is stored (out, in); a batch of
 * inputs X is (n, in) and the outputs Y = X W^T are (n, out).
 *
 *   LoRA  (Hu et al. 2021; PEFT `lora/layer.py`):   Y = X W0^T + s (X A^T) B^T
 *         A is (r, in), kaiming-uniform U(-1/sqrt(in), 1/sqrt(in)); B is (out, r), zeros.
 *         s = alpha / r, or alpha / sqrt(r) for rsLoRA (Kalajdzievski 2023).
 *   DoRA  (Liu et al. 2024; PEFT `lora/dora.py`):   V = W0 + s B A,  n_i = ||V_i||_2 (row i),
 *         W' = diag(m / n) V,  Y = X W'^T.  m starts at the row norms of W0.  PEFT computes
 *         torch.linalg.norm(V, dim=1): one norm per output feature, i.e. per row of the stored
 *         (out, in) matrix, which is the paper's column-wise norm of its (in, out) W.  The
 *         paper (section 4.3) and PEFT treat n as a constant in the backward pass.
 *   Full  Y = X W^T with W trainable.
 *
 * Loss: mean squared error over all n * out outputs (PyTorch's MSELoss, reduction 'mean').
 *
 * Every function multiplies with `matmulCpu` (float64 accumulation) unless given another matmul:
 * the CPU trainer passes the fast float32 `gemmCpu`, the tests and chapters keep the oracle.
 */
import { matmulCpu, type Matmul } from '../linalg/matmul';
import type { Rng } from '../random/rng';

export type AdaptMethod = 'lora' | 'dora' | 'full';
export type ScalingRule = 'alpha/r' | 'rslora';

/** Shapes of one adapted layer and one batch. */
export interface LayerDims {
  outFeatures: number;
  inFeatures: number;
  rank: number;
}

/** The adapter scale s: alpha / r (LoRA) or alpha / sqrt(r) (rsLoRA). */
export function loraScaling(alpha: number, rank: number, rule: ScalingRule): number {
  if (!(rank >= 1)) throw new Error(`rank must be at least 1, got ${rank}`);
  return rule === 'rslora' ? alpha / Math.sqrt(rank) : alpha / rank;
}

/**
 * PEFT's initialisation of lora_A: nn.init.kaiming_uniform_(a=sqrt(5)), whose bound is
 * gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + 5)), i.e. exactly 1 / sqrt(in).
 */
export function initLoraA(rank: number, inFeatures: number, rng: Rng): Float32Array {
  const bound = 1 / Math.sqrt(inFeatures);
  const a = new Float32Array(rank * inFeatures);
  for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) * bound;
  return a;
}

/** lora_B starts at zero, so the adapted layer equals the base layer at step 0. */
export function initLoraB(outFeatures: number, rank: number): Float32Array {
  return new Float32Array(outFeatures * rank);
}

// ---------------------------------------------------------------------------------------
// Dense helpers.

/** L2 norm of each row of a (rows x cols) matrix: torch.linalg.norm(W, dim=1). */
export function rowNorms(w: Float32Array, rows: number, cols: number): Float32Array {
  const n = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let acc = 0;
    for (let j = 0; j < cols; j++) acc += w[i * cols + j] ** 2;
    n[i] = Math.sqrt(acc);
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// Loss.

/** MSE over every output, and its gradient G = dL/dY = 2 (Y - T) / (n * out). */
export function mseWithGrad(y: Float32Array, target: Float32Array): { loss: number; grad: Float32Array } {
  const grad = new Float32Array(y.length);
  let sum = 0;
  const scale = 2 / y.length;
  for (let i = 0; i < y.length; i++) {
    const d = y[i] - target[i];
    sum += d * d;
    grad[i] = scale * d;
  }
  return { loss: sum / y.length, grad };
}

export function mseLoss(y: Float32Array, target: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (y[i] - target[i]) ** 2;
  return sum / y.length;
}

// ---------------------------------------------------------------------------------------
// Merging: the weight a deployed model would hold.

/** W0 + s B A: LoRA's merged weight (PEFT `merge`), so inference pays no extra latency. */
export function mergeLora(
  w0: Float32Array,
  a: Float32Array,
  b: Float32Array,
  scaling: number,
  dims: LayerDims,
  matmul: Matmul = matmulCpu,
): Float32Array {
  const ba = matmul(b, a, dims.outFeatures, dims.rank, dims.inFeatures);
  const merged = new Float32Array(w0.length);
  for (let i = 0; i < w0.length; i++) merged[i] = w0[i] + scaling * ba[i];
  return merged;
}

/** m / ||W0 + s B A||_row times (W0 + s B A): DoRA's merged weight. Also returns V and n. */
export function mergeDora(
  w0: Float32Array,
  a: Float32Array,
  b: Float32Array,
  magnitude: Float32Array,
  scaling: number,
  dims: LayerDims,
  matmul: Matmul = matmulCpu,
): { merged: Float32Array; direction: Float32Array; norms: Float32Array } {
  const direction = mergeLora(w0, a, b, scaling, dims, matmul);
  const norms = new Float32Array(dims.outFeatures);
  const merged = new Float32Array(direction.length);
  doraRowsForward(merged, norms, direction, magnitude, dims.outFeatures, dims.inFeatures);
  return { merged, direction, norms };
}

/** W' = diag(m / n) V with n = ||V||_row (one norm per output feature, PEFT's dim=1), into `weight` and `norms`. */
export function doraRowsForward(
  weight: Float32Array,
  norms: Float32Array,
  direction: Float32Array,
  magnitude: Float32Array,
  rows: number,
  cols: number,
): void {
  for (let i = 0; i < rows; i++) {
    let acc = 0;
    for (let j = 0; j < cols; j++) acc += direction[i * cols + j] ** 2;
    norms[i] = Math.sqrt(acc);
    const k = magnitude[i] / norms[i];
    for (let j = 0; j < cols; j++) weight[i * cols + j] = k * direction[i * cols + j];
  }
}

// ---------------------------------------------------------------------------------------
// Forward passes (unmerged, as during training).

/** Y = X W^T: the base layer, and full fine-tuning's forward. */
export function linearForward(
  w: Float32Array,
  x: Float32Array,
  batch: number,
  inFeatures: number,
  outFeatures: number,
  matmul: Matmul = matmulCpu,
): Float32Array {
  return matmul(x, w, batch, inFeatures, outFeatures, { transB: true });
}

/** LoRA: Y = X W0^T + s (X A^T) B^T. Also returns H = X A^T, which the backward pass reuses. */
export function loraForward(
  w0: Float32Array,
  a: Float32Array,
  b: Float32Array,
  scaling: number,
  x: Float32Array,
  batch: number,
  dims: LayerDims,
  matmul: Matmul = matmulCpu,
): { y: Float32Array; h: Float32Array } {
  const { outFeatures: out, inFeatures: inf, rank } = dims;
  const y = matmul(x, w0, batch, inf, out, { transB: true });
  const h = matmul(x, a, batch, inf, rank, { transB: true });
  matmul(h, b, batch, rank, out, { transB: true, alpha: scaling, beta: 1 }, y);
  return { y, h };
}

/**
 * DoRA as PEFT runs it unmerged: Z = X W0^T + s (X A^T) B^T = X V^T, then each output feature
 * is rescaled, Y[k, i] = Z[k, i] * m_i / n_i, with n the row norms of V = W0 + s B A.
 */
export function doraForward(
  w0: Float32Array,
  a: Float32Array,
  b: Float32Array,
  magnitude: Float32Array,
  scaling: number,
  x: Float32Array,
  batch: number,
  dims: LayerDims,
): { y: Float32Array; norms: Float32Array } {
  const { outFeatures: out, inFeatures: inf } = dims;
  const z = loraForward(w0, a, b, scaling, x, batch, dims).y;
  const direction = mergeLora(w0, a, b, scaling, dims);
  const norms = rowNorms(direction, out, inf);
  const y = new Float32Array(z.length);
  for (let k = 0; k < batch; k++) {
    for (let i = 0; i < out; i++) y[k * out + i] = z[k * out + i] * (magnitude[i] / norms[i]);
  }
  return { y, norms };
}

// ---------------------------------------------------------------------------------------
// Hand-derived gradients. G = dL/dY (batch x out).

/**
 * Gradients of a low-rank branch s (X A^T) B^T given dL/d(branch output) = G:
 *   dB = s G^T H          (out x r),  H = X A^T
 *   dA = s (G B)^T X      (r x in)
 * B = 0 at init makes dA = 0 on the first step: only B moves first.
 */
export function lowRankGradients(
  g: Float32Array,
  h: Float32Array,
  x: Float32Array,
  b: Float32Array,
  scaling: number,
  batch: number,
  dims: LayerDims,
  matmul: Matmul = matmulCpu,
): { dA: Float32Array; dB: Float32Array } {
  const { outFeatures: out, inFeatures: inf, rank } = dims;
  const dB = matmul(g, h, out, batch, rank, { transA: true, alpha: scaling });
  const gb = matmul(g, b, batch, out, rank);
  const dA = matmul(gb, x, rank, batch, inf, { transA: true, alpha: scaling });
  return { dA, dB };
}

export interface LoraGradients {
  loss: number;
  dA: Float32Array;
  dB: Float32Array;
}

/** Loss and gradients of LoRA on one batch (targets T, batch x out). */
export function loraGradients(
  w0: Float32Array,
  a: Float32Array,
  b: Float32Array,
  scaling: number,
  x: Float32Array,
  target: Float32Array,
  batch: number,
  dims: LayerDims,
  matmul: Matmul = matmulCpu,
): LoraGradients {
  const { y, h } = loraForward(w0, a, b, scaling, x, batch, dims, matmul);
  const { loss, grad } = mseWithGrad(y, target);
  return { loss, ...lowRankGradients(grad, h, x, b, scaling, batch, dims, matmul) };
}

export interface DoraGradients extends LoraGradients {
  dMagnitude: Float32Array;
}

/**
 * Backward through W' = diag(m / n) V, row by row, given dW' = dL/dW'. With c_i = <dW'_i, V_i>:
 *   dm_i = c_i / n_i
 *   dV_i = (m_i / n_i) dW'_i                           norm detached (paper section 4.3, PEFT)
 *   dV_i = (m_i / n_i) dW'_i - (m_i c_i / n_i^3) V_i     norm differentiated (dn_i/dV_i = V_i / n_i)
 * The WGSL kernel `doraBackwardRows` computes the same thing, one workgroup per row.
 */
export function doraBackwardRows(
  dWeight: Float32Array,
  direction: Float32Array,
  magnitude: Float32Array,
  norms: Float32Array,
  outFeatures: number,
  inFeatures: number,
  detachNorm = true,
  into?: { dDirection: Float32Array; dMagnitude: Float32Array },
): { dDirection: Float32Array; dMagnitude: Float32Array } {
  const dDirection = into?.dDirection ?? new Float32Array(outFeatures * inFeatures);
  const dMagnitude = into?.dMagnitude ?? new Float32Array(outFeatures);
  for (let i = 0; i < outFeatures; i++) {
    const row = i * inFeatures;
    let c = 0;
    for (let j = 0; j < inFeatures; j++) c += dWeight[row + j] * direction[row + j];
    dMagnitude[i] = c / norms[i];
    const keep = magnitude[i] / norms[i];
    const normTerm = detachNorm ? 0 : (magnitude[i] * c) / norms[i] ** 3;
    for (let j = 0; j < inFeatures; j++) dDirection[row + j] = keep * dWeight[row + j] - normTerm * direction[row + j];
  }
  return { dDirection, dMagnitude };
}

/**
 * Loss and gradients of DoRA on one batch. The gradient reaches the merged weight W' as for any
 * linear layer (dW' = G^T X), goes through the decomposition (`doraBackwardRows`), then from
 * V = W0 + s B A to the factors: dB = s dV A^T, dA = s B^T dV.
 */
export function doraGradients(
  w0: Float32Array,
  a: Float32Array,
  b: Float32Array,
  magnitude: Float32Array,
  scaling: number,
  x: Float32Array,
  target: Float32Array,
  batch: number,
  dims: LayerDims,
  options: { detachNorm?: boolean } = {},
  matmul: Matmul = matmulCpu,
): DoraGradients {
  const { outFeatures: out, inFeatures: inf, rank } = dims;
  const { merged, direction, norms } = mergeDora(w0, a, b, magnitude, scaling, dims, matmul);
  const { loss, grad } = mseWithGrad(linearForward(merged, x, batch, inf, out, matmul), target);
  const dWeight = matmul(grad, x, out, batch, inf, { transA: true });
  const { dDirection, dMagnitude } = doraBackwardRows(dWeight, direction, magnitude, norms, out, inf, options.detachNorm ?? true);
  const dB = matmul(dDirection, a, out, inf, rank, { transB: true, alpha: scaling });
  const dA = matmul(b, dDirection, rank, out, inf, { transA: true, alpha: scaling });
  return { loss, dA, dB, dMagnitude };
}

/** Full fine-tuning: loss and dW = G^T X (out x in). */
export function fullGradients(
  w: Float32Array,
  x: Float32Array,
  target: Float32Array,
  batch: number,
  inFeatures: number,
  outFeatures: number,
  matmul: Matmul = matmulCpu,
): { loss: number; dW: Float32Array } {
  const y = linearForward(w, x, batch, inFeatures, outFeatures, matmul);
  const { loss, grad } = mseWithGrad(y, target);
  return { loss, dW: matmul(grad, x, outFeatures, batch, inFeatures, { transA: true }) };
}

// ---------------------------------------------------------------------------------------
// Rank.

/**
 * Singular values of a (rows x cols) matrix, largest first, by one-sided Jacobi rotations
 * (Hestenes) in float64: accurate for the small matrices of this course.
 */
export function singularValues(m: Float32Array | Float64Array, rows: number, cols: number): Float64Array {
  // Work on the columns of M (or of M^T when wider than tall) so there are at most min(rows, cols) of them.
  const tall = rows >= cols;
  const n = tall ? cols : rows;
  const len = tall ? rows : cols;
  const u: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const col = new Float64Array(len);
    for (let i = 0; i < len; i++) col[i] = tall ? m[i * cols + j] : m[j * cols + i];
    u.push(col);
  }
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const up = u[p];
        const uq = u[q];
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < len; i++) {
          alpha += up[i] * up[i];
          beta += uq[i] * uq[i];
          gamma += up[i] * uq[i];
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        for (let i = 0; i < len; i++) {
          const a = up[i];
          const b = uq[i];
          up[i] = cs * a - sn * b;
          uq[i] = sn * a + cs * b;
        }
      }
    }
    if (!rotated) break;
  }
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let sq = 0;
    for (const v of u[j]) sq += v * v;
    s[j] = Math.sqrt(sq);
  }
  return s.sort().reverse();
}

/**
 * Numeric rank as numpy.linalg.matrix_rank counts it: singular values above
 * max(rows, cols) * eps * sigma_max, with eps the float32 machine epsilon by default.
 */
export function numericRank(m: Float32Array | Float64Array, rows: number, cols: number, eps = 2 ** -23): number {
  const s = singularValues(m, rows, cols);
  if (s.length === 0 || s[0] === 0) return 0;
  const tol = Math.max(rows, cols) * eps * s[0];
  let r = 0;
  for (const v of s) if (v > tol) r++;
  return r;
}
