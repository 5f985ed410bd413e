import { optimalFrontier, type PreferenceMetrics } from '../../kernels/preference/metrics';
import { LOSS_NAMES, type LossConfig, type PreferenceLossName } from '../../kernels/preference/objective';
import { createPreferenceTask, type PreferenceTask } from '../../kernels/preference/task';
import { createCpuTrainer } from '../../kernels/preference/trainer-cpu';
import { createGpuTrainer } from '../../kernels/preference/trainer-gpu';
import { watchPreference, type PreferenceEvaluation, type PreferenceTrainer } from '../../kernels/preference/trainer';
import { trainLoop } from '../../kernels/training/loop';
import { TrainingDiverged } from '../../kernels/training/trainer';
import { WidgetError } from '../widget-base/errors';
import { FtWidget, defineWidget, type RunContext } from '../widget-base/ft-widget';
import { clearPlot, PALETTE, plotInto } from '../widget-base/plot';
import type { ParamValues } from '../widget-base/params';
import { meta, schema } from './meta';
import './pref-trainer.css';

type Values = ParamValues<typeof schema>;

const LOSS_LABELS: Record<PreferenceLossName, string> = { dpo: 'DPO', ipo: 'IPO', simpo: 'SimPO', kto: 'KTO' };

/** β grids of the sweep. SimPO's β scales per-token averages, about ten times smaller than sequence log-ratios. */
const SWEEP_BETAS: Record<PreferenceLossName, number[]> = {
  dpo: [0.02, 0.05, 0.1, 0.2, 0.5, 1],
  ipo: [0.02, 0.05, 0.1, 0.2, 0.5, 1],
  kto: [0.02, 0.05, 0.1, 0.2, 0.5, 1],
  simpo: [0.5, 1, 2, 4, 8, 16],
};

export interface HistoryPoint extends PreferenceMetrics {
  step: number;
  loss: number;
}

export interface SweepPoint {
  loss: PreferenceLossName;
  beta: number;
  kl: number;
  rewardGain: number;
  winRate: number;
}

export interface PrefTrainerResult {
  backend: 'webgpu' | 'cpu';
  mode: 'train' | 'sweep';
  /** Train mode: the metrics every few steps, and the last ones. */
  history: HistoryPoint[];
  final: HistoryPoint | null;
  /** Sweep mode: one point per (loss, β), and the RLHF optimum's frontier. */
  sweep: SweepPoint[];
  frontier: { beta: number; kl: number; rewardGain: number }[];
  /** Training labels that disagree with the hidden reward (noise), as a share. */
  labelDisagreement: number;
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function lossConfig(v: Values, loss: PreferenceLossName, beta: number): LossConfig {
  return { loss, beta, gamma: v.gamma, desirableWeight: v.desirableWeight, undesirableWeight: v.undesirableWeight };
}

class FtPrefTrainer extends FtWidget<typeof schema, PrefTrainerResult> {
  static meta = meta;

  private summary!: HTMLElement;
  private rewardPlot!: HTMLElement;
  private klPlot!: HTMLElement;
  private qualityPlot!: HTMLElement;

  protected setup(): void {
    this.summary = document.createElement('p');
    this.summary.className = 'pt-summary';
    this.summary.setAttribute('aria-live', 'polite');
    const grid = document.createElement('div');
    grid.className = 'pt-plots';
    this.rewardPlot = document.createElement('div');
    this.klPlot = document.createElement('div');
    this.qualityPlot = document.createElement('div');
    for (const p of [this.rewardPlot, this.klPlot, this.qualityPlot]) p.className = 'pt-plot';
    grid.append(this.rewardPlot, this.klPlot, this.qualityPlot);
    this.body.append(this.summary, grid);
  }

  protected async run(ctx: RunContext<typeof schema>): Promise<PrefTrainerResult> {
    const v = ctx.values;
    const task = createPreferenceTask({
      labels: v.labels,
      labelNoise: v.noise,
      desirableShare: v.desirableShare,
      seed: v.seed,
    });
    const data = v.loss === 'kto' ? task.unpaired : task.pairs;
    const labelDisagreement = data.flippedOrWrong / data.count;
    const result: PrefTrainerResult = { backend: ctx.backend, mode: v.mode, history: [], final: null, sweep: [], frontier: [], labelDisagreement };
    if (v.mode === 'sweep') await this.sweep(ctx, task, result);
    else await this.trainOne(ctx, task, result);
    return result;
  }

