import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../kernels/random/rng';
import {
  centralDifferences,
  decomposeUpdate,
  doraWeightSpaceGradients,
  firstStepOutputChange,
  randomAdapterOutput,
  relativeMaxError,
  scaleRowsTo,
  slope,
  traceDecomposition,
} from '../../../../kernels/lora/analysis';
import { makeTask } from '../../../../kernels/lora/task';
import { createCpuTrainer } from '../../../../kernels/lora/trainer-cpu';
import { DEFAULT_TRAINER } from '../../../../kernels/lora/trainer';
import { TrainingDiverged } from '../../../../kernels/training/trainer';
import { rowNorms } from '../../../../kernels/lora/reference';
import { loraParamCount } from '../../../../kernels/lora/param-count';
import { ALL_LINEAR_MODULES, ATTENTION_MODULES, modelParamCount, presetById } from '../../../../kernels/models/presets';

describe('numbers the LoRA chapter states', () => {
  const llama = presetById('7b');
  it('r = 16 on q, k, v, o of LLaMA-2-7B: 32 layers x 4 x 16 x (4096 + 4096) = 16,777,216', () => {
    expect(loraParamCount(llama, 16, ATTENTION_MODULES)).toBe(16_777_216);
    expect(32 * 4 * 16 * (4096 + 4096)).toBe(16_777_216);
  });
  it('r = 16 on all seven linear layers: 32 x 16 x (4 x 8192 + 3 x 15104) = 39,976,960', () => {
    expect(loraParamCount(llama, 16, ALL_LINEAR_MODULES)).toBe(39_976_960);
  });
  it('the base model has 6,738,415,616 parameters (LLaMA-2-7B), so q,k,v,o r = 16 trains 0.249%', () => {
    expect(modelParamCount(llama)).toBe(6_738_415_616);
    expect(((100 * 16_777_216) / 6_738_415_616).toFixed(3)).toBe('0.249');
    expect(((100 * 39_976_960) / 6_738_415_616).toFixed(3)).toBe('0.593');
  });
  it('one 4096 x 4096 projection: r = 16 trains 131,072 of 16,777,216 weights (1/128)', () => {
    expect(16 * (4096 + 4096)).toBe(131_072);
    expect((4096 * 4096) / (16 * (4096 + 4096))).toBe(128);
  });
});

describe('centralDifferences', () => {
  it('recovers the gradient of a cubic and restores the parameter', () => {
    const p = Float32Array.from([0.5, -1.25, 2]);
    const f = () => p[0] ** 3 + 2 * p[1] * p[2];
    const g = centralDifferences(f, p, [0, 1, 2], 1e-2);
    // d/dp0 = 3 p0^2 (+ h^2 from the cubic term), d/dp1 = 2 p2, d/dp2 = 2 p1.
    expect(g[0]).toBeCloseTo(0.75, 3);
    expect(g[1]).toBeCloseTo(4, 4);
    expect(g[2]).toBeCloseTo(-2.5, 4);
    expect(Array.from(p)).toEqual([0.5, -1.25, 2]);
  });
  it('relativeMaxError scales by the largest entry', () => {
    expect(relativeMaxError([1, 2.02], [1, 2])).toBeCloseTo(0.01, 10);
    expect(relativeMaxError([0, 0], [0, 0])).toBe(0);
  });
});

describe('magnitude/direction decomposition (DoRA paper eqs. 3-4, one magnitude per output row)', () => {
  const rng = createRng(4);
  const out = 8;
  const inf = 5;
  const w0 = rng.normals(out * inf);
  it('a pure rescaling of rows changes magnitude only', () => {
    const gains = rng.normals(out).map((z) => Math.exp(0.5 * z));
    const w = w0.map((v, i) => v * gains[Math.floor(i / inf)]);
    const d = decomposeUpdate(w0, w, out, inf);
    expect(d.directionChange).toBeLessThan(1e-6);
    const n0 = rowNorms(w0, out, inf);
    const expected = n0.reduce((s, n, i) => s + Math.abs(n * gains[i] - n), 0) / out;
    expect(d.magnitudeChange).toBeCloseTo(expected, 5);
  });
  it('a rotation within each row keeps magnitude and gives 1 - cos', () => {
    // Rotate every row by 90 degrees in the plane of its first two coordinates after making them its only ones.
    const a = new Float32Array(out * inf);
    const b = new Float32Array(out * inf);
    for (let i = 0; i < out; i++) {
      a[i * inf] = 1 + i;
      b[i * inf + 1] = 1 + i;
    }
    const d = decomposeUpdate(a, b, out, inf);
    expect(d.magnitudeChange).toBeCloseTo(0, 6);
    expect(d.directionChange).toBeCloseTo(1, 6);
  });
  it('slope of a line', () => {
    expect(slope([0, 1, 2, 3], [1, -1, -3, -5])).toBeCloseTo(-2, 12);
  });
});

