import { expect, test, type Page } from '@playwright/test';
import type { MethodPickerResult } from '../../components/method-picker/element';
import type { ZeroMemoryResult } from '../../components/zero-memory/element';
import { checks as zeroChecks } from '../../components/derivation/checks/zero';
import { bringIntoView, openWidget as open, resultOf as result, setAttributes } from './helpers';

const openWidget = (page: Page, query = '') => open(page, 'zero-memory', query, { timeout: 20_000 });
const resultOf = (widget: Parameters<typeof result>[0]) => result<ZeroMemoryResult>(widget);

test('defaults (LLaMA-2-7B, full fine-tuning, 8 × 80 GiB): DP does not fit, ZeRO-1 is the lightest that does', async ({ page }) => {
  const widget = await openWidget(page);
  await expect(widget).toHaveAttribute('data-status', 'done');
  const result = await resultOf(widget);
  expect(result.stages.map((s) => s.fits)).toEqual([false, true, true, true]);
  expect(result.lightestFit).toBe('ZeRO-1');
  // 16 bytes x 6.74B + activations = 101.2 GiB for DP; ZeRO-3 moves 1.5x DP's bytes.
  expect(result.stages[0].totalGiB).toBeCloseTo(101.18, 1);
  expect(result.stages[3].commGB / result.stages[0].commGB).toBeCloseTo(1.5, 6);
  await expect(widget.locator('.zm-headline')).toHaveAttribute('data-verdict', 'fits');
  await expect(widget.locator('.zm-chips .zm-nofit')).toHaveCount(1);
  // Stacked bars: one bar segment per stage and part, and the capacity line.
  await expect(widget.locator('.zm-bars svg').first()).toBeVisible();
  expect(await widget.locator('.zm-bars svg rect').count()).toBeGreaterThanOrEqual(16);
  await expect(widget.locator('.zm-table tbody tr')).toHaveCount(4);
  await expect(widget).not.toContainText(/NaN|Infinity|undefined/);
});

test('the verdict follows the GPU count', async ({ page }) => {
  const widget = await openWidget(page, 'v=1&model=70b&gpus=8');
  await expect(widget.locator('.zm-headline')).toHaveAttribute('data-verdict', 'does-not-fit');
  expect((await resultOf(widget)).lightestFit).toBeNull();

  // Each change starts a run; the helper waits for that run, not for the previous one's result.
  await setAttributes(widget, { gpus: '128' });
  await expect(widget.locator('.zm-headline')).toHaveAttribute('data-verdict', 'fits');
  expect((await resultOf(widget)).lightestFit).toBe('ZeRO-3');

  // The same 70B with QLoRA fits on 2 GPUs already, without ZeRO-3.
  await setAttributes(widget, { gpus: '2', method: 'qlora' });
  await expect(widget.locator('.zm-headline')).toHaveAttribute('data-verdict', 'fits');
  expect((await resultOf(widget)).lightestFit).toBe('DP');
});

test('tensor parallelism: 70B full fine-tuning on 32 GPUs fits with t = 8 and sequence parallelism, and its traffic is shown', async ({ page }) => {
  const flat = await resultOf(await openWidget(page, 'v=1&model=70b&gpus=32&seqLen=4096'));
  const widget = await openWidget(page, 'v=1&model=70b&gpus=32&seqLen=4096&tp=8');
  const tp = await resultOf(widget);
  // Each GPU holds an eighth of a replica, sharded over 4 data-parallel ranks instead of 32.
  expect(tp.stages[0].totalGiB).toBeLessThan(flat.stages[0].totalGiB / 7);
  expect(tp.stages[0].tensorParallelGB).toBeGreaterThan(0);
  expect(flat.stages[0].tensorParallelGB).toBe(0);
  await expect(widget.locator('.zm-table')).toContainText('TP');
  const bad = await openWidget(page, 'v=1&gpus=12&tp=8');
  await expect(bad).toContainText(/divisible/);
});

test('LoRA: ZeRO-3 moves far more bytes than ZeRO-2 and is slower at a slow interconnect', async ({ page }) => {
  const widget = await openWidget(page, 'v=1&method=lora&bandwidth=12');
  const { stages } = await resultOf(widget);
  expect(stages[3].commGB / stages[2].commGB).toBeGreaterThan(100);
  expect(stages[3].stepSeconds).toBeGreaterThan(stages[2].stepSeconds);
});

