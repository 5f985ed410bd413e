import { PREFERENCE_RULE, preferencePairs } from '../../kernels/lm/data/preference-pairs';
import {
  BETA_SWEEP_FACTORS,
  runBetaSweep,
  runPreferenceTuning,
  sweepPoint,
  type BetaSweepPoint,
  type DemoReply,
  type PreferencePoint,
  type PreferenceResult,
  type ReplyStats,
} from '../../kernels/lm/preference-experiment';
import { usesReference } from '../../kernels/lm/preference-trainer';
import { preferenceRunConfigFor } from '../../kernels/lm/recipe';
import { el } from '../widget-base/dom';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { beforeAfterTable, loadModelForRun, plotLossCurves, withLmRuntime } from '../widget-base/lm-run';
import type { ParamValues } from '../widget-base/params';
import { clearPlot, PALETTE, plotInto } from '../widget-base/plot';
import { meta, schema } from './meta';
import '../widget-base/lm-widgets.css';

type Values = ParamValues<typeof schema>;

export interface LmPreferenceResult extends PreferenceResult {
  backend: 'webgpu' | 'cpu';
  /** With `sweep`: where the run ended at each beta of the sweep (the chosen one included), by beta. */
  sweep: BetaSweepPoint[] | null;
}

const EVALUATIONS = 10;
const METHOD_LABEL = { dpo: 'DPO', ipo: 'IPO', simpo: 'SimPO', kto: 'KTO', orpo: 'ORPO' } as const;

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

class FtLmPreference extends FtWidget<typeof schema, LmPreferenceResult> {
  static meta = meta;