  private makeTrainer(ctx: RunContext<typeof schema>, task: PreferenceTask, loss: LossConfig): PreferenceTrainer {
    const options = { loss, adam: { lr: ctx.values.lr } };
    return ctx.gpu ? createGpuTrainer(ctx.gpu, task, options) : createCpuTrainer(task, options);
  }

  /**
   * Trains `steps` steps on the training loop with `evaluations` evaluations after the start,
   * calling `onPoint` with each; returns the last point. A divergent run becomes a reader-facing error.
   */
  private async train(
    ctx: RunContext<typeof schema>,
    task: PreferenceTask,
    loss: LossConfig,
    evaluations: number,
    hooks: { onPoint?: (point: HistoryPoint) => void; onSteps: (stepsDone: number) => void },
  ): Promise<HistoryPoint> {
    const steps = ctx.values.steps;
    const trainer = this.makeTrainer(ctx, task, loss);
    const toPoint = (step: number, e: PreferenceEvaluation): HistoryPoint => {
      const { theta: _theta, ...metrics } = e;
      return { step, ...metrics };
    };
    try {
      const { evaluations: points } = await trainLoop(trainer, {
        steps,
        evalEvery: Math.max(1, Math.ceil(steps / evaluations)),
        watch: watchPreference,
        tick: () => ctx.tick(),
        onProgress: hooks.onSteps,
        onEvaluation: (step, e) => hooks.onPoint?.(toPoint(step, e)),
      });
      const last = points[points.length - 1];
      return toPoint(last.step, last.evaluation);
    } catch (error) {
      if (error instanceof TrainingDiverged) {
        throw new WidgetError(
          `Training diverged: the ${LOSS_LABELS[loss.loss]} loss became ${error.loss} by step ${error.step}. Lower the learning rate.`,
        );
      }
      throw error;
    } finally {
      trainer.destroy();
    }
  }

  private async trainOne(ctx: RunContext<typeof schema>, task: PreferenceTask, result: PrefTrainerResult): Promise<void> {
    const v = ctx.values;
    const loss = lossConfig(v, v.loss, v.beta);
    // About 25 evaluations per run: enough for a smooth curve, few enough that a slow GPU readback does not dominate.
    result.final = await this.train(ctx, task, loss, 25, {
      onPoint: (point) => {
        result.history.push(point);
        this.drawHistory(result, v);
      },
      onSteps: (step) => ctx.progress(step / v.steps, `step ${step} / ${v.steps}`),
    });
  }

  private async sweep(ctx: RunContext<typeof schema>, task: PreferenceTask, result: PrefTrainerResult): Promise<void> {
    const v = ctx.values;
    const runs = LOSS_NAMES.flatMap((loss) => SWEEP_BETAS[loss].map((beta) => ({ loss, beta })));
    // The optimum's curve over a fine grid of beta, covering the range of KL the runs reach.
    result.frontier = optimalFrontier(
      task,
      Array.from({ length: 60 }, (_, i) => 0.02 * 1.15 ** i),
    );
    for (const [i, run] of runs.entries()) {
      const config = lossConfig(v, run.loss, run.beta);
      const end = await this.train(ctx, task, config, 4, {
        onSteps: (step) =>
          ctx.progress(
            (i + step / v.steps) / runs.length,
            `${LOSS_LABELS[run.loss]}, β = ${run.beta}: step ${step} / ${v.steps} (run ${i + 1} of ${runs.length})`,
          ),
      });
      result.sweep.push({ loss: run.loss, beta: run.beta, kl: end.kl, rewardGain: end.rewardGain, winRate: end.winRate });
      this.drawSweep(result);
    }
  }

