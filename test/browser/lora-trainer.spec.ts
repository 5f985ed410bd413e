import { expect, test, type Page } from '@playwright/test';
import type { LoraTrainerResult } from '../../components/lora-trainer/element';
import { GPU_CPU_TOLERANCE } from '../../kernels/lora/tolerance';
import { openWidget as open, resultOf as result } from './helpers';

const openWidget = (page: Page, query: string, timeout = 110_000) => open(page, 'lora-trainer', `v=1&${query}`, { timeout });
const resultOf = (widget: Parameters<typeof result>[0]) => result<LoraTrainerResult | null>(widget);

test('CPU: LoRA r = 4 learns the default task, reports parameters and speed, and plots both losses', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&steps=200');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = (await resultOf(widget))!;
  expect(r.trainableParams).toBe(4 * (64 + 64));
  expect(r.curve[0].step).toBe(0);
  expect(r.curve.at(-1)!.step).toBe(200);
  expect(r.finalHeldOut).toBeLessThan(0.2 * r.untrainedHeldOut);
  expect(r.stepsPerSecond).toBeGreaterThan(0);
  await expect(widget.locator('.lt-plot figure')).toHaveCount(1);
  await expect(widget.locator('.lt-plot')).toContainText('held-out loss');
  await expect(widget.locator('.lt-summary')).toContainText('512 trainable parameters');
  await expect(widget).not.toContainText(/\bNaN\b|undefined|Infinity/);
});

test('DoRA fits a task with a magnitude change that LoRA of the same rank cannot', async ({ page }) => {
  const lora = (await resultOf(await openWidget(page, 'autorun=1&backend=cpu&method=lora&steps=300')))!;
  const dora = (await resultOf(await openWidget(page, 'autorun=1&backend=cpu&method=dora&steps=300')))!;
  expect(dora.trainableParams).toBe(lora.trainableParams + 64);
  expect(dora.finalHeldOut).toBeLessThan(0.01 * lora.finalHeldOut);
});

test('WebGPU and CPU runs of the same configuration agree within the stated tolerance', async ({ page }) => {
  const query = 'autorun=1&method=dora&steps=40&rank=8&lora-plus-ratio=4';
  const gpu = (await resultOf(await openWidget(page, query)))!;
  const cpu = (await resultOf(await openWidget(page, `${query}&backend=cpu`)))!;
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');
  expect(gpu.curve.map((p) => p.step)).toEqual(cpu.curve.map((p) => p.step));
  for (const [g, c] of gpu.curve.map((p, i) => [p, cpu.curve[i]] as const)) {
    expect(Math.abs(g.heldOut - c.heldOut) / c.heldOut).toBeLessThan(GPU_CPU_TOLERANCE.loss);
  }
});

test('NF4 base: the widget reports the quantization cost and the fp32 reference run', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&base=nf4&steps=100');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = (await resultOf(widget))!;
  const q = r.quantization!;
  // 4096 weights: two 4-bit codes per byte (2,048 bytes) plus a float32 scale per 64 weights (256 bytes).
  expect(r.frozenBaseBytes).toBe(2304);
  await expect(widget.locator('.lt-summary')).toContainText('2,304 bytes');
  expect(q.baseOutputMse).toBeGreaterThan(0);
  expect(q.costBefore).toBeGreaterThan(0);
  expect(q.trainedNf4).toBeGreaterThan(q.trainedFp32);
  await expect(widget.locator('.lt-table')).toContainText('NF4 base');
  await expect(widget.locator('.lt-plot')).toContainText('fp32 base');
});

test('a learning rate that is too high ends in a clear divergence message, not NaN', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&lr=1&lora-plus-ratio=64&steps=200');
  await expect(widget).toHaveAttribute('data-status', 'error');
  await expect(widget.locator('.ftw-error')).toContainText(/diverged.*Lower the learning rate/);
  await expect(widget).not.toContainText(/\bNaN\b/);
});

test('full fine-tuning on an NF4 base is refused with an explanation', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&method=full&base=nf4', 20_000);
  await expect(widget).toHaveAttribute('data-status', 'error');
  await expect(widget.locator('.ftw-error')).toContainText('QLoRA');
});
