import { describe, expect, test } from 'vitest';
import { blockCount, dequantizeBlockwise, FP4_LEVELS, INT4_LEVELS, levelThresholds, NF4_LEVELS, quantizeBlockwise } from '../../../kernels/nf4/nf4';
import { dequantizeOnGpu, nf4WeightWgsl, packCodes, quantizeOnGpu, unpackCodes } from '../../../kernels/nf4/nf4-gpu';
import { roundTripCpu, roundTripGpu } from '../../../kernels/nf4/roundtrip';
import { sampleWeights, WEIGHT_DISTRIBUTIONS } from '../../../kernels/nf4/weights';
import { createRng } from '../../../kernels/random/rng';
import { GpuScope } from '../../../kernels/gpu/scope';
import { computeOp, submitOps } from '../../../kernels/gpu/compute-op';
import { testGpu } from '../gpu-setup';

/** Codes may differ only where w / absmax lies within float32 rounding of a decision threshold. */
function codeMismatchesAwayFromThresholds(
  w: Float32Array,
  blockSize: number,
  levels: Float32Array,
  gpu: Uint8Array,
  cpu: Uint8Array,
  absmax: Float32Array,
): number {
  const t = levelThresholds(levels);
  let bad = 0;
  for (let i = 0; i < w.length; i++) {
    if (gpu[i] === cpu[i]) continue;
    const x = w[i] / absmax[Math.floor(i / blockSize)];
    const nearThreshold = t.some((th) => Math.abs(x - th) < 1e-6);
    if (!nearThreshold) bad++;
  }
  return bad;
}

