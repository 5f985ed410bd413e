/**
 * Every page renders without a console error or a KaTeX error, loads without layout shift (at a
 * 1280 px screen here, at a 360 px phone for every chapter below), every live check on it passes,
 * axe finds no serious or critical accessibility violation, and the layout holds from a 360 px
 * phone to a wide screen. The layout-shift fixes: side menus folded in the HTML and opened before
 * the first paint on wide screens, KaTeX's main fonts preloaded, and widgets that run by
 * themselves holding their finished height until their run ends.
 */
import AxeBuilder from '@axe-core/playwright';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  bringIntoView,
  expectCheckPasses,
  expectWidgetSettled,
  GOOD_CLS,
  loadLayoutShift,
  recordLayoutShifts,
  registeredWidgets,
  WIDGETS_ON_PAGE,
} from './helpers';

const chapterSlugs = readdirSync(join(import.meta.dirname, '..', '..', 'content', 'chapters'))
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => f.replace(/\.mdx$/, ''));
const widgets = await registeredWidgets();
const pages = ['/', ...chapterSlugs.map((s) => `/chapters/${s}/`), '/flashcards/', '/embed/', '/search/', ...widgets.map((w) => `/embed/${w.name}/`)];

async function scrollThrough(page: Page): Promise<void> {
  // Lazy widgets and checks start near the viewport: visit the whole page.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 700) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(40);
  }
}

for (const path of pages) {
  test(`${path} renders cleanly and passes axe`, async ({ page }) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await recordLayoutShifts(page);
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1, h3.ftw-title').first()).toBeVisible();
    const { cls, shifts } = await loadLayoutShift(page);
    expect(cls, `layout shifts while loading: ${shifts}`).toBeLessThan(GOOD_CLS);
    await scrollThrough(page);
    await expect(page.locator('.katex-error')).toHaveCount(0);
    const checks = page.locator('ft-check');
    const count = await checks.count();
    for (let i = 0; i < count; i++) await expectCheckPasses(checks.nth(i));
    // Frames are embedded widgets, each checked on its own page. So axe runs in the page alone
    // (legacy mode: axe.run, not a partial run per frame finished in a second page) and returns
    // only violations; the full partial-run path took 9-12 s on a chapter, this one under 3.
    const axe = await new AxeBuilder({ page })
      .exclude('iframe')
      .setLegacyMode(true)
      .options({ resultTypes: ['violations'] })
      .analyze();
    const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      serious.map(
        (v) =>
          `${v.id}: ${v.help} (${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')})`,
      ),
    ).toEqual([]);
    expect(errors.filter((e) => !e.includes('pagefind'))).toEqual([]);
  });
}

test('chapters are listed in order on the home page and linked prev/next', async ({ page }) => {
  await page.goto('/');
  const links = page.locator('.chapter-list a');
  await expect(links).toHaveCount(chapterSlugs.length);
  const first = await links.first().getAttribute('href');
  await page.goto(first ?? '/');
  await expect(page.locator('.prev-next .next')).toBeVisible();
  await expect(page.locator('.chapter-nav a[aria-current="page"]')).toHaveAttribute('href', first ?? '');
});

test('the theme follows the system, and the toggle persists across pages', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('button', { name: /light and dark/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.goto('/flashcards/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await context.close();
});

test('every chapter on a 360 px phone loads without layout shift, never scrolls sideways, and what does scroll shows a shadow at its hidden edge and is a tab stop', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  await recordLayoutShifts(context);
  const page = await context.newPage();
  for (const slug of chapterSlugs) {
    await page.goto(`/chapters/${slug}/`);
    await expect(page.locator('.chapter-nav details')).not.toHaveAttribute('open', '');
    const { cls, shifts } = await loadLayoutShift(page);
    expect(cls, `${slug}: layout shifts while loading: ${shifts}`).toBeLessThan(GOOD_CLS);
    // Bring every widget into view, so its tables are drawn.
    for (const widget of await page.locator(WIDGETS_ON_PAGE).all()) {
      await bringIntoView(widget);
      await expectWidgetSettled(widget);
    }
    // Parts are laid out as they near the screen: once each has been, every formula or table that
    // scrolls sideways is a tab stop and no other is, and the table of contents marks the heading being read.
    const parts = await page.locator('.chapter-part').all();
    for (const part of parts) await bringIntoView(part.locator('h2').first());
    const tabStops = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.chapter .katex-display, .chapter > table, .chapter-part > table')]
        .filter((box) => box.scrollWidth > box.clientWidth + 1 !== box.hasAttribute('tabindex'))
        .map((box) => box.textContent!.slice(0, 40)),
    );
    expect(tabStops, `${slug}: sideways scrollers that are not tab stops, or tab stops that do not scroll`).toEqual([]);
    // The heading being read, found the slow way (laying out the whole chapter).
    const reading = await page.evaluate(
      () =>
        [...document.querySelectorAll<HTMLElement>('.chapter h2[id], .chapter h3[id]')]
          .filter((h) => h.getBoundingClientRect().top < innerHeight * 0.2)
          .pop()?.id,
    );
    await expect(page.locator('.toc a[aria-current="location"]')).toHaveAttribute('href', `#${reading}`);
    const report = await page.evaluate(() => {
      const doc = document.documentElement;
      const unmarked = [...document.querySelectorAll<HTMLElement>('.chapter *')]
        .filter((e) => e.tagName !== 'PRE' && !e.closest('pre') && e.scrollWidth > e.clientWidth + 1)
        .filter((e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
        .filter((e) => !getComputedStyle(e).backgroundImage.includes('radial-gradient'))
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
      return { overflow: doc.scrollWidth - doc.clientWidth, unmarked };
    });
    expect(report.overflow, `${slug}: page wider than the phone`).toBeLessThanOrEqual(1);
    expect(report.unmarked, `${slug}: sideways scrollers without the edge shadow`).toEqual([]);
  }
  await context.close();
});

test('full-text search finds a chapter, finds formulas by their words, and nothing for words not on the site', async ({ page }) => {
  await page.goto('/search/?q=partition');
  await expect(page.locator('.search-result-title').first()).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('.search-results')).toContainText(/partition/i);
  // "log sigma beta": the words of the DPO loss, indexed from its formula.
  await page.getByLabel('Words to find').fill('sigma beta');
  await expect(page.locator('.search-result-title', { hasText: 'DPO and KTO' })).toBeVisible();
  await expect(page.locator('.search-results')).not.toContainText('\\frac');
  // Pagefind alone would answer "banana" with every page that has "BA" on it.
  await page.getByLabel('Words to find').fill('banana');
  await expect(page.locator('.search-status')).toHaveText('No results for “banana”.');
  await expect(page.locator('.search-results li')).toHaveCount(0);
});

test('printing shows every live check computed, not "computing in your browser…"', async ({ page }) => {
  await page.goto('/chapters/dpo-kto/');
  const checks = page.locator('ft-check');
  const count = await checks.count();
  expect(count).toBeGreaterThan(5);
  // The checks' code loads once the reader scrolls, points or types; printing then runs every check at once.
  await page.mouse.move(10, 10);
  await expect(page.locator('ft-check[data-loaded]')).toHaveCount(count);
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await expect(page.locator('ft-check[data-state="pending"]')).toHaveCount(0);
  await expect(page.locator('ft-check[data-state="pass"]')).toHaveCount(count);
});

test('a page without widgets ships no widget code', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(r.url());
  });
  await page.goto('/search/');
  await page.waitForLoadState('networkidle');
  expect(scripts.filter((s) => /ft-widget|element|plot/i.test(s))).toEqual([]);
});
