/**
 * Numeric questions draw their numbers from these generators, and every answer is computed by
 * the formulas in kernels/ (never typed by hand). A question in content/questions names a
 * generator and lists the values each parameter may take; each attempt draws one of each.
 *
 * A generator returns the expected answer and the template variables its question's prompt and
 * worked answer use ({model}, {rank}, {answer}, ...).
 */
import { z } from 'zod';
import { BYTE_UNITS, formatExpected, formatSig, groupDigits, type ByteUnit, type NumericExpectation } from '../../kernels/answer-check/numeric';
import { layerTrainableParams, loraParamCount } from '../../kernels/lora/param-count';
import { loraScaling } from '../../kernels/lora/reference';
import { modelStateBytes, nf4BitsPerParam } from '../../kernels/memory/training-memory';
import { linearShape, MODEL_PRESETS, modelParamCount, presetById, type LinearModule, type ModelShape } from '../../kernels/models/presets';
import { linearParamCount, quantizedWeightMemory } from '../../kernels/nf4/model-memory';
import { dpoLoss, ipoTargetMargin, ktoTerm } from '../../kernels/preference/losses';
import { communicationPerStep } from '../../kernels/zero/communication';
import { maxTrainableParams, paperBytesPerParam, STAGE_LABELS, type ZeroStage } from '../../kernels/zero/memory';
import { LORA_TARGET_SETS, type LoraTargetSet } from '../../kernels/zero/plan';
import { tokenizeConversation } from '../../kernels/lm/chat-template';
import { LINEAR_MODULES, linearShape as lmLinearShape, lmTrainableParams, modelParamCount as lmParamCount } from '../../kernels/lm/config';
import { packRows } from '../../kernels/lm/data/batches';
import { CHATML_TEMPLATE, CONTEXT, TINY_CONFIG } from '../../kernels/lm/tiny-model';
import { Tokenizer } from '../../kernels/lm/tokenizer';
import { DEFAULT_PEFT_SETTINGS, peftTrainable } from '../../kernels/peft-family/param-counts';

export type TemplateVars = Record<string, string>;

export interface GeneratedNumber {
  expected: NumericExpectation;
  vars: TemplateVars;
}

// Parameter types, as functions so that no schema is built before one is needed.
const modelId = () => z.enum(MODEL_PRESETS.map((m) => m.id) as [string, ...string[]]);
const rank = () => z.number().int().min(1).max(1024);
const targets = () => z.enum(['qv', 'attention', 'all']);
const byteUnit = () => z.enum(['GB', 'GiB']);
const stage = () => z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]);
const gpus = () => z.number().int().min(1).max(4096);
const logp = () => z.number().max(0);
const positive = () => z.number().positive();

/** One preference pair's sequence log-probs under the policy and the reference, and DPO's beta. */
const dpoPair = () => ({
  beta: positive(),
  policyChosen: logp(),
  refChosen: logp(),
  policyRejected: logp(),
  refRejected: logp(),
});

const TARGET_LABELS: Record<LoraTargetSet, string> = {
  qv: 'q_proj and v_proj',
  attention: 'the four attention projections (q, k, v, o)',
  all: 'all linear layers of each block (q, k, v, o, gate, up, down)',
};

const fmtInt = (n: number): string => groupDigits(Math.round(n));

function modelVars(m: ModelShape): TemplateVars {
  return {
    model: m.label,
    hidden: fmtInt(m.hidden),
    layers: fmtInt(m.layers),
    intermediate: fmtInt(m.intermediate),
    kvDim: fmtInt((m.hidden / m.heads) * m.kvHeads),
    totalParams: fmtInt(modelParamCount(m)),
  };
}

/** Shapes of the targeted modules, as "q 4096→4096, v 4096→4096". */
function shapesOf(m: ModelShape, mods: readonly LinearModule[]): string {
  return mods
    .map((mod) => {
      const s = linearShape(m, mod);
      return s ? `${mod} ${fmtInt(s.in)}→${fmtInt(s.out)}` : null;
    })
    .filter((s): s is string => s !== null)
    .join(', ');
}