describe('DoRA in weight space', () => {
  it('scaleRowsTo gives rows of norm m along V', () => {
    const rng = createRng(8);
    const v = rng.normals(12);
    const m = Float32Array.from([0.5, 2, 3]);
    const w = scaleRowsTo(v, m, 3, 4);
    const n = rowNorms(w, 3, 4);
    for (let i = 0; i < 3; i++) expect(n[i]).toBeCloseTo(m[i], 5);
  });
  it('the true dL/dV is orthogonal to V row by row; the detached one adds exactly the radial part', () => {
    const rng = createRng(9);
    const v = rng.normals(12);
    const g = rng.normals(12);
    const m = Float32Array.from([1, 2, 3]);
    const { dV, dVDetached, dMagnitude } = doraWeightSpaceGradients(g, v, m, 3, 4);
    const n = rowNorms(v, 3, 4);
    for (let i = 0; i < 3; i++) {
      let dot = 0;
      let gu = 0;
      for (let j = 0; j < 4; j++) {
        dot += dV[i * 4 + j] * v[i * 4 + j];
        gu += (g[i * 4 + j] * v[i * 4 + j]) / n[i];
      }
      expect(Math.abs(dot)).toBeLessThan(1e-6); // float32 norms
      expect(dMagnitude[i]).toBeCloseTo(gu, 6);
      for (let j = 0; j < 4; j++) {
        const radial = (m[i] / n[i]) * gu * (v[i * 4 + j] / n[i]);
        expect(dVDetached[i * 4 + j] - dV[i * 4 + j]).toBeCloseTo(radial, 6);
      }
    }
  });
});

describe('rank scaling of the first update (rsLoRA)', () => {
  const probe = (rank: number, rule: 'alpha/r' | 'rslora') => ({ rank, rule, alpha: 16, inFeatures: 256, outFeatures: 32, trials: 64, seed: 5 });
  it('SGD: alpha/r shrinks the first step like 1/r, alpha/sqrt(r) keeps it within 15%', () => {
    const plain = firstStepOutputChange(probe(256, 'alpha/r'), 'sgd') / firstStepOutputChange(probe(4, 'alpha/r'), 'sgd');
    expect(plain * 64).toBeGreaterThan(0.85);
    expect(plain * 64).toBeLessThan(1.15);
    const stable = firstStepOutputChange(probe(256, 'rslora'), 'sgd') / firstStepOutputChange(probe(4, 'rslora'), 'sgd');
    expect(stable).toBeGreaterThan(0.85);
    expect(stable).toBeLessThan(1.15);
  });
  it('Adam: the first step grows like s r, so alpha/r is flat and alpha/sqrt(r) grows like sqrt(r)', () => {
    const plain = firstStepOutputChange(probe(256, 'alpha/r'), 'adam') / firstStepOutputChange(probe(4, 'alpha/r'), 'adam');
    expect(plain).toBeGreaterThan(0.85);
    expect(plain).toBeLessThan(1.15);
    const grows = firstStepOutputChange(probe(256, 'rslora'), 'adam') / firstStepOutputChange(probe(4, 'rslora'), 'adam');
    expect(grows / 8).toBeGreaterThan(0.8);
    expect(grows / 8).toBeLessThan(1.2);
  });
  it('random A and B: output RMS ~ s sqrt(r)', () => {
    const plain = randomAdapterOutput(probe(256, 'alpha/r')) / randomAdapterOutput(probe(4, 'alpha/r'));
    expect(plain * 8).toBeGreaterThan(0.85);
    expect(plain * 8).toBeLessThan(1.15);
    const stable = randomAdapterOutput(probe(256, 'rslora')) / randomAdapterOutput(probe(4, 'rslora'));
    expect(stable).toBeGreaterThan(0.85);
    expect(stable).toBeLessThan(1.15);
  });
});

describe('traceDecomposition on the CPU trainer', () => {
  it('records a point per chunk up to the last step, and DoRA with rank >= intrinsic rank fits a rescaling task', async () => {
    const task = makeTask({ intrinsicRank: 2, magnitudeMix: 0.5, trainSize: 128, heldOutSize: 64, outFeatures: 16, inFeatures: 16 });
    const config = { ...DEFAULT_TRAINER, method: 'dora' as const, rank: 2, lr: 0.02, batch: 16 };
    const points = await traceDecomposition(createCpuTrainer(task, config), config, task, { steps: 205, every: 20 });
    expect(points.map((p) => p.step).slice(-2)).toEqual([200, 205]);
    expect(points.length).toBe(11);
    // The target's own decomposition is where a method that fits it must end.
    const target = decomposeUpdate(task.base, task.target, 16, 16);
    const last = points[points.length - 1];
    expect(Math.abs(last.magnitudeChange - target.magnitudeChange)).toBeLessThan(0.1 * target.magnitudeChange);
    expect(Math.abs(last.directionChange - target.directionChange)).toBeLessThan(0.1 * target.directionChange);
  });
});

describe('traceDecomposition divergence', () => {
  it('a learning rate far too large stops with TrainingDiverged instead of returning NaN', async () => {
    const task = makeTask({ outFeatures: 16, inFeatures: 16, trainSize: 64, heldOutSize: 32, intrinsicRank: 2 });
    const config = { ...DEFAULT_TRAINER, method: 'full' as const, lr: 100, batch: 16 };
    await expect(traceDecomposition(createCpuTrainer(task, config), config, task, { steps: 200, every: 10 })).rejects.toBeInstanceOf(
      TrainingDiverged,
    );
  });
});
