/**
 * GRPO on the tiny model in the page: a short run on the CPU (the worker) reports rewards in range
 * and replies before and after; the WebGPU path (training on the device, sampling in the worker)
 * agrees with the CPU path on the same step.
 */
import { expect, test, type Page } from '@playwright/test';
import type { LmGrpoResult } from '../../components/lm-grpo/element';
import { openWidget as open, resultOf as result } from './helpers';

const openWidget = (page: Page, query: string, timeout = 150_000) => open(page, 'lm-grpo', `v=1&${query}`, { timeout });
const resultOf = (widget: Parameters<typeof result>[0]) => result<LmGrpoResult>(widget);

test('CPU: a short GRPO run reports rewards, held-out shares and replies before and after', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&steps=3&prompts=1&generations=4&held-out=4');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = await resultOf(widget);
  expect(r.backend).toBe('cpu');
  expect(r.stepRewards).toHaveLength(3);
  for (const p of r.curve) {
    expect(p.reward).toBeCloseTo(p.accuracy + p.format, 9);
    expect(p.accuracy).toBeGreaterThanOrEqual(0);
    expect(p.accuracy).toBeLessThanOrEqual(1);
  }
  await expect(widget.locator('.lmw-table tbody tr')).toHaveCount(4);
  await expect(widget.locator('.lmw-plot figure')).toHaveCount(2);
  await expect(widget.locator('.lmw-summary')).toContainText('No value model and no reference model');
  await expect(widget).not.toContainText(/\bNaN\b|undefined|Infinity/);
});

test('WebGPU (training on the device, sampling in the worker) agrees with the CPU on one step', async ({ page }) => {
  const query = 'autorun=1&steps=1&prompts=1&generations=2&held-out=2';
  const gpu = await resultOf(await openWidget(page, query));
  expect(gpu.backend).toBe('webgpu');
  const cpu = await resultOf(await openWidget(page, `${query}&backend=cpu`));
  // The same seeds sample the same completions from the same starting model; the held-out evaluation after the step matches.
  expect(gpu.stepRewards).toEqual(cpu.stepRewards);
  expect(gpu.before).toEqual(cpu.before);
  // Two held-out sums, four samples each: one sample that turns on a float32 difference moves the mean by 0.25 at most.
  expect(Math.abs(gpu.curve.at(-1)!.reward - cpu.curve.at(-1)!.reward)).toBeLessThanOrEqual(0.25);
});