test('the shard picture steps through one training step and back', async ({ page }) => {
  const widget = await openWidget(page);
  const picture = widget.locator('.zm-picture');
  await expect(picture).toHaveAttribute('data-stage', '3');
  await expect(picture).toHaveAttribute('data-phase', '0');
  await expect(widget.locator('.zm-phase')).toContainText('phase 1 of 5');
  await widget.getByRole('button', { name: /Next/ }).click();
  await expect(picture).toHaveAttribute('data-phase', '1');
  await expect(widget.locator('.zm-phase')).toContainText('all-gather weights');
  await expect(widget.locator('.zm-ring-label')).toContainText('all-gather weights (forward)');
  await widget.getByRole('button', { name: /Back/ }).click();
  await expect(picture).toHaveAttribute('data-phase', '0');
  // ZeRO-1 at rest: every GPU holds all 8 weight shards but one optimizer shard.
  await widget.getByLabel('Stage in the shard picture').selectOption('1');
  await expect(widget).toHaveAttribute('data-status', 'done');
  await expect(picture).toHaveAttribute('data-stage', '1');
  const firstGpu = picture.locator('g.zm-gpu').first();
  await expect(firstGpu.locator('rect.zm-held')).toHaveCount(8 + 1);
  await expect(picture.locator('g.zm-gpu')).toHaveCount(8);
});

test('reduced motion: the active collective is not animated', async ({ browser }) => {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  const widget = await openWidget(page);
  await widget.getByRole('button', { name: /Next/ }).click();
  const animation = await widget
    .locator('g.zm-gpu.zm-active .zm-gpu-box')
    .first()
    .evaluate((el) => getComputedStyle(el).animationName);
  expect(animation).toBe('none');
  await context.close();
});

test('bad input is explained inside the widget', async ({ page }) => {
  const bad = await openWidget(page, 'v=1&gpus=0');
  await expect(bad).toHaveAttribute('data-status', 'error');
  await expect(bad.locator('.ftw-error')).toContainText('gpus');

  const noTargets = await openWidget(page, 'v=1&method=lora&targets=');
  await expect(noTargets).toHaveAttribute('data-status', 'error');
  await expect(noTargets.locator('.ftw-error')).toContainText('at least one target module');
});

test('the ZeRO chapter: every live check passes after a re-roll, the paper’s table and the widget render', async ({ page }) => {
  await page.goto('/chapters/zero/');
  const checks = page.locator('ft-check');
  const count = await checks.count();
  // Every check the chapter's registry defines is on the page, once.
  expect(count).toBe(Object.keys(zeroChecks).length);
  for (let i = 0; i < count; i++) {
    const check = checks.nth(i);
    await check.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expect(check).toHaveAttribute('data-state', 'pass');
    await check.getByRole('button', { name: /re-roll/i }).click();
    await expect(check).toHaveAttribute('data-state', 'pass');
  }
  // Table 1 of the paper, printed / computed, for 64 GPUs.
  const row64 = page.locator('table tr', { has: page.locator('td', { hasText: /^64$/ }) }).first();
  await expect(row64).toContainText('31.4 / 31.41');
  await expect(row64).toContainText('1.88 / 1.875');
  await expect(page.locator('figure.pipeline-schedule')).toHaveCount(2);
  await bringIntoView(page.locator('ft-zero-memory'));
  await expect(page.locator('ft-zero-memory')).toHaveAttribute('data-status', 'done');
  await expect(page.locator('main')).not.toContainText(/NaN|undefined/);
});

test('an "other size" model is the same model here and in the method picker: parameters and activations agree', async ({ page }) => {
  const query = 'v=1&model=custom&custom-size=13.7&seq-len=4096&micro-batch=2&checkpointing=false';
  const zero = await resultOf(await openWidget(page, query));
  const chosen = await result<MethodPickerResult>(await open(page, 'method-picker', query));
  expect(zero.params).toBe(13.7e9);
  expect(chosen.params).toBe(zero.params);
  expect(chosen.activationsGiB).toBeCloseTo(zero.stages[0].activationsGiB, 9);
});
