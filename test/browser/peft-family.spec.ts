/** The PEFT family widget: its table is the kernel's, on every preset; bad input is refused with a message. */
import { expect, test } from '@playwright/test';
import type { PeftFamilyResult } from '../../components/peft-family/element';
import { openWidget, resultOf } from './helpers';

test('LLaMA-2-7B defaults: eight methods, counts written out by hand, mergeable ones marked', async ({ page }) => {
  const widget = await openWidget(page, 'peft-family', 'v=1');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = await resultOf<PeftFamilyResult>(widget);
  const count = Object.fromEntries(r.costs.map((c) => [c.method, c.trainable]));
  expect(count).toEqual({
    lora: 32 * 8 * 2 * 8192,
    adalora: 32 * 12 * 2 * 8193,
    ia3: 32 * (2 * 4096 + 11008),
    prompt: 20 * 4096,
    prefix: 2 * 32 * 20 * 4096,
    'ptuning-v2': 2 * 32 * 20 * 4096,
    houlsby: 64 * (2 * 4096 * 64 + 64 + 4096),
    parallel: 32 * (2 * 4096 * 64 + 64 + 4096),
  });
  await expect(widget.locator('.pf-table tr[data-method]')).toHaveCount(8);
  await expect(widget.locator('.pf-table tr[data-method="prompt"]')).toContainText('20 tokens');
  await expect(widget.locator('.pf-plot svg')).toHaveCount(1);
  await expect(widget).not.toContainText(/NaN|undefined|Infinity/);
});

test('LLaMA-2-70B: grouped-query attention shrinks the prefixes to d_kv = 1024', async ({ page }) => {
  const widget = await openWidget(page, 'peft-family', 'v=1&model=70b&tokens=10');
  const r = await resultOf<PeftFamilyResult>(widget);
  expect(r.costs.find((c) => c.method === 'prefix')!.trainable).toBe(2 * 80 * 10 * 1024);
});

test('bad input is explained and the widget keeps working', async ({ page }) => {
  const widget = await openWidget(page, 'peft-family', 'v=1&bottleneck=0');
  await expect(widget).toHaveAttribute('data-status', 'error');
  await expect(widget).toContainText(/bottleneck/i);
  const none = await openWidget(page, 'peft-family', 'v=1&targets=');
  await expect(none).toContainText(/Choose at least one module/);
});
