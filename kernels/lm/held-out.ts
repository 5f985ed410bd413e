/**
 * The pretraining held-out loss of a model, computed by the engine: mean next-token cross-entropy,
 * in nats per token, over held-out windows of the corpus. The model card records it for the shipped
 * weights; a test recomputes it.
 */
import { finishRows, windowRows } from './data/batches';
import { heldOutWindows } from './data/pretraining';
import type { Backend } from './engine/backend';
import { buildModel } from './engine/program';
import type { LoadedModel } from './model-files';
import { CONTEXT } from './tiny-model';

export async function heldOutLoss(be: Backend, model: LoadedModel, windows: number, batch = 8): Promise<number> {
  const pad = model.tokenizer.id('<pad>');
  const rows = finishRows(windowRows(heldOutWindows(model.tokenizer, windows), CONTEXT, pad), batch, pad);
  const m = buildModel(
    be,
    model.config,
    model.weights,
    { method: 'full', base: 'fp32', rank: 1, alpha: 1, scaling: 'alpha/r', targets: [], loraPlusRatio: 1, seed: 1 },
    { batch, seq: CONTEXT },
  );
  const n = batch * CONTEXT;
  const rowLoss = be.f32(n);
  const src = {
    tokens: be.i32(rows.tokens.length, rows.tokens),
    targets: be.i32(rows.targets.length, rows.targets),
    weights: be.f32(rows.weights.length, rows.weights),
    positions: be.i32(rows.positions.length, rows.positions),
    segments: be.i32(rows.segments.length, rows.segments),
  };
  const counter = be.i32(1);
  const chunks = rows.rows / batch;
  const history = be.f32(chunks);
  const keys = ['tokens', 'targets', 'weights', 'positions', 'segments'] as const;
  be.run(
    [
      be.loadRows(
        keys.map((k) => [m.inputs[k], src[k]] as const),
        n,
        counter,
      ),
      ...m.forward(),
      ...m.loss(m.inputs.weights, rowLoss, false),
      be.recordLoss(history, rowLoss, n, counter),
    ],
    chunks,
  );
  const losses = await be.read(history);
  return losses.reduce((a, b) => a + b, 0);
}