function bytesAnswer(value: number, unit: ByteUnit): NumericExpectation {
  return { value, dimension: 'bytes', askUnit: unit };
}

function withAnswer(expected: NumericExpectation, vars: TemplateVars): GeneratedNumber {
  return { expected, vars: { ...vars, answer: formatExpected(expected) } };
}

interface Generator<S extends z.ZodRawShape> {
  /** Schema of one drawn value per parameter. */
  readonly params: z.ZodObject<S>;
  compute(p: z.infer<z.ZodObject<S>>): GeneratedNumber;
}

/** A generator whose schema is built on first use: building every schema while the deck loads cost a long task on phones. */
function generator<S extends z.ZodRawShape>(shape: () => S, compute: (p: z.infer<z.ZodObject<S>>) => GeneratedNumber): Generator<S> {
  let params: z.ZodObject<S> | undefined;
  return {
    get params() {
      params ??= z.object(shape());
      return params;
    },
    compute,
  };
}

function loraSetup(p: { model: string; rank: number; targets: LoraTargetSet }) {
  const m = presetById(p.model);
  const mods = LORA_TARGET_SETS[p.targets];
  const count = loraParamCount(m, p.rank, mods);
  return {
    m,
    mods,
    count,
    vars: {
      ...modelVars(m),
      rank: String(p.rank),
      targets: TARGET_LABELS[p.targets],
      shapes: shapesOf(m, mods),
      loraParams: fmtInt(count),
    },
  };
}

