import { describe, expect, it } from 'vitest';
import { adamStepCpu, createAdam, createAdamState } from '../../../kernels/optim/adam';
import { submitOps } from '../../../kernels/gpu/compute-op';
import { createRng } from '../../../kernels/random/rng';
import { GpuScope } from '../../../kernels/gpu/scope';
import { maxRelDiff, testGpu } from '../gpu-setup';

describe('Adam/AdamW CPU reference', () => {
  it('first step moves each weight by lr against the sign of its gradient (bias correction makes m/sqrt(v) = sign g)', () => {
    const p = Float32Array.from([1, -2, 3]);
    const g = Float32Array.from([0.5, -4, 1e-3]);
    adamStepCpu(p, g, createAdamState(3), { lr: 0.1, eps: 1e-12 });
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
    expect(p[2]).toBeCloseTo(2.9, 5);
  });

  it('two steps of AdamW match values worked out by hand from torch.optim.AdamW', () => {
    // p0 = 1, g1 = 1, g2 = -1, lr = 0.1, wd = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8.
    // step 1: p = 1*(1-0.001) = 0.999; m = 0.1, v = 0.001; update = 0.1/0.1 * 0.1/(sqrt(0.001)/sqrt(0.001)+eps) = 0.1 -> 0.899
    // step 2: p = 0.899*0.999 = 0.898101; m = 0.09 - 0.1 = -0.01; v = 0.000999 + 0.001 = 0.001999
    //         bc1 = 0.19, bc2 = 1 - 0.998001 = 0.001999 -> denom = sqrt(.001999)/sqrt(.001999) = 1
    //         update = (0.1/0.19) * (-0.01) / 1 = -0.0052631578...; p = 0.898101 + 0.00526316 = 0.90336416
    const p = Float32Array.from([1]);
    const state = createAdamState(1);
    const cfg = { lr: 0.1, weightDecay: 0.01, decoupled: true };
    adamStepCpu(p, Float32Array.from([1]), state, cfg);
    expect(p[0]).toBeCloseTo(0.899, 6);
    adamStepCpu(p, Float32Array.from([-1]), state, cfg);
    expect(p[0]).toBeCloseTo(0.90336416, 5);
  });

  it('Adam (L2) and AdamW (decoupled) differ once weight decay is on', () => {
    const run = (decoupled: boolean) => {
      const p = Float32Array.from([2]);
      const s = createAdamState(1);
      for (let i = 0; i < 3; i++) adamStepCpu(p, Float32Array.from([0.1]), s, { lr: 0.01, weightDecay: 0.5, decoupled });
      return p[0];
    };
    expect(Math.abs(run(true) - run(false))).toBeGreaterThan(1e-4);
  });
});

describe('fused Adam/AdamW on WebGPU against the CPU reference', () => {
  for (const decoupled of [true, false]) {
    it(`${decoupled ? 'AdamW' : 'Adam'}: 25 steps recorded in one command buffer`, async () => {
      const gpu = await testGpu();
      const scope = new GpuScope(gpu);
      const rng = createRng(decoupled ? 7 : 8);
      const n = 1 + rng.int(5000);
      const params = rng.normals(n);
      const grads = rng.normals(n, 0.1);
      const cfg = { lr: 0.003, weightDecay: 0.05, decoupled };
      const cpu = params.slice();
      const state = createAdamState(n);
      for (let i = 0; i < 25; i++) adamStepCpu(cpu, grads, state, cfg);
      const gp = scope.upload(params);
      const adam = createAdam(scope, { params: gp, grads: scope.upload(grads) }, n, cfg);
      submitOps(gpu, [adam], 25);
      expect(maxRelDiff(await gpu.read(gp, n), cpu)).toBeLessThan(2e-5);
      expect(maxRelDiff(await gpu.read(adam.m, n), state.m)).toBeLessThan(1e-5);
      expect((await gpu.read(adam.step, 1))[0]).toBe(25);
    });
  }
});
