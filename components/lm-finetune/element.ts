import { renderChat } from '../../kernels/lm/chat-template';
import { LINEAR_MODULES, type LinearModule } from '../../kernels/lm/config';
import { sftTask, type SftTaskId } from '../../kernels/lm/data/sft-tasks';
import { promptIds, REPLY_TOKENS, runFineTuning, type CurvePoint, type FineTuneResult, type Sample } from '../../kernels/lm/experiment';
import { loadTinyModel, type PageModel } from '../../kernels/lm/load-tiny';
import { adapterZip, mergedModelZip } from '../../kernels/lm/peft';
import { pageRuntime } from '../../kernels/lm/runtime';
import { runConfigFor } from '../../kernels/lm/recipe';
import { mergedWeights, type LmRunConfig } from '../../kernels/lm/trainer';
import { WidgetError } from '../widget-base/errors';
import { downloadButton, el } from '../widget-base/dom';
import { loadModelForRun, withLmRuntime } from '../widget-base/lm-run';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import type { ParamValues } from '../widget-base/params';
import { PALETTE, plotInto } from '../widget-base/plot';
import { meta, schema } from './meta';
import './lm-finetune.css';

type Values = ParamValues<typeof schema>;

export interface LmFinetuneResult extends FineTuneResult {
  backend: 'webgpu' | 'cpu';
  /** Share of the model's parameters that trained. */
  trainableShare: number;
}

const METHOD_LABEL = { lora: 'LoRA', dora: 'DoRA', qlora: 'QLoRA', full: 'Full fine-tuning' } as const;
const SHORT_TO_MODULE: Record<string, LinearModule> = {
  q: 'q_proj',
  k: 'k_proj',
  v: 'v_proj',
  o: 'o_proj',
  gate: 'gate_proj',
  up: 'up_proj',
  down: 'down_proj',
};
const EVALUATIONS = 10;

