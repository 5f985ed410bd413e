import { PREFERENCE_RULE, preferencePairs } from '../../kernels/lm/data/preference-pairs';
import {
  runPreferenceTuning,
  type DemoReply,
  type PreferencePoint,
  type PreferenceResult,
  type ReplyStats,
} from '../../kernels/lm/preference-experiment';
import { usesReference } from '../../kernels/lm/preference-trainer';
import { preferenceRunConfigFor } from '../../kernels/lm/recipe';
import { el } from '../widget-base/dom';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { beforeAfterTable, loadModelForRun, withLmRuntime } from '../widget-base/lm-run';
import type { ParamValues } from '../widget-base/params';
import { PALETTE, Plot, plotInto } from '../widget-base/plot';
import { meta, schema } from './meta';
import '../widget-base/lm-widgets.css';

type Values = ParamValues<typeof schema>;

export interface LmPreferenceResult extends PreferenceResult {
  backend: 'webgpu' | 'cpu';
}

const EVALUATIONS = 10;
const METHOD_LABEL = { dpo: 'DPO', ipo: 'IPO', simpo: 'SimPO', kto: 'KTO', orpo: 'ORPO' } as const;

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

class FtLmPreference extends FtWidget<typeof schema, LmPreferenceResult> {
  static meta = meta;

  private lossPlot!: HTMLElement;
  private rewardPlot!: HTMLElement;
  private summary!: HTMLElement;
  private replies!: HTMLElement;

