import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../../../kernels/random/rng';
import {
  doraForward,
  doraGradients,
  fullGradients,
  initLoraA,
  initLoraB,
  linearForward,
  loraForward,
  loraGradients,
  loraScaling,
  mergeDora,
  mergeLora,
  mseLoss,
  numericRank,
  rowNorms,
  singularValues,
  type LayerDims,
} from '../../../../kernels/lora/reference';
import { matmulCpu } from '../../../../kernels/linalg/matmul';

const dims: LayerDims = { outFeatures: 6, inFeatures: 5, rank: 3 };
const batch = 7;

function problem(rng: Rng) {
  const { outFeatures: out, inFeatures: inf, rank } = dims;
  return {
    w0: rng.normals(out * inf, 0.5),
    a: rng.normals(rank * inf, 0.5),
    // A non-zero B so that every gradient term is exercised.
    b: rng.normals(out * rank, 0.5),
    m: rng.normals(out).map((v) => 1 + 0.2 * v),
    x: rng.normals(batch * inf),
    t: rng.normals(batch * out),
  };
}

/** Central finite difference of f with respect to each entry of p (p restored afterwards). */
function finiteDifference(p: Float32Array, f: () => number, h = 1e-2): Float64Array {
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const keep = p[i];
    p[i] = keep + h;
    const up = f();
    p[i] = keep - h;
    const down = f();
    p[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relTol: number) {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(relTol * scale);
}

describe('scaling and initialisation (PEFT LoraLayer.update_layer)', () => {
  it('alpha/r and rsLoRA alpha/sqrt(r)', () => {
    expect(loraScaling(16, 8, 'alpha/r')).toBe(2);
    expect(loraScaling(16, 64, 'rslora')).toBe(2);
    expect(loraScaling(8, 4, 'rslora')).toBe(4);
  });
  it('A is kaiming-uniform with bound 1/sqrt(in) and B is zero', () => {
    const a = initLoraA(8, 64, createRng(3));
    const bound = 1 / 8;
    expect(Math.max(...a)).toBeLessThanOrEqual(bound);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-bound);
    // Uniform on [-b, b] has variance b^2 / 3.
    const variance = a.reduce((s, v) => s + v * v, 0) / a.length;
    expect(variance).toBeGreaterThan(((bound * bound) / 3) * 0.85);
    expect(variance).toBeLessThan(((bound * bound) / 3) * 1.15);
    expect(initLoraB(64, 8).every((v) => v === 0)).toBe(true);
  });
});

