/**
 * Our engine against PyTorch autograd (scripts/lm/fixture.py): the same packed inputs through the
 * shipped weights; logits, loss and gradients of full fine-tuning, LoRA and DoRA compared, and a
 * reward model's rewards, loss and gradients (a scalar head read at each sequence's last token). Used by
 * the CPU test (Node) and the GPU test (Chromium), which differ only in how files are read and in
 * the backend.
 */
import { readSafetensors } from '../../kernels/formats/safetensors';
import type { Backend } from '../../kernels/lm/engine/backend';
import { buildModel, type AdapterConfig } from '../../kernels/lm/engine/program';
import { LINEAR_MODULES } from '../../kernels/lm/config';
import { loadModelFiles, type LoadedModel, type ReadFile } from '../../kernels/lm/model-files';
import { rewardHead } from '../../kernels/lm/reward-trainer';
import { rewardModelLoss } from '../../kernels/rlhf/reward-model';

export interface FixtureComparison {
  /** Largest |ours - torch| / max |torch| over the logits. */
  logits: number;
  /** |ours - torch| / |torch| of the loss, per case. */
  loss: Record<'full' | 'lora' | 'dora', number>;
  /** Largest relative difference of a gradient tensor (its norm for full fine-tuning; every entry, relative to the tensor's largest, for adapters). */
  grads: Record<'full' | 'lora' | 'dora', { worst: number; tensor: string }>;
  /** Tensors compared per case. */
  counts: Record<'full' | 'lora' | 'dora', number>;
  /** The reward model: largest relative difference of the two rewards, of the loss, of the head's gradient, and of a body gradient's norm. */
  reward: { rewards: number; loss: number; head: number; body: { worst: number; tensor: string }; count: number };
}