  protected setup(): void {
    const pairs = preferencePairs();
    const example = pairs.train.find((p) => p.flaw === 'filler')!;
    const intro = el('div', 'lmw-intro');
    intro.append(
      el('p', undefined, `${PREFERENCE_RULE} ${pairs.train.length} training pairs, ${pairs.heldOut.length} held out (facts never trained on).`),
      el('p', 'lmw-example', `“${example.prompt}”  preferred: “${example.chosen}”  rejected: “${example.rejected}”`),
    );
    const plots = el('div', 'lmw-plots');
    this.lossPlot = el('div', 'lmw-plot');
    this.rewardPlot = el('div', 'lmw-plot');
    plots.append(this.lossPlot, this.rewardPlot);
    this.summary = el('p', 'lmw-summary');
    this.summary.setAttribute('aria-live', 'polite');
    this.replies = el('div', 'ftw-table-wrap lmw-replies');
    this.body.append(intro, plots, this.summary, this.replies);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<LmPreferenceResult> {
    const v = ctx.values;
    ctx.progress(0.01, 'Loading the model…');
    const page = await loadModelForRun();
    const points: PreferencePoint[] = [];
    let losses: readonly number[] = [];
    return withLmRuntime(ctx, page, async (runtime) => {
      const result = await runPreferenceTuning(runtime, page.model, preferenceRunConfigFor(v), EVALUATIONS, {
        tick: () => ctx.tick(),
        onPhase: (phase) => {
          if (phase === 'before') ctx.progress(0.02, 'The model answers the held-out prompts (greedy, and sampled)…');
          if (phase === 'reference')
            ctx.progress(0.04, usesReference(v.method) ? 'Computing the reference’s log-probabilities, once…' : 'Measuring the held-out pairs…');
          if (phase === 'after') ctx.progress(0.96, 'The tuned model answers them again…');
        },
        onStep: (done, stepLosses) => {
          losses = stepLosses;
          ctx.progress(0.06 + (0.9 * done) / v.steps, `step ${done} / ${v.steps}`);
        },
        onPoint: (point) => {
          points.push(point);
          this.draw(v, points, losses);
        },
      });
      this.draw(v, result.curve, result.stepLosses);
      const out: LmPreferenceResult = { ...result, backend: ctx.backend };
      this.report(v, out);
      this.drawReplies(out);
      return out;
    });
  }

  private draw(v: Values, points: readonly PreferencePoint[], stepLosses: readonly number[]): void {
    const series = ['training loss (each step)', 'held-out loss'];
    plotInto(this.lossPlot, `${METHOD_LABEL[v.method]} loss`, {
      height: 240,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { label: '↑ loss', grid: true },
      color: { domain: series, range: [PALETTE[0], PALETTE[1]], legend: true },
      marks: [
        Plot.line(
          stepLosses.map((loss, i) => ({ step: i + 1, loss, series: series[0] })),
          { x: 'step', y: 'loss', stroke: 'series', strokeOpacity: 0.5 },
        ),
        Plot.line(
          points.map((p) => ({ step: p.step, loss: p.loss, series: series[1] })),
          { x: 'step', y: 'loss', stroke: 'series', strokeWidth: 2 },
        ),
        Plot.dot(
          points.map((p) => ({ step: p.step, loss: p.loss, series: series[1] })),
          { x: 'step', y: 'loss', stroke: 'series', r: 2, tip: true },
        ),
      ],
    });
    const measures = ['reward margin (chosen − rejected)', 'accuracy on held-out pairs', 'KL(policy ‖ reference), nats/token'];
    const rows = points.flatMap((p) => [
      { step: p.step, value: p.margin, measure: measures[0] },
      { step: p.step, value: p.accuracy, measure: measures[1] },
      { step: p.step, value: p.kl, measure: measures[2] },
    ]);
    plotInto(this.rewardPlot, 'Held-out pairs: implicit rewards, accuracy and KL', {
      height: 240,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { label: '↑ value', grid: true },
      color: { domain: measures, range: [PALETTE[2], PALETTE[3], PALETTE[5]], legend: true },
      marks: [
        Plot.ruleY([0], { stroke: 'currentColor', strokeOpacity: 0.4 }),
        Plot.line(rows, { x: 'step', y: 'value', stroke: 'measure', strokeWidth: 2 }),
        Plot.dot(rows, { x: 'step', y: 'value', stroke: 'measure', r: 2, tip: true }),
      ],
    });
  }

  private report(v: Values, r: LmPreferenceResult): void {
    const first = r.curve[0];
    const last = r.curve[r.curve.length - 1];
    const device = r.backend === 'webgpu' ? 'GPU (WebGPU)' : 'CPU (a worker)';
    const stats = (s: ReplyStats) => `${pct(s.filler)} open with filler, ${pct(s.correct)} correct, ${fmt(s.length, 1)} tokens`;
    const reference = usesReference(v.method)
      ? `The reference’s log-probabilities were computed once, before training, in ${(r.referenceMs / 1000).toFixed(1)} s (TRL’s precompute_ref_log_probs): without that, every step would run the reference too, about a third more compute than the ${(r.trainingMs / 1000).toFixed(1)} s of training. `
      : `${METHOD_LABEL[v.method]} has no reference model. `;
    this.summary.textContent =
      `Held-out loss ${fmt(first.loss)} → ${fmt(last.loss)}; reward margin ${fmt(last.margin)}, accuracy ${pct(last.accuracy)} of the ${last.pairs.length} held-out pairs, KL from the reference ${fmt(last.kl, 4)} nats per token. ` +
      `Log-probability of the chosen replies ${fmt(first.chosenLogp, 2)} → ${fmt(last.chosenLogp, 2)}, of the rejected ${fmt(first.rejectedLogp, 2)} → ${fmt(last.rejectedLogp, 2)}. ` +
      `Sampled replies (temperature 1, ${r.before.sampled.samples}): before, ${stats(r.before.sampled)}; after, ${stats(r.after.sampled)}. ` +
      reference +
      `${r.stepsPerSecond.toFixed(1)} steps per second on the ${device}; ${r.trainableParams.toLocaleString('en-US')} trainable parameters.`;
  }

  private drawReplies(r: LmPreferenceResult): void {
    const cell = (d: DemoReply) => [
      el('span', 'lmw-reply', d.reply || '(nothing)'),
      el('span', d.correct ? 'lmw-ok' : 'lmw-miss', d.correct ? ' ✓' : ' ✗'),
      ...(d.filler ? [el('span', 'lmw-miss', ' filler')] : []),
    ];
    this.replies.replaceChildren(
      beforeAfterTable(
        'Held-out prompts, greedy replies before and after (✓ right fact; “filler” when it opens with one).',
        r.before.greedy.map((b, i) => ({ prompt: b.prompt, before: cell(b), after: cell(r.after.greedy[i]) })),
      ),
    );
  }
}

defineWidget(`ft-${meta.name}`, FtLmPreference);