export const GENERATORS = {
  /** Trainable parameters of a LoRA adapter on a preset model. */
  'lora-params': generator(
    () => ({ model: modelId(), rank: rank(), targets: targets() }),
    (p) => {
      const s = loraSetup(p);
      return withAnswer({ value: s.count, dimension: 'count' }, { ...s.vars, perLayer: fmtInt(s.count / s.m.layers) });
    },
  ),

  /**
   * The trainable% PEFT's print_trainable_parameters() reports: trainable over all parameters of the
   * PEFT model, the adapter's included (peft 0.20, PeftModel.get_nb_trainable_parameters).
   */
  'lora-fraction': generator(
    () => ({ model: modelId(), rank: rank(), targets: targets() }),
    (p) => {
      const s = loraSetup(p);
      return withAnswer({ value: s.count / (modelParamCount(s.m) + s.count), dimension: 'percent' }, s.vars);
    },
  ),

  /** Trainable parameters of one linear layer under LoRA, DoRA or full fine-tuning. */
  'layer-params': generator(
    () => ({
      model: modelId(),
      module: z.enum(['q', 'k', 'v', 'o', 'gate', 'up', 'down']),
      rank: rank(),
      method: z.enum(['lora', 'dora', 'full']),
    }),
    (p) => {
      const m = presetById(p.model);
      const s = linearShape(m, p.module);
      if (!s) throw new Error(`${m.label} has no ${p.module} projection`);
      const value = layerTrainableParams(p.method, s.out, s.in, p.rank);
      const methodLabel = {
        lora: 'LoRA',
        dora: 'DoRA',
        full: 'full fine-tuning',
      }[p.method];
      return withAnswer(
        { value, dimension: 'count' },
        {
          ...modelVars(m),
          module: `${p.module}_proj`,
          in: fmtInt(s.in),
          out: fmtInt(s.out),
          rank: String(p.rank),
          method: methodLabel,
        },
      );
    },
  ),

  /** Trainable parameters of DoRA on a preset model: LoRA's plus one magnitude per output feature of each adapted layer. */
  'dora-params': generator(
    () => ({ model: modelId(), rank: rank(), targets: targets() }),
    (p) => {
      const s = loraSetup(p);
      let perLayer = 0;
      for (const mod of s.mods) {
        const shape = linearShape(s.m, mod);
        if (shape) perLayer += layerTrainableParams('dora', shape.out, shape.in, p.rank);
      }
      const value = perLayer * s.m.layers;
      return withAnswer({ value, dimension: 'count' }, { ...s.vars, magnitudes: fmtInt(value - s.count) });
    },
  ),

  /** Model-state memory of full fine-tuning with mixed-precision AdamW (16 bytes per parameter). */
  'full-ft-memory': generator(
    () => ({ model: modelId(), unit: byteUnit() }),
    (p) => {
      const m = presetById(p.model);
      const st = modelStateBytes({ method: 'full', params: modelParamCount(m) });
      return withAnswer(bytesAnswer(st.weights + st.gradients + st.optimizer, p.unit), { ...modelVars(m), unit: p.unit });
    },
  ),

  /** Model states of LoRA: frozen bf16 base + the adapter trained with AdamW. */
  'lora-memory': generator(
    () => ({ model: modelId(), rank: rank(), targets: targets(), unit: byteUnit() }),
    (p) => {
      const s = loraSetup(p);
      const st = modelStateBytes({
        method: 'lora',
        params: modelParamCount(s.m),
        adapterParams: s.count,
      });
      return withAnswer(bytesAnswer(st.weights + st.gradients + st.optimizer, p.unit), {
        ...s.vars,
        unit: p.unit,
        baseBytes: formatSig((2 * modelParamCount(s.m)) / BYTE_UNITS[p.unit]),
      });
    },
  ),

  /** Weight memory of a QLoRA base: linear layers in NF4 with block scales, the rest in bf16. */
  'qlora-weights': generator(
    () => ({ model: modelId(), doubleQuant: z.boolean(), unit: byteUnit() }),
    (p) => {
      const m = presetById(p.model);
      const q = quantizedWeightMemory(m);
      return withAnswer(bytesAnswer(p.doubleQuant ? q.nf4DoubleQuantBytes : q.nf4Bytes, p.unit), {
        ...modelVars(m),
        unit: p.unit,
        dq: p.doubleQuant ? 'with double quantization' : 'without double quantization',
        bits: formatSig(nf4BitsPerParam(p.doubleQuant)),
        linearParams: fmtInt(q.quantizedParams),
        otherParams: fmtInt(q.params - q.quantizedParams),
      });
    },
  ),

  /** Model states of QLoRA: the NF4 base plus a LoRA adapter trained with AdamW. */
  'qlora-memory': generator(
    () => ({ model: modelId(), rank: rank(), targets: targets(), unit: byteUnit() }),
    (p) => {
      const s = loraSetup(p);
      const params = modelParamCount(s.m);
      const st = modelStateBytes({
        method: 'qlora',
        params,
        adapterParams: s.count,
        quantizedFraction: linearParamCount(s.m) / params,
        doubleQuant: true,
      });
      return withAnswer(bytesAnswer(st.weights + st.gradients + st.optimizer, p.unit), { ...s.vars, unit: p.unit });
    },
  ),

  /** Bits per parameter of NF4 storage, with or without double quantization. */
  'nf4-bits': generator(
    () => ({
      doubleQuant: z.boolean(),
      blockSize: z.number().int().min(16).max(4096),
      secondBlock: z.number().int().min(16).max(4096),
    }),
    (p) =>
      withAnswer(
        {
          value: nf4BitsPerParam(p.doubleQuant, p.blockSize, p.secondBlock),
          dimension: 'bits',
          // The exact figure is the point: to three decimals (4.127 with double quantization, not 4.125 or 4.13).
          relTol: 0,
          absTol: 0.0005,
          minSigFigs: 4,
        },
        {
          blockSize: String(p.blockSize),
          secondBlock: String(p.secondBlock),
          dq: p.doubleQuant ? 'with double quantization' : 'without double quantization',
        },
      ),
  ),

  /** Per-GPU model-state memory under a ZeRO stage (the paper's formulas, K = 12). */
  'zero-memory': generator(
    () => ({ paramsB: positive(), stage: stage(), gpus: gpus(), unit: byteUnit() }),
    (p) => {
      const psi = p.paramsB * 1e9;
      return withAnswer(bytesAnswer(paperBytesPerParam(p.stage as ZeroStage, p.gpus) * psi, p.unit), {
        paramsB: String(p.paramsB),
        stage: STAGE_LABELS[p.stage as ZeroStage],
        gpus: String(p.gpus),
        unit: p.unit,
        bytesPerParam: formatSig(paperBytesPerParam(p.stage as ZeroStage, p.gpus)),
      });
    },
  ),

  /** Bytes each GPU sends per step (paper rounding, 16-bit gradients and weights). */
  'zero-comm': generator(
    () => ({ paramsB: positive(), stage: stage(), gpus: gpus(), unit: byteUnit() }),
    (p) => {
      const psi = p.paramsB * 1e9;
      const v = communicationPerStep({
        stage: p.stage as ZeroStage,
        gpus: p.gpus,
        trainableParams: psi,
        weightBytes: 2 * psi,
      });
      return withAnswer(bytesAnswer(v.paperBytes, p.unit), {
        paramsB: String(p.paramsB),
        stage: STAGE_LABELS[p.stage as ZeroStage],
        gpus: String(p.gpus),
        unit: p.unit,
        collectives: v.collectives.map((c) => c.name).join(', '),
      });
    },
  ),

  /** Largest model whose model states fit per GPU (the paper's Table 2 arithmetic). */
  'zero-max-params': generator(
    () => ({ stage: stage(), gpus: gpus(), memoryGB: positive() }),
    (p) =>
      withAnswer(
        {
          value: maxTrainableParams(p.stage as ZeroStage, p.gpus, p.memoryGB * 1e9),
          dimension: 'count',
        },
        {
          stage: STAGE_LABELS[p.stage as ZeroStage],
          gpus: String(p.gpus),
          memoryGB: String(p.memoryGB),
          bytesPerParam: formatSig(paperBytesPerParam(p.stage as ZeroStage, p.gpus)),
        },
      ),
  ),

  /** DPO's sigmoid loss of one pair from sequence log-probs. */
  'dpo-loss': generator(dpoPair, (p) => {
    const r = dpoLoss(p);
    return withAnswer(
      { value: r.loss, dimension: 'plain', absTol: 0.002 },
      {
        beta: String(p.beta),
        policyChosen: String(p.policyChosen),
        refChosen: String(p.refChosen),
        policyRejected: String(p.policyRejected),
        refRejected: String(p.refRejected),
        logits: formatSig(p.policyChosen - p.refChosen - (p.policyRejected - p.refRejected)),
        margin: formatSig(r.chosenReward - r.rejectedReward),
      },
    );
  }),

  /** DPO's implicit reward margin: beta times the difference of the two log-ratios. */
  'dpo-margin': generator(dpoPair, (p) => {
    const r = dpoLoss(p);
    return withAnswer(
      {
        value: r.chosenReward - r.rejectedReward,
        dimension: 'plain',
        absTol: 0.002,
      },
      {
        beta: String(p.beta),
        policyChosen: String(p.policyChosen),
        refChosen: String(p.refChosen),
        policyRejected: String(p.policyRejected),
        refRejected: String(p.refRejected),
        chosenReward: formatSig(r.chosenReward),
        rejectedReward: formatSig(r.rejectedReward),
      },
    );
  }),

  /** KTO's loss of one completion given its log-ratio and the reference point z. */
  'kto-loss': generator(
    () => ({
      beta: positive(),
      logRatio: z.number(),
      z: z.number().min(0),
      desirable: z.boolean(),
    }),
    (p) =>
      withAnswer(
        {
          value: ktoTerm(p.logRatio, p.z, p.desirable, p.beta, 1).loss,
          dimension: 'plain',
          absTol: 0.002,
        },
        {
          beta: String(p.beta),
          logRatio: String(p.logRatio),
          z: String(p.z),
          label: p.desirable ? 'a desirable' : 'an undesirable',
        },
      ),
  ),

  /** The per-token log-ratio margin at which IPO's loss is zero. */
  'ipo-target': generator(
    () => ({ beta: positive() }),
    (p) => withAnswer({ value: ipoTargetMargin(p.beta), dimension: 'plain' }, { beta: String(p.beta) }),
  ),

  /** The adapter scale alpha/r or alpha/sqrt(r). */
  'lora-scale': generator(
    () => ({ alpha: positive(), rank: rank(), rule: z.enum(['alpha/r', 'rslora']) }),
    (p) =>
      withAnswer(
        { value: loraScaling(p.alpha, p.rank, p.rule), dimension: 'plain' },
        {
          alpha: String(p.alpha),
          rank: String(p.rank),
          rule: p.rule === 'rslora' ? 'rsLoRA (use_rslora=True)' : 'standard LoRA',
          expression: p.rule === 'rslora' ? `${p.alpha}/√${p.rank}` : `${p.alpha}/${p.rank}`,
        },
      ),
  ),

  /** Trainable parameters of the other PEFT methods on a preset (kernels/peft-family). */
  'peft-params': generator(
    () => ({
      model: modelId(),
      method: z.enum(['prompt', 'prefix', 'ia3', 'houlsby', 'parallel']),
      tokens: z.number().int().min(1).max(1024),
      bottleneck: z.number().int().min(1).max(8192),
    }),
    (p) => {
      const m = presetById(p.model);
      const value = peftTrainable(m, p.method, { ...DEFAULT_PEFT_SETTINGS, virtualTokens: p.tokens, bottleneck: p.bottleneck });
      const setting = {
        prompt: `prompt tuning with ${p.tokens} virtual tokens`,
        prefix: `prefix tuning with ${p.tokens} virtual tokens (the prefixes stored after training, no projection MLP)`,
        ia3: '(IA)³ with PEFT’s LLaMA defaults (k_proj, v_proj, and down_proj as the feed-forward layer)',
        houlsby: `Houlsby bottleneck adapters of width ${p.bottleneck} with biases, two per block`,
        parallel: `a parallel adapter of width ${p.bottleneck} with biases, one per block`,
      }[p.method];
      const formula = {
        prompt: 'n · d',
        prefix: '2 · L · n · d_kv (a key and a value vector per virtual token per layer)',
        ia3: 'L · (2 · d_kv + d_ff)',
        houlsby: 'L · 2 · (2 · d · m + m + d)',
        parallel: 'L · (2 · d · m + m + d)',
      }[p.method];
      return withAnswer(
        { value, dimension: 'count' },
        { ...modelVars(m), setting, formula, tokens: String(p.tokens), bottleneck: String(p.bottleneck) },
      );
    },
  ),

  /** LoRA parameters on the course's tiny LLaMA (kernels/lm/tiny-model.ts). */
  'tiny-lora-params': generator(
    () => ({ rank: rank(), targets: targets() }),
    (p) => {
      const mods = LORA_TARGET_SETS[p.targets].map((m) => LINEAR_MODULES.find((l) => l.startsWith(`${m}_`))!);
      const count = lmTrainableParams(TINY_CONFIG, { method: 'lora', rank: p.rank, targets: mods });
      const c = TINY_CONFIG;
      return withAnswer(
        { value: count, dimension: 'count' },
        {
          rank: String(p.rank),
          targets: TARGET_LABELS[p.targets],
          hidden: fmtInt(c.hidden_size),
          intermediate: fmtInt(c.intermediate_size),
          layers: fmtInt(c.num_hidden_layers),
          totalParams: fmtInt(lmParamCount(c)),
          shapes: mods.map((m) => `${m} ${lmLinearShape(c, m)[1]}→${lmLinearShape(c, m)[0]}`).join(', '),
          perLayer: fmtInt(count / c.num_hidden_layers),
        },
      );
    },
  ),

  /** Tokens that carry the loss in a one-turn ChatML conversation of the tiny model (one token per character). */
  'chatml-loss-share': generator(
    () => ({ userChars: z.number().int().min(1).max(200), replyChars: z.number().int().min(1).max(200) }),
    (p) => {
      const t = tokenizeConversation(Tokenizer.standard(), CHATML_TEMPLATE, [
        { role: 'user', content: 'q'.repeat(p.userChars) },
        { role: 'assistant', content: 'a'.repeat(p.replyChars) },
      ]);
      const withLoss = t.ids.length - t.promptLength;
      return withAnswer(
        { value: withLoss / t.ids.length, dimension: 'percent' },
        {
          userChars: String(p.userChars),
          replyChars: String(p.replyChars),
          total: String(t.ids.length),
          prompt: String(t.promptLength),
          withLoss: String(withLoss),
        },
      );
    },
  ),

  /** Rows of the tiny model's context that N equal conversations fill, packed best-fit-decreasing. */
  'packed-rows': generator(
    () => ({
      count: z.number().int().min(1).max(1000),
      tokens: z
        .number()
        .int()
        .min(2)
        .max(CONTEXT + 1),
    }),
    (p) => {
      const sequences = Array.from({ length: p.count }, () => ({
        ids: new Array<number>(p.tokens).fill(1),
        lossMask: new Array<number>(p.tokens).fill(1),
      }));
      const rows = packRows(sequences, CONTEXT, 0).rows;
      const perRow = Math.floor(CONTEXT / (p.tokens - 1));
      return withAnswer(
        { value: rows, dimension: 'count' },
        {
          count: String(p.count),
          tokens: String(p.tokens),
          positions: String(p.tokens - 1),
          context: String(CONTEXT),
          perRow: String(perRow),
          padded: String(p.count),
          saving: `${((100 * (p.count - rows)) / p.count).toFixed(0)}%`,
        },
      );
    },
  ),
} satisfies Record<string, Generator<z.ZodRawShape>>;

