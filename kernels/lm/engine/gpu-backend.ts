/**
 * The engine's WebGPU backend: every op is a WGSL dispatch (ops/wgsl.ts, and the shared matmul,
 * element-wise, Adam, NF4 and DoRA kernels), bound once to buffers of one scope; `run` records a
 * list of ops `repeat` times in one command buffer.
 */
import { computeOp, flatDispatch, submitOps, type GpuOp } from '../../gpu/compute-op';
import type { GpuContext } from '../../gpu/device';
import { GpuScope } from '../../gpu/scope';
import { createElementwise } from '../../linalg/elementwise';
import { createMatmul } from '../../linalg/matmul';
import { createSumIntoHistory } from '../../linalg/reduce';
import { createDoraRowsBackward, createDoraRowsForward } from '../../lora/wgsl';
import { createDequantizeOp, packCodes } from '../../nf4/nf4-gpu';
import { createAdam } from '../../optim/adam';
import type { LlamaConfig } from '../config';
import { ropeTables } from '../ops/cpu';
import * as K from '../ops/wgsl';
import type { Backend, Buf, Nf4Buf, Op } from './backend';

class GpuBuf implements Buf {
  constructor(
    readonly type: 'f32' | 'i32',
    readonly length: number,
    readonly buffer: GPUBuffer,
  ) {}
}

const g = (b: Buf) => (b as GpuBuf).buffer;
const wrap = (o: GpuOp): Op => ({ backendOp: o });
const u32s = (...v: number[]) => new Uint32Array(v);

/** A uniform of mixed u32 / f32 fields, in order. */
function uniform(fields: (number | { f32: number })[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, fields.length * 4));
  const view = new DataView(buf);
  fields.forEach((v, k) => (typeof v === 'number' ? view.setUint32(4 * k, v, true) : view.setFloat32(4 * k, v.f32, true)));
  return buf;
}

