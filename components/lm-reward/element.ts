import { PREFERENCE_RULE, preferencePairs, type Flaw } from '../../kernels/lm/data/preference-pairs';
import { adapterZip } from '../../kernels/lm/peft';
import { rewardRunConfigFor } from '../../kernels/lm/recipe';
import { runRewardModel, type RewardPoint, type RewardResult } from '../../kernels/lm/reward-experiment';
import { downloadButton, el } from '../widget-base/dom';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { loadModelForRun, plotLossCurves, withLmRuntime } from '../widget-base/lm-run';
import type { ParamValues } from '../widget-base/params';
import { PALETTE, plotInto } from '../widget-base/plot';
import { meta, schema } from './meta';
import '../widget-base/lm-widgets.css';

type Values = ParamValues<typeof schema>;

export interface LmRewardResult extends RewardResult {
  backend: 'webgpu' | 'cpu';
}

const EVALUATIONS = 6;
const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
const FLAW_LABEL: Record<Flaw, string> = { wrong: 'wrong fact', filler: 'filler' };

class FtLmReward extends FtWidget<typeof schema, LmRewardResult> {
  static meta = meta;

  private lossPlot!: HTMLElement;
  private accuracyPlot!: HTMLElement;
  private marginPlot!: HTMLElement;
  private summary!: HTMLElement;
  private downloads!: HTMLElement;

  protected setup(): void {
    const pairs = preferencePairs();
    const intro = el('div', 'lmw-intro');
    intro.append(
      el(
        'p',
        undefined,
        `The reward model reads a prompt and a reply and returns one number: the chat model’s hidden state at the reply’s last token times a learned vector. It learns from the DPO widget’s pairs. ${PREFERENCE_RULE} ${pairs.train.length} training pairs, ${pairs.heldOut.length} held out (facts never trained on).`,
      ),
    );
    const plots = el('div', 'lmw-plots');
    this.lossPlot = el('div', 'lmw-plot');
    this.accuracyPlot = el('div', 'lmw-plot');
    plots.append(this.lossPlot, this.accuracyPlot);
    this.marginPlot = el('div', 'lmw-plot');
    this.summary = el('p', 'lmw-summary');
    this.summary.setAttribute('aria-live', 'polite');
    this.downloads = el('div', 'lmw-downloads');
    this.body.append(intro, plots, this.marginPlot, this.summary, this.downloads);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<LmRewardResult> {
    const v = ctx.values;
    ctx.progress(0.01, 'Loading the model…');
    this.downloads.replaceChildren();
    const page = await loadModelForRun();
    const points: RewardPoint[] = [];
    let losses: readonly number[] = [];
    const run = rewardRunConfigFor(v);
    return withLmRuntime(ctx, page, async (runtime) => {
      ctx.progress(0.03, 'Scoring the held-out pairs with the untrained head…');
      const { result, trained, shapes } = await runRewardModel(runtime, run, EVALUATIONS, {
        tick: () => ctx.tick(),
        onStep: (done, stepLosses) => {
          losses = stepLosses;
          ctx.progress(0.05 + (0.93 * done) / v.steps, `step ${done} / ${v.steps}`);
        },
        onPoint: (point) => {
          points.push(point);
          this.draw(v, points, losses);
        },
      });
      this.draw(v, result.curve, result.stepLosses);
      const out: LmRewardResult = { ...result, backend: ctx.backend };
      this.report(out);
      this.downloads.replaceChildren(
        downloadButton('Download the reward adapter (PEFT, task SEQ_CLS: LoRA + the score head)', 'tiny-llama-reward-adapter.zip', () =>
          adapterZip(run.adapter, 'tiny-llama', trained, shapes, 'SEQ_CLS'),
        ),
      );
      return out;
    });
  }

  private draw(v: Values, points: readonly RewardPoint[], stepLosses: readonly number[]): void {
    plotLossCurves(this.lossPlot, 'Bradley-Terry loss (dashed: ln 2, a coin flip)', v.steps, stepLosses, points, (Plot) => [
      Plot.ruleY([Math.LN2], { stroke: 'currentColor', strokeOpacity: 0.3, strokeDasharray: '4 3' }),
    ]);
    const measures = ['held-out: wrong fact', 'held-out: filler', 'training pairs'];
    const rows = points.flatMap((p) => [
      { step: p.step, value: p.accuracyByFlaw.wrong, measure: measures[0] },
      { step: p.step, value: p.accuracyByFlaw.filler, measure: measures[1] },
      { step: p.step, value: p.trainAccuracy, measure: measures[2] },
    ]);
    plotInto(this.accuracyPlot, 'Pairs ordered right, r(chosen) > r(rejected) (dashed: chance)', (Plot) => ({
      height: 240,
      x: { label: 'step →', domain: [0, v.steps] },
      y: { label: '↑ share', domain: [0, 1], grid: true, tickFormat: '%' },
      color: { domain: measures, range: [PALETTE[3], PALETTE[2], PALETTE[5]], legend: true },
      marks: [
        Plot.ruleY([0.5], { stroke: 'currentColor', strokeOpacity: 0.3, strokeDasharray: '4 3' }),
        Plot.line(rows, { x: 'step', y: 'value', stroke: 'measure', strokeWidth: 2 }),
        Plot.dot(rows, { x: 'step', y: 'value', stroke: 'measure', r: 2, tip: true }),
      ],
    }));
    const first = points[0];
    const last = points[points.length - 1];
    if (!first) return;
    const when = points.length > 1 ? ['before training', `after step ${last.step}`] : ['before training'];
    const margins = [first, ...(points.length > 1 ? [last] : [])].flatMap((p, k) =>
      p.pairs.map((pair) => ({ margin: pair.chosen - pair.rejected, flaw: FLAW_LABEL[pair.flaw], when: when[k] })),
    );
    plotInto(
      this.marginPlot,
      'Each held-out pair by what its rejected reply gets wrong: r(chosen) − r(rejected), right of 0 is ordered right',
      (Plot) => ({
        height: 170,
        marginLeft: 80,
        x: { label: 'reward margin →', grid: true },
        y: { label: null },
        color: { domain: when, range: [PALETTE[1], PALETTE[0]], legend: true },
        marks: [
          Plot.ruleX([0], { stroke: 'currentColor', strokeOpacity: 0.5 }),
          Plot.dot(margins, { x: 'margin', y: 'flaw', stroke: 'when', r: 4, tip: true }),
        ],
      }),
    );
  }

  private report(r: LmRewardResult): void {
    const first = r.curve[0];
    const last = r.curve[r.curve.length - 1];
    const device = r.backend === 'webgpu' ? 'GPU (WebGPU)' : 'CPU (a worker)';
    this.summary.textContent =
      `Held-out loss ${first.loss.toFixed(3)} → ${last.loss.toFixed(3)}; accuracy ${pct(first.accuracy)} → ${pct(last.accuracy)} of ${last.pairs.length} held-out pairs ` +
      `(wrong fact ${pct(last.accuracyByFlaw.wrong)}, filler ${pct(last.accuracyByFlaw.filler)}), against ${pct(last.trainAccuracy)} on as many training pairs. ` +
      `Mean rewards: chosen ${last.chosenReward.toFixed(2)}, rejected ${last.rejectedReward.toFixed(2)}. ` +
      `${r.stepsPerSecond.toFixed(1)} steps per second on the ${device}; ${r.trainableParams.toLocaleString('en-US')} trainable parameters (the adapter and the score head).`;
  }
}

defineWidget(`ft-${meta.name}`, FtLmReward);
