import { runRankSweep, trainerFactory, type SweepPoint } from '../../kernels/lora/experiments';
import { layerTrainableParams } from '../../kernels/lora/param-count';
import { DEFAULT_TASK } from '../../kernels/lora/task';
import { DEFAULT_TRAINER } from '../../kernels/lora/trainer';
import { TrainingDiverged } from '../../kernels/training/trainer';
import { WidgetError } from '../widget-base/errors';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { PALETTE, plotInto } from '../widget-base/plot';
import type { ParamValues } from '../widget-base/params';
import { meta, schema } from './meta';
import './rank-sweep.css';

type Values = ParamValues<typeof schema>;

export interface RankSweepResult {
  backend: 'webgpu' | 'cpu';
  intrinsicRank: number;
  points: SweepPoint[];
  /** Per method, the first swept rank whose loss is below a tenth of the previous rank's (no key when none). */
  elbow: Record<string, number>;
  seconds: number;
}

const LABEL: Record<string, string> = { lora: 'LoRA', dora: 'DoRA' };
const { outFeatures: OUT, inFeatures: IN } = DEFAULT_TASK;
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact' });

/** The first rank where the loss falls by more than 10x from the rank before it. */
export function elbowRank(points: SweepPoint[]): number | null {
  const sorted = [...points].sort((a, b) => a.rank - b.rank);
  for (let i = 1; i < sorted.length; i++) if (sorted[i].finalHeldOut < 0.1 * sorted[i - 1].finalHeldOut) return sorted[i].rank;
  return null;
}

class FtRankSweep extends FtWidget<typeof schema, RankSweepResult> {
  static meta = meta;

  private plot!: HTMLElement;
  private summary!: HTMLElement;

  protected setup(): void {
    this.plot = document.createElement('div');
    this.plot.className = 'rs-plot';
    this.summary = document.createElement('p');
    this.summary.className = 'rs-summary';
    this.summary.setAttribute('aria-live', 'polite');
    this.body.append(this.plot, this.summary);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<RankSweepResult> {
    const v = ctx.values;
    if (v.methods.length === 0) throw new WidgetError('Choose at least one method (methods=lora,dora).');
    if (v.ranks.length === 0) throw new WidgetError('Choose at least one rank (ranks=1,2,4,...).');
    const ranks = v.ranks.map(Number).sort((a, b) => a - b);
    const points: SweepPoint[] = [];
    this.summary.textContent = '';
    this.draw(v, ranks, points);
    const t0 = performance.now();
    try {
      await runRankSweep(
        { ...DEFAULT_TASK, intrinsicRank: v.intrinsicRank, magnitudeMix: v.magnitudeMix, seed: v.seed },
        { ...DEFAULT_TRAINER, alpha: v.alpha, scaling: v.scaling, lr: v.lr, batch: v.batch, seed: v.seed },
        v.methods,
        ranks,
        v.steps,
        trainerFactory(ctx.gpu),
        {
          tick: () => ctx.tick(),
          onSteps: (runIndex, step, total) => {
            const method = v.methods[Math.floor(runIndex / ranks.length)];
            const rank = ranks[runIndex % ranks.length];
            ctx.progress(
              (runIndex + step / v.steps) / total,
              `${LABEL[method]} r = ${rank}: step ${step} / ${v.steps} (run ${runIndex + 1} of ${total})`,
            );
          },
          onPoint: (point) => {
            points.push(point);
            this.draw(v, ranks, points);
          },
        },
      );
    } catch (error) {
      if (error instanceof TrainingDiverged)
        throw new WidgetError(`A run diverged (rank ${ranks.find((r) => !points.some((p) => p.rank === r)) ?? '?'}): ${error.message}.`);
      throw error;
    }
    const elbow: Record<string, number> = {};
    for (const m of v.methods) {
      const rank = elbowRank(points.filter((p) => p.method === m));
      if (rank !== null) elbow[m] = rank;
    }
    const result = { backend: ctx.backend, intrinsicRank: v.intrinsicRank, points, elbow, seconds: (performance.now() - t0) / 1000 };
    this.summary.textContent =
      `${points.length} runs of ${v.steps} steps in ${result.seconds.toFixed(1)} s on the ${ctx.backend === 'webgpu' ? 'GPU (WebGPU)' : 'CPU'}. ` +
      v.methods
        .map((m) =>
          elbow[m] === undefined
            ? `${LABEL[m]}: no rank cuts the loss tenfold from the rank before it.`
            : `${LABEL[m]}: the loss drops tenfold or more at r = ${elbow[m]}.`,
        )
        .join(' ') +
      ` The task’s intrinsic rank is ${v.intrinsicRank}. The top axis counts LoRA’s trainable parameters, r (${IN} + ${OUT}); DoRA adds ${OUT} magnitudes.`;
    return result;
  }

  private draw(v: Values, ranks: number[], points: SweepPoint[]): void {
    const rows = points.filter((p) => p.finalHeldOut > 0).map((p) => ({ ...p, name: LABEL[p.method] }));
    const domain = v.methods.map((m) => LABEL[m]);
    plotInto(this.plot, 'Final held-out loss against adapter rank', (Plot) => ({
      height: 320,
      marginTop: 48,
      x: {
        type: 'log',
        base: 2,
        domain: [Math.min(...ranks) / 1.3, Math.max(...ranks) * 1.3],
        label: 'rank r →',
        ticks: ranks,
        tickFormat: (r: number) => String(r),
      },
      y: { type: 'log', label: '↑ held-out MSE (log)', grid: true, tickFormat: '.0e' },
      color: { domain, range: [PALETTE[0], PALETTE[1]], legend: true },
      marks: [
        Plot.axisX({ anchor: 'bottom', ticks: ranks, tickFormat: (r: number) => String(r), label: 'rank r →' }),
        Plot.axisX({
          anchor: 'top',
          ticks: ranks,
          tickFormat: (r: number) => COMPACT.format(layerTrainableParams('lora', OUT, IN, r)),
          label: 'LoRA parameters →',
        }),
        Plot.ruleX([v.intrinsicRank], { stroke: 'currentColor', strokeOpacity: 0.5, strokeDasharray: '3 3' }),
        Plot.text([v.intrinsicRank], {
          x: (d: number) => d,
          frameAnchor: 'top',
          dy: 8,
          dx: 4,
          textAnchor: 'start',
          text: () => 'intrinsic rank',
        }),
        Plot.line(rows, { x: 'rank', y: 'finalHeldOut', stroke: 'name', sort: 'rank' }),
        Plot.dot(rows, { x: 'rank', y: 'finalHeldOut', stroke: 'name', fill: 'name', r: 3, tip: true }),
      ],
    }));
  }
}

defineWidget(`ft-${meta.name}`, FtRankSweep);