export async function compareWithFixture(
  makeBackend: (model: LoadedModel) => Backend,
  readModel: ReadFile,
  readFixture: ReadFile,
): Promise<FixtureComparison> {
  const model = await loadModelFiles(readModel);
  const fixture = readSafetensors(await readFixture('pytorch.safetensors')).tensors;
  const ints = JSON.parse(new TextDecoder().decode(await readFixture('pytorch-inputs.json'))) as Record<string, number[][]>;
  const metadata = readSafetensors(await readFixture('pytorch.safetensors')).metadata;
  const t = (name: string) => {
    const e = fixture.get(name);
    if (!e) throw new Error(`fixture tensor ${name} missing`);
    return e.data as Float32Array;
  };
  const [batch, seq] = [ints.tokens.length, ints.tokens[0].length];
  const weights = t('weights');
  const total = weights.reduce((a, b) => a + b, 0);
  const normalised = weights.map((w) => w / total);

  const run = async (adapter: AdapterConfig, set?: (name: string) => Float32Array | undefined) => {
    const be = makeBackend(model);
    try {
      const m = buildModel(be, model.config, model.weights, adapter, { batch, seq });
      be.write(m.inputs.tokens, Int32Array.from(ints.tokens.flat()));
      be.write(m.inputs.targets, Int32Array.from(ints.targets.flat()));
      be.write(m.inputs.positions, Int32Array.from(ints.positions.flat()));
      be.write(m.inputs.segments, Int32Array.from(ints.segments.flat()));
      be.write(m.inputs.weights, normalised);
      for (const tr of m.trainables) {
        const value = set?.(tr.name);
        if (value) be.write(tr.param, value);
      }
      const rowLoss = be.f32(batch * seq);
      be.run([...m.forward(), ...m.loss(m.inputs.weights, rowLoss, true), ...m.backward()]);
      const loss = (await be.read(rowLoss)).reduce((a, b) => a + b, 0);
      const grads = new Map<string, Float32Array>();
      for (const tr of m.trainables) grads.set(tr.name, await be.read(tr.grad));
      return { loss, grads, logits: await be.read(m.logits) };
    } finally {
      be.destroy();
    }
  };
  const base = { rank: 2, alpha: 4, scaling: 'alpha/r' as const, loraPlusRatio: 1, seed: 1, base: 'fp32' as const };
  const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

  const full = await run({ ...base, method: 'full', targets: [] });
  const torchLogits = t('full.logits');
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < torchLogits.length; i++) {
    scale = Math.max(scale, Math.abs(torchLogits[i]));
    diff = Math.max(diff, Math.abs(full.logits[i] - torchLogits[i]));
  }
  const order = JSON.parse(metadata.parameter_order) as string[];
  const norms = t('full.grad_norms');
  let fullWorst = { worst: 0, tensor: '' };
  order.forEach((name, k) => {
    const g = full.grads.get(name);
    if (!g) throw new Error(`our full fine-tuning has no gradient for ${name}`);
    const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
    const r = relative(norm, norms[k]);
    if (!(r <= fullWorst.worst)) fullWorst = { worst: r, tensor: name };
  });
  for (const [name, e] of fixture) {
    if (!name.startsWith('full.grad_slice.')) continue;
    const g = full.grads.get(name.slice('full.grad_slice.'.length))!;
    const r = maxRelative(g.subarray(0, e.data.length), e.data as Float32Array);
    if (!(r <= fullWorst.worst)) fullWorst = { worst: r, tensor: `${name} (first ${e.data.length})` };
  }

  const adapterCase = async (kind: 'lora' | 'dora', targets: readonly (typeof LINEAR_MODULES)[number][]) => {
    const r = await run({ ...base, method: kind, targets }, (name) => (fixture.has(`${kind}.${name}`) ? t(`${kind}.${name}`) : undefined));
    let worst = { worst: 0, tensor: '' };
    let count = 0;
    for (const [name, e] of fixture) {
      if (!name.startsWith(`${kind}.grad.`)) continue;
      const ours = r.grads.get(name.slice(`${kind}.grad.`.length));
      if (!ours) throw new Error(`our ${kind} run has no gradient for ${name}`);
      const d = maxRelative(ours, e.data as Float32Array);
      count++;
      if (!(d <= worst.worst)) worst = { worst: d, tensor: name };
    }
    return { loss: relative(r.loss, t(`${kind}.loss`)[0]), worst, count };
  };
  const lora = await adapterCase('lora', LINEAR_MODULES);
  const dora = await adapterCase('dora', ['q_proj', 'down_proj']);

  const rewardCase = async () => {
    const be = makeBackend(model);
    try {
      const m = buildModel(be, model.config, model.weights, { ...base, method: 'full', targets: [] }, { batch: 2, seq });
      const rm = rewardHead(be, m, t('reward.score'), model.tokenizer.id('<pad>'));
      const seqs = ints['reward.ids'].map((ids) => ({ ids, lossMask: new Uint8Array(ids.length) }));
      const { values, last } = await rm.rewards(seqs);
      const { loss, dChosen, dRejected } = rewardModelLoss([values[1]], [values[0]], { centerCoefficient: 0.01 });
      rm.backward([dRejected[0], dChosen[0]], last, []);
      const torchRewards = t('reward.rewards');
      const rewardOrder = JSON.parse(metadata.reward_parameter_order) as string[];
      const norms = t('reward.grad_norms');
      let body = { worst: 0, tensor: '' };
      for (const [k, name] of rewardOrder.entries()) {
        const tr = m.trainables.find((x) => x.name === name);
        if (!tr) throw new Error(`our reward model has no gradient for ${name}`);
        const g = await be.read(tr.grad);
        const r = relative(Math.sqrt(g.reduce((a, v) => a + v * v, 0)), norms[k]);
        if (!(r <= body.worst)) body = { worst: r, tensor: name };
      }
      return {
        rewards: maxRelative(Float32Array.from(values), torchRewards),
        loss: relative(loss, t('reward.loss')[0]),
        head: maxRelative(await be.read(rm.head.grad), t('reward.grad.score')),
        body,
        count: rewardOrder.length,
      };
    } finally {
      be.destroy();
    }
  };
  const reward = await rewardCase();
  return {
    reward,
    logits: diff / scale,
    loss: { full: relative(full.loss, t('full.loss')[0]), lora: lora.loss, dora: dora.loss },
    grads: { full: fullWorst, lora: lora.worst, dora: dora.worst },
    counts: { full: order.length, lora: lora.count, dora: dora.count },
  };
}

/** max_i |a_i - b_i| / max_i |b_i|. */
function maxRelative(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
