import { slope, traceDecomposition, type DecompositionPoint } from '../../kernels/lora/analysis';
import { linearForward, mseLoss } from '../../kernels/lora/reference';
import { makeTask } from '../../kernels/lora/task';
import { DEFAULT_TRAINER, type TrainerConfig } from '../../kernels/lora/trainer';
import { createCpuTrainer } from '../../kernels/lora/trainer-cpu';
import { createGpuTrainer } from '../../kernels/lora/trainer-gpu';
import { StoppedError, WidgetError } from '../widget-base/errors';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { PALETTE, plotInto } from '../widget-base/plot';
import { meta, schema } from './meta';
import './dora-analysis.css';

/** The runs compared: the paper's three methods, and DoRA with the norm kept in the gradient. */
const RUNS = [
  { id: 'full', label: 'Full fine-tuning', method: 'full', detachNorm: true },
  { id: 'lora', label: 'LoRA', method: 'lora', detachNorm: true },
  { id: 'dora', label: 'DoRA', method: 'dora', detachNorm: true },
  { id: 'dora-undetached', label: 'DoRA, norm not detached', method: 'dora', detachNorm: false },
] as const;

export interface RunSummary {
  id: string;
  label: string;
  trainableParams: number;
  finalHeldOut: number;
  directionChange: number;
  magnitudeChange: number;
  /** Least-squares slope of ΔM on ΔD over the run's checkpoints. */
  slope: number;
}

export interface DoraAnalysisResult {
  backend: 'webgpu' | 'cpu';
  runs: RunSummary[];
}

interface Row extends DecompositionPoint {
  run: string;
}

const fmt = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(3) : v.toExponential(2));

class FtDoraAnalysis extends FtWidget<typeof schema, DoraAnalysisResult> {
  static meta = meta;

  private planePlot!: HTMLElement;
  private lossPlot!: HTMLElement;
  private table!: HTMLTableElement;

  protected setup(): void {
    this.planePlot = document.createElement('div');
    this.planePlot.className = 'da-plot';
    this.lossPlot = document.createElement('div');
    this.lossPlot.className = 'da-plot';
    const wrap = document.createElement('div');
    wrap.className = 'ftw-table-wrap';
    this.table = document.createElement('table');
    this.table.className = 'ftw-table da-table';
    wrap.append(this.table);
    this.body.append(this.planePlot, this.lossPlot, wrap);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<DoraAnalysisResult> {
    const v = ctx.values;
    const task = makeTask({ intrinsicRank: v.intrinsicRank, magnitudeMix: v.magnitudeMix, seed: v.seed });
    const limit = Math.min(task.config.outFeatures, task.config.inFeatures);
    if (v.rank > limit) throw new WidgetError(`rank must be at most ${limit} for this ${limit} × ${limit} layer, got ${v.rank}.`);
    const every = Math.max(1, Math.round(v.steps / 40));
    // Every method starts exactly at the base layer (B = 0; DoRA's m = ||W0||), so step 0 is shared.
    const { outFeatures, inFeatures, heldOutSize } = task.config;
    const untrainedLoss = mseLoss(linearForward(task.base, task.heldOutX, heldOutSize, inFeatures, outFeatures), task.heldOutY);
    const rows: Row[] = [];
    const runs: RunSummary[] = [];
    for (const [index, spec] of RUNS.entries()) {
      const lr = spec.method === 'full' ? v.fullLr : v.lr;
      const config: TrainerConfig = { ...DEFAULT_TRAINER, method: spec.method, rank: v.rank, lr, seed: v.seed, detachNorm: spec.detachNorm };
      const trainer = ctx.gpu ? createGpuTrainer(ctx.gpu, task, config) : createCpuTrainer(task, config);
      rows.push({ step: 0, heldOut: untrainedLoss, magnitudeChange: 0, directionChange: 0, run: spec.label });
      let points: DecompositionPoint[];
      try {
        points = await traceDecomposition(trainer, config, task, {
          steps: v.steps,
          every,
          tick: () => ctx.tick(),
          onSteps: (step) => ctx.progress((index + step / v.steps) / RUNS.length, `${spec.label}: step ${step} / ${v.steps}`),
          onPoint: (point) => {
            rows.push({ ...point, run: spec.label });
            // Redraw every few points so the paths grow while the run trains.
            if ((point.step / every) % 5 === 0) this.draw(rows, runs);
          },
        });
      } catch (error) {
        if (error instanceof StoppedError) throw error;
        throw new WidgetError(`${spec.label}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        trainer.destroy();
      }
      const last = points[points.length - 1];
      runs.push({
        id: spec.id,
        label: spec.label,
        trainableParams: trainer.trainableParams,
        finalHeldOut: last.heldOut,
        directionChange: last.directionChange,
        magnitudeChange: last.magnitudeChange,
        slope: slope(
          points.map((p) => p.directionChange),
          points.map((p) => p.magnitudeChange),
        ),
      });
      this.draw(rows, runs);
    }
    return { backend: ctx.backend, runs };
  }

  private draw(rows: Row[], runs: RunSummary[]): void {
    const domain = RUNS.map((r) => r.label);
    const color = { domain, range: PALETTE.slice(0, RUNS.length), legend: true };
    plotInto(this.planePlot, 'ΔM against ΔD during training', (Plot) => ({
      x: { label: 'ΔD: mean (1 − cos) of rows vs W0 →', grid: true },
      y: { label: '↑ ΔM: mean |row norm − W0 row norm|', grid: true },
      color,
      marks: [
        Plot.line(
          rows.filter((r) => r.step > 0),
          { x: 'directionChange', y: 'magnitudeChange', stroke: 'run', sort: 'step' },
        ),
        Plot.dot(
          rows.filter((r) => r.step > 0),
          { x: 'directionChange', y: 'magnitudeChange', stroke: 'run', r: 2.5, tip: true },
        ),
      ],
    }));
    plotInto(this.lossPlot, 'Held-out loss', (Plot) => ({
      x: { label: 'step →' },
      y: { label: '↑ held-out MSE', type: 'log', grid: true },
      color,
      marks: [Plot.line(rows, { x: 'step', y: (r: Row) => Math.max(r.heldOut, 1e-12), stroke: 'run' })],
    }));
    const head = ['Run', 'params', 'held-out', 'ΔD', 'ΔM', 'slope'];
    const tr = document.createElement('tr');
    for (const h of head) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      tr.append(th);
    }
    const body = runs.map((r) => {
      const row = document.createElement('tr');
      for (const c of [
        r.label,
        r.trainableParams.toLocaleString('en-US'),
        fmt(r.finalHeldOut),
        fmt(r.directionChange),
        fmt(r.magnitudeChange),
        fmt(r.slope),
      ]) {
        const td = document.createElement('td');
        td.textContent = c;
        row.append(td);
      }
      return row;
    });
    const caption = document.createElement('caption');
    caption.textContent =
      'At the last step: trainable parameters, held-out MSE, ΔD and ΔM against W0, and the least-squares slope of ΔM on ΔD over the run (negative: one grew while the other shrank).';
    this.table.replaceChildren(caption, tr, ...body);
  }
}

defineWidget(`ft-${meta.name}`, FtDoraAnalysis);
