import { describe, expect, test } from 'vitest';
import { modelStateBytes } from '../../../../kernels/memory/training-memory';
import { deepspeedZero2GpuBytes, deepspeedZero3GpuBytes } from '../../../../kernels/zero/deepspeed-estimator';
import { shardModelStates } from '../../../../kernels/zero/memory';

// Where the paper and DeepSpeed's estimator disagree, and by exactly how much.
describe('paper formulas against DeepSpeed’s estimator', () => {
  const psi = 6_738_415_616;
  const states = modelStateBytes({ method: 'full', params: psi });
  test('ZeRO-2 without offload: DeepSpeed counts 4 psi / N more (the fp32 gradient shard)', () => {
    for (const n of [1, 8, 64]) {
      const paper = shardModelStates(states, { stage: 2, gpus: n }).total;
      expect(deepspeedZero2GpuBytes(psi, n, false) - paper).toBeCloseTo((4 * psi) / n, -1);
    }
  });
  test('ZeRO-2 with offload: both say 2 psi', () => {
    expect(deepspeedZero2GpuBytes(psi, 8, true)).toBe(shardModelStates(states, { stage: 2, gpus: 8, offloadOptimizer: true }).total);
  });
  test('ZeRO-3 with offload_optimizer: 4 x largest layer + 2 psi / N; ours adds the layer beyond the own shard', () => {
    const largest = 32000 * 4096;
    const ours = shardModelStates(states, { stage: 3, gpus: 8, offloadOptimizer: true, gatheredBytes: 4 * largest }).total;
    expect(deepspeedZero3GpuBytes(psi, largest, 8, true) - ours).toBeCloseTo((4 * largest) / 8, -1);
  });
});