export type GeneratorId = keyof typeof GENERATORS;
export const GENERATOR_IDS = Object.keys(GENERATORS) as [GeneratorId, ...GeneratorId[]];

type ParamValue = string | number | boolean;

/** Check a question's parameter lists against its generator: every parameter listed, every value valid. */
export function checkGeneratorParams(id: GeneratorId, params: Record<string, readonly ParamValue[]>): string[] {
  const g: Generator<z.ZodRawShape> = GENERATORS[id];
  const problems: string[] = [];
  const keys = Object.keys(g.params.shape);
  for (const k of Object.keys(params)) if (!keys.includes(k)) problems.push(`unknown parameter "${k}" for generator ${id}`);
  for (const k of keys) {
    const list = params[k];
    if (!list || list.length === 0) {
      problems.push(`parameter "${k}" needs a list of values`);
      continue;
    }
    for (const v of list) {
      const r = (g.params.shape[k] as z.ZodType).safeParse(v);
      if (!r.success) problems.push(`parameter "${k}": value ${JSON.stringify(v)} is not allowed (${r.error.issues[0]?.message})`);
    }
  }
  return problems;
}

/** The parameter values one attempt uses: one drawn from each list. */
export function drawParams(params: Record<string, readonly ParamValue[]>, next: () => number): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, list] of Object.entries(params)) out[k] = list[Math.floor(next() * list.length)];
  return out;
}

/** Compute the answer for drawn values (validated again, so a bad draw cannot reach a kernel). */
export function generate(id: GeneratorId, values: Record<string, ParamValue>): GeneratedNumber {
  const g: Generator<z.ZodRawShape> = GENERATORS[id];
  return g.compute(g.params.parse(values));
}

/** Fill {name} placeholders; a missing variable is a bug in the question and throws. */
export function fillTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`template variable {${name}} has no value (known: ${Object.keys(vars).join(', ')})`);
    return v;
  });
}
