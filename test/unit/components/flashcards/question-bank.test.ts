import { existsSync, readFileSync } from 'node:fs';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';
import { checkNumeric, formatExpected, type NumericExpectation } from '../../../../kernels/answer-check/numeric';
import { layerTrainableParams, loraParamCount } from '../../../../kernels/lora/param-count';
import { loraScaling } from '../../../../kernels/lora/reference';
import { modelStateBytes, nf4BitsPerParam } from '../../../../kernels/memory/training-memory';
import { linearShape, modelParamCount, presetById, type LinearModule } from '../../../../kernels/models/presets';
import { linearParamCount, quantizedWeightMemory } from '../../../../kernels/nf4/model-memory';
import { dpoLoss, ipoTargetMargin, ktoTerm } from '../../../../kernels/preference/losses';
import { createRng } from '../../../../kernels/random/rng';
import { communicationPerStep } from '../../../../kernels/zero/communication';
import { maxTrainableParams, paperBytesPerParam, type ZeroStage } from '../../../../kernels/zero/memory';
import { printedTolerance, TABLE1_7_5B } from '../../../../kernels/zero/paper-table';
import { LORA_TARGET_SETS } from '../../../../kernels/zero/plan';
import { QUESTIONS } from '../../../../components/flashcards/bank';
import { instantiate } from '../../../../components/flashcards/card';
import { generate, type GeneratorId } from '../../../../components/flashcards/generators';
import { parseQuestionBank, TOPICS } from '../../../../components/flashcards/schema';
import { rawQuestionBank } from '../../../../content/questions';
import type { WidgetMeta } from '../../../../components/widget-base/meta';
import { parseValue } from '../../../../components/widget-base/params';

