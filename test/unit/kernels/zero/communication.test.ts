import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createRng } from '../../../../kernels/random/rng';
import { communicationPerStep, ringCollectiveFactor, simulateRingAllReduce } from '../../../../kernels/zero/communication';
import { ZERO_STAGES } from '../../../../kernels/zero/memory';
import { stepPhases } from '../../../../kernels/zero/step-phases';

const psi = 7e9;
const full = (stage: 0 | 1 | 2 | 3, gpus: number) => communicationPerStep({ stage, gpus, trainableParams: psi, weightBytes: 2 * psi });

describe('volume per GPU per step, full training in 16-bit (ZeRO paper section 7)', () => {
  test('paper rounding: DP 2 psi, ZeRO-1 2 psi, ZeRO-2 2 psi, ZeRO-3 3 psi elements', () => {
    const elements = ZERO_STAGES.map((s) => full(s, 64).paperBytes / 2);
    expect(elements).toEqual([2 * psi, 2 * psi, 2 * psi, 3 * psi]);
    expect(full(3, 64).paperBytes / full(0, 64).paperBytes).toBe(1.5);
  });
  test('exact ring volume is (N-1)/N of the rounded one: all-reduce 2 (N-1)/N psi', () => {
    for (const n of [2, 3, 8, 64, 1000]) {
      for (const s of ZERO_STAGES) expect(full(s, n).bytes).toBeCloseTo(full(s, n).paperBytes * ((n - 1) / n), 0);
      expect(full(0, n).bytes / 2).toBeCloseTo((2 * (n - 1) * psi) / n, 0);
    }
  });
  test('one GPU sends nothing', () => {
    for (const s of ZERO_STAGES) expect(full(s, 1)).toMatchObject({ bytes: 0, paperBytes: 0 });
  });
  test('LoRA under ZeRO-2 moves only the adapter; under ZeRO-3 it also gathers the frozen weights twice', () => {
    const adapter = 39_976_960;
    const z2 = communicationPerStep({ stage: 2, gpus: 8, trainableParams: adapter, weightBytes: 2 * psi });
    const z3 = communicationPerStep({ stage: 3, gpus: 8, trainableParams: adapter, weightBytes: 2 * psi });
    expect(z2.paperBytes).toBe(2 * 2 * adapter);
    expect(z3.paperBytes).toBe(2 * 2 * psi + 2 * adapter);
    expect(z3.bytes / z2.bytes).toBeGreaterThan(170);
  });
});

describe('ring all-reduce, simulated', () => {
  test('every worker ends with the sum, and each sends 2 (N-1)/N x length when N divides it', () => {
    const rng = createRng(6);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), (n, chunk) => {
        const length = n * chunk;
        const inputs = Array.from({ length: n }, () => Float64Array.from({ length }, () => rng.normal()));
        const { outputs, sentPerWorker } = simulateRingAllReduce(inputs);
        for (let k = 0; k < length; k++) {
          const sum = inputs.reduce((acc, v) => acc + v[k], 0);
          for (const out of outputs) expect(out[k]).toBeCloseTo(sum, 10);
        }
        for (const sent of sentPerWorker) expect(sent).toBe(2 * ringCollectiveFactor(n) * length);
      }),
      { numRuns: 60 },
    );
  });
  test('uneven chunks: the sums are still right and the total sent is 2 (N-1) x length', () => {
    const rng = createRng(7);
    const n = 5;
    const length = 23;
    const inputs = Array.from({ length: n }, () => Float64Array.from({ length }, () => rng.normal()));
    const { outputs, sentPerWorker } = simulateRingAllReduce(inputs);
    const sum = Array.from({ length }, (_, k) => inputs.reduce((acc, v) => acc + v[k], 0));
    for (const out of outputs) out.forEach((x, k) => expect(x).toBeCloseTo(sum[k], 10));
    expect(sentPerWorker.reduce((a, b) => a + b, 0)).toBe(2 * (n - 1) * length);
  });
});

describe('the step the widget animates runs exactly the collectives that are counted', () => {
  test('same collectives, same order, for every stage', () => {
    for (const stage of ZERO_STAGES) {
      const animated = stepPhases(stage).flatMap((p) => (p.collective ? [p.collective] : []));
      expect(animated).toEqual(full(stage, 8).collectives.map((c) => c.name));
    }
  });
  test('sharded stages hold shards at rest: optimizer from ZeRO-1, weights only in ZeRO-3', () => {
    const rest = ZERO_STAGES.map((s) => stepPhases(s)[0]);
    expect(rest.map((p) => p.optimizer)).toEqual(['full', 'shard', 'shard', 'shard']);
    expect(rest.map((p) => p.weights)).toEqual(['full', 'full', 'full', 'shard']);
  });
});
