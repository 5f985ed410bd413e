import { runTraining, trainerFactory, type TrainingOutcome } from '../../kernels/lora/experiments';
import { DEFAULT_TASK } from '../../kernels/lora/task';
import { DEFAULT_TRAINER, type CurvePoint, type TrainerConfig } from '../../kernels/lora/trainer';
import { TrainingDiverged } from '../../kernels/training/trainer';
import { WidgetError } from '../widget-base/errors';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { PALETTE, plotInto } from '../widget-base/plot';
import type { ParamValues } from '../widget-base/params';
import { meta, schema } from './meta';
import './lora-trainer.css';

type Values = ParamValues<typeof schema>;

export interface LoraTrainerResult extends TrainingOutcome {
  backend: 'webgpu' | 'cpu';
}

const METHOD_LABEL = { lora: 'LoRA', dora: 'DoRA', full: 'Full fine-tuning' } as const;
const SERIES = ['training loss', 'held-out loss', 'held-out loss, same adapter on the fp32 base'];

/** The curve gets about 25 points; each evaluation runs the whole training and held-out sets. */
function evalEvery(steps: number): number {
  return Math.max(5, Math.round(steps / 25));
}

function trainerConfig(v: Values): TrainerConfig {
  return {
    ...DEFAULT_TRAINER,
    method: v.method,
    rank: v.rank,
    alpha: v.alpha,
    scaling: v.scaling,
    lr: v.lr,
    loraPlusRatio: v.loraPlusRatio,
    batch: v.batch,
    seed: v.seed,
    base: v.base,
  };
}

const sci = (v: number) => (Number.isFinite(v) ? (v >= 0.01 && v < 1000 ? v.toPrecision(3) : v.toExponential(2)) : '–');

class FtLoraTrainer extends FtWidget<typeof schema, LoraTrainerResult> {
  static meta = meta;

  private plot!: HTMLElement;
  private summary!: HTMLElement;
  private table!: HTMLTableElement;

