/**
 * Pages must not jump while they load (Cumulative Layout Shift, the sum of every unprovoked
 * layout shift's score): the side menus are folded in the HTML on phones and opened before the
 * first paint on wide screens, KaTeX's main fonts are preloaded, and widgets that run by
 * themselves hold their finished height until their run ends. Each page is loaded at phone and
 * desktop widths; once the widgets near the first screen are built (and the calculators among
 * them have drawn), the shifts so far must add up to less than 0.05, Lighthouse's "good".
 */
import { expect, test } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const chapters = readdirSync(join(import.meta.dirname, '..', '..', 'content', 'chapters'))
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => `/chapters/${f.replace(/\.mdx$/, '')}/`);
const PAGES = ['/', ...chapters, '/flashcards/', '/embed/lora-trainer/'];
const WIDTHS = [375, 1280];
const GOOD_CLS = 0.05;

for (const width of WIDTHS) {
  for (const path of PAGES) {
    test(`${path} at ${width} px loads without layout shift`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await page.addInitScript(() => {
        const w = window as unknown as { shifts: { value: number; sources: string[] }[] };
        w.shifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean; sources?: { node?: Node }[] })[]) {
            if (entry.hadRecentInput) continue;
            const sources = (entry.sources ?? []).map((s) =>
              s.node instanceof Element ? `${s.node.localName}.${s.node.className}` : String(s.node?.nodeName),
            );
            w.shifts.push({ value: entry.value, sources });
          }
        }).observe({ type: 'layout-shift', buffered: true });
      });
      await page.goto(path, { waitUntil: 'load' });

      // The widgets the loader starts at once: those within a screen's height of the first one.
      const nearTags = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('body *')]
          .filter((e) => e.localName.startsWith('ft-') && e.localName !== 'ft-check' && e.getBoundingClientRect().top < 2 * innerHeight)
          .map((e) => e.localName),
      );
      for (const tag of new Set(nearTags)) {
        for (const widget of await page.locator(tag).all()) {
          if ((await widget.evaluate((e) => e.getBoundingClientRect().top)) >= 2 * 800) continue;
          await expect(widget).toHaveAttribute('data-status', /idle|running|done|error/);
          if ((await widget.locator('.ftw-run').count()) === 0) await expect(widget).toHaveAttribute('data-status', /done|error/);
        }
      }
      // Two frames, so the layout after the last change is laid out and reported.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

      const shifts = await page.evaluate(() => (window as unknown as { shifts: { value: number; sources: string[] }[] }).shifts);
      const cls = shifts.reduce((sum, s) => sum + s.value, 0);
      expect(cls, `layout shifts: ${JSON.stringify(shifts)}`).toBeLessThan(GOOD_CLS);
      await context.close();
    });
  }
}
