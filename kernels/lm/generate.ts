/**
 * Text generation with a KV cache, on the CPU from a model's weights (trained adapters merged in):
 * each new token runs one position through every layer, attending to the cached keys and values
 * of the positions before it. Greedy decoding, or temperature and top-k sampling from a seeded
 * generator, so the same seed gives the same text.
 */
import { createRng } from '../random/rng';
import type { LlamaConfig } from './config';
import { ropeTables } from './ops/cpu';
import type { ModelWeights } from './weights';

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0: greedy (the most likely token each time). */
  temperature: number;
  /** Sample among the k most likely tokens (0: all). */
  topK: number;
  seed: number;
  /** Token ids that end the reply (they are not returned). */
  stopTokens: readonly number[];
}

export interface Generation {
  ids: number[];
  stoppedBy: 'stop-token' | 'length';
  /** Prompt tokens dropped from the start because prompt + reply would pass the context. */
  promptTruncated: number;
}

function matvec(out: Float32Array, w: Float32Array, x: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * cols;
    for (let c = 0; c < cols; c++) s += w[o + c] * x[c];
    out[r] = s;
  }
}

function rmsnorm(out: Float32Array, x: Float32Array, w: Float32Array, eps: number): void {
  let ss = 0;
  for (let j = 0; j < x.length; j++) ss += x[j] * x[j];
  const s = 1 / Math.sqrt(ss / x.length + eps);
  for (let j = 0; j < x.length; j++) out[j] = w[j] * (x[j] * s);
}

/** Runs the model on a prompt and returns the reply's token ids. */
export function generate(weights: ModelWeights, config: LlamaConfig, prompt: readonly number[], options: GenerateOptions): Generation {
  const { hidden_size: d, intermediate_size: inter, num_attention_heads: heads, head_dim: hd, vocab_size: vocab } = config;
  const context = config.max_position_embeddings;
  const maxNew = Math.max(0, Math.min(options.maxNewTokens, context - 1));
  const keep = Math.max(1, context - maxNew);
  const promptTruncated = Math.max(0, prompt.length - keep);
  const ids = prompt.slice(promptTruncated);
  const tables = ropeTables(context, hd, config.rope_theta);
  const half = hd / 2;
  const L = config.num_hidden_layers;
  const kCache = Array.from({ length: L }, () => new Float32Array(context * d));
  const vCache = Array.from({ length: L }, () => new Float32Array(context * d));
  const [x, xn, q, k, v, attn, o, gate, up, logits] = [d, d, d, d, d, d, d, inter, inter, vocab].map((n) => new Float32Array(n));
  const scores = new Float64Array(context);
  const rng = createRng(options.seed);
  const scale = 1 / Math.sqrt(hd);

  const rotate = (vec: Float32Array, pos: number) => {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < half; i++) {
        const c = tables.cos[pos * half + i];
        const s = tables.sin[pos * half + i];
        const a = vec[h * hd + i];
        const b = vec[h * hd + i + half];
        vec[h * hd + i] = a * c - b * s;
        vec[h * hd + i + half] = b * c + a * s;
      }
    }
  };

  /** One position through the model; fills `logits`. */
  const step = (token: number, pos: number) => {
    x.set(weights.embedTokens.subarray(token * d, token * d + d));
    for (let l = 0; l < L; l++) {
      const layer = weights.layers[l];
      rmsnorm(xn, x, layer.inputNorm, config.rms_norm_eps);
      matvec(q, layer.linear.q_proj, xn, d, d);
      matvec(k, layer.linear.k_proj, xn, d, d);
      matvec(v, layer.linear.v_proj, xn, d, d);
      rotate(q, pos);
      rotate(k, pos);
      kCache[l].set(k, pos * d);
      vCache[l].set(v, pos * d);
      for (let h = 0; h < heads; h++) {
        let max = -Infinity;
        for (let j = 0; j <= pos; j++) {
          let s = 0;
          for (let c = 0; c < hd; c++) s += q[h * hd + c] * kCache[l][j * d + h * hd + c];
          scores[j] = s * scale;
          if (scores[j] > max) max = scores[j];
        }
        let sum = 0;
        for (let j = 0; j <= pos; j++) sum += scores[j] = Math.exp(scores[j] - max);
        for (let c = 0; c < hd; c++) {
          let acc = 0;
          for (let j = 0; j <= pos; j++) acc += scores[j] * vCache[l][j * d + h * hd + c];
          attn[h * hd + c] = acc / sum;
        }
      }
      matvec(o, layer.linear.o_proj, attn, d, d);
      for (let j = 0; j < d; j++) x[j] += o[j];
      rmsnorm(xn, x, layer.postAttentionNorm, config.rms_norm_eps);
      matvec(gate, layer.linear.gate_proj, xn, inter, d);
      matvec(up, layer.linear.up_proj, xn, inter, d);
      for (let j = 0; j < inter; j++) gate[j] = (gate[j] / (1 + Math.exp(-gate[j]))) * up[j];
      matvec(o, layer.linear.down_proj, gate, d, inter);
      for (let j = 0; j < d; j++) x[j] += o[j];
    }
    rmsnorm(xn, x, weights.finalNorm, config.rms_norm_eps);
    matvec(logits, weights.lmHead, xn, vocab, d);
  };

  ids.forEach((t, pos) => step(t, pos));
  const out: number[] = [];
  let pos = ids.length;
  while (out.length < maxNew && pos < context) {
    const next = pick(logits, options, rng);
    if (options.stopTokens.includes(next)) return { ids: out, stoppedBy: 'stop-token', promptTruncated };
    out.push(next);
    step(next, pos++);
  }
  return { ids: out, stoppedBy: 'length', promptTruncated };
}

function pick(logits: Float32Array, o: GenerateOptions, rng: { next(): number }): number {
  let best = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
  if (!(o.temperature > 0)) return best;
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  const kept = o.topK > 0 ? order.slice(0, o.topK) : order;
  const weights = kept.map((j) => Math.exp((logits[j] - logits[best]) / o.temperature));
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kept.length; i++) {
    u -= weights[i];
    if (u <= 0) return kept[i];
  }
  return kept[kept.length - 1];
}