/** `row`: threads per workgroup of the per-row kernels (ops/wgsl.ts); by the adapter unless a test sets it. */
export function createGpuBackend(gpu: GpuContext, config: LlamaConfig, row = K.rowThreads(gpu.adapter)): Backend {
  const scope = new GpuScope(gpu);
  const tables = ropeTables(config.max_position_embeddings, config.head_dim, config.rope_theta);
  const cosTable = scope.upload(tables.cos);
  const sinTable = scope.upload(tables.sin);
  const scratch = new Map<number, GPUBuffer>();
  /** One scratch per size, shared by the ops that need one (the attention backward's dS). */
  const scratchOf = (floats: number) => {
    let b = scratch.get(floats);
    if (!b) scratch.set(floats, (b = scope.empty(floats)));
    return b;
  };
  const flat = (code: string, n: number, fields: (number | { f32: number })[], buffers: GPUBuffer[]) => {
    const { groups, rowStride } = flatDispatch(n, K.FLAT);
    return wrap(computeOp(scope, { code, uniform: uniform([...fields, rowStride]), buffers, groups }));
  };

  return {
    kind: 'webgpu',
    f32: (length, init) => new GpuBuf('f32', length, init ? scope.upload(init) : scope.empty(length)),
    i32: (length, init) => new GpuBuf('i32', length, init ? scope.upload(init) : scope.empty(length)),
    nf4(codes, absmax, blockSize): Nf4Buf {
      const words = packCodes(codes);
      return {
        codes: new GpuBuf('i32', words.length, scope.upload(words)),
        absmax: new GpuBuf('f32', absmax.length, scope.upload(absmax)),
        n: codes.length,
        blockSize,
      };
    },
    write: (buf, data) => gpu.device.queue.writeBuffer(g(buf), 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength),
    async read(buf, length = buf.length, offset = 0) {
      const raw = await gpu.read(g(buf), length, offset);
      // An int32 buffer's bits are read back as float32: convert them to their values.
      return buf.type === 'i32' ? Float32Array.from(new Int32Array(raw.buffer, raw.byteOffset, raw.length)) : raw;
    },
    run(ops, repeat = 1) {
      submitOps(
        gpu,
        ops.map((o) => o.backendOp as GpuOp),
        repeat,
      );
    },
    destroy: () => scope.destroy(),

    matmul: (c, a, b, m, k, n, opts = {}) => wrap(createMatmul(scope, { a: g(a), b: g(b), c: g(c), m, k, n, ...opts })),
    axpy: (out, a, b, s, n) => wrap(createElementwise(scope, 'axpy', { a: g(a), b: g(b), out: g(out) }, { n, s })),
    zero: (buf) => flat(K.FILL_WGSL, buf.length, [buf.length, { f32: 0 }], [g(buf)]),
    embed: (out, table, tokens, rows, d) => flat(K.EMBED_WGSL, rows * d, [rows * d, d], [g(table), g(tokens), g(out)]),
    embedBackward: (dTable, dOut, tokens, rows, d, vocab) =>
      flat(K.EMBED_BACKWARD_WGSL, vocab * d, [vocab * d, d, rows], [g(dOut), g(tokens), g(dTable)]),
    rmsnorm: (out, rstd, x, w, rows, d, eps) =>
      wrap(
        computeOp(scope, { code: K.RMSNORM_WGSL(row), uniform: uniform([d, { f32: eps }]), buffers: [g(x), g(w), g(out), g(rstd)], groups: rows }),
      ),
    rmsnormBackward(dx, dw, dOut, x, w, rstd, rows, d) {
      const dxOp = computeOp(scope, {
        code: K.RMSNORM_BACKWARD_DX_WGSL(row),
        uniform: u32s(d),
        buffers: [g(dOut), g(x), g(w), g(rstd), g(dx)],
        groups: rows,
      });
      if (!dw) return wrap(dxOp);
      const dwOp = computeOp(scope, {
        code: K.RMSNORM_BACKWARD_DW_WGSL,
        uniform: u32s(d, rows),
        buffers: [g(dOut), g(x), g(rstd), g(dw)],
        groups: Math.ceil(d / K.ROW),
      });
      return wrap({ encode: (pass) => (dwOp.encode(pass), dxOp.encode(pass)) });
    },
    rope: (x, positions, rows, heads, headDim, inverse) =>
      flat(
        K.ROPE_WGSL,
        (rows * heads * headDim) / 2,
        [(rows * heads * headDim) / 2, heads, headDim / 2, { f32: inverse ? -1 : 1 }],
        [g(positions), cosTable, sinTable, g(x)],
      ),
    attention(out, probs, q, k, v, segments, batch, seq, heads, headDim) {
      if (seq > K.MAX_SEQ) throw new Error(`attention: sequences of at most ${K.MAX_SEQ} tokens, got ${seq}`);
      return wrap(
        computeOp(scope, {
          code: K.ATTENTION_WGSL(row),
          uniform: uniform([batch, seq, heads, headDim, { f32: 1 / Math.sqrt(headDim) }]),
          buffers: [g(q), g(k), g(v), g(segments), g(probs), g(out)],
          groups: [seq, heads, batch],
        }),
      );
    },
    attentionBackward(dq, dk, dv, dOut, probs, q, k, v, batch, seq, heads, headDim) {
      const dScores = scratchOf(batch * heads * seq * seq);
      const first = computeOp(scope, {
        code: K.ATTENTION_BACKWARD_Q_WGSL(row),
        uniform: uniform([batch, seq, heads, headDim, { f32: 1 / Math.sqrt(headDim) }]),
        buffers: [g(dOut), g(probs), g(k), g(v), dScores, g(dq)],
        groups: [seq, heads, batch],
      });
      const second = flat(
        K.ATTENTION_BACKWARD_KV_WGSL,
        batch * heads * seq * headDim,
        [batch, seq, heads, headDim],
        [g(dOut), g(probs), g(q), dScores, g(dk), g(dv)],
      ).backendOp as GpuOp;
      return wrap({ encode: (pass) => (first.encode(pass), second.encode(pass)) });
    },
    swiglu: (out, gate, up, n) => flat(K.SWIGLU_WGSL, n, [n], [g(gate), g(up), g(out)]),
    swigluBackward: (dGate, dUp, dOut, gate, up, n) => flat(K.SWIGLU_BACKWARD_WGSL, n, [n], [g(dOut), g(gate), g(up), g(dGate), g(dUp)]),
    crossEntropy: (dLogits, rowLoss, logits, targets, weights, rows, vocab) =>
      wrap(
        computeOp(scope, {
          code: K.CROSS_ENTROPY_WGSL(dLogits !== null, row),
          uniform: u32s(vocab),
          buffers: [g(logits), g(targets), g(weights), g(rowLoss), ...(dLogits ? [g(dLogits)] : [])],
          groups: rows,
        }),
      ),
    doraRows: (weight, norms, direction, magnitude, rows, cols) =>
      wrap(createDoraRowsForward(scope, { direction: g(direction), magnitude: g(magnitude), norms: g(norms), weight: g(weight) }, { rows, cols })),
    doraRowsBackward: (dDirection, dMagnitude, dWeight, direction, magnitude, norms, rows, cols) =>
      wrap(
        createDoraRowsBackward(
          scope,
          {
            dWeight: g(dWeight),
            direction: g(direction),
            magnitude: g(magnitude),
            norms: g(norms),
            dDirection: g(dDirection),
            dMagnitude: g(dMagnitude),
          },
          { rows, cols, detachNorm: true },
        ),
      ),
    dequantize: (out, q, levels) =>
      wrap(createDequantizeOp(scope, { codes: g(q.codes), absmax: g(q.absmax), n: q.n, blockSize: q.blockSize }, levels, g(out))),
    clipScale(scale, grads, maxNorm) {
      const partials = scope.empty(grads.length);
      const sums = grads.map((grad, slot) =>
        computeOp(scope, { code: K.SUM_SQUARES_WGSL, uniform: u32s(grad.length, slot), buffers: [g(grad), partials], groups: 1 }),
      );
      const final = computeOp(scope, {
        code: K.CLIP_SCALE_WGSL,
        uniform: uniform([grads.length, { f32: maxNorm }]),
        buffers: [partials, g(scale)],
        groups: 1,
      });
      return wrap({ encode: (pass) => [...sums, final].forEach((o) => o.encode(pass)) });
    },
    adam: (param, grad, scale, options) =>
      wrap(createAdam(scope, { params: g(param), grads: g(grad), gradScale: g(scale) }, param.length, { ...options, decoupled: true })),
    loadRows(pairs, rowsPerStep, counter) {
      const ops = pairs.map(([dst, src]) => {
        const { groups, rowStride } = flatDispatch(rowsPerStep, K.FLAT);
        return computeOp(scope, {
          code: K.LOAD_ROWS_WGSL,
          uniform: u32s(rowsPerStep, src.length, rowStride),
          buffers: [g(src), g(counter), g(dst)],
          groups,
        });
      });
      return wrap({ encode: (pass) => ops.forEach((o) => o.encode(pass)) });
    },
    recordLoss: (history, rowLoss, n, counter, advance = true) =>
      wrap(
        createSumIntoHistory(scope, { input: g(rowLoss), history: g(history), counter: g(counter) }, { n, historyLength: history.length, advance }),
      ),
  };
}
