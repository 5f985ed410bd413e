/**
 * Trainable parameters and inference cost of the PEFT methods besides LoRA, for any model shape
 * (kernels/models/presets.ts). Counts follow the papers and, where PEFT implements the method,
 * PEFT 0.20's modules:
 *
 * - Prompt tuning (Lester et al. 2021; PEFT PromptEmbedding): n virtual token embeddings of the
 *   hidden size, prepended to the input.
 * - Prefix tuning (Li and Liang 2021; PEFT PrefixEncoder): n key and n value vectors in every
 *   layer. PEFT sizes them by the key/value width (head_dim x num_key_value_heads) under
 *   grouped-query attention. Li and Liang train them through an MLP (PEFT's prefix_projection),
 *   which is dropped after training; the stored count is 2 L n d_kv.
 * - P-tuning v2 (Liu et al. 2022): the same deep prompts in every layer, trained directly.
 * - Bottleneck adapters (Houlsby et al. 2019): two per block, after attention and after the MLP,
 *   each down (d -> m) and up (m -> d) projections with biases, applied in series.
 * - Parallel adapters (He et al. 2022): one per block beside the MLP.
 * - (IA)^3 (Liu et al. 2022; PEFT IA3 for LLaMA: k_proj, v_proj, and down_proj as feed-forward):
 *   learned vectors scaling the keys, the values and the MLP's inner activations.
 * - AdaLoRA (Zhang et al. 2023; PEFT AdaLoRA): LoRA in SVD form, P diag(E) Q, starting at init_r
 *   per module (default 12) and pruned to an average target_r (default 8).
 */
import { loraParamCount } from '../lora/param-count';
import { linearShape, modelParamCount, type LinearModule, type ModelShape } from '../models/presets';

export const PEFT_METHODS = ['lora', 'adalora', 'ia3', 'prompt', 'prefix', 'ptuning-v2', 'houlsby', 'parallel'] as const;
export type PeftMethod = (typeof PEFT_METHODS)[number];

export interface PeftSettings {
  /** Virtual tokens of prompt tuning, prefix tuning and P-tuning v2. */
  virtualTokens: number;
  /** Bottleneck width m of the adapters. */
  bottleneck: number;
  /** LoRA rank. */
  rank: number;
  /** AdaLoRA's initial rank per module (PEFT's init_r, default 12; target_r, default 8, is the average it prunes to). */
  adaloraInitRank: number;
  /** Modules LoRA and AdaLoRA adapt. */
  targets: readonly LinearModule[];
}

export const DEFAULT_PEFT_SETTINGS: PeftSettings = { virtualTokens: 20, bottleneck: 64, rank: 8, adaloraInitRank: 12, targets: ['q', 'v'] };

export interface PeftCost {
  method: PeftMethod;
  label: string;
  trainable: number;
  /** Share of the base model's parameters. */
  share: number;
  /** Where it changes the model. */
  where: string;
  /** What it adds at inference once trained (after merging where merging is possible). */
  inference: string;
  mergeable: boolean;
  /** Context positions it takes from the reader's prompt. */
  contextTokens: number;
}

const kvWidth = (m: ModelShape) => (m.hidden / m.heads) * m.kvHeads;

