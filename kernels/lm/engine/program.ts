/**
 * The transformer, written once against the backend interface: LLaMA's forward pass, its hand-
 * derived backward pass, and the fine-tuning methods on chosen linear layers (full fine-tuning,
 * LoRA, DoRA; any of them on an NF4 base for QLoRA), as op lists that a backend replays.
 *
 * Per layer (x the residual stream, rows = batch x sequence):
 *   a = rmsnorm(x) ; q, k, v = a Wq^T, a Wk^T, a Wv^T ; rope(q, k) ; o = softmax(q k^T / sqrt(hd)) v
 *   h = x + o Wo^T ; b = rmsnorm(h) ; x' = h + (silu(b Wg^T) * b Wu^T) Wd^T
 * then logits = rmsnorm(x_L) W_lm^T and a weighted cross-entropy. The backward pass runs the
 * same steps in reverse; the residual gradient is accumulated in place (each branch adds its part).
 *
 * A linear layer y = x W^T is one of:
 *   frozen       W stored fp32, or NF4 (dequantized into a shared scratch before each use, as
 *                bitsandbytes does in its training path)
 *   full         W trained: dW = dy^T x
 *   LoRA (PEFT)  y = x W^T + s (x A^T) B^T: dB = s dy^T H, dH = dy B, dA = s dH^T x, dx = dy W + s dH A
 *   DoRA (PEFT)  V = W + s B A, W' = diag(m / ||V||_row) V, y = x W'^T; the norm is detached
 *                (paper section 4.3): dW' = dy^T x, dV = (m / n) dW', dm = rowsum(dW' V) / n,
 *                dB = s dV A^T, dA = s B^T dV
 */
import { NF4_LEVELS } from '../../nf4/levels';
import { quantizeBlockwise } from '../../nf4/nf4';
import { initLoraA, initLoraB, loraScaling, rowNorms, type ScalingRule } from '../../lora/reference';
import { createRng } from '../../random/rng';
import { LINEAR_MODULES, linearShape, type LinearModule, type LlamaConfig } from '../config';
import { linearName, type ModelWeights } from '../weights';
import type { AdamOptions, Backend, Buf, Nf4Buf, Op } from './backend';

export type FineTuneMethod = 'full' | 'lora' | 'dora';

export interface AdapterConfig {
  method: FineTuneMethod;
  /** 'nf4': every block linear layer is stored in NF4 (QLoRA, with LoRA or DoRA). */
  base: 'fp32' | 'nf4';
  rank: number;
  alpha: number;
  scaling: ScalingRule;
  /** PEFT target_modules; ignored by full fine-tuning, which trains every parameter. */
  targets: readonly LinearModule[];
  /** LoRA+: B (and DoRA's m) learn at lr * ratio. */
  loraPlusRatio: number;
  /** Seeds the adapters' A matrices. */
  seed: number;
}

/** QLoRA's block size (bitsandbytes' default, the QLoRA paper's choice). */
export const QLORA_BLOCK_SIZE = 64;

export interface Trainable {
  name: string;
  /** As PyTorch stores it ([out, in] for a linear weight). */
  shape: number[];
  param: Buf;
  grad: Buf;
  /** Multiplies the learning rate (LoRA+). */
  lrScale: number;
}

/** The adapter of one linear layer, as buffers. */
export interface AdapterBufs {
  a: Buf;
  b: Buf;
  magnitude: Buf | null;
  scaling: number;
}

interface Linear {
  module: LinearModule;
  layer: number;
  out: number;
  inf: number;
  /** fp32 weight (frozen, or trained under full fine-tuning); null when stored NF4. */
  weight: Buf | null;
  nf4: Nf4Buf | null;
  adapter: AdapterBufs | null;
  dora: { direction: Buf; merged: Buf; norms: Buf } | null;
  grads: { weight?: Buf; a?: Buf; b?: Buf; magnitude?: Buf };
  /** LoRA's x A^T, kept for the backward pass. */
  hidden: Buf | null;
}

export interface ProgramShape {
  batch: number;
  seq: number;
}

/** Inputs of one batch, [batch * seq] each: token ids, next-token targets, loss weights, positions, segment ids. */
export interface BatchBufs {
  tokens: Buf;
  targets: Buf;
  weights: Buf;
  positions: Buf;
  segments: Buf;
}

