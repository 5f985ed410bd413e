import { expect, test, type Page } from '@playwright/test';
import type { Nf4GridResult } from '../../components/nf4-grid/element';
import { openWidget, resultOf as result } from './helpers';

const openGrid = (page: Page, query = '') => openWidget(page, 'nf4-grid', query, { timeout: 20_000 });
const resultOf = (widget: Parameters<typeof result>[0]) => result<Nf4GridResult>(widget);

test('NF4 by default: bitsandbytes levels, 16 focusable levels, masses summing to 1', async ({ page }) => {
  const widget = await openGrid(page);
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = await resultOf(widget);
  expect(r.grid).toBe('nf4');
  expect(r.levels[1]).toBeCloseTo(-0.6961928009986877, 7);
  expect(r.levels[7]).toBe(0);
  expect(r.levels[14]).toBeCloseTo(0.7229568362236023, 7);
  expect(r.binMass.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  expect(r.entropyBits).toBeGreaterThan(3.9);
  await expect(widget.locator('.ng-level')).toHaveCount(16);
  await expect(widget.locator('.ng-summary')).toContainText('an exact zero');
  await expect(widget).not.toContainText(/NaN|undefined/);
});

test('hover and keyboard show a level’s value and bin mass', async ({ page }) => {
  const widget = await openGrid(page);
  const levels = widget.locator('.ng-level');
  await levels.nth(15).hover();
  await expect(widget.locator('.ng-info')).toContainText('Level 16 of 16');
  await expect(widget.locator('.ng-info')).toContainText('value 1.0000');
  await levels.nth(0).focus();
  await expect(widget.locator('.ng-info')).toContainText('value -1.0000');
  await page.keyboard.press('ArrowRight');
  await expect(widget.locator('.ng-info')).toContainText('value -0.6962');
  await expect(widget.locator('.ng-info')).toContainText('probability mass');
  await expect(levels.nth(1)).toBeFocused();
  await page.keyboard.press('End');
  await expect(levels.nth(15)).toBeFocused();
  await expect(levels.nth(15)).toHaveAttribute('aria-checked', 'true');
});

test('the levels are one Tab stop: Tab enters at the selected level and the next Tab leaves the chart', async ({ page }) => {
  const widget = await openGrid(page);
  const levels = widget.locator('.ng-level');
  await expect(widget.locator('.ng-level[tabindex="0"]')).toHaveCount(1);
  await levels.nth(3).focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await expect(levels.nth(3)).toBeFocused();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.classList.contains('ng-level'))).toBe(false);
});

test('switching grids: INT4 has 15 distinct values with a shared zero; the symmetric grid has no zero', async ({ page }) => {
  const widget = await openGrid(page, 'v=1&grid=int4');
  await expect(widget.locator('.ng-level')).toHaveCount(15);
  const int4 = await resultOf(widget);
  expect(int4.levels.filter((v) => v === 0).length).toBe(2);
  expect(int4.entropyBits).toBeLessThan(3.9);
  await widget.evaluate((el) => el.setAttribute('grid', 'symmetric'));
  await expect(widget.locator('.ng-summary')).toContainText('no exact zero');
  expect((await resultOf(widget)).levels.includes(0)).toBe(false);
  await widget.evaluate((el) => el.setAttribute('grid', 'fp4'));
  await expect(widget.locator('.ng-level')).toHaveCount(15);
});

test('a bad grid name shows a message, not a blank box', async ({ page }) => {
  const widget = await openGrid(page, 'v=1&grid=nf5');
  await expect(widget).toHaveAttribute('data-status', 'error');
  await expect(widget.locator('.ftw-error')).toContainText('nf5');
});
