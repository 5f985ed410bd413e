import { runGrpo, type GrpoPoint, type GrpoResult, type GrpoSample } from '../../kernels/lm/grpo-experiment';
import { HELD_OUT_SUMS } from '../../kernels/lm/grpo-trainer';
import { grpoRunConfigFor } from '../../kernels/lm/recipe';
import { el } from '../widget-base/dom';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { beforeAfterTable, loadModelForRun, withLmRuntime } from '../widget-base/lm-run';
import type { ParamValues } from '../widget-base/params';
import { PALETTE, plotInto } from '../widget-base/plot';
import { meta, schema } from './meta';
import '../widget-base/lm-widgets.css';

type Values = ParamValues<typeof schema>;

export interface LmGrpoResult extends GrpoResult {
  backend: 'webgpu' | 'cpu';
}

const EVALUATIONS = 6;
const pct = (v: number) => `${(100 * v).toFixed(0)}%`;

class FtLmGrpo extends FtWidget<typeof schema, LmGrpoResult> {
  static meta = meta;

  private rewardPlot!: HTMLElement;
  private sharePlot!: HTMLElement;
  private summary!: HTMLElement;
  private samples!: HTMLElement;

  protected setup(): void {
    const intro = el(
      'p',
      'lmw-intro',
      `Task: “What is a plus b?” for a and b from 0 to 12. Reward = accuracy (1 if the reply states a plus b correctly) + format (1 if the reply is that one sentence and nothing else), scored by a program. ${HELD_OUT_SUMS} sums are held out of training.`,
    );
    const plots = el('div', 'lmw-plots');
    this.rewardPlot = el('div', 'lmw-plot');
    this.sharePlot = el('div', 'lmw-plot');
    plots.append(this.rewardPlot, this.sharePlot);
    this.summary = el('p', 'lmw-summary');
    this.summary.setAttribute('aria-live', 'polite');
    this.samples = el('div', 'ftw-table-wrap lmw-samples');
    this.body.append(intro, plots, this.summary, this.samples);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<LmGrpoResult> {
    const v = ctx.values;
    ctx.progress(0.01, 'Loading the model…');
    const page = await loadModelForRun();
    const points: GrpoPoint[] = [];
    return withLmRuntime(ctx, page, async (runtime) => {
      const result = await runGrpo(runtime, page.model, grpoRunConfigFor(v), EVALUATIONS, {
        tick: () => ctx.tick(),
        onPhase: (phase) => {
          if (phase === 'before') ctx.progress(0.02, 'The model answers held-out sums…');
          if (phase === 'training') ctx.progress(0.05, 'Sampling groups, scoring, updating…');
          if (phase === 'after') ctx.progress(0.97, 'The tuned model answers them again…');
        },
        onStep: (done) => ctx.progress(0.05 + (0.9 * done) / v.steps, `step ${done} / ${v.steps}`),
        onPoint: (point, rewards) => {
          points.push(point);
          this.draw(v, points, rewards);
        },
      });
      this.draw(v, result.curve, result.stepRewards);
      const out: LmGrpoResult = { ...result, backend: ctx.backend };
      this.report(out);
      this.drawSamples(out.before, out.after);
      return out;
    });
  }

  private draw(v: Values, points: readonly GrpoPoint[], stepRewards: readonly number[]): void {
    const series = ['each step’s own completions', 'held-out sums (sampled)'];
    plotInto(this.rewardPlot, 'Mean reward (0 to 2)', (Plot) => ({
      height: 240,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { label: '↑ reward', grid: true, domain: [0, 2] },
      color: { domain: series, range: [PALETTE[0], PALETTE[1]], legend: true },
      marks: [
        Plot.line(
          stepRewards.map((reward, i) => ({ step: i + 1, reward, series: series[0] })),
          { x: 'step', y: 'reward', stroke: 'series', strokeOpacity: 0.55 },
        ),
        Plot.line(
          points.map((p) => ({ step: p.step, reward: p.reward, series: series[1] })),
          { x: 'step', y: 'reward', stroke: 'series', strokeWidth: 2 },
        ),
        Plot.dot(
          points.map((p) => ({ step: p.step, reward: p.reward, series: series[1] })),
          { x: 'step', y: 'reward', stroke: 'series', r: 2, tip: true },
        ),
      ],
    }));
    const measures = ['right sum (sampled)', 'bare format (sampled)', 'right sum (greedy)'];
    const rows = points.flatMap((p) => [
      { step: p.step, share: p.accuracy, measure: measures[0] },
      { step: p.step, share: p.format, measure: measures[1] },
      { step: p.step, share: p.greedyAccuracy, measure: measures[2] },
    ]);
    plotInto(this.sharePlot, 'Held-out sums: shares of replies', (Plot) => ({
      height: 240,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { label: '↑ share', grid: true, domain: [0, 1], tickFormat: '%' },
      color: { domain: measures, range: [PALETTE[2], PALETTE[3], PALETTE[5]], legend: true },
      marks: [
        Plot.line(rows, { x: 'step', y: 'share', stroke: 'measure', strokeWidth: 2 }),
        Plot.dot(rows, { x: 'step', y: 'share', stroke: 'measure', r: 2, tip: true }),
      ],
    }));
  }

  private report(r: LmGrpoResult): void {
    const [first, last] = [r.curve[0], r.curve[r.curve.length - 1]];
    const device = r.backend === 'webgpu' ? 'GPU (WebGPU; sampling in a worker)' : 'CPU (a worker)';
    this.summary.textContent =
      `Held-out sums, sampled at temperature 1: mean reward ${first.reward.toFixed(2)} → ${last.reward.toFixed(2)}; right sum ${pct(first.accuracy)} → ${pct(last.accuracy)}, bare format ${pct(first.format)} → ${pct(last.format)}; greedy replies right ${pct(first.greedyAccuracy)} → ${pct(last.greedyAccuracy)}. ` +
      `No value model and no reference model (β = 0, TRL’s default): the group is the baseline. ${r.stepsPerSecond.toFixed(2)} steps per second on the ${device}, sampling included; ${r.trainableParams.toLocaleString('en-US')} trainable parameters.`;
  }

  private drawSamples(before: GrpoSample[], after: GrpoSample[]): void {
    const cell = (s: GrpoSample) => [
      el('span', 'lmw-reply', s.reply || '(nothing)'),
      el('span', s.accuracy + s.format === 2 ? 'lmw-ok' : 'lmw-miss', ` reward ${s.accuracy + s.format}`),
    ];
    this.samples.replaceChildren(
      beforeAfterTable(
        'Held-out sums, one reply sampled (same seed) before and after; the reward the program gives it.',
        before.map((b, i) => ({ prompt: b.question, before: cell(b), after: cell(after[i]) })),
      ),
    );
  }
}

defineWidget(`ft-${meta.name}`, FtLmGrpo);