function checkSettings(s: PeftSettings): void {
  for (const [name, v] of [
    ['virtual tokens', s.virtualTokens],
    ['bottleneck', s.bottleneck],
    ['rank', s.rank],
    ['AdaLoRA initial rank', s.adaloraInitRank],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  }
}

/** Parameters of one bottleneck adapter: down d x m + m, up m x d + d. */
export function bottleneckParams(hidden: number, m: number): number {
  return 2 * hidden * m + m + hidden;
}

export function peftTrainable(model: ModelShape, method: PeftMethod, s: PeftSettings): number {
  checkSettings(s);
  const L = model.layers;
  switch (method) {
    case 'lora':
      return loraParamCount(model, s.rank, s.targets);
    case 'adalora': {
      let perLayer = 0;
      for (const t of new Set(s.targets)) {
        const sh = linearShape(model, t);
        if (sh) perLayer += s.adaloraInitRank * (sh.in + sh.out + 1);
      }
      return L * perLayer;
    }
    case 'ia3': {
      const down = linearShape(model, 'down')!;
      return L * (2 * kvWidth(model) + down.in);
    }
    case 'prompt':
      return s.virtualTokens * model.hidden;
    case 'prefix':
    case 'ptuning-v2':
      return 2 * L * s.virtualTokens * kvWidth(model);
    case 'houlsby':
      return L * 2 * bottleneckParams(model.hidden, s.bottleneck);
    case 'parallel':
      return L * bottleneckParams(model.hidden, s.bottleneck);
  }
}

/** Prefix tuning as Li and Liang train it: an embedding of n x d_kv through an MLP d_kv -> e -> 2 L d_kv (e = d_kv, PEFT's default). */
export function prefixProjectionTrainable(model: ModelShape, virtualTokens: number, encoderHidden = kvWidth(model)): number {
  const d = kvWidth(model);
  const out = 2 * model.layers * d;
  return virtualTokens * d + (d * encoderHidden + encoderHidden) + (encoderHidden * out + out);
}

const DESCRIPTIONS: Record<
  PeftMethod,
  { label: string; where: string; inference: (s: PeftSettings) => string; mergeable: boolean; context: boolean }
> = {
  lora: {
    label: 'LoRA',
    where: 'a low-rank update B A beside chosen weight matrices',
    inference: () => 'nothing once merged into W',
    mergeable: true,
    context: false,
  },
  adalora: {
    label: 'AdaLoRA',
    where: 'LoRA in SVD form (P diag(E) Q), ranks pruned by importance during training',
    inference: () => 'nothing once merged',
    mergeable: true,
    context: false,
  },
  ia3: {
    label: '(IA)³',
    where: 'vectors scaling the keys, the values and the MLP’s inner activations',
    inference: () => 'nothing once folded into k_proj, v_proj and down_proj',
    mergeable: true,
    context: false,
  },
  prompt: {
    label: 'Prompt tuning',
    where: 'n learned embeddings prepended to the input',
    inference: (s) => `${s.virtualTokens} extra positions in every forward pass`,
    mergeable: false,
    context: true,
  },
  prefix: {
    label: 'Prefix tuning',
    where: 'n learned keys and values in every layer’s attention',
    inference: (s) => `${s.virtualTokens} extra keys and values per layer`,
    mergeable: false,
    context: true,
  },
  'ptuning-v2': {
    label: 'P-tuning v2',
    where: 'deep prompts in every layer, trained directly',
    inference: (s) => `${s.virtualTokens} extra keys and values per layer`,
    mergeable: false,
    context: true,
  },
  houlsby: {
    label: 'Bottleneck adapters (Houlsby)',
    where: 'two small MLPs per block, in series after attention and after the MLP',
    inference: () => 'two extra layers in series per block',
    mergeable: false,
    context: false,
  },
  parallel: {
    label: 'Parallel adapter',
    where: 'one small MLP per block, beside the MLP',
    inference: () => 'one extra branch per block, computed beside the MLP',
    mergeable: false,
    context: false,
  },
};

export function peftCosts(model: ModelShape, s: PeftSettings = DEFAULT_PEFT_SETTINGS, methods: readonly PeftMethod[] = PEFT_METHODS): PeftCost[] {
  const total = modelParamCount(model);
  return methods.map((method) => {
    const d = DESCRIPTIONS[method];
    const trainable = peftTrainable(model, method, s);
    return {
      method,
      label: d.label,
      trainable,
      share: trainable / total,
      where: d.where,
      inference: d.inference(s),
      mergeable: d.mergeable,
      contextTokens: d.context ? s.virtualTokens : 0,
    };
  });
}
