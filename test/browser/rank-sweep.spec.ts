import { expect, test, type Page } from '@playwright/test';
import type { RankSweepResult } from '../../components/rank-sweep/element';
import { openWidget as open, resultOf as result } from './helpers';

const openWidget = (page: Page, query: string, timeout = 110_000) => open(page, 'rank-sweep', `v=1&${query}`, { timeout });
const resultOf = (widget: Parameters<typeof result>[0]) => result<RankSweepResult | null>(widget);

test('CPU, default ranks 1 to 64: the elbow of both methods sits at the intrinsic rank 4', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = (await resultOf(widget))!;
  expect(r.points).toHaveLength(14);
  for (const method of ['lora', 'dora']) {
    const at = (rank: number) => r.points.find((p) => p.method === method && p.rank === rank)!;
    for (const rank of [4, 8, 16, 32, 64]) expect(at(rank).finalHeldOut).toBeLessThan(0.05 * at(2).finalHeldOut);
    expect(r.elbow[method]).toBe(4);
    expect(at(8).trainableParams).toBe(8 * 128 + (method === 'dora' ? 64 : 0));
  }
  await expect(widget.locator('.rs-plot figure')).toHaveCount(1);
  await expect(widget.locator('.rs-plot')).toContainText('LoRA parameters');
  await expect(widget.locator('.rs-summary')).toContainText('trainable parameters');
  await expect(widget.locator('.rs-summary')).toContainText('intrinsic rank is 4');
  await expect(widget).not.toContainText(/\bNaN\b|undefined|Infinity/);
});

test('WebGPU: a short sweep runs on the GPU path with the same elbow', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&methods=lora&ranks=2,4&intrinsic-rank=4&steps=60');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = (await resultOf(widget))!;
  expect(r.backend).toBe('webgpu');
  expect(r.points.map((p) => p.rank)).toEqual([2, 4]);
  expect(r.points[1].finalHeldOut).toBeLessThan(0.1 * r.points[0].finalHeldOut);
});

test('Stop ends a long sweep, shows progress first, and leaves no result', async ({ page }) => {
  await page.goto('/embed/rank-sweep/?v=1&autorun=1&backend=cpu&steps=2000');
  const widget = page.locator('ft-rank-sweep');
  await expect(widget).toHaveAttribute('data-status', 'running');
  await expect(widget).toContainText(/step \d+ \/ 2000 \(run 2 of 14\)/, { timeout: 60_000 });
  await widget.locator('.ftw-stop').click();
  await expect(widget).toHaveAttribute('data-status', 'idle');
  await expect(widget).toContainText('Stopped');
  expect(await resultOf(widget)).toBeNull();
});