export interface Model {
  readonly config: LlamaConfig;
  readonly adapter: AdapterConfig;
  readonly shape: ProgramShape;
  readonly inputs: BatchBufs;
  readonly trainables: readonly Trainable[];
  /** Every block linear, for reading adapters and weights back. */
  readonly linears: readonly Linear[];
  readonly embed: Buf;
  readonly lmHead: Buf;
  readonly finalNorm: Buf;
  readonly norms: readonly { input: Buf; post: Buf }[];
  /** [rows, vocab], written by the forward pass. */
  readonly logits: Buf;
  /** [rows, d]: the final norm's output, what the head reads (a reward model's scalar head too). */
  readonly finalHidden: Buf;
  /** [rows, d]: its gradient, where `backwardFromHidden` starts. */
  readonly dFinalHidden: Buf;
  /** Forward pass of the batch in `inputs` up to the final hidden state, and the logits unless `withLogits` is false. */
  forward(withLogits?: boolean): Op[];
  /** Weighted cross-entropy of the logits: per-row losses, and the logits' gradient when `withGrad`. */
  loss(weights: Buf, rowLoss: Buf, withGrad: boolean): Op[];
  /** Backward pass from the logits' gradient to every trainable parameter's gradient. */
  backward(): Op[];
  /** Backward pass from `dFinalHidden` (written by another head) to every trainable's gradient but lm_head's. */
  backwardFromHidden(): Op[];
}

