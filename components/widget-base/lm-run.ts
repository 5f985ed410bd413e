/**
 * What the widgets that train the tiny model share: loading it (a clear message when it cannot
 * be), the page runtime (its worker ended by Stop and when the run ends), the errors a run
 * can end with in the reader's words, the before/after replies table, and the loss curves.
 */
import { loadTinyModel, type PageModel } from '../../kernels/lm/load-tiny';
import { pageRuntime, type PageRuntime } from '../../kernels/lm/runtime';
import { TINY_MODEL_PATH } from '../../kernels/lm/tiny-model';
import { WorkerStopped } from '../../kernels/lm/worker/client';
import { TrainingDiverged } from '../../kernels/training/trainer';
import { el } from './dom';
import type { Markish } from '@observablehq/plot';
import { PALETTE, plotInto, type Plot } from './plot';
import { StoppedError, WidgetError } from './errors';
import type { RunContext } from './ft-widget';
import type { ParamSchema } from './params';

export async function loadModelForRun(): Promise<PageModel> {
  try {
    return await loadTinyModel();
  } catch (error) {
    throw new WidgetError(`The model could not be loaded from ${TINY_MODEL_PATH}/: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs `body` with the page runtime of `page`; Stop ends the worker at once. */
export async function withLmRuntime<S extends ParamSchema, R>(
  ctx: RunContext<S>,
  page: PageModel,
  body: (runtime: PageRuntime) => Promise<R>,
): Promise<R> {
  let runtime: PageRuntime | null = null;
  const stopWorker = () => runtime?.dispose();
  ctx.signal.addEventListener('abort', stopWorker);
  try {
    runtime = await pageRuntime(page.model, page.files, ctx.gpu);
    return await body(runtime);
  } catch (error) {
    if (error instanceof WorkerStopped) throw new StoppedError();
    if (error instanceof TrainingDiverged) {
      throw new WidgetError(
        `Training diverged: the loss ${Number.isFinite(error.loss) ? `reached ${error.loss.toFixed(2)}` : `became ${error.loss}`} at step ${error.step}. Lower the learning rate.`,
      );
    }
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', stopWorker);
    runtime?.dispose();
  }
}

/** A table of prompts (row headers) with a reply before and after in each row. */
export function beforeAfterTable(caption: string, rows: { prompt: string; before: Node[]; after: Node[] }[]): HTMLTableElement {
  const table = el('table', 'ftw-table lmw-table');
  const head = el('tr');
  for (const h of ['Prompt', 'Before', 'After']) {
    const th = el('th', undefined, h);
    th.scope = 'col';
    head.append(th);
  }
  const thead = el('thead');
  thead.append(head);
  const body = el('tbody');
  for (const r of rows) {
    const tr = body.insertRow();
    const th = el('th', undefined, r.prompt);
    th.scope = 'row';
    const [before, after] = [el('td'), el('td')];
    before.append(...r.before);
    after.append(...r.after);
    tr.append(th, before, after);
  }
  table.append(el('caption', undefined, caption), thead, body);
  return table;
}

/** Training loss of each step (faint) and the held-out loss at each evaluation (bold, with tips), over `steps`; `marks` add reference lines. */
export function plotLossCurves(
  container: HTMLElement,
  title: string,
  steps: number,
  stepLosses: readonly number[],
  heldOut: readonly { step: number; loss: number }[],
  marks: (Plot: Plot) => Markish[] = () => [],
): void {
  const series = ['training loss (each step)', 'held-out loss'];
  const evaluated = heldOut.map((p) => ({ step: p.step, loss: p.loss, series: series[1] }));
  plotInto(container, title, (Plot) => ({
    height: 240,
    x: { label: 'step →', domain: [0, steps] },
    y: { label: '↑ loss', grid: true },
    color: { domain: series, range: [PALETTE[0], PALETTE[1]], legend: true },
    marks: [
      ...marks(Plot),
      Plot.line(
        stepLosses.map((loss, i) => ({ step: i + 1, loss, series: series[0] })),
        { x: 'step', y: 'loss', stroke: 'series', strokeOpacity: 0.5 },
      ),
      Plot.line(evaluated, { x: 'step', y: 'loss', stroke: 'series', strokeWidth: 2 }),
      Plot.dot(evaluated, { x: 'step', y: 'loss', stroke: 'series', r: 2, tip: true }),
    ],
  }));
}
