import { computeOp, flatDispatch, type GpuOp } from '../gpu/compute-op';
import type { GpuScope } from '../gpu/scope';

/**
 * Element-wise ops on flat f32 arrays (out may alias a or b):
 *   add  out = a + b          sub    out = a - b         mul out = a * b
 *   axpy out = a + s * b      scale  out = s * a
 *   mulRows out[i, j] = a[i, j] * b[i]   (a is rows x cols, b has one value per row)
 */
export type ElementwiseOp = 'add' | 'sub' | 'mul' | 'axpy' | 'scale' | 'mulRows';

const EXPRESSIONS: Record<ElementwiseOp, string> = {
  add: 'a[i] + b[i]',
  sub: 'a[i] - b[i]',
  mul: 'a[i] * b[i]',
  axpy: 'a[i] + p.s * b[i]',
  scale: 'p.s * a[i]',
  mulRows: 'a[i] * b[i / p.cols]',
};

export interface ElementwiseArgs {
  n: number;
  /** Scalar for axpy and scale. */
  s?: number;
  /** Row length for mulRows. */
  cols?: number;
}

export function elementwiseCpu(
  op: ElementwiseOp,
  a: Float32Array,
  b: Float32Array | null,
  args: ElementwiseArgs,
  out: Float32Array = new Float32Array(args.n),
): Float32Array {
  const { n, s = 1, cols = 1 } = args;
  const needsB = op !== 'scale';
  if (needsB && !b) throw new Error(`elementwise ${op} needs a second operand`);
  const bb = b ?? a;
  for (let i = 0; i < n; i++) {
    switch (op) {
      case 'add':
        out[i] = a[i] + bb[i];
        break;
      case 'sub':
        out[i] = a[i] - bb[i];
        break;
      case 'mul':
        out[i] = a[i] * bb[i];
        break;
      case 'axpy':
        out[i] = a[i] + s * bb[i];
        break;
      case 'scale':
        out[i] = s * a[i];
        break;
      case 'mulRows':
        out[i] = a[i] * bb[Math.floor(i / cols)];
        break;
    }
  }
  return out;
}

const WORKGROUP = 256;

/**
 * WebGPU forbids binding one buffer both read-only and read-write in a dispatch, so an operand
 * that aliases `out` (an in-place update such as x = x + s * g) is read from `out` instead.
 */
function elementwiseWgsl(op: ElementwiseOp, aliasA: boolean, aliasB: boolean): { code: string; bindsA: boolean; bindsB: boolean } {
  let expr = EXPRESSIONS[op];
  if (aliasA) expr = expr.replace(/\ba\[/g, 'out[');
  if (aliasB) expr = expr.replace(/\bb\[/g, 'out[');
  const bindsA = /\ba\[/.test(expr);
  const bindsB = /\bb\[/.test(expr);
  const code = /* wgsl */ `
struct Params { n: u32, cols: u32, s: f32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: Params;
${bindsA ? '@group(0) @binding(1) var<storage, read> a: array<f32>;' : ''}
${bindsB ? '@group(0) @binding(2) var<storage, read> b: array<f32>;' : ''}
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.rowStride + gid.x;
  if (i >= p.n) { return; }
  out[i] = ${expr};
}`;
  return { code, bindsA, bindsB };
}

/** A GPU element-wise op bound to fixed buffers; `out` may be the same buffer as `a` or `b`. */
export function createElementwise(
  scope: GpuScope,
  op: ElementwiseOp,
  buffers: { a: GPUBuffer; b?: GPUBuffer; out: GPUBuffer },
  args: ElementwiseArgs,
): GpuOp {
  const { n, s = 1, cols = 1 } = args;
  if (!Number.isInteger(n) || n < 1) throw new Error(`elementwise: n must be a positive integer, got ${n}`);
  if (op !== 'scale' && !buffers.b) throw new Error(`elementwise ${op} needs a second operand`);
  const { code, bindsA, bindsB } = elementwiseWgsl(op, buffers.out === buffers.a, buffers.out === buffers.b);
  const { groups, rowStride } = flatDispatch(n, WORKGROUP);
  const params = new ArrayBuffer(16);
  new Uint32Array(params, 0, 2).set([n, cols]);
  new Float32Array(params, 8, 1)[0] = s;
  new Uint32Array(params, 12, 1)[0] = rowStride;
  return computeOp(scope, {
    code,
    uniform: params,
    buffers: [bindsA ? buffers.a : null, bindsB ? (buffers.b ?? null) : null, buffers.out],
    groups,
  });
}
