/**
 * The gradient check the engine's tests share: a few random entries of each tensor, central
 * differences of the loss against the backward pass's gradient, read from CPU-backend buffers.
 */
import type { Buf } from '../../kernels/lm/engine/backend';
import type { Rng } from '../../kernels/random/rng';

const data = (b: Buf) => (b as unknown as { data: Float32Array }).data;

/**
 * Worst relative error |numeric - analytic| / max(1e-3, |numeric|, |analytic|) over `perTensor`
 * random entries of each tensor; the gradients must already hold the backward pass of `loss` at
 * the current parameters. `loss` may be synchronous or not.
 */
export async function sampledGradientError(
  tensors: readonly { param: Buf; grad: Buf }[],
  loss: () => number | Promise<number>,
  rng: Rng,
  perTensor: number,
): Promise<{ worst: number; checked: number }> {
  let worst = 0;
  let checked = 0;
  for (const t of tensors) {
    const p = data(t.param);
    const grad = data(t.grad).slice();
    for (let s = 0; s < perTensor; s++) {
      const j = rng.int(p.length);
      const keep = p[j];
      const h = 1e-2 * Math.max(1, Math.abs(keep));
      p[j] = keep + h;
      const up = await loss();
      p[j] = keep - h;
      const down = await loss();
      p[j] = keep;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - grad[j]) / Math.max(1e-3, Math.abs(numeric), Math.abs(grad[j])));
      checked++;
    }
  }
  return { worst, checked };
}
