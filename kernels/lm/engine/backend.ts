/**
 * What the transformer program needs from a backend. The model (program.ts) is written once
 * against this interface; `cpu-backend.ts` runs each op at once on Float32Arrays (the fallback and
 * the oracle) and `gpu-backend.ts` records WGSL dispatches that a step replays from GPU buffers.
 *
 * A backend op does not compute when called: it returns an `Op`, and `run(ops, repeat)` executes a
 * list of them (`repeat` times: many training steps per submission on the GPU). Buffers are
 * allocated once; the per-step data is loaded by `loadRows`, which reads a step counter that
 * `recordLoss` advances, so the list is the same for every step.
 */
import type { MatmulOptions } from '../../linalg/matmul';

/** A buffer of float32 or int32 values owned by a backend. */
export interface Buf {
  readonly length: number;
  readonly type: 'f32' | 'i32';
}

/** A recorded op: a closure on the CPU, a bound dispatch on the GPU. */
export type Op = { readonly backendOp: unknown };

export interface Nf4Buf {
  /** Packed codes, two per byte (n / 8 u32 words). */
  codes: Buf;
  absmax: Buf;
  n: number;
  blockSize: number;
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Linear decay of the learning rate to zero over this many steps (0: constant), as transformers' default schedule. */
  decaySteps: number;
}

export interface Backend {
  readonly kind: 'cpu' | 'webgpu';
  f32(length: number, init?: Float32Array): Buf;
  i32(length: number, init?: Int32Array): Buf;
  nf4(codes: Uint8Array, absmax: Float32Array, blockSize: number): Nf4Buf;
  write(buf: Buf, data: Float32Array | Int32Array): void;
  /** Values of `buf` (an int32 buffer's values converted to float32). */
  read(buf: Buf, length?: number, offset?: number): Promise<Float32Array>;
  run(ops: readonly Op[], repeat?: number): void;
  destroy(): void;

  matmul(c: Buf, a: Buf, b: Buf, m: number, k: number, n: number, opts?: MatmulOptions): Op;
  /** out = a + s * b (out may be a or b). */
  axpy(out: Buf, a: Buf, b: Buf, s: number, n: number): Op;
  zero(buf: Buf): Op;
  embed(out: Buf, table: Buf, tokens: Buf, rows: number, d: number): Op;
  embedBackward(dTable: Buf, dOut: Buf, tokens: Buf, rows: number, d: number, vocab: number): Op;
  rmsnorm(out: Buf, rstd: Buf, x: Buf, w: Buf, rows: number, d: number, eps: number): Op;
  /** dx += ..., dw += ... (dw null: frozen). */
  rmsnormBackward(dx: Buf, dw: Buf | null, dOut: Buf, x: Buf, w: Buf, rstd: Buf, rows: number, d: number): Op;
  rope(x: Buf, positions: Buf, rows: number, heads: number, headDim: number, inverse: boolean): Op;
  attention(out: Buf, probs: Buf, q: Buf, k: Buf, v: Buf, segments: Buf, batch: number, seq: number, heads: number, headDim: number): Op;
  attentionBackward(
    dq: Buf,
    dk: Buf,
    dv: Buf,
    dOut: Buf,
    probs: Buf,
    q: Buf,
    k: Buf,
    v: Buf,
    batch: number,
    seq: number,
    heads: number,
    headDim: number,
  ): Op;
  swiglu(out: Buf, gate: Buf, up: Buf, n: number): Op;
  swigluBackward(dGate: Buf, dUp: Buf, dOut: Buf, gate: Buf, up: Buf, n: number): Op;
  /** Weighted cross-entropy: rowLoss[r] = w_r CE_r, dLogits (null: forward only). */
  crossEntropy(dLogits: Buf | null, rowLoss: Buf, logits: Buf, targets: Buf, weights: Buf, rows: number, vocab: number): Op;
  /** W' = diag(m / ||V||_row) V, norms kept. */
  doraRows(weight: Buf, norms: Buf, direction: Buf, magnitude: Buf, rows: number, cols: number): Op;
  doraRowsBackward(dDirection: Buf, dMagnitude: Buf, dWeight: Buf, direction: Buf, magnitude: Buf, norms: Buf, rows: number, cols: number): Op;
  dequantize(out: Buf, q: Nf4Buf, levels: Float32Array): Op;
  /** scale[0] = min(1, maxNorm / (||grads||_2 + 1e-6)) over all the gradient buffers (torch.nn.utils.clip_grad_norm_). */
  clipScale(scale: Buf, grads: readonly Buf[], maxNorm: number): Op;
  /** AdamW (torch.optim.AdamW) on `param` from `grad * scale[0]`; state kept by the backend. */
  adam(param: Buf, grad: Buf, scale: Buf, options: AdamOptions): Op;
  /** Copies rows counter*rows .. of each source into its destination (the step's batch); sources hold every step. */
  loadRows(pairs: readonly (readonly [dst: Buf, src: Buf])[], rowsPerStep: number, counter: Buf): Op;
  /** history[counter] = sum(rowLoss[0..n)); then counter += 1 unless `advance` is false. */
  recordLoss(history: Buf, rowLoss: Buf, n: number, counter: Buf, advance?: boolean): Op;
}