export function buildModel(be: Backend, config: LlamaConfig, weights: ModelWeights, adapter: AdapterConfig, shape: ProgramShape): Model {
  const { hidden_size: d, intermediate_size: inter, num_attention_heads: heads, head_dim: hd, vocab_size: vocab, rms_norm_eps: eps } = config;
  const L = config.num_hidden_layers;
  const rows = shape.batch * shape.seq;
  const full = adapter.method === 'full';
  if (full && adapter.base === 'nf4') throw new Error('full fine-tuning trains the weights themselves: an NF4 base is for adapters (QLoRA)');
  const targets = new Set(full ? [] : adapter.targets);
  if (!full && targets.size === 0) throw new Error('LoRA and DoRA need at least one target module');
  const scaling = full ? 0 : loraScaling(adapter.alpha, adapter.rank, adapter.scaling);
  const trainables: Trainable[] = [];
  const train = (name: string, param: Buf, shape: number[], lrScale = 1): Buf => {
    const grad = be.f32(param.length);
    trainables.push({ name, shape, param, grad, lrScale });
    return grad;
  };

  const inputs: BatchBufs = {
    tokens: be.i32(rows),
    targets: be.i32(rows),
    weights: be.f32(rows),
    positions: be.i32(rows),
    segments: be.i32(rows),
  };
  const embed = be.f32(weights.embedTokens.length, weights.embedTokens);
  const lmHead = be.f32(weights.lmHead.length, weights.lmHead);
  const finalNorm = be.f32(d, weights.finalNorm);
  const dEmbed = full ? train('model.embed_tokens.weight', embed, [vocab, d]) : null;
  const dLmHead = full ? train('lm_head.weight', lmHead, [vocab, d]) : null;
  const dFinalNorm = full ? train('model.norm.weight', finalNorm, [d]) : null;
  const norms = weights.layers.map((l) => ({ input: be.f32(d, l.inputNorm), post: be.f32(d, l.postAttentionNorm) }));
  const dNorms = norms.map((n, l) =>
    full
      ? {
          input: train(`model.layers.${l}.input_layernorm.weight`, n.input, [d]),
          post: train(`model.layers.${l}.post_attention_layernorm.weight`, n.post, [d]),
        }
      : { input: null, post: null },
  );

  // Block linears. The shared NF4 scratch holds one dequantized weight at a time.
  const maxWeight = Math.max(...LINEAR_MODULES.map((m) => linearShape(config, m)[0] * linearShape(config, m)[1]));
  const scratch = adapter.base === 'nf4' ? be.f32(maxWeight) : null;
  const rng = createRng(adapter.seed);
  const linears: Linear[] = [];
  for (let l = 0; l < L; l++) {
    for (const module of LINEAR_MODULES) {
      const [out, inf] = linearShape(config, module);
      const w = weights.layers[l].linear[module];
      const lin: Linear = { module, layer: l, out, inf, weight: null, nf4: null, adapter: null, dora: null, grads: {}, hidden: null };
      let base = w;
      if (adapter.base === 'nf4') {
        const q = quantizeBlockwise(w, QLORA_BLOCK_SIZE, NF4_LEVELS);
        lin.nf4 = be.nf4(q.codes, q.absmax, QLORA_BLOCK_SIZE);
        base = dequantizedCopy(q.codes, q.absmax);
      } else {
        lin.weight = be.f32(w.length, w);
        if (full) lin.grads.weight = train(linearName(l, module), lin.weight, [out, inf]);
      }
      if (targets.has(module)) {
        const a = be.f32(adapter.rank * inf, initLoraA(adapter.rank, inf, rng));
        const b = be.f32(out * adapter.rank, initLoraB(out, adapter.rank));
        const prefix = `base_model.model.${linearName(l, module).replace(/\.weight$/, '')}`;
        lin.grads.a = train(`${prefix}.lora_A.weight`, a, [adapter.rank, inf]);
        lin.grads.b = train(`${prefix}.lora_B.weight`, b, [out, adapter.rank], adapter.loraPlusRatio);
        lin.adapter = { a, b, magnitude: null, scaling };
        if (adapter.method === 'dora') {
          const magnitude = be.f32(out, rowNorms(base, out, inf));
          lin.adapter.magnitude = magnitude;
          lin.grads.magnitude = train(`${prefix}.lora_magnitude_vector`, magnitude, [out], adapter.loraPlusRatio);
          lin.dora = { direction: be.f32(out * inf), merged: be.f32(out * inf), norms: be.f32(out) };
        } else lin.hidden = be.f32(rows * adapter.rank);
      }
      linears.push(lin);
    }
  }
  const linear = (l: number, m: LinearModule) => linears[l * LINEAR_MODULES.length + LINEAR_MODULES.indexOf(m)];

  // Activations kept for the backward pass.
  const resid = Array.from({ length: L + 1 }, () => be.f32(rows * d));
  const acts = Array.from({ length: L }, () => ({
    xn1: be.f32(rows * d),
    rstd1: be.f32(rows),
    q: be.f32(rows * d),
    k: be.f32(rows * d),
    v: be.f32(rows * d),
    probs: be.f32(shape.batch * heads * shape.seq * shape.seq),
    attn: be.f32(rows * d),
    h: be.f32(rows * d),
    xn2: be.f32(rows * d),
    rstd2: be.f32(rows),
    gate: be.f32(rows * inter),
    up: be.f32(rows * inter),
    act: be.f32(rows * inter),
  }));
  const xnf = be.f32(rows * d);
  const rstdf = be.f32(rows);
  const logits = be.f32(rows * vocab);
  const dLogits = be.f32(rows * vocab);
  // Backward scratch.
  const dResid = be.f32(rows * d);
  const dXn = be.f32(rows * d);
  const dAttn = be.f32(rows * d);
  const dq = be.f32(rows * d);
  const dk = be.f32(rows * d);
  const dv = be.f32(rows * d);
  const dAct = be.f32(rows * inter);
  const dGate = be.f32(rows * inter);
  const dUp = be.f32(rows * inter);
  const maxRank = full ? 1 : adapter.rank;
  const dHidden = be.f32(rows * maxRank);
  const dMerged = adapter.method === 'dora' ? be.f32(maxWeight) : null;
  const dDirection = adapter.method === 'dora' ? be.f32(maxWeight) : null;

  /** The stored weight as the next matmul reads it: the fp32 buffer, or NF4 dequantized into the scratch. */
  function baseWeight(lin: Linear, ops: Op[]): Buf {
    if (lin.weight) return lin.weight;
    ops.push(be.dequantize(scratch!, lin.nf4!, NF4_LEVELS));
    return scratch!;
  }

  function linearForward(lin: Linear, x: Buf, y: Buf): Op[] {
    const ops: Op[] = [];
    const { out, inf } = lin;
    if (lin.dora) {
      const ad = lin.adapter!;
      const w = baseWeight(lin, ops);
      ops.push(
        be.matmul(lin.dora.direction, ad.b, ad.a, out, adapter.rank, inf, { alpha: ad.scaling }),
        be.axpy(lin.dora.direction, lin.dora.direction, w, 1, out * inf),
        be.doraRows(lin.dora.merged, lin.dora.norms, lin.dora.direction, ad.magnitude!, out, inf),
        be.matmul(y, x, lin.dora.merged, rows, inf, out, { transB: true }),
      );
      return ops;
    }
    ops.push(be.matmul(y, x, baseWeight(lin, ops), rows, inf, out, { transB: true }));
    if (lin.adapter) {
      const { a, b, scaling: s } = lin.adapter;
      ops.push(
        be.matmul(lin.hidden!, x, a, rows, inf, adapter.rank, { transB: true }),
        be.matmul(y, lin.hidden!, b, rows, adapter.rank, out, { transB: true, alpha: s, beta: 1 }),
      );
    }
    return ops;
  }

  /** Gradients of the layer's trainables from dy, and dx (added to when `accumulate`). */
  function linearBackward(lin: Linear, dy: Buf, x: Buf, dx: Buf, accumulate: boolean): Op[] {
    const ops: Op[] = [];
    const { out, inf } = lin;
    const beta = accumulate ? 1 : 0;
    if (lin.dora) {
      const ad = lin.adapter!;
      const g = lin.grads;
      ops.push(
        be.matmul(dMerged!, dy, x, out, rows, inf, { transA: true }),
        be.doraRowsBackward(dDirection!, g.magnitude!, dMerged!, lin.dora.direction, ad.magnitude!, lin.dora.norms, out, inf),
        be.matmul(g.b!, dDirection!, ad.a, out, inf, adapter.rank, { transB: true, alpha: ad.scaling }),
        be.matmul(g.a!, ad.b, dDirection!, adapter.rank, out, inf, { transA: true, alpha: ad.scaling }),
        be.matmul(dx, dy, lin.dora.merged, rows, out, inf, { beta }),
      );
      return ops;
    }
    if (lin.grads.weight) ops.push(be.matmul(lin.grads.weight, dy, x, out, rows, inf, { transA: true }));
    ops.push(be.matmul(dx, dy, baseWeight(lin, ops), rows, out, inf, { beta }));
    if (lin.adapter) {
      const { a, b, scaling: s } = lin.adapter;
      const r = adapter.rank;
      ops.push(
        be.matmul(lin.grads.b!, dy, lin.hidden!, out, rows, r, { transA: true, alpha: s }),
        be.matmul(dHidden, dy, b, rows, out, r),
        be.matmul(lin.grads.a!, dHidden, x, r, rows, inf, { transA: true, alpha: s }),
        be.matmul(dx, dHidden, a, rows, r, inf, { alpha: s, beta: 1 }),
      );
    }
    return ops;
  }

  function forward(withLogits = true): Op[] {
    const ops: Op[] = [be.embed(resid[0], embed, inputs.tokens, rows, d)];
    for (let l = 0; l < L; l++) {
      const x = resid[l];
      const a = acts[l];
      ops.push(be.rmsnorm(a.xn1, a.rstd1, x, norms[l].input, rows, d, eps));
      ops.push(
        ...linearForward(linear(l, 'q_proj'), a.xn1, a.q),
        ...linearForward(linear(l, 'k_proj'), a.xn1, a.k),
        ...linearForward(linear(l, 'v_proj'), a.xn1, a.v),
      );
      ops.push(
        be.rope(a.q, inputs.positions, rows, heads, hd, false),
        be.rope(a.k, inputs.positions, rows, heads, hd, false),
        be.attention(a.attn, a.probs, a.q, a.k, a.v, inputs.segments, shape.batch, shape.seq, heads, hd),
      );
      ops.push(...linearForward(linear(l, 'o_proj'), a.attn, a.h), be.axpy(a.h, a.h, x, 1, rows * d));
      ops.push(be.rmsnorm(a.xn2, a.rstd2, a.h, norms[l].post, rows, d, eps));
      ops.push(...linearForward(linear(l, 'gate_proj'), a.xn2, a.gate), ...linearForward(linear(l, 'up_proj'), a.xn2, a.up));
      ops.push(be.swiglu(a.act, a.gate, a.up, rows * inter));
      ops.push(...linearForward(linear(l, 'down_proj'), a.act, resid[l + 1]), be.axpy(resid[l + 1], resid[l + 1], a.h, 1, rows * d));
    }
    ops.push(be.rmsnorm(xnf, rstdf, resid[L], finalNorm, rows, d, eps));
    if (withLogits) ops.push(be.matmul(logits, xnf, lmHead, rows, d, vocab, { transB: true }));
    return ops;
  }

  function loss(weightsBuf: Buf, rowLoss: Buf, withGrad: boolean): Op[] {
    return [be.crossEntropy(withGrad ? dLogits : null, rowLoss, logits, inputs.targets, weightsBuf, rows, vocab)];
  }

  function backward(): Op[] {
    const ops: Op[] = [];
    if (dLmHead) ops.push(be.matmul(dLmHead, dLogits, xnf, vocab, rows, d, { transA: true }));
    ops.push(be.matmul(dXn, dLogits, lmHead, rows, vocab, d));
    return [...ops, ...backwardFromHidden()];
  }

  function backwardFromHidden(): Op[] {
    // Norm gradients accumulate over rows; every other gradient is overwritten by its matmul.
    const ops: Op[] = [dFinalNorm, ...dNorms.flatMap((n) => [n.input, n.post])].flatMap((g) => (g ? [be.zero(g)] : []));
    ops.push(be.zero(dResid), be.rmsnormBackward(dResid, dFinalNorm, dXn, resid[L], finalNorm, rstdf, rows, d));
    for (let l = L - 1; l >= 0; l--) {
      const a = acts[l];
      // MLP branch: dResid holds d(x_{l+1}) = d(h) from the residual path; the branch adds to it.
      ops.push(...linearBackward(linear(l, 'down_proj'), dResid, a.act, dAct, false));
      ops.push(be.swigluBackward(dGate, dUp, dAct, a.gate, a.up, rows * inter));
      ops.push(...linearBackward(linear(l, 'gate_proj'), dGate, a.xn2, dXn, false), ...linearBackward(linear(l, 'up_proj'), dUp, a.xn2, dXn, true));
      ops.push(be.rmsnormBackward(dResid, dNorms[l].post, dXn, a.h, norms[l].post, a.rstd2, rows, d));
      // Attention branch.
      ops.push(...linearBackward(linear(l, 'o_proj'), dResid, a.attn, dAttn, false));
      ops.push(be.attentionBackward(dq, dk, dv, dAttn, a.probs, a.q, a.k, a.v, shape.batch, shape.seq, heads, hd));
      ops.push(be.rope(dq, inputs.positions, rows, heads, hd, true), be.rope(dk, inputs.positions, rows, heads, hd, true));
      ops.push(
        ...linearBackward(linear(l, 'q_proj'), dq, a.xn1, dXn, false),
        ...linearBackward(linear(l, 'k_proj'), dk, a.xn1, dXn, true),
        ...linearBackward(linear(l, 'v_proj'), dv, a.xn1, dXn, true),
      );
      ops.push(be.rmsnormBackward(dResid, dNorms[l].input, dXn, resid[l], norms[l].input, a.rstd1, rows, d));
    }
    if (dEmbed) ops.push(be.zero(dEmbed), be.embedBackward(dEmbed, dResid, inputs.tokens, rows, d, vocab));
    return ops;
  }

  return {
    config,
    adapter,
    shape,
    inputs,
    trainables,
    linears,
    embed,
    lmHead,
    finalNorm,
    norms,
    logits,
    finalHidden: xnf,
    dFinalHidden: dXn,
    forward,
    loss,
    backward,
    backwardFromHidden,
  };
}

