/**
 * What the widgets that train the tiny model share: loading it (a clear message when it cannot
 * be), the page runtime (its worker ended by Stop and when the run ends), the errors a run
 * can end with in the reader's words, and the before/after replies table.
 */
import { loadTinyModel, type PageModel } from '../../kernels/lm/load-tiny';
import { pageRuntime, type PageRuntime } from '../../kernels/lm/runtime';
import { TINY_MODEL_PATH } from '../../kernels/lm/tiny-model';
import { WorkerStopped } from '../../kernels/lm/worker/client';
import { TrainingDiverged } from '../../kernels/training/trainer';
import { el } from './dom';
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