describe('hand-derived gradients against finite differences', () => {
  it('LoRA dA and dB', () => {
    const p = problem(createRng(11));
    const s = 1.5;
    const g = loraGradients(p.w0, p.a, p.b, s, p.x, p.t, batch, dims);
    const loss = () => mseLoss(loraForward(p.w0, p.a, p.b, s, p.x, batch, dims).y, p.t);
    expect(g.loss).toBeCloseTo(loss(), 6);
    expectClose(g.dA, finiteDifference(p.a, loss), 2e-3);
    expectClose(g.dB, finiteDifference(p.b, loss), 2e-3);
  });

  it('LoRA at init: dA is zero because B is zero', () => {
    const p = problem(createRng(12));
    const b0 = initLoraB(dims.outFeatures, dims.rank);
    const g = loraGradients(p.w0, p.a, b0, 2, p.x, p.t, batch, dims);
    expect(g.dA.every((v) => v === 0)).toBe(true);
    expect(g.dB.some((v) => v !== 0)).toBe(true);
  });

  it('DoRA without detaching the norm: the true gradient of A, B and m', () => {
    const p = problem(createRng(13));
    const s = 0.8;
    const g = doraGradients(p.w0, p.a, p.b, p.m, s, p.x, p.t, batch, dims, { detachNorm: false });
    const loss = () => mseLoss(doraForward(p.w0, p.a, p.b, p.m, s, p.x, batch, dims).y, p.t);
    expectClose(g.dA, finiteDifference(p.a, loss), 3e-3);
    expectClose(g.dB, finiteDifference(p.b, loss), 3e-3);
    expectClose(g.dMagnitude, finiteDifference(p.m, loss), 3e-3);
  });

  it('DoRA with the norm detached: the gradient of the loss with n held at its current value', () => {
    const p = problem(createRng(14));
    const s = 0.8;
    const g = doraGradients(p.w0, p.a, p.b, p.m, s, p.x, p.t, batch, dims);
    const frozenNorms = mergeDora(p.w0, p.a, p.b, p.m, s, dims).norms;
    const lossWithFrozenNorm = () => {
      const z = loraForward(p.w0, p.a, p.b, s, p.x, batch, dims).y;
      for (let k = 0; k < batch; k++) {
        for (let i = 0; i < dims.outFeatures; i++) z[k * dims.outFeatures + i] *= p.m[i] / frozenNorms[i];
      }
      return mseLoss(z, p.t);
    };
    expectClose(g.dA, finiteDifference(p.a, lossWithFrozenNorm), 3e-3);
    expectClose(g.dB, finiteDifference(p.b, lossWithFrozenNorm), 3e-3);
    expectClose(g.dMagnitude, finiteDifference(p.m, lossWithFrozenNorm), 3e-3);
    // Detaching changes the gradient of A and B, not that of m.
    const full = doraGradients(p.w0, p.a, p.b, p.m, s, p.x, p.t, batch, dims, { detachNorm: false });
    expectClose(g.dMagnitude, full.dMagnitude, 1e-6);
    const diff = g.dB.map((v, i) => v - full.dB[i]);
    expect(Math.max(...diff.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('full fine-tuning dW', () => {
    const p = problem(createRng(15));
    const w = p.w0;
    const g = fullGradients(w, p.x, p.t, batch, dims.inFeatures, dims.outFeatures);
    const loss = () => mseLoss(linearForward(w, p.x, batch, dims.inFeatures, dims.outFeatures), p.t);
    expectClose(g.dW, finiteDifference(w, loss), 2e-3);
  });
});

describe('merging', () => {
  it('LoRA: X (W0 + s B A)^T equals the unmerged forward', () => {
    const p = problem(createRng(21));
    const unmerged = loraForward(p.w0, p.a, p.b, 2, p.x, batch, dims).y;
    const merged = linearForward(mergeLora(p.w0, p.a, p.b, 2, dims), p.x, batch, dims.inFeatures, dims.outFeatures);
    expectClose(merged, unmerged, 1e-6);
  });
  it('DoRA: X (m V / ||V||_row)^T equals the unmerged forward, and each merged row has norm m_i', () => {
    const p = problem(createRng(22));
    const unmerged = doraForward(p.w0, p.a, p.b, p.m, 2, p.x, batch, dims).y;
    const { merged } = mergeDora(p.w0, p.a, p.b, p.m, 2, dims);
    expectClose(linearForward(merged, p.x, batch, dims.inFeatures, dims.outFeatures), unmerged, 1e-6);
    expectClose(rowNorms(merged, dims.outFeatures, dims.inFeatures), p.m, 1e-6);
  });
  it('DoRA at initialisation (B = 0, m = row norms of W0) reproduces the base layer exactly', () => {
    const rng = createRng(23);
    const d: LayerDims = { outFeatures: 64, inFeatures: 64, rank: 8 };
    const w0 = rng.normals(64 * 64, 1 / 8);
    const x = rng.normals(32 * 64);
    const m = rowNorms(w0, 64, 64);
    const dora = doraForward(w0, initLoraA(8, 64, rng), initLoraB(64, 8), m, 2, x, 32, d).y;
    expect(dora).toEqual(linearForward(w0, x, 32, 64, 64));
  });
});

describe('rank', () => {
  it('singular values of a known matrix', () => {
    // [[3, 0], [4, 5]] has singular values sqrt(45) and sqrt(5).
    const s = singularValues(new Float32Array([3, 0, 4, 5]), 2, 2);
    expect(s[0]).toBeCloseTo(Math.sqrt(45), 10);
    expect(s[1]).toBeCloseTo(Math.sqrt(5), 10);
  });
  it('B A has rank at most r', () => {
    const rng = createRng(31);
    for (const r of [1, 3, 8]) {
      const ba = matmulCpu(rng.normals(40 * r), rng.normals(r * 30), 40, r, 30);
      expect(numericRank(ba, 40, 30)).toBe(r);
    }
    expect(numericRank(rng.normals(40 * 30), 40, 30)).toBe(30);
    expect(numericRank(new Float32Array(12), 3, 4)).toBe(0);
  });
});
