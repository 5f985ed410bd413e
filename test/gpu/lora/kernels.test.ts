import { describe, expect, it } from 'vitest';
import { submitOps, type GpuOp } from '../../../kernels/gpu/compute-op';
import { createRng } from '../../../kernels/random/rng';
import { doraBackwardRows, mergeDora, mseWithGrad, rowNorms } from '../../../kernels/lora/reference';
import { batchStart } from '../../../kernels/lora/trainer';
import { createDoraRowsBackward, createDoraRowsForward, createGatherBatch, createMseStep } from '../../../kernels/lora/wgsl';
import { GpuScope } from '../../../kernels/gpu/scope';
import { maxRelDiff, testGpu } from '../gpu-setup';

const rng = createRng(33);

async function run(ops: GpuOp[], repeat = 1) {
  submitOps(await testGpu(), ops, repeat);
}

describe('LoRA trainer kernels on WebGPU against the CPU reference', () => {
  it('gatherBatch picks rows (t * batch + j) mod trainSize, wrapping around', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    const [trainSize, batch, inf, out] = [10, 4, 3, 5];
    const trainX = rng.normals(trainSize * inf);
    const trainY = rng.normals(trainSize * out);
    for (const step of [0, 2, 7]) {
      const x = scope.empty(batch * inf);
      const y = scope.empty(batch * out);
      const counter = scope.upload(new Uint32Array([step]));
      await run([
        createGatherBatch(
          scope,
          { trainX: scope.upload(trainX), trainY: scope.upload(trainY), x, y, counter },
          { batch, trainSize, inFeatures: inf, outFeatures: out },
        ),
      ]);
      const gx = await gpu.read(x, batch * inf);
      const gy = await gpu.read(y, batch * out);
      const start = batchStart(step, batch, trainSize);
      for (let j = 0; j < batch; j++) {
        const row = (start + j) % trainSize;
        expect(Array.from(gx.subarray(j * inf, (j + 1) * inf))).toEqual(Array.from(trainX.subarray(row * inf, (row + 1) * inf)));
        expect(Array.from(gy.subarray(j * out, (j + 1) * out))).toEqual(Array.from(trainY.subarray(row * out, (row + 1) * out)));
      }
    }
  });

  it('mseStep writes G = 2 (Y - T) / n, the loss at the step index, and advances the counter', async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    for (const n of [1, 300, 2048, 5000]) {
      const pred = rng.normals(n);
      const target = rng.normals(n);
      const grad = scope.empty(n);
      const history = scope.empty(8);
      const counter = scope.upload(new Uint32Array([3]));
      await run(
        [createMseStep(scope, { pred: scope.upload(pred), target: scope.upload(target), grad, history, counter }, { n, historyLength: 8 })],
        2,
      );
      const expected = mseWithGrad(pred, target);
      expect(maxRelDiff(await gpu.read(grad, n), expected.grad)).toBeLessThan(1e-6);
      const h = await gpu.read(history, 8);
      expect(Math.abs(h[3] - expected.loss) / expected.loss).toBeLessThan(1e-5);
      expect(h[4]).toBeCloseTo(h[3], 6);
      const c = new Uint32Array((await gpu.read(counter, 1)).buffer);
      expect(c[0]).toBe(5);
    }
  });

  it("doraRowsForward: n = ||V||_row and W' = (m / n) V", async () => {
    const gpu = await testGpu();
    const scope = new GpuScope(gpu);
    for (const [rows, cols] of [
      [64, 64],
      [7, 130],
      [33, 5],
    ]) {
      const direction = rng.normals(rows * cols);
      const magnitude = rng.normals(rows).map((v) => 1 + 0.3 * v);
      const norms = scope.empty(rows);
      const weight = scope.empty(rows * cols);
      await run([
        createDoraRowsForward(scope, { direction: scope.upload(direction), magnitude: scope.upload(magnitude), norms, weight }, { rows, cols }),
      ]);
      // mergeDora with A = 0 (rank 1) has V = W0: use it as the oracle for V = direction.
      const oracle = mergeDora(direction, new Float32Array(cols), new Float32Array(rows), magnitude, 1, {
        outFeatures: rows,
        inFeatures: cols,
        rank: 1,
      });
      expect(maxRelDiff(await gpu.read(norms, rows), rowNorms(direction, rows, cols))).toBeLessThan(1e-5);
      expect(maxRelDiff(await gpu.read(weight, rows * cols), oracle.merged)).toBeLessThan(1e-5);
    }
  });

  for (const detachNorm of [true, false]) {
    it(`doraRowsBackward (norm ${detachNorm ? 'detached' : 'differentiated'})`, async () => {
      const gpu = await testGpu();
      const scope = new GpuScope(gpu);
      for (const [rows, cols] of [
        [64, 64],
        [9, 100],
      ]) {
        const dWeight = rng.normals(rows * cols);
        const direction = rng.normals(rows * cols);
        const magnitude = rng.normals(rows).map((v) => 1 + 0.3 * v);
        const norms = rowNorms(direction, rows, cols);
        const dDirection = scope.empty(rows * cols);
        const dMagnitude = scope.empty(rows);
        await run([
          createDoraRowsBackward(
            scope,
            {
              dWeight: scope.upload(dWeight),
              direction: scope.upload(direction),
              magnitude: scope.upload(magnitude),
              norms: scope.upload(norms),
              dDirection,
              dMagnitude,
            },
            { rows, cols, detachNorm },
          ),
        ]);
        const expected = doraBackwardRows(dWeight, direction, magnitude, norms, rows, cols, detachNorm);
        expect(maxRelDiff(await gpu.read(dDirection, rows * cols), expected.dDirection)).toBeLessThan(1e-5);
        expect(maxRelDiff(await gpu.read(dMagnitude, rows), expected.dMagnitude)).toBeLessThan(1e-5);
      }
    });
  }
});