describe('NF4 / INT4 / FP4 kernels against the CPU reference (WebGPU on SwiftShader)', () => {
  test('packing eight codes per word round-trips', () => {
    const codes = Uint8Array.from({ length: 77 }, (_, i) => (i * 7) % 16);
    expect(Array.from(unpackCodes(packCodes(codes), 77))).toEqual(Array.from(codes));
  });

  const cases = [
    ['nf4', NF4_LEVELS, 64, 'normal'],
    ['nf4', NF4_LEVELS, 32, 'student-t'],
    ['nf4', NF4_LEVELS, 256, 'outliers'],
    ['int4', INT4_LEVELS, 64, 'crowded'],
    ['fp4', FP4_LEVELS, 128, 'normal'],
    // Blocks longer than the 64-invocation workgroup that reduces them.
    ['nf4', NF4_LEVELS, 1024, 'outliers'],
  ] as const;
  test.each(cases.map(([name, levels, blockSize, dist]) => ({ name, levels, blockSize, dist })))(
    '$name quantize, block $blockSize, $dist weights: absmax exact, codes equal',
    async ({ levels, blockSize, dist }) => {
      const gpu = await testGpu();
      const n = blockSize * 300 + 40; // a short last block
      const w = sampleWeights(dist, n, createRng(blockSize));
      const cpu = quantizeBlockwise(w, blockSize, levels);
      const got = await quantizeOnGpu(gpu, w, blockSize, levels);
      expect(got.absmax.length).toBe(blockCount(n, blockSize));
      expect(Array.from(got.absmax)).toEqual(Array.from(cpu.absmax));
      expect(codeMismatchesAwayFromThresholds(w, blockSize, levels, got.codes, cpu.codes, cpu.absmax)).toBe(0);
      let equal = 0;
      for (let i = 0; i < n; i++) if (got.codes[i] === cpu.codes[i]) equal++;
      expect(equal / n).toBeGreaterThan(0.999);
    },
  );

  test.each(WEIGHT_DISTRIBUTIONS)('dequantize of %s weights equals the CPU bit for bit', async (dist) => {
    const gpu = await testGpu();
    const w = sampleWeights(dist, 64 * 200 + 24, createRng(3));
    const q = quantizeBlockwise(w, 64, NF4_LEVELS);
    const cpu = dequantizeBlockwise(q.codes, q.absmax, 64, NF4_LEVELS);
    const got = await dequantizeOnGpu(gpu, q.codes, q.absmax, 64, NF4_LEVELS);
    expect(Array.from(got)).toEqual(Array.from(cpu));
  });

  test('dequantize writes scalars where n is not a multiple of 4 (the vec4 path needs one), bit for bit', async () => {
    const gpu = await testGpu();
    const w = sampleWeights('normal', 64 * 200 + 22, createRng(4));
    const q = quantizeBlockwise(w, 64, NF4_LEVELS);
    const got = await dequantizeOnGpu(gpu, q.codes, q.absmax, 64, NF4_LEVELS);
    expect(Array.from(got)).toEqual(Array.from(dequantizeBlockwise(q.codes, q.absmax, 64, NF4_LEVELS)));
  });

  test('dequantize over more than 65,535 workgroups (a two-dimensional dispatch), n not a multiple of 4', async () => {
    const gpu = await testGpu();
    const rng = createRng(5);
    const n = 4 * 64 * 65_536 + 6;
    const codes = Uint8Array.from({ length: n }, () => rng.int(16));
    const absmax = Float32Array.from({ length: blockCount(n, 64) }, () => 0.1 + rng.next());
    const got = await dequantizeOnGpu(gpu, codes, absmax, 64, NF4_LEVELS);
    const cpu = dequantizeBlockwise(codes, absmax, 64, NF4_LEVELS);
    let mismatches = 0;
    for (let i = 0; i < n; i++) if (got[i] !== cpu[i]) mismatches++;
    expect(mismatches).toBe(0);
  });

  test('nf4_weight() in a caller kernel reads the same weights', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const n = 64 * 40;
    const w = sampleWeights('normal', n, createRng(9));
    const q = quantizeBlockwise(w, 64, NF4_LEVELS);
    const code = `${nf4WeightWgsl(0, 1)}
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < ${n}u) { out[id.x] = nf4_weight(id.x); }
}`;
    const out = scope.empty(n);
    const buffers = [
      out,
      scope.upload(packCodes(q.codes)),
      scope.upload(q.absmax),
      scope.upload(NF4_LEVELS),
      scope.uniform(new Uint32Array([64, 0, 0, 0])),
    ];
    submitOps(gpu, [computeOp(scope, { code, buffers, groups: n / 64 })]);
    expect(Array.from(await gpu.read(out, n))).toEqual(Array.from(dequantizeBlockwise(q.codes, q.absmax, 64, NF4_LEVELS)));
  });

  test('more blocks than one dispatch dimension holds (65,535 workgroups): every block gets its absmax', async () => {
    const gpu = await testGpu();
    const n = 8 * 70_001;
    const w = sampleWeights('normal', n, createRng(8));
    const cpu = quantizeBlockwise(w, 8, NF4_LEVELS);
    const got = await quantizeOnGpu(gpu, w, 8, NF4_LEVELS);
    expect(Array.from(got.absmax)).toEqual(Array.from(cpu.absmax));
    expect(codeMismatchesAwayFromThresholds(w, 8, NF4_LEVELS, got.codes, cpu.codes, cpu.absmax)).toBe(0);
  });

  test('bad GPU arguments are refused with a message', async () => {
    const gpu = await testGpu();
    await expect(quantizeOnGpu(gpu, new Float32Array(64), 60, NF4_LEVELS)).rejects.toThrow(/multiple of 8/);
  });
});

describe('timed round trip used by the quantizer widget and the bench', () => {
  test('roundTripGpu reconstructs what roundTripCpu does', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const w = sampleWeights('outliers', 64 * 512, createRng(21));
    const cpu = roundTripCpu(w, 64, NF4_LEVELS);
    const got = await roundTripGpu(gpu, scope.upload(w), w.length, 64, NF4_LEVELS);
    expect(Array.from(got.absmax)).toEqual(Array.from(cpu.absmax));
    expect(Array.from(got.reconstructed)).toEqual(Array.from(cpu.reconstructed));
    expect(got.ms).toBeGreaterThan(0);
  });
});
