import type * as PlotModule from '@observablehq/plot';

/** The Observable Plot module, handed to a plot's builder once it has loaded. */
export type Plot = typeof PlotModule;
/** Builds a plot's options from the Plot module (marks are made with its functions). */
export type PlotBuilder = (Plot: Plot) => PlotModule.PlotOptions;

/**
 * Okabe-Ito: a palette that stays distinguishable under the common colour-vision deficiencies.
 * Use these in order for series (e.g. LoRA, DoRA, full fine-tuning).
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;

// Plot is loaded on the first plot, not with the widget: its module takes about 80 ms to evaluate
// (330 ms on a slow phone), and most widgets draw nothing until the reader runs them.
let plotModule: Plot | undefined;
let plotLoading: Promise<Plot> | undefined;
/** The latest plot asked of each container while Plot is still loading; only that one is drawn. */
const waiting = new WeakMap<HTMLElement, { title: string; build: PlotBuilder }>();

/** Start loading Plot (a widget calls this when a run starts, so the first point draws at once). */
export function loadPlot(): Promise<Plot> {
  plotLoading ??= import('@observablehq/plot').then((module) => (plotModule = module));
  return plotLoading;
}

/**
 * Render an Observable Plot into `container`, replacing what was there. Every plot gets a
 * title (also its accessible name), labelled axes and our palette; the width follows the container.
 * Synchronous once Plot has loaded; before that, the latest plot asked for is drawn when it loads.
 */
export function plotInto(container: HTMLElement, title: string, build: PlotBuilder): void {
  if (plotModule) {
    waiting.delete(container);
    render(plotModule, container, title, build(plotModule));
    return;
  }
  waiting.set(container, { title, build });
  loadPlot().then(
    (Plot) => {
      const job = waiting.get(container);
      if (!job) return;
      waiting.delete(container);
      render(Plot, container, job.title, job.build(Plot));
    },
    () => {
      waiting.delete(container);
      container.textContent = 'The plot could not be loaded (the network may be offline); reload the page to try again.';
    },
  );
}

/** Empty a plot's container, dropping a plot still waiting for Plot to load. */
export function clearPlot(container: HTMLElement): void {
  waiting.delete(container);
  container.replaceChildren();
}

function render(Plot: Plot, container: HTMLElement, title: string, options: PlotModule.PlotOptions): void {
  const width = Math.max(280, Math.min(options.width ?? 720, container.clientWidth || 640));
  const figure = Plot.plot({
    width,
    height: options.height ?? Math.round(Math.min(360, width * 0.55)),
    marginLeft: 56,
    // Plot puts the x label 3 px above the bottom edge, at the right: with its default 30 px
    // margin the label's top runs into the last tick label ("100" under "GiB per GPU →").
    marginBottom: 42,
    style: { background: 'transparent', color: 'currentColor', fontSize: '12px', overflow: 'visible' },
    color: { range: [...PALETTE], ...(options.color ?? {}) },
    title,
    ...options,
    // Log axes print plain numbers (0.1, 1e-5), not SI prefixes ("100m", "10µ").
    x: plainLogTicks(options.x),
    y: plainLogTicks(options.y),
  } as PlotModule.PlotOptions);
  figure.setAttribute('role', 'img');
  figure.setAttribute('aria-label', title);
  // Plot labels its inner groups ("rule", "line"); inside role="img" they are presentational, and an
  // aria-label on a role-less <g> is invalid ARIA.
  for (const g of figure.querySelectorAll('g[aria-label]')) g.removeAttribute('aria-label');
  // Plot writes the title as <h2> and the subtitle as <h3>; inside a widget (whose title is an
  // <h3> under the chapter's <h2>) they are the next levels down.
  for (const [from, to] of [
    ['h2', 'h4'],
    ['h3', 'h5'],
  ] as const) {
    for (const heading of figure.querySelectorAll(`:scope > ${from}`)) {
      const renamed = document.createElement(to);
      for (const { name, value } of heading.attributes) renamed.setAttribute(name, value);
      renamed.append(...heading.childNodes);
      heading.replaceWith(renamed);
    }
  }
  container.replaceChildren(figure);
}

function plainLogTicks(axis: PlotModule.ScaleOptions | undefined): PlotModule.ScaleOptions | undefined {
  return axis && axis.type === 'log' && axis.tickFormat === undefined ? { ...axis, tickFormat: '~g' } : axis;
}