  private drawHistory(result: PrefTrainerResult, v: Values): void {
    const rows = result.history;
    const isKto = v.loss === 'kto';
    const chosen = isKto ? 'desirable' : 'chosen';
    const rejected = isKto ? 'undesirable' : 'rejected';
    const series = [
      ...rows.map((r) => ({ step: r.step, value: r.chosenReward, series: `${chosen} reward` })),
      ...rows.map((r) => ({ step: r.step, value: r.rejectedReward, series: `${rejected} reward` })),
      ...rows.map((r) => ({ step: r.step, value: r.margin, series: 'margin' })),
    ];
    const domain = [`${chosen} reward`, `${rejected} reward`, 'margin'];
    plotInto(this.rewardPlot, `Implicit rewards on the training ${isKto ? 'completions' : 'pairs'} (${LOSS_LABELS[v.loss]})`, (Plot) => ({
      height: 220,
      x: { label: 'step →' },
      y: { label: '↑ mean implicit reward', grid: true },
      color: { domain, range: PALETTE.slice(0, 3), legend: true },
      marks: [Plot.ruleY([0]), Plot.line(series, { x: 'step', y: 'value', stroke: 'series' })],
    }));
    plotInto(this.klPlot, 'KL(π ‖ π_ref) on held-out prompts', (Plot) => ({
      height: 200,
      x: { label: 'step →' },
      y: { label: '↑ KL (nats)', grid: true },
      marks: [Plot.ruleY([0]), Plot.line(rows, { x: 'step', y: 'kl', stroke: PALETTE[0] })],
    }));
    const quality = [
      ...rows.map((r) => ({ step: r.step, value: r.heldOutAccuracy, series: 'implicit-reward accuracy, held-out pairs' })),
      ...rows.map((r) => ({ step: r.step, value: r.winRate, series: 'win rate vs reference (hidden reward)' })),
    ];
    plotInto(this.qualityPlot, 'Held-out accuracy and win rate', (Plot) => ({
      height: 220,
      x: { label: 'step →' },
      y: { label: '↑ fraction', domain: [0.4, 1], grid: true },
      color: {
        domain: ['implicit-reward accuracy, held-out pairs', 'win rate vs reference (hidden reward)'],
        range: [PALETTE[2], PALETTE[3]],
        legend: true,
      },
      marks: [Plot.ruleY([0.5], { strokeDasharray: '4 3' }), Plot.line(quality, { x: 'step', y: 'value', stroke: 'series' })],
    }));
    const last = rows[rows.length - 1];
    this.summary.textContent =
      last.step === 0
        ? 'Starting at the reference policy.'
        : `Step ${last.step}: loss ${fmt(last.loss, 4)}, margin ${fmt(last.margin)}, KL ${fmt(last.kl)} nats, ` +
          `held-out accuracy ${fmt(100 * last.heldOutAccuracy, 1)}%, win rate ${fmt(100 * last.winRate, 1)}%. ` +
          `${fmt(100 * result.labelDisagreement, 1)}% of the training labels disagree with the hidden reward.`;
  }

  private drawSweep(result: PrefTrainerResult): void {
    const domain = ['RLHF optimum', ...LOSS_NAMES.map((l) => LOSS_LABELS[l])];
    const points = result.sweep.map((p) => ({ ...p, name: LOSS_LABELS[p.loss] }));
    const maxKl = Math.max(0.5, ...points.map((p) => p.kl)) * 1.1;
    const frontier = result.frontier.filter((f) => f.kl <= maxKl).map((f) => ({ ...f, name: 'RLHF optimum' }));
    plotInto(this.rewardPlot, 'Hidden-reward gain against KL to the reference, one point per β', (Plot) => ({
      height: 320,
      x: { label: 'KL(π ‖ π_ref), nats →', grid: true },
      y: { label: '↑ E_π[r*] − E_ref[r*]', grid: true },
      // currentColor: the optimum is drawn in the text colour, which reads on both themes.
      color: { domain, range: ['currentColor', ...PALETTE.slice(0, 4)], legend: true },
      marks: [
        Plot.line(frontier, { x: 'kl', y: 'rewardGain', stroke: 'name', strokeDasharray: '5 3', sort: 'kl' }),
        Plot.line(points, { x: 'kl', y: 'rewardGain', stroke: 'name', sort: 'beta' }),
        Plot.dot(points, {
          x: 'kl',
          y: 'rewardGain',
          stroke: 'name',
          fill: 'name',
          r: 3,
          tip: true,
          title: (p: SweepPoint) => `${LOSS_LABELS[p.loss]}, β = ${p.beta}`,
        }),
      ],
    }));
    clearPlot(this.klPlot);
    clearPlot(this.qualityPlot);
    this.summary.textContent =
      `${result.sweep.length} runs. The dashed curve is the exact optimum of E[r*] − β KL for every β: no policy can lie above it. ` +
      'Points further right moved further from the reference (smaller β).';
  }
}

defineWidget(`ft-${meta.name}`, FtPrefTrainer);
