/**
 * What the browser specs share: opening a widget's embed page and waiting for the run it starts,
 * reading its result (typed by the widget's own result interface), attribute changes that wait
 * for the run they start, and console-error collection.
 */
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WidgetMeta } from '../../components/widget-base/meta';

const COMPONENTS = join(import.meta.dirname, '..', '..', 'components');

/** The registered widgets, found the way the site finds them (every components/<name>/ with meta.ts and element.ts). */
export async function registeredWidgets(): Promise<WidgetMeta[]> {
  const names = readdirSync(COMPONENTS).filter((d) => existsSync(join(COMPONENTS, d, 'meta.ts')) && existsSync(join(COMPONENTS, d, 'element.ts')));
  const metas = await Promise.all(names.map(async (d) => ((await import(join(COMPONENTS, d, 'meta.ts'))) as { meta: WidgetMeta }).meta));
  return metas.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Opens `/embed/<name>/?<query>` and, unless `settle` is false, waits until the widget's run ends
 * (`data-status` done or error). Live widgets run on load; others need `autorun=1` in the query.
 */
export async function openWidget(page: Page, name: string, query = '', options: { timeout?: number; settle?: boolean } = {}): Promise<Locator> {
  await page.goto(`/embed/${name}/${query ? `?${query}` : ''}`);
  const widget = page.locator(`ft-${name}`);
  if (options.settle !== false) await expect(widget).toHaveAttribute('data-status', /done|error/, { timeout: options.timeout ?? 110_000 });
  return widget;
}

/** The widget's `element.result` (null before its first finished run). */
export function resultOf<R>(widget: Locator): Promise<R> {
  return widget.evaluate((el) => (el as unknown as { result: unknown }).result) as Promise<R>;
}

/**
 * Sets attributes on a widget and waits for the run that the change starts to end: the widget
 * reports `running` from the moment a change schedules a run, so `done` means this run is done.
 */
export async function setAttributes(widget: Locator, attributes: Record<string, string>, timeout = 20_000): Promise<void> {
  await widget.evaluate((el, attrs) => {
    for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  }, attributes);
  await expect(widget).toHaveAttribute('data-status', /done|error/, { timeout });
}

/** Console errors and uncaught exceptions of the page, collected from now on. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/**
 * Waits for a live check to run and asserts it passed. Checks start when they near the viewport;
 * a widget above that grows between the scroll and the next frame can push the check away before
 * its observer sees it, so the check is brought back into view until it has run.
 */
export async function expectCheckPasses(check: Locator): Promise<void> {
  const name = await check.getAttribute('data-name');
  await expect(async () => {
    await check.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    expect(await check.getAttribute('data-state'), `live check ${name} has run`).not.toBe('pending');
  }).toPass({ timeout: 30_000, intervals: [100, 250, 500] });
  await expect(check, `live check ${name}`).toHaveAttribute('data-state', 'pass');
  await expect(check).not.toContainText(/NaN|Infinity|undefined/);
}

/**
 * Scrolls `target` to the middle of the window until it stays in view. A chapter's parts are laid
 * out as they near the screen (content-visibility: auto), and a part laid out on the way changes
 * height and can carry the target off screen again.
 */
export async function bringIntoView(target: Locator): Promise<void> {
  await expect(async () => {
    const inView = await target.evaluate(
      (el) =>
        new Promise<boolean>((resolve) => {
          el.scrollIntoView({ block: 'center' });
          // Two frames: the one that lays out the parts near the new position, and the next.
          requestAnimationFrame(() =>
            requestAnimationFrame(() => {
              const box = el.getBoundingClientRect();
              resolve(box.bottom > 0 && box.top < innerHeight);
            }),
          );
        }),
    );
    expect(inView, 'target in view after scrolling to it').toBe(true);
  }).toPass({ timeout: 10_000, intervals: [50, 100, 250] });
}

/** Every widget element of a page: placed in a chapter or page (Widget.astro), or an embed page's. */
export const WIDGETS_ON_PAGE = '[data-ft-widget], [data-embed]';

/**
 * Waits until a widget is built; a calculator (no Run button) until it has drawn. Trainers that
 * start on their own may still be running (DoRA's analysis takes minutes on SwiftShader).
 */
export async function expectWidgetSettled(widget: Locator): Promise<void> {
  await expect(widget).toHaveAttribute('data-status', /idle|running|done|error/);
  if ((await widget.locator('.ftw-run').count()) === 0) await expect(widget).toHaveAttribute('data-status', /done|error/);
}

/** Lighthouse's "good" Cumulative Layout Shift. */
export const GOOD_CLS = 0.05;

/** Records every layout shift not caused by input from the start of each page (call before goto). */
export async function recordLayoutShifts(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    const w = window as unknown as { layoutShifts: { value: number; sources: string[] }[] };
    w.layoutShifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean; sources?: { node?: Node }[] })[]) {
        if (entry.hadRecentInput) continue;
        const sources = (entry.sources ?? []).map((s) =>
          s.node instanceof Element ? `${s.node.localName}.${s.node.className}` : String(s.node?.nodeName),
        );
        w.layoutShifts.push({ value: entry.value, sources });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/**
 * The page's layout shift while it loads: once the widgets the loader starts at once (those within
 * two screens of the top) are built, and the calculators among them have drawn, the sum of the
 * shifts so far, with their sources for the failure message.
 */
export async function loadLayoutShift(page: Page): Promise<{ cls: number; shifts: string }> {
  const screen = await page.evaluate(() => innerHeight);
  for (const widget of await page.locator(WIDGETS_ON_PAGE).all()) {
    if ((await widget.evaluate((e) => e.getBoundingClientRect().top)) < 2 * screen) await expectWidgetSettled(widget);
  }
  // Two frames, so the last change is laid out and reported.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const shifts = await page.evaluate(() => (window as unknown as { layoutShifts: { value: number; sources: string[] }[] }).layoutShifts);
  return { cls: shifts.reduce((sum, s) => sum + s.value, 0), shifts: JSON.stringify(shifts) };
}
