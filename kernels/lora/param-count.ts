import { linearShape, type LinearModule, type ModelShape } from '../models/presets';

/**
 * Trainable parameters LoRA adds: each targeted nn.Linear(in, out) gets A (r x in) and
 * B (out x r), so r * (in + out) per module per layer (Hu et al. 2021, section 4; PEFT's
 * lora_A = Linear(in, r), lora_B = Linear(r, out)). Modules the model lacks are ignored.
 */
export function loraParamCount(model: ModelShape, rank: number, targets: readonly LinearModule[]): number {
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`LoRA rank must be a positive integer, got ${rank}`);
  let perLayer = 0;
  for (const t of new Set(targets)) {
    const s = linearShape(model, t);
    if (s) perLayer += rank * (s.in + s.out);
  }
  return perLayer * model.layers;
}

/** Sizes of every adapter tensor (A: r x in, B: out x r), per module and layer, for per-tensor optimizer rules. */
export function loraTensorSizes(model: ModelShape, rank: number, targets: readonly LinearModule[]): number[] {
  const sizes: number[] = [];
  for (let layer = 0; layer < model.layers; layer++)
    for (const t of new Set(targets)) {
      const s = linearShape(model, t);
      if (s) sizes.push(rank * s.in, s.out * rank);
    }
  return sizes;
}

/**
 * Trainable parameters of one (out x in) linear layer under each method of the trainer:
 * LoRA r (in + out); DoRA adds the magnitude vector m (out); full fine-tuning trains W (out * in).
 */
export function layerTrainableParams(method: 'lora' | 'dora' | 'full', outFeatures: number, inFeatures: number, rank: number): number {
  if (method === 'full') return outFeatures * inFeatures;
  const lora = rank * (inFeatures + outFeatures);
  return method === 'dora' ? lora + outFeatures : lora;
}