/** Every interview question in the seed notes (../shared/seeds), by note and number or section. */
const SEED_QUESTIONS = [
  ...Array.from({ length: 18 }, (_, i) => `001 Q${i + 1}`),
  ...Array.from({ length: 4 }, (_, i) => `002 Q${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `003 Q${i + 1}`),
  '000 §1', // do you really need to fine-tune?
  '000 §5', // does fine-tuning break general ability?
  '000 §7', // which LoRA variant?
  '004 §1', // why fine-tune: RAG or fine-tuning?
  '001 §why-b-zero', // why is B initialised to zero?
  '001 §why-dora', // why is DoRA better than LoRA?
  '001 §prefix-tuning', // why not prefix tuning?
  '004 §lora-shapes', // LoRA's shapes (stated with A and B swapped in the note)
  '004 §continual-learning', // how to add tasks without forgetting
  '004 §overfitting', // overfitting: signs and remedies
];

type Drawn = Record<string, string | number | boolean>;
const targetsOf = (t: unknown): readonly LinearModule[] => LORA_TARGET_SETS[t as keyof typeof LORA_TARGET_SETS];
const unitBytes = (u: unknown) => (u === 'GiB' ? 2 ** 30 : 1e9);
const statesTotal = (s: { weights: number; gradients: number; optimizer: number }) => s.weights + s.gradients + s.optimizer;

/**
 * The oracle: each generator's value computed straight from the kernels' formulas for the drawn
 * parameters, independently of components/flashcards/generators.ts.
 */
function formulaValue(id: GeneratorId, p: Drawn): number {
  const m = typeof p.model === 'string' ? presetById(p.model) : presetById('7b');
  const lora = () => loraParamCount(m, Number(p.rank), targetsOf(p.targets));
  switch (id) {
    case 'lora-params':
      return lora();
    case 'lora-fraction':
      // PEFT's print_trainable_parameters: the adapter over base + adapter (2.318% for r = 64 on all linear layers of LLaMA-7B).
      return lora() / (modelParamCount(m) + lora());
    case 'layer-params': {
      const s = linearShape(m, p.module as LinearModule)!;
      return layerTrainableParams(p.method as 'lora' | 'dora' | 'full', s.out, s.in, Number(p.rank));
    }
    case 'dora-params':
      return lora() + m.layers * targetsOf(p.targets).reduce((sum, mod) => sum + (linearShape(m, mod)?.out ?? 0), 0);
    case 'full-ft-memory':
      return statesTotal(modelStateBytes({ method: 'full', params: modelParamCount(m) }));
    case 'lora-memory':
      return statesTotal(
        modelStateBytes({
          method: 'lora',
          params: modelParamCount(m),
          adapterParams: lora(),
        }),
      );
    case 'qlora-weights': {
      const q = quantizedWeightMemory(m);
      return p.doubleQuant ? q.nf4DoubleQuantBytes : q.nf4Bytes;
    }
    case 'qlora-memory':
      return statesTotal(
        modelStateBytes({
          method: 'qlora',
          params: modelParamCount(m),
          adapterParams: lora(),
          quantizedFraction: linearParamCount(m) / modelParamCount(m),
          doubleQuant: true,
        }),
      );
    case 'nf4-bits':
      return nf4BitsPerParam(Boolean(p.doubleQuant), Number(p.blockSize), Number(p.secondBlock));
    case 'zero-memory':
      return paperBytesPerParam(p.stage as ZeroStage, Number(p.gpus)) * Number(p.paramsB) * 1e9;
    case 'zero-comm': {
      const psi = Number(p.paramsB) * 1e9;
      return communicationPerStep({
        stage: p.stage as ZeroStage,
        gpus: Number(p.gpus),
        trainableParams: psi,
        weightBytes: 2 * psi,
      }).paperBytes;
    }
    case 'zero-max-params':
      return maxTrainableParams(p.stage as ZeroStage, Number(p.gpus), Number(p.memoryGB) * 1e9);
    case 'dpo-loss':
    case 'dpo-margin': {
      const r = dpoLoss({
        beta: Number(p.beta),
        policyChosen: Number(p.policyChosen),
        refChosen: Number(p.refChosen),
        policyRejected: Number(p.policyRejected),
        refRejected: Number(p.refRejected),
      });
      return id === 'dpo-loss' ? r.loss : r.chosenReward - r.rejectedReward;
    }
    case 'kto-loss':
      return ktoTerm(Number(p.logRatio), Number(p.z), Boolean(p.desirable), Number(p.beta), 1).loss;
    case 'ipo-target':
      return ipoTargetMargin(Number(p.beta));
    case 'lora-scale':
      return loraScaling(Number(p.alpha), Number(p.rank), p.rule as 'alpha/r' | 'rslora');
    case 'tiny-lora-params': {
      // hidden 128 (q, k, v, o: 128 -> 128), MLP 352 (gate, up: 128 -> 352; down: 352 -> 128), 4 layers
      const perModule = { q: 256, k: 256, v: 256, o: 256, gate: 480, up: 480, down: 480 } as Record<string, number>;
      return 4 * Number(p.rank) * targetsOf(p.targets).reduce((sum, mod) => sum + perModule[mod], 0);
    }
    case 'chatml-loss-share': {
      // "<s>" (1) + "<|im_start|>user\n" (6) + user + "<|im_end|>\n" (2) + "<|im_start|>assistant\n" (11) | reply + "<|im_end|>\n" (2)
      const reply = Number(p.replyChars) + 2;
      return reply / (Number(p.userChars) + 20 + reply);
    }
    case 'peft-params': {
      const d = m.hidden;
      const L = m.layers;
      const dkv = (m.hidden / m.heads) * m.kvHeads;
      const n = Number(p.tokens);
      const b = Number(p.bottleneck);
      const adapter = 2 * d * b + b + d;
      return { prompt: n * d, prefix: 2 * L * n * dkv, ia3: L * (2 * dkv + m.intermediate), houlsby: 2 * L * adapter, parallel: L * adapter }[
        p.method as string
      ]!;
    }
    case 'packed-rows':
      return Math.ceil(Number(p.count) / Math.floor(128 / (Number(p.tokens) - 1)));
  }
}

describe('question bank', () => {
  it('parses, has at least 60 questions, every kind and every topic', () => {
    expect(QUESTIONS.length).toBeGreaterThanOrEqual(60);
    for (const kind of ['numeric', 'single', 'multiple', 'formula', 'free'])
      expect(
        QUESTIONS.some((q) => q.kind === kind),
        kind,
      ).toBe(true);
    for (const topic of TOPICS) expect(QUESTIONS.filter((q) => q.topic === topic).length, topic).toBeGreaterThanOrEqual(4);
  });

  it('includes every interview question of the seed notes', () => {
    const covered = new Set(QUESTIONS.flatMap((q) => q.seeds ?? []));
    expect(SEED_QUESTIONS.filter((s) => !covered.has(s))).toEqual([]);
  });

  it('parsing the bank changes nothing, so the browser (which skips it) has the bank the build validated', () => {
    expect(import.meta.env.SSR).toBe(true);
    expect(parseQuestionBank(structuredClone(rawQuestionBank))).toEqual(rawQuestionBank);
  });

  it('rejects malformed questions with a message naming them', () => {
    const broken = structuredClone(rawQuestionBank) as Record<string, unknown>[];
    const single = broken.find((q) => q.kind === 'single') as {
      id: string;
      choices: { correct: boolean }[];
    };
    single.choices.forEach((c) => (c.correct = true));
    expect(() => parseQuestionBank(broken)).toThrow(new RegExp(`${single.id}.*exactly one correct`));
    const dup = [...rawQuestionBank, rawQuestionBank[0]];
    expect(() => parseQuestionBank(dup)).toThrow(/duplicate question id/);
    const badFormula = structuredClone(rawQuestionBank) as Record<string, unknown>[];
    (badFormula.find((q) => q.kind === 'formula') as { reference: string }).reference = 'r*(d+';
    expect(() => parseQuestionBank(badFormula)).toThrow(/reference formula does not parse/);
    const badParams = structuredClone(rawQuestionBank) as Record<string, unknown>[];
    (
      badParams.find((q) => q.generator === 'lora-params') as {
        params: { rank: unknown[] };
      }
    ).params.rank = [0];
    expect(() => parseQuestionBank(badParams)).toThrow(/parameter "rank"/);
  });
});

describe("numeric questions: every answer is the formula's value", () => {
  const numeric = QUESTIONS.filter((q) => q.kind === 'numeric');
  it.each(numeric.map((q) => [q.id, q] as const))('%s', (_, q) => {
    const rng = createRng(2024);
    for (let attempt = 0; attempt < 40; attempt++) {
      const card = instantiate(q, rng);
      const expected = card.expected as NumericExpectation;
      const value = formulaValue(q.kind === 'numeric' ? q.generator : ('' as GeneratorId), card.drawn!);
      expect(Number.isFinite(value)).toBe(true);
      expect(Math.abs(expected.value - value)).toBeLessThanOrEqual(1e-12 * Math.abs(value));
      // The prompt and worked answer are fully filled in and show no NaN.
      for (const text of [card.prompt, card.modelAnswer]) {
        expect(text).not.toMatch(/\{\w+\}|NaN|undefined|Infinity/);
      }
      // The answer as the page prints it is accepted; a value 10% off is not.
      expect(card.check({ text: formatExpected(expected) }).correct).toBe(true);
      expect(card.modelAnswer).toContain(formatExpected(expected));
      if (Math.abs(expected.value) > 0.05)
        expect(
          card.check({
            text: String(
              (expected.value * 1.1) / (expected.dimension === 'percent' ? 0.01 : expected.dimension === 'bytes' ? unitBytes(expected.askUnit) : 1),
            ),
          }).correct,
        ).toBe(false);
    }
  });
});

describe('numeric generators against published and hand-computed values', () => {
  it('LLaMA-2-7B, r = 8 on q_proj and v_proj: 4,194,304 trainable of 6,742,609,920 (PEFT print_trainable_parameters)', () => {
    expect(generate('lora-params', { model: '7b', rank: 8, targets: 'qv' }).expected.value).toBe(4_194_304);
    expect(modelParamCount(presetById('7b')) + 4_194_304).toBe(6_742_609_920);
    expect(checkNumeric('0.0622%', generate('lora-fraction', { model: '7b', rank: 8, targets: 'qv' }).expected).correct).toBe(true);
  });

  it('ZeRO paper Table 1: 7.5B on 64 GPUs, K = 12', () => {
    const row = TABLE1_7_5B.rows.find((r) => r.gpus === 64)!;
    for (const [stage, printed] of [
      [0, TABLE1_7_5B.baselineGB],
      [1, row.os],
      [2, row.osg],
      [3, row.osgp],
    ] as const) {
      const gb = generate('zero-memory', { paramsB: 7.5, stage, gpus: 64, unit: 'GB' }).expected.value / 1e9;
      expect(Math.abs(gb - printed)).toBeLessThanOrEqual(printedTolerance(printed));
    }
  });

  it('NF4 storage: 4.5 bits, 4.127 with double quantization (QLoRA paper, section 3)', () => {
    expect(
      generate('nf4-bits', {
        doubleQuant: false,
        blockSize: 64,
        secondBlock: 256,
      }).expected.value,
    ).toBe(4.5);
    expect(
      generate('nf4-bits', {
        doubleQuant: true,
        blockSize: 64,
        secondBlock: 256,
      }).expected.value,
    ).toBeCloseTo(4 + 0.125 + 32 / 16384, 12);
  });

  it('DPO, KTO and IPO on values worked by hand', () => {
    // logits = (-12 + 14) - (-22 + 20) = 4; -log sigmoid(0.4) = log(1 + e^-0.4) = 0.513015...
    expect(
      generate('dpo-loss', {
        beta: 0.1,
        policyChosen: -12,
        refChosen: -14,
        policyRejected: -22,
        refRejected: -20,
      }).expected.value,
    ).toBeCloseTo(Math.log(1 + Math.exp(-0.4)), 12);
    expect(
      generate('dpo-margin', {
        beta: 0.1,
        policyChosen: -12,
        refChosen: -14,
        policyRejected: -22,
        refRejected: -20,
      }).expected.value,
    ).toBeCloseTo(0.4, 12);
    // desirable, r = 1, z = 0, beta = 1: 1 - sigmoid(1) = 0.268941...
    expect(generate('kto-loss', { beta: 1, logRatio: 1, z: 0, desirable: true }).expected.value).toBeCloseTo(1 - 1 / (1 + Math.exp(-1)), 12);
    expect(generate('kto-loss', { beta: 1, logRatio: 1, z: 0, desirable: false }).expected.value).toBeCloseTo(1 - 1 / (1 + Math.exp(1)), 12);
    expect(generate('ipo-target', { beta: 0.1 }).expected.value).toBeCloseTo(5, 12);
  });

  it('full fine-tuning of LLaMA-2-7B: 16 bytes per parameter', () => {
    expect(generate('full-ft-memory', { model: '7b', unit: 'GB' }).expected.value).toBe(16 * 6_738_415_616);
  });
});

describe('choice questions', () => {
  const choice = QUESTIONS.filter((q) => q.kind === 'single' || q.kind === 'multiple');
  it.each(choice.map((q) => [q.id, q] as const))('%s accepts exactly the right set', (_, q) => {
    if (q.kind !== 'single' && q.kind !== 'multiple') return;
    const card = instantiate(q, createRng(5));
    for (const c of card.choices) expect(`${c.text} ${c.why}`).not.toMatch(/\{\w+\}|undefined/);
    expect(card.modelAnswer).not.toMatch(/\{\w+\}|NaN|undefined/);
    expect([...card.order].sort((a, b) => a - b)).toEqual(q.choices.map((_, i) => i));
    const right = q.choices.flatMap((c, i) => (c.correct ? [i] : []));
    expect(card.check({ selected: right }).correct).toBe(true);
    // Every other non-empty subset (of the first 5 options, to keep it small) is rejected, with per-option reasons.
    const n = Math.min(q.choices.length, 5);
    for (let mask = 1; mask < 1 << n; mask++) {
      const picked = Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
      if (picked.length === right.length && picked.every((i) => right.includes(i))) continue;
      const v = card.check({ selected: picked });
      expect(v.correct).toBe(false);
      expect(v.choiceFeedback?.length).toBe(q.choices.length);
    }
    expect(card.check({ selected: [] }).message).toMatch(/Pick an option/);
  });
});

describe('formula questions', () => {
  const formula = QUESTIONS.filter((q) => q.kind === 'formula');
  it.each(formula.map((q) => [q.id, q] as const))('%s accepts its reference and rejects a perturbed one', (_, q) => {
    if (q.kind !== 'formula') return;
    const card = instantiate(q, createRng(9));
    expect(card.check({ text: q.reference }).correct).toBe(true);
    expect(card.check({ text: `(${q.reference})*1.01` }).correct).toBe(false);
    expect(card.check({ text: `(${q.reference}) + ${q.variables[0].name}` }).correct).toBe(false);
    expect(card.check({ text: 'zzz' }).message).toMatch(/Unknown name/);
  });
});

describe('free-text questions', () => {
  const free = QUESTIONS.filter((q) => q.kind === 'free');
  it.each(free.map((q) => [q.id, q] as const))(
    '%s: the model answer makes every key point and contradicts none; an empty or off-topic answer makes none',
    (_, q) => {
      if (q.kind !== 'free') return;
      const card = instantiate(q, createRng(1));
      const model = card.check({ text: card.modelAnswer });
      expect(model.findings?.filter((f) => f.status !== 'found')).toEqual([]);
      expect(model.termList).toBe(false);
      expect(model.score).toBe(1);
      expect(model.selfGraded).toBe(true);
      const found = (text: string) => card.check({ text }).findings?.filter((f) => f.status === 'found') ?? [];
      expect(found('')).toEqual([]);
      expect(found('I would have to think about that.')).toEqual([]);
    },
  );
});

describe('links', () => {
  it('every card links to a heading of its chapter (ids as Astro derives them from the MDX headings)', () => {
    const headingIds = new Map<string, Set<string>>();
    for (const q of QUESTIONS) {
      if (!headingIds.has(q.chapter)) {
        const file = new URL(`../../../../content/chapters/${q.chapter}.mdx`, import.meta.url);
        const slugger = new GithubSlugger();
        const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
        headingIds.set(q.chapter, new Set([...text.matchAll(/^#{2,6}\s+(.+?)\s*$/gm)].map((m) => slugger.slug(m[1].replace(/`/g, '')))));
      }
      expect([...headingIds.get(q.chapter)!], `${q.id} -> /chapters/${q.chapter}/#${q.anchor}`).toContain(q.anchor);
    }
  });

  it('every card links to a chapter slug and, where given, to a widget that exists with parameters it knows', async () => {
    for (const q of QUESTIONS) {
      if (!q.widget) continue;
      const metaPath = new URL(`../../../../components/${q.widget.name}/meta.ts`, import.meta.url);
      if (!existsSync(metaPath)) continue; // the page omits links to widgets that are not built yet
      const { meta } = (await import(/* @vite-ignore */ metaPath.pathname)) as {
        meta: WidgetMeta;
      };
      for (const [key, value] of Object.entries(q.widget.params)) {
        const spec = meta.schema[key];
        expect(spec, `${q.id}: widget ${q.widget.name} has no parameter "${key}"`).toBeDefined();
        expect(parseValue(key, spec, String(value)), `${q.id}: ${key}=${value}`).not.toHaveProperty('error');
      }
    }
  });
});

describe('lora-param-fraction is what PEFT prints', () => {
  it('r = 64 on all linear layers of LLaMA-2-7B: 2.318% (adapter over base + adapter), not 2.373% (over the base only)', () => {
    const g = generate('lora-fraction', { model: '7b', rank: 64, targets: 'all' });
    expect(g.expected.value).toBeCloseTo(159_907_840 / (6_738_415_616 + 159_907_840), 12);
    expect(100 * g.expected.value).toBeCloseTo(2.318, 3);
  });
});