function dequantizedCopy(codes: Uint8Array, absmax: Float32Array): Float32Array {
  const out = new Float32Array(codes.length);
  for (let k = 0; k < codes.length; k++) out[k] = NF4_LEVELS[codes[k]] * absmax[Math.floor(k / QLORA_BLOCK_SIZE)];
  return out;
}

/** transformers' TrainingArguments defaults for AdamW: adam_beta1, adam_beta2, adam_epsilon, weight_decay. */
export const TRANSFORMERS_ADAMW = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } as const;

/** Gradient clipping over all of them, then AdamW on every trainable (LoRA+ scales B's and m's rate). */
export function optimizerOps(be: Backend, trainables: readonly Trainable[], options: AdamOptions & { maxGradNorm: number }): Op[] {
  const scale = be.f32(1, new Float32Array([1]));
  const grads = trainables.map((t) => t.grad);
  const ops: Op[] = [];
  if (options.maxGradNorm > 0) ops.push(be.clipScale(scale, grads, options.maxGradNorm));
  for (const t of trainables) ops.push(be.adam(t.param, t.grad, scale, { ...options, lr: options.lr * t.lrScale }));
  return ops;
}

/** The trainable tensors read back by name (PEFT's names for adapters, transformers' for full fine-tuning). */
export async function readTrainables(be: Backend, trainables: readonly Trainable[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const t of trainables) out.set(t.name, await be.read(t.param));
  return out;
}
