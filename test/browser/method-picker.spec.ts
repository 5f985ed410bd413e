import { expect, test, type Page } from '@playwright/test';
import type { MethodPickerResult } from '../../components/method-picker/element';
import { bringIntoView, openWidget, resultOf as result } from './helpers';

const openPicker = (page: Page, query = '') => openWidget(page, 'method-picker', query, { timeout: 20_000 });
const resultOf = (picker: Parameters<typeof result>[0]) => result<MethodPickerResult>(picker);

test('defaults: LLaMA-2-7B on one 24 GiB GPU gets LoRA with SFT, 14.3 GiB per GPU', async ({ page }) => {
  const picker = await openPicker(page);
  await expect(picker).toHaveAttribute('data-status', 'done');
  await expect(picker.locator('.mp-verdict')).toHaveText('Recommended: LoRA + SFT');
  await expect(picker.locator('.mp-verdict-detail')).toHaveText('14.3 GiB of the 21.6 GiB usable on one 24 GiB GPU.');
  const result = await resultOf(picker);
  expect(result.method).toBe('lora');
  expect(result.options.lora.perGpuGiB).toBeCloseTo(14.28, 2);
  expect(result.options.lora.placement).toBe('single-gpu');
  expect(result.options.qlora.perGpuGiB).toBeCloseTo(5.33, 2);
  expect(JSON.stringify(result)).not.toMatch(/null|NaN|Infinity/);
  await expect(picker.locator('.mp-table tbody tr')).toHaveCount(3);
  await expect(picker.locator('.mp-links a[href="/chapters/lora/"]')).toHaveCount(1);
  await expect(picker).not.toContainText(/NaN|Infinity|undefined/);
});

test('a model that does not fit even in QLoRA says so and how many GPUs would hold it', async ({ page }) => {
  const picker = await openPicker(page, 'v=1&model=70b&gpu-memory=24');
  await expect(picker).toHaveAttribute('data-status', 'done');
  await expect(picker.locator('.mp-headline')).toHaveAttribute('data-verdict', 'does-not-fit');
  await expect(picker.locator('.mp-verdict')).toHaveText('Does not fit one 24 GiB GPU, even with QLoRA');
  await expect(picker.locator('.mp-verdict-detail')).toContainText('3 GPUs of 24 GiB would hold it');
  const result = await resultOf(picker);
  expect(result.method).toBe('none');
  expect(result.options.qlora.minGpus).toBe(3);
  expect(result.options.qlora.placement).toBe('does-not-fit');
  await expect(picker).not.toContainText(/NaN|Infinity|undefined/);
});

test('the controls re-run it live: 13B needs QLoRA, a handful of examples means prompting first', async ({ page }) => {
  const picker = await openPicker(page);
  await picker.getByLabel('Model').selectOption('13b');
  await expect(picker.locator('.mp-verdict')).toHaveText('Recommended: QLoRA + SFT');
  const examples = picker.getByLabel('Training examples');
  await examples.fill('20');
  await examples.dispatchEvent('change');
  await expect(picker.locator('.mp-headline')).toHaveAttribute('data-verdict', 'prompt-first');
  await expect(picker.locator('.mp-reasons')).toContainText('few-shot');
});

test('pairwise preferences lead to DPO and to the DPO/KTO chapter; binary labels to KTO', async ({ page }) => {
  let picker = await openPicker(page, 'preference=pairwise');
  await expect(picker.locator('.mp-verdict')).toHaveText('Recommended: LoRA + DPO');
  await expect(picker.locator('.mp-links a[href="/chapters/dpo-kto/"]')).toHaveCount(1);
  picker = await openPicker(page, 'preference=binary&gpu-memory=8');
  await expect(picker.locator('.mp-verdict')).toHaveText('Recommended: QLoRA + KTO');
});

test('lots of data on enough GPUs gets full fine-tuning sharded with ZeRO-3', async ({ page }) => {
  const picker = await openPicker(page, 'gpus=8&gpu-memory=80&examples=200000');
  await expect(picker.locator('.mp-verdict')).toHaveText('Recommended: Full fine-tuning + SFT');
  await expect(picker.locator('.mp-verdict-detail')).toContainText('ZeRO-3 / FSDP');
  await expect(picker.locator('.mp-links a[href="/chapters/zero/"]')).toHaveCount(1);
});

test('a free model size is used only when chosen', async ({ page }) => {
  let picker = await openPicker(page);
  await expect(picker.locator('.ftw-control[data-param="customSize"] input')).toBeDisabled();
  picker = await openPicker(page, 'model=custom&custom-size=34');
  await expect(picker.locator('.ftw-control[data-param="customSize"] input')).toBeEnabled();
  await expect(picker).toHaveAttribute('data-status', 'done');
  await expect(picker.locator('.mp-assumptions')).toContainText('34.0B model takes the nearest preset’s shape, scaled');
});

test('a bad attribute shows a clear message instead of a result', async ({ page }) => {
  const picker = await openPicker(page, 'gpu-memory=-5');
  await expect(picker).toHaveAttribute('data-status', 'error');
  await expect(picker.locator('.ftw-error')).toContainText('gpu-memory');
  await expect(picker.locator('.ftw-error')).toContainText('from 1 to 512');
});

test('the chapter page shows the memory table built from the kernel, and the picker runs there', async ({ page }) => {
  await page.goto('/chapters/choosing-a-method/');
  await expect(page.locator('tr[data-row="7b-lora"]')).toContainText('15.3 GB');
  await expect(page.locator('tr[data-row="7b-full"]')).toContainText('109 GB');
  await expect(page.locator('tr[data-row="70b-qlora"]')).toContainText('43.3 GB');
  const picker = page.locator('ft-method-picker');
  await bringIntoView(picker);
  await expect(picker).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  await expect(picker.locator('.mp-verdict')).toHaveText('Recommended: LoRA + SFT');
});

test('every live check on the chapter page passes', async ({ page }) => {
  await page.goto('/chapters/choosing-a-method/');
  const checks = page.locator('ft-check');
  await expect(checks).toHaveCount(10);
  for (const check of await checks.all()) {
    await check.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expect(check).toHaveAttribute('data-state', 'pass');
    await expect(check).not.toContainText(/NaN|undefined|Infinity/);
  }
});
