import { expect, test, type Page } from '@playwright/test';
import type { Nf4QuantizerResult } from '../../components/nf4-quantizer/element';
import { openWidget, resultOf as result } from './helpers';

const run = (page: Page, query: string, timeout = 60_000) => openWidget(page, 'nf4-quantizer', `v=1&autorun=1&${query}`, { timeout });
const resultOf = (widget: Parameters<typeof result>[0]) => result<Nf4QuantizerResult>(widget);

test('normal weights: NF4 has the best SQNR; table, heat map and histogram drawn', async ({ page }) => {
  const widget = await run(page, 'rows=256&cols=512&block-size=64');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = await resultOf(widget);
  expect(r.types.nf4.sqnrDb).toBeGreaterThan(r.types.int4.sqnrDb);
  expect(r.types.nf4.sqnrDb).toBeGreaterThan(r.types.fp4.sqnrDb);
  // NF4 on normal weights, block 64: about 20.7 dB (see test/unit/kernels/nf4 for the reference runs).
  expect(r.types.nf4.sqnrDb).toBeGreaterThan(19.5);
  expect(r.types.nf4.sqnrDb).toBeLessThan(22);
  expect(r.bitsPerWeight).toBe(4.5);
  await expect(widget.locator('.nq-table tr')).toHaveCount(4);
  await expect(widget.locator('.nq-plots svg').first()).toBeVisible();
  await expect(widget).not.toContainText(/NaN|undefined/);
  if (r.backend === 'webgpu') expect(r.gpuCpuAgreement).toBeGreaterThan(0.999);
});

test('the GPU and CPU paths give the same errors', async ({ page }) => {
  const gpu = await resultOf(await run(page, 'rows=128&cols=256&distribution=student-t&block-size=128'));
  const cpu = await resultOf(await run(page, 'rows=128&cols=256&distribution=student-t&block-size=128&backend=cpu'));
  expect(cpu.backend).toBe('cpu');
  expect(cpu.gpuCpuAgreement).toBeUndefined();
  for (const t of ['nf4', 'int4', 'fp4'] as const) {
    expect(Math.abs(gpu.types[t].mse - cpu.types[t].mse) / cpu.types[t].mse).toBeLessThan(1e-4);
  }
});

test('weights crowded near the block maximum: INT4 wins', async ({ page }) => {
  const r = await resultOf(await run(page, 'rows=128&cols=128&distribution=crowded'));
  expect(r.types.int4.mse).toBeLessThan(r.types.nf4.mse);
});

test('a 4096 x 4096 matrix runs to the end', async ({ page }) => {
  test.setTimeout(240_000);
  const widget = await run(page, 'rows=4096&cols=4096&block-size=256', 220_000);
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = await resultOf(widget);
  expect(r.rows * r.cols).toBe(4096 * 4096);
  expect(Number.isFinite(r.types.nf4.ms)).toBe(true);
});

test('sizes beyond 4096 are refused with a message', async ({ page }) => {
  const widget = await run(page, 'rows=5000&cols=8');
  await expect(widget).toHaveAttribute('data-status', 'error');
  await expect(widget.locator('.ftw-error')).toContainText('5000');
});
