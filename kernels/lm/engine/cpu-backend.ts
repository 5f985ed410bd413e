/**
 * The engine's CPU backend: each op is a closure over Float32Arrays that calls the reference ops
 * (ops/cpu.ts, the LoRA and NF4 references, the Adam reference). Matmuls use the blocked float32
 * kernel of linalg/gemm-cpu.ts.
 */
import { gemmCpu } from '../../linalg/gemm-cpu';
import type { MatmulOptions } from '../../linalg/matmul';
import { doraBackwardRows, doraRowsForward } from '../../lora/reference';
import { unpackCodes } from '../../nf4/nf4-gpu';
import { adamStepCpu, createAdamState, type AdamState } from '../../optim/adam';
import type { LlamaConfig } from '../config';
import {
  attentionBackward,
  attentionForward,
  crossEntropy,
  embedBackward,
  embedForward,
  rmsnormBackward,
  rmsnormForward,
  rope,
  ropeTables,
  swigluBackward,
  swigluForward,
} from '../ops/cpu';
import type { AdamOptions, Backend, Buf, Nf4Buf, Op } from './backend';

export class CpuBuf implements Buf {
  constructor(
    readonly type: 'f32' | 'i32',
    readonly data: Float32Array | Int32Array,
  ) {}
  get length(): number {
    return this.data.length;
  }
}

const f = (b: Buf) => (b as CpuBuf).data as Float32Array;
const i = (b: Buf) => (b as CpuBuf).data as Int32Array;
const op = (run: () => void): Op => ({ backendOp: run });

export function createCpuBackend(config: LlamaConfig): Backend {
  const tables = ropeTables(config.max_position_embeddings, config.head_dim, config.rope_theta);
  const adamStates = new Map<Buf, AdamState>();
  return {
    kind: 'cpu',
    f32: (length, init) => new CpuBuf('f32', init ? Float32Array.from(init) : new Float32Array(length)),
    i32: (length, init) => new CpuBuf('i32', init ? Int32Array.from(init) : new Int32Array(length)),
    nf4(codes, absmax, blockSize) {
      const words = new Uint32Array(Math.ceil(codes.length / 8));
      for (let k = 0; k < codes.length; k++) words[k >> 3] |= (codes[k] & 15) << (4 * (k & 7));
      return {
        codes: new CpuBuf('i32', new Int32Array(words.buffer)),
        absmax: new CpuBuf('f32', Float32Array.from(absmax)),
        n: codes.length,
        blockSize,
      };
    },
    write: (buf, data) => (buf as CpuBuf).data.set(data),
    read: async (buf, length = buf.length, offset = 0) => Float32Array.from((buf as CpuBuf).data.subarray(offset, offset + length)),
    run(ops, repeat = 1) {
      for (let r = 0; r < repeat; r++) for (const o of ops) (o.backendOp as () => void)();
    },
    destroy() {},

    matmul: (c, a, b, m, k, n, opts: MatmulOptions = {}) => op(() => gemmCpu(f(a), f(b), m, k, n, opts, f(c))),
    axpy: (out, a, b, s, n) =>
      op(() => {
        const [o, x, y] = [f(out), f(a), f(b)];
        for (let j = 0; j < n; j++) o[j] = x[j] + s * y[j];
      }),
    zero: (buf) => op(() => (buf as CpuBuf).data.fill(0)),
    embed: (out, table, tokens, rows, d) => op(() => embedForward(f(out), f(table), i(tokens).subarray(0, rows), d)),
    embedBackward: (dTable, dOut, tokens, rows, d) => op(() => embedBackward(f(dTable), f(dOut), i(tokens).subarray(0, rows), d)),
    rmsnorm: (out, rstd, x, w, rows, d, eps) => op(() => rmsnormForward(f(out), f(rstd), f(x), f(w), rows, d, eps)),
    rmsnormBackward: (dx, dw, dOut, x, w, rstd, rows, d) =>
      op(() => rmsnormBackward(f(dx), dw ? f(dw) : null, f(dOut), f(x), f(w), f(rstd), rows, d)),
    rope: (x, positions, rows, heads, headDim, inverse) => op(() => rope(f(x), i(positions).subarray(0, rows), tables, heads, headDim, inverse)),
    attention: (out, probs, q, k, v, segments, batch, seq, heads, headDim) =>
      op(() => attentionForward(f(out), f(probs), f(q), f(k), f(v), i(segments), batch, seq, heads, headDim)),
    attentionBackward: (dq, dk, dv, dOut, probs, q, k, v, batch, seq, heads, headDim) =>
      op(() => attentionBackward(f(dq), f(dk), f(dv), f(dOut), f(probs), f(q), f(k), f(v), batch, seq, heads, headDim)),
    swiglu: (out, gate, up, n) => op(() => swigluForward(f(out).subarray(0, n), f(gate), f(up))),
    swigluBackward: (dGate, dUp, dOut, gate, up, n) => op(() => swigluBackward(f(dGate), f(dUp), f(dOut).subarray(0, n), f(gate), f(up))),
    crossEntropy: (dLogits, rowLoss, logits, targets, weights, rows, vocab) =>
      op(() => {
        const w = f(weights);
        const ce = f(rowLoss);
        crossEntropy(dLogits ? f(dLogits) : null, f(logits), i(targets).subarray(0, rows), w, vocab, ce);
        for (let r = 0; r < rows; r++) ce[r] *= w[r];
      }),
    doraRows: (weight, norms, direction, magnitude, rows, cols) =>
      op(() => doraRowsForward(f(weight), f(norms), f(direction), f(magnitude), rows, cols)),
    doraRowsBackward: (dDirection, dMagnitude, dWeight, direction, magnitude, norms, rows, cols) =>
      op(() =>
        doraBackwardRows(f(dWeight), f(direction), f(magnitude), f(norms), rows, cols, true, {
          dDirection: f(dDirection),
          dMagnitude: f(dMagnitude),
        }),
      ),
    dequantize: (out, q: Nf4Buf, levels) =>
      op(() => {
        const codes = unpackCodes(new Uint32Array(i(q.codes).buffer), q.n);
        const absmax = f(q.absmax);
        const o = f(out);
        for (let k = 0; k < q.n; k++) o[k] = levels[codes[k]] * absmax[Math.floor(k / q.blockSize)];
      }),
    clipScale: (scale, grads, maxNorm) =>
      op(() => {
        let ss = 0;
        for (const g of grads) for (const v of f(g)) ss += v * v;
        f(scale)[0] = Math.min(1, maxNorm / (Math.sqrt(ss) + 1e-6));
      }),
    adam(param, grad, scale, options: AdamOptions) {
      const state = createAdamState(param.length);
      adamStates.set(param, state);
      return op(() => adamStepCpu(f(param), f(grad), state, { ...options, decoupled: true }, f(scale)[0]));
    },
    loadRows: (pairs, rowsPerStep, counter) =>
      op(() => {
        const step = i(counter)[0];
        for (const [dst, src] of pairs) {
          const s = (src as CpuBuf).data;
          const d = (dst as CpuBuf).data;
          const start = (step * rowsPerStep) % s.length;
          for (let k = 0; k < rowsPerStep; k++) d[k] = s[(start + k) % s.length];
        }
      }),
    recordLoss: (history, rowLoss, n, counter, advance = true) =>
      op(() => {
        const c = i(counter);
        const loss = f(rowLoss);
        let sum = 0;
        for (let r = 0; r < n; r++) sum += loss[r];
        if (c[0] < history.length) f(history)[c[0]] = sum;
        if (advance) c[0] += 1;
      }),
  };
}