  protected setup(): void {
    this.plot = document.createElement('div');
    this.plot.className = 'lt-plot';
    this.summary = document.createElement('p');
    this.summary.className = 'lt-summary';
    this.summary.setAttribute('aria-live', 'polite');
    this.table = document.createElement('table');
    this.table.className = 'lt-table';
    this.body.append(this.plot, this.summary, this.table);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<LoraTrainerResult> {
    const v = ctx.values;
    if (v.base === 'nf4' && v.method === 'full') {
      throw new WidgetError(
        'An NF4 base is for adapters (QLoRA): full fine-tuning trains the weights themselves. Choose LoRA or DoRA, or an fp32 base.',
      );
    }
    const config = trainerConfig(v);
    const main: CurvePoint[] = [];
    const reference: CurvePoint[] = [];
    this.summary.textContent = '';
    this.table.replaceChildren();
    const total = v.base === 'nf4' ? 2 * v.steps : v.steps;
    try {
      const outcome = await runTraining(
        { ...DEFAULT_TASK, intrinsicRank: v.intrinsicRank, magnitudeMix: v.magnitudeMix, seed: v.seed },
        config,
        v.steps,
        evalEvery(v.steps),
        trainerFactory(ctx.gpu),
        {
          tick: () => ctx.tick(),
          onSteps: (step, run) => {
            const done = run === 'main' ? step : v.steps + step;
            ctx.progress(done / total, run === 'main' ? `step ${step} / ${v.steps}` : `fp32 reference: step ${step} / ${v.steps}`);
          },
          onPoint: (point, run) => {
            (run === 'main' ? main : reference).push(point);
            this.draw(v, main, reference);
          },
        },
      );
      const result = { ...outcome, backend: ctx.backend };
      this.report(v, result);
      return result;
    } catch (error) {
      if (error instanceof TrainingDiverged)
        throw new WidgetError(
          `Training diverged: the loss ${Number.isFinite(error.loss) ? `reached ${error.loss.toExponential(2)}` : `became ${error.loss}`} at step ${error.step}. Lower the learning rate${v.loraPlusRatio > 1 ? ' or the LoRA+ ratio' : ''}.`,
        );
      throw error;
    }
  }

  private draw(v: Values, main: CurvePoint[], reference: CurvePoint[]): void {
    const rows = [
      ...main.map((p) => ({ step: p.step, loss: p.train, series: SERIES[0] })),
      ...main.map((p) => ({ step: p.step, loss: p.heldOut, series: SERIES[1] })),
      ...reference.map((p) => ({ step: p.step, loss: p.heldOut, series: SERIES[2] })),
    ].filter((r) => r.loss > 0);
    const series = v.base === 'nf4' ? SERIES : SERIES.slice(0, 2);
    const title = `${METHOD_LABEL[v.method]}${v.method === 'full' ? '' : `, r = ${v.rank}`}${v.base === 'nf4' ? ', NF4 base' : ''}: loss during training`;
    plotInto(this.plot, title, (Plot) => ({
      height: 300,
      x: { label: 'optimizer step →', domain: [0, v.steps], grid: true },
      y: { type: 'log', label: '↑ loss (MSE, log scale)', grid: true, tickFormat: '.0e' },
      color: { domain: series, range: [PALETTE[0], PALETTE[1], PALETTE[2]], legend: true },
      marks: [
        // The training loss dashed, so the two curves differ by more than colour.
        Plot.line(
          rows.filter((r) => r.series === SERIES[0]),
          { x: 'step', y: 'loss', stroke: 'series', strokeDasharray: '4 3' },
        ),
        Plot.line(
          rows.filter((r) => r.series !== SERIES[0]),
          { x: 'step', y: 'loss', stroke: 'series' },
        ),
        Plot.dot(rows, { x: 'step', y: 'loss', stroke: 'series', r: 1.5, tip: true }),
      ],
    }));
  }

  private report(v: Values, r: LoraTrainerResult): void {
    const full = 64 * 64;
    this.summary.textContent =
      `Held-out loss ${sci(r.untrainedHeldOut)} → ${sci(r.finalHeldOut)} (training set ${sci(r.finalTrain)}) after ${v.steps} steps. ` +
      `${r.trainableParams.toLocaleString('en-US')} trainable parameters (${((100 * r.trainableParams) / full).toFixed(1)}% of the layer’s ${full.toLocaleString('en-US')}). ` +
      `${Math.round(r.stepsPerSecond).toLocaleString('en-US')} steps per second on the ${r.backend === 'webgpu' ? 'GPU (WebGPU)' : 'CPU'}, evaluations included. ` +
      (v.base === 'nf4'
        ? `The frozen base is stored in ${r.frozenBaseBytes.toLocaleString('en-US')} bytes: two 4-bit codes per byte plus a float32 scale per 64 weights.`
        : `The frozen base is stored in ${r.frozenBaseBytes.toLocaleString('en-US')} bytes (fp32).`);
    const q = r.quantization;
    if (!q) return;
    const fp32Bytes = 4 * full;
    const rows: [string, string, string][] = [
      ['', 'fp32 base', 'NF4 base'],
      ['frozen base stored in', `${fp32Bytes.toLocaleString('en-US')} bytes`, `${r.frozenBaseBytes.toLocaleString('en-US')} bytes`],
      ['held-out loss before training', sci(q.untrainedFp32), sci(q.untrainedNf4)],
      ['held-out loss after training', sci(q.trainedFp32), sci(q.trainedNf4)],
    ];
    const caption = document.createElement('caption');
    caption.textContent =
      `Quantizing the base to NF4 changes its outputs by ${sci(q.baseOutputMse)} (mean squared difference). ` +
      `It adds ${sci(q.costBefore)} to the untrained loss and ${sci(q.costAfter)} to the trained one` +
      (q.recovered === undefined
        ? '.'
        : q.recovered > 0
          ? `: the adapter trained away ${(100 * q.recovered).toFixed(0)}% of the cost.`
          : ': the adapter removed none of it. The quantization error is spread over every direction of the weight (full rank), so a low-rank update fitted to the task cannot cancel it.');
    caption.style.textAlign = 'left';
    caption.style.captionSide = 'bottom';
    this.table.replaceChildren(caption);
    for (const [i, cells] of rows.entries()) {
      const tr = this.table.insertRow();
      cells.forEach((text, j) => {
        const cell = document.createElement(i === 0 || j === 0 ? 'th' : 'td');
        if (i === 0 || j === 0) cell.setAttribute('scope', i === 0 ? 'col' : 'row');
        cell.textContent = text;
        tr.append(cell);
      });
    }
  }
}

defineWidget(`ft-${meta.name}`, FtLoraTrainer);