function runConfig(v: Values): LmRunConfig {
  const targets = v.targets.map((t) => SHORT_TO_MODULE[t]).filter((m): m is LinearModule => LINEAR_MODULES.includes(m));
  return runConfigFor({ ...v, targets });
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

class FtLmFinetune extends FtWidget<typeof schema, LmFinetuneResult> {
  static meta = meta;

  private intro!: HTMLElement;
  private lossPlot!: HTMLElement;
  private forgetPlot!: HTMLElement;
  private summary!: HTMLElement;
  private samples!: HTMLElement;
  private downloads!: HTMLElement;
  private askInput!: HTMLInputElement;
  private askOutput!: HTMLElement;
  private askButton!: HTMLButtonElement;
  /** What "Ask" and the downloads use: the last run's adapter, or the base model. */
  private last: { page: PageModel; run: LmRunConfig; trained: Map<string, Float32Array>; shapes: Map<string, number[]> } | null = null;

  protected setup(): void {
    this.intro = el('p', 'lf-intro');
    const plots = el('div', 'lf-plots');
    this.lossPlot = el('div', 'lf-plot');
    this.forgetPlot = el('div', 'lf-plot');
    plots.append(this.lossPlot, this.forgetPlot);
    this.summary = el('p', 'lf-summary');
    this.summary.setAttribute('aria-live', 'polite');
    this.samples = el('div', 'ftw-table-wrap lf-samples');
    this.downloads = el('div', 'lf-downloads');
    const ask = el('form', 'lf-ask');
    const askId = `lf-ask-${Math.random().toString(36).slice(2, 8)}`;
    const label = el('label', undefined, 'Ask the model');
    label.htmlFor = askId;
    this.askInput = el('input');
    this.askInput.id = askId;
    this.askInput.type = 'text';
    this.askInput.maxLength = 400;
    this.askInput.placeholder = 'What is the capital of Peru?';
    this.askButton = el('button', 'ftw-secondary', 'Ask');
    this.askButton.type = 'submit';
    this.askOutput = el('p', 'lf-ask-output');
    this.askOutput.setAttribute('aria-live', 'polite');
    ask.append(label, this.askInput, this.askButton);
    ask.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.ask();
    });
    this.body.append(this.intro, plots, this.summary, this.samples, this.downloads, ask, this.askOutput);
    this.describeTask();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    super.attributeChangedCallback(name, oldValue, newValue);
    if (name === 'task' && this.intro) this.describeTask();
  }

  private describeTask(): void {
    const task = sftTask((this.values?.task ?? 'json') as SftTaskId);
    this.intro.textContent = `${task.label}: ${task.description} ${task.train.length} training conversations, ${task.heldOut.length} held out.`;
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<LmFinetuneResult> {
    const v = ctx.values;
    this.describeTask();
    if (v.method !== 'full' && v.targets.length === 0)
      throw new WidgetError('LoRA, DoRA and QLoRA need at least one target module: tick q_proj and v_proj, or all of them.');
    ctx.progress(0.01, 'Loading the model…');
    const page = await loadModelForRun();
    const run = runConfig(v);
    this.last = null;
    this.downloads.replaceChildren();
    const points: CurvePoint[] = [];
    let losses: readonly number[] = [];
    return withLmRuntime(ctx, page, async (runtime) => {
      const result = await runFineTuning(runtime, page.model, v.task, run, EVALUATIONS, {
        tick: () => ctx.tick(),
        onPhase: (phase) => {
          if (phase === 'before') ctx.progress(0.03, 'The base model answers the held-out questions…');
          if (phase === 'after') ctx.progress(0.97, 'The fine-tuned model answers them again…');
        },
        onSamples: (which, s) => this.drawSamples(which === 'before' ? s : null, which === 'after' ? s : null),
        onStep: (done, stepLosses) => {
          losses = stepLosses;
          ctx.progress(0.05 + (0.9 * done) / v.steps, `step ${done} / ${v.steps}`);
        },
        onPoint: (point) => {
          points.push(point);
          this.draw(v, points, losses);
        },
        onTrained: (trained, shapes) => (this.last = { page, run, trained, shapes }),
      });
      this.draw(v, result.curve, result.stepLosses);
      this.drawSamples(result.before, result.after);
      const out: LmFinetuneResult = { ...result, backend: ctx.backend, trainableShare: result.trainableParams / result.modelParams };
      this.report(out, runtime.wasm);
      this.offerDownloads();
      return out;
    });
  }

  private draw(v: Values, points: readonly CurvePoint[], stepLosses: readonly number[]): void {
    const task = sftTask(v.task);
    const series = ['training loss (each step)', 'held-out replies', 'held-out prompts'];
    const rows = [
      ...stepLosses.map((loss, i) => ({ step: i + 1, loss, series: series[0] })),
      ...points.map((p) => ({ step: p.step, loss: p.taskLoss, series: series[1] })),
      ...points.map((p) => ({ step: p.step, loss: p.promptLoss, series: series[2] })),
    ].filter((r) => Number.isFinite(r.loss) && r.loss > 0);
    plotInto(this.lossPlot, `${METHOD_LABEL[v.method]} on “${task.label}”: cross-entropy`, (Plot) => ({
      height: 260,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { type: 'log', label: '↑ nats per token (log scale)', grid: true },
      color: { domain: series, range: [PALETTE[0], PALETTE[1], PALETTE[2]], legend: true },
      marks: [
        Plot.line(
          rows.filter((r) => r.series === series[0]),
          { x: 'step', y: 'loss', stroke: 'series', strokeOpacity: 0.55 },
        ),
        Plot.line(
          rows.filter((r) => r.series === series[1]),
          { x: 'step', y: 'loss', stroke: 'series', strokeWidth: 2 },
        ),
        // Dashed as well as coloured, so the two held-out curves differ without colour.
        Plot.line(
          rows.filter((r) => r.series === series[2]),
          { x: 'step', y: 'loss', stroke: 'series', strokeWidth: 2, strokeDasharray: '4 3' },
        ),
        Plot.dot(
          rows.filter((r) => r.series !== series[0]),
          { x: 'step', y: 'loss', stroke: 'series', r: 2, tip: true },
        ),
      ],
    }));
    const start = points[0]?.pretrainLoss;
    plotInto(this.forgetPlot, 'Forgetting: loss on held-out pretraining text', (Plot) => ({
      height: 200,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { label: '↑ nats per token', grid: true, zero: false },
      marks: [
        ...(start !== undefined ? [Plot.ruleY([start], { stroke: 'currentColor', strokeOpacity: 0.5, strokeDasharray: '4 3' })] : []),
        Plot.line(points, { x: 'step', y: 'pretrainLoss', stroke: PALETTE[5], strokeWidth: 2 }),
        Plot.dot(points, { x: 'step', y: 'pretrainLoss', stroke: PALETTE[5], r: 2, tip: true }),
      ],
    }));
  }

  private drawSamples(before: Sample[] | null, after: Sample[] | null): void {
    const existing = this.samples.querySelector('table');
    const table = existing ?? el('table', 'ftw-table lf-table');
    if (!existing) {
      const caption = el(
        'caption',
        undefined,
        'The same held-out questions, answered by greedy decoding before and after fine-tuning (✓: does what the task asks).',
      );
      const head = el('tr');
      for (const h of ['Question', 'Before', 'After']) {
        const th = el('th', undefined, h);
        th.scope = 'col';
        head.append(th);
      }
      table.append(caption, el('thead'), el('tbody'));
      table.tHead!.append(head);
      this.samples.replaceChildren(table);
    }
    const body = table.tBodies[0];
    const list = before ?? after ?? [];
    list.forEach((s, i) => {
      let tr = body.rows[i];
      if (!tr) {
        tr = body.insertRow();
        const th = el('th', undefined, s.question);
        th.scope = 'row';
        tr.append(th, el('td', 'lf-before'), el('td', 'lf-after'));
      }
      const cell = tr.querySelector<HTMLElement>(before ? '.lf-before' : '.lf-after')!;
      cell.replaceChildren(el('span', 'lf-reply', s.reply || '(nothing)'), el('span', s.ok ? 'lf-ok' : 'lf-miss', s.ok ? ' ✓' : ' ✗'));
      cell.title = s.ok ? 'Does what the task asks' : `Expected something like: ${s.expected}`;
    });
  }

  private report(r: LmFinetuneResult, wasm: boolean): void {
    const first = r.curve[0];
    const last = r.curve[r.curve.length - 1];
    const device = r.backend === 'webgpu' ? 'GPU (WebGPU)' : `CPU (a worker${wasm ? ', WebAssembly SIMD' : ''})`;
    this.summary.textContent =
      `${r.trainableParams.toLocaleString('en-US')} trainable parameters, ${(100 * r.trainableShare).toFixed(r.trainableShare < 0.01 ? 2 : 1)}% of the model’s ${r.modelParams.toLocaleString('en-US')}. ` +
      `Held-out reply loss ${fmt(first.taskLoss)} → ${fmt(last.taskLoss)} nats per token; held-out questions answered as the task asks: ${pct(r.heldOutSuccessBefore)} → ${pct(r.heldOutSuccessAfter)} of ${r.heldOutQuestions}. ` +
      `Pretraining loss ${fmt(first.pretrainLoss)} → ${fmt(last.pretrainLoss)} (forgetting ${last.pretrainLoss >= first.pretrainLoss ? '+' : ''}${fmt(last.pretrainLoss - first.pretrainLoss)}). ` +
      `${Math.round(r.tokensPerSecond).toLocaleString('en-US')} training tokens per second on the ${device}, ${r.epochs} epoch${r.epochs === 1 ? '' : 's'} over the data.`;
  }

  private offerDownloads(): void {
    const last = this.last;
    if (!last) return;
    const { page, run, trained, shapes } = last;
    const name = `tiny-llama-${run.adapter.base === 'nf4' ? 'q' : ''}${run.adapter.method}-${this.values.task}`;
    const tokenizerFiles = Object.fromEntries(['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'].map((f) => [f, page.files[f]]));
    const merged = () =>
      mergedModelZip(mergedWeights(page.model.weights, page.model.config, run.adapter, trained), page.model.config, tokenizerFiles);
    this.downloads.replaceChildren(
      ...(run.adapter.method === 'full'
        ? []
        : [
            downloadButton('Download the adapter (PEFT: adapter_config.json, adapter_model.safetensors)', `${name}-adapter.zip`, () =>
              adapterZip(run.adapter, 'tiny-llama', trained, shapes),
            ),
          ]),
      downloadButton('Download the merged model (config.json, model.safetensors, tokenizer)', `${name}-merged.zip`, merged),
    );
  }

  private async ask(): Promise<void> {
    const question = this.askInput.value.trim();
    if (!question) return;
    this.askButton.disabled = true;
    this.askOutput.textContent = 'Thinking…';
    try {
      const page = await loadTinyModel();
      const { tokenizer } = page.model;
      const text = renderChat(page.model.chatTemplate, [{ role: 'user', content: question }], { addGenerationPrompt: true });
      const encoded = tokenizer.encode(text);
      const runtime = await pageRuntime(page.model, page.files, null);
      try {
        const trained = this.last ? { adapter: this.last.run.adapter, tensors: this.last.trained } : null;
        const [gen] = await runtime.generate(
          [promptIds(page.model, question)],
          { maxNewTokens: REPLY_TOKENS, temperature: 0, topK: 0, seed: 1, stopTokens: [tokenizer.id('<|im_end|>'), tokenizer.id('</s>')] },
          trained,
        );
        const notes: string[] = [];
        if (encoded.byteFallbackChars.length) {
          notes.push(
            `${[...new Set(encoded.byteFallbackChars)].join(' ')} ${encoded.byteFallbackChars.length === 1 ? 'is' : 'are'} not in the model’s vocabulary: encoded as UTF-8 bytes, which it never saw in training.`,
          );
        }
        if (gen.promptTruncated) notes.push(`The prompt was longer than the model’s context: its first ${gen.promptTruncated} tokens were cut.`);
        this.askOutput.replaceChildren(
          el('strong', undefined, `${this.last ? 'Fine-tuned' : 'Base'} model: `),
          document.createTextNode(tokenizer.decode(gen.ids, { skipSpecial: true }) || '(nothing)'),
          ...notes.map((n) => el('span', 'lf-note', ` ${n}`)),
        );
      } finally {
        runtime.dispose();
      }
    } catch (error) {
      this.askOutput.textContent = `The model could not answer: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.askButton.disabled = false;
    }
  }
}

defineWidget(`ft-${meta.name}`, FtLmFinetune);
