/**
 * The one way WGSL runs in this project: `computeOp` binds a kernel to its buffers once (pipeline
 * from the context's cache, uniform in the caller's scope, bind group), and the resulting op
 * records its dispatch into any compute pass. `submitOps` records a list of ops, optionally many
 * times over (many training steps in one command buffer), and submits it.
 *
 * Binding convention: with a uniform, it is binding 0 and the buffers follow from binding 1;
 * without one, the buffers start at binding 0. A `null` buffer leaves its binding out (for a
 * kernel variant that does not declare it).
 */
import type { GpuContext } from './device';
import type { GpuScope } from './scope';

/** A kernel bound to fixed buffers and sizes; `encode` adds its dispatch to a compute pass. Build once, encode every step. */
export interface GpuOp {
  encode(pass: GPUComputePassEncoder): void;
}

export interface ComputeOpSpec {
  code: string;
  entryPoint?: string;
  /** Uniform data (written into a buffer the scope owns), or a uniform buffer shared between ops. */
  uniform?: ArrayBuffer | ArrayBufferView | GPUBuffer;
  buffers: readonly (GPUBuffer | null)[];
  /** Workgroups along x, y, z. */
  groups: number | readonly number[];
}

export function computeOp(scope: GpuScope, spec: ComputeOpSpec): GpuOp {
  const { gpu } = scope;
  const pipeline = gpu.pipeline(spec.code, spec.entryPoint ?? 'main');
  const entries: GPUBindGroupEntry[] = [];
  let binding = 0;
  if (spec.uniform !== undefined) {
    const u = spec.uniform;
    const buffer = isGpuBuffer(u) ? u : scope.uniform(u);
    entries.push({ binding: binding++, resource: { buffer } });
  }
  for (const buffer of spec.buffers) {
    if (buffer) entries.push({ binding, resource: { buffer } });
    binding++;
  }
  const bindGroup = gpu.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  const [x, y = 1, z = 1] = typeof spec.groups === 'number' ? [spec.groups] : spec.groups;
  for (const g of [x, y, z]) {
    if (!Number.isInteger(g) || g < 1 || g > 65535) throw new Error(`workgroup count must be a whole number from 1 to 65535, got ${g}`);
  }
  return {
    encode(pass) {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(x, y, z);
    },
  };
}

function isGpuBuffer(u: unknown): u is GPUBuffer {
  return typeof u === 'object' && u !== null && 'mapAsync' in u;
}

/** Records `ops` `repeat` times into one compute pass and submits it. */
export function submitOps(gpu: GpuContext, ops: readonly GpuOp[], repeat = 1): void {
  const encoder = gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (let r = 0; r < repeat; r++) for (const op of ops) op.encode(pass);
  pass.end();
  gpu.device.queue.submit([encoder.finish()]);
}

/**
 * Workgroups for `n` items at `size` items per workgroup, split over y when x would pass the
 * 65,535 limit, and the row stride a kernel uses to rebuild the flat index
 * (`gid.y * rowStride + gid.x`).
 */
export function flatDispatch(n: number, size: number): { groups: [number, number]; rowStride: number } {
  const groups = Math.ceil(n / size);
  if (groups <= 65535) return { groups: [Math.max(1, groups), 1], rowStride: Math.max(1, groups) * size };
  const y = Math.ceil(groups / 65535);
  const x = Math.ceil(groups / y);
  return { groups: [x, y], rowStride: x * size };
}