  private lossPlot!: HTMLElement;
  private rewardPlot!: HTMLElement;
  private lengthPlot!: HTMLElement;
  private sweepPlot!: HTMLElement;
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
    this.lengthPlot = el('div', 'lmw-plot');
    this.sweepPlot = el('div', 'lmw-plot');
    plots.append(this.lossPlot, this.rewardPlot, this.lengthPlot, this.sweepPlot);
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
    const run = preferenceRunConfigFor(v);
    // With the sweep, the chosen beta's run is the first of BETA_SWEEP_FACTORS.length runs.
    const runs = v.sweep ? BETA_SWEEP_FACTORS.length : 1;
    const share = (x: number) => x / runs;
    clearPlot(this.sweepPlot);
    return withLmRuntime(ctx, page, async (runtime) => {
      const result = await runPreferenceTuning(
        runtime,
        page.model,
        run,
        EVALUATIONS,
        {
          tick: () => ctx.tick(),
          onPhase: (phase) => {
            if (phase === 'before') ctx.progress(share(0.02), 'The model answers the held-out prompts (greedy, and sampled)…');
            if (phase === 'reference')
              ctx.progress(
                share(0.04),
                usesReference(v.method) ? 'Computing the reference’s log-probabilities, once…' : 'Measuring the held-out pairs…',
              );
            if (phase === 'after') ctx.progress(share(0.96), 'The tuned model answers them again…');
          },
          onStep: (done, stepLosses) => {
            losses = stepLosses;
            ctx.progress(share(0.06 + (0.9 * done) / v.steps), `step ${done} / ${v.steps}`);
          },
          onPoint: (point) => {
            points.push(point);
            this.draw(v, points, losses);
          },
        },
        v.samples,
      );
      this.draw(v, result.curve, result.stepLosses);
      let sweep: BetaSweepPoint[] | null = null;
      if (v.sweep) {
        const chosen = sweepPoint(v.beta, result.curve[result.curve.length - 1]);
        const others = BETA_SWEEP_FACTORS.filter((f) => f !== 1).map((f) => f * v.beta);
        const swept: BetaSweepPoint[] = [chosen];
        this.drawSweep(v, swept);
        await runBetaSweep(runtime, page.model, run, others, {
          tick: () => ctx.tick(),
          onStep: (done) => ctx.progress(share(swept.length + done / v.steps), `β = ${fmt(others[swept.length - 1], 3)}: step ${done} / ${v.steps}`),
          onRun: (_, point) => {
            swept.push(point);
            this.drawSweep(v, swept);
          },
        });
        sweep = [...swept].sort((a, b) => a.beta - b.beta);
      }
      const out: LmPreferenceResult = { ...result, backend: ctx.backend, sweep };
      this.report(v, out);
      this.drawReplies(out);
      return out;
    });
  }

  /** The sweep: KL from the reference at each beta (log axis), each point labelled with the log-ratio margin learned. */
  private drawSweep(v: Values, points: readonly BetaSweepPoint[]): void {
    const rows = [...points]
      .sort((a, b) => a.beta - b.beta)
      .map((p) => ({ ...p, label: `m ${fmt(p.logRatioMargin, 2)}`, chosen: p.beta === v.beta }));
    plotInto(
      this.sweepPlot,
      `β sweep (${points.length} of ${BETA_SWEEP_FACTORS.length} runs): KL from the reference; labels: log-ratio margin m learned, nats`,
      (Plot) => ({
        height: 250,
        marginTop: 34,
        x: { label: 'β →', type: 'log', grid: true },
        y: { label: '↑ KL(policy ‖ reference), nats/token', grid: true, zero: true },
        marks: [
          Plot.line(rows, { x: 'beta', y: 'kl', stroke: PALETTE[0], strokeOpacity: 0.6 }),
          Plot.dot(rows, { x: 'beta', y: 'kl', fill: (d) => (d.chosen ? PALETTE[1] : PALETTE[0]), r: 4, tip: true }),
          Plot.text(rows, { x: 'beta', y: 'kl', text: 'label', dy: -12, fill: 'currentColor', fontSize: 11 }),
        ],
      }),
    );
  }

  private draw(v: Values, points: readonly PreferencePoint[], stepLosses: readonly number[]): void {
    plotLossCurves(this.lossPlot, `${METHOD_LABEL[v.method]} loss`, v.steps, stepLosses, points);
    const measures = ['reward margin (chosen − rejected)', 'accuracy on held-out pairs', 'KL(policy ‖ reference), nats/token'];
    const rows = points.flatMap((p) => [
      { step: p.step, value: p.margin, measure: measures[0] },
      { step: p.step, value: p.accuracy, measure: measures[1] },
      { step: p.step, value: p.kl, measure: measures[2] },
    ]);
    plotInto(this.rewardPlot, 'Held-out pairs: implicit rewards, accuracy and KL', (Plot) => ({
      height: 240,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { label: '↑ value', grid: true },
      color: { domain: measures, range: [PALETTE[2], PALETTE[3], PALETTE[5]], legend: true },
      marks: [
        Plot.ruleY([0], { stroke: 'currentColor', strokeOpacity: 0.4 }),
        Plot.line(rows, { x: 'step', y: 'value', stroke: 'measure', strokeWidth: 2 }),
        Plot.dot(rows, { x: 'step', y: 'value', stroke: 'measure', r: 2, tip: true }),
      ],
    }));
    this.drawLengths(v, points);
  }

  /** DPO's length bias: the sampled replies' length against the mean lengths of the chosen and rejected replies it learns from. */
  private drawLengths(v: Values, points: readonly PreferencePoint[]): void {
    const first = points[0];
    if (!first) return;
    const mean = (f: (p: PreferencePoint['pairs'][number]) => number) => first.pairs.reduce((s, p) => s + f(p), 0) / first.pairs.length;
    const series = ['sampled replies, held-out prompts', 'chosen replies (mean)', 'rejected replies (mean)'];
    const references = [
      { length: mean((p) => p.chosenLength), series: series[1] },
      { length: mean((p) => p.rejectedLength), series: series[2] },
    ];
    const rows = points.map((p) => ({ step: p.step, length: p.replies.length, series: series[0], filler: p.replies.filler }));
    plotInto(this.lengthPlot, 'Reply length in tokens: one sample per held-out prompt (dashed: the pairs’ replies)', (Plot) => ({
      height: 240,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { label: '↑ tokens', grid: true, zero: true },
      color: { domain: series, range: [PALETTE[0], PALETTE[2], PALETTE[5]], legend: true },
      marks: [
        Plot.ruleY(references, { y: 'length', stroke: 'series', strokeDasharray: '4 3' }),
        Plot.line(rows, { x: 'step', y: 'length', stroke: 'series', strokeWidth: 2 }),
        Plot.dot(rows, {
          x: 'step',
          y: 'length',
          stroke: 'series',
          r: 2,
          tip: true,
          title: (d) => `step ${d.step}: ${d.length.toFixed(1)} tokens, ${pct(d.filler)} open with filler`,
        }),
      ],
    }));
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
      (r.sweep
        ? `β sweep, ${v.steps} steps each (β: KL nats/token, log-ratio margin nats, held-out accuracy): ${r.sweep.map((p) => `${fmt(p.beta, 3)}: ${fmt(p.kl, 4)}, ${fmt(p.logRatioMargin, 2)}, ${pct(p.accuracy)}`).join('; ')}. `
        : '') +
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
