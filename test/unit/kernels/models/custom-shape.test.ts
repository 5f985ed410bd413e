import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CUSTOM_SIZE_BILLIONS, customModel, shapeForParams } from '../../../../kernels/models/custom-shape';
import { ALL_LINEAR_MODULES, MODEL_PRESETS, modelParamCount } from '../../../../kernels/models/presets';
import { recommendMethod } from '../../../../kernels/method-choice/recommend';
import { planTraining } from '../../../../kernels/zero/plan';

describe('a model known only by its size', () => {
  test('a preset size gives the preset back', () => {
    for (const m of MODEL_PRESETS) expect(shapeForParams(modelParamCount(m))).toBe(m);
  });
  test('over the whole range a reader may type, the scaled shape lands within 5% of the size', () => {
    fc.assert(
      fc.property(fc.double({ min: CUSTOM_SIZE_BILLIONS.min, max: CUSTOM_SIZE_BILLIONS.max, noNaN: true }), (billions) => {
        const { params, shape } = customModel(billions);
        expect(params).toBe(billions * 1e9);
        expect(Math.abs(modelParamCount(shape) / params - 1)).toBeLessThan(0.05);
        // Every preset has 128-wide heads; the scaled shape keeps them.
        expect(shape.hidden % 128).toBe(0);
        expect(Number.isInteger(shape.layers) && shape.layers >= 1).toBe(true);
        expect(shape.heads % shape.kvHeads).toBe(0);
      }),
      // A fixed seed: the same 500 sizes on every run, so a failure reproduces and CI is not flaky.
      { numRuns: 500, seed: 20261130 },
    );
  });
  test('sizes outside the range are refused with the limits named', () => {
    expect(() => customModel(0.05)).toThrow(/between 0.1B and 2000B/);
    expect(() => customModel(2001)).toThrow(/between/);
    expect(() => customModel(Number.NaN)).toThrow(/between/);
  });
});

describe('the same custom size means the same model in the method picker and the ZeRO calculator', () => {
  test.each([0.3, 13.7, 110, 1500])('%sB: parameter count and activation memory agree', (billions) => {
    const { params, shape } = customModel(billions);
    const run = { seqLen: 4096, microBatch: 2, checkpointing: false };
    const picker = recommendMethod({
      gpuMemoryGiB: 80,
      gpuCount: 8,
      model: shape,
      params,
      examples: 5000,
      preference: 'none',
      loraRank: 16,
      ...run,
    });
    const zero = planTraining({
      params,
      shape,
      method: 'full',
      loraRank: 16,
      loraTargets: ALL_LINEAR_MODULES,
      gpus: 8,
      gpuMemoryBytes: 80 * 2 ** 30,
      offloadOptimizer: false,
      busBandwidth: 1e11,
      pcieBandwidth: 2.5e10,
      flopsPerSecond: 1.5e14,
      ...run,
    });
    expect(picker.params).toBe(params);
    expect(picker.options.full.estimate.activations).toBe(zero.activations);
    expect(picker.options.full.estimate.states.weights).toBe(zero.replica.weights);
  });
});
