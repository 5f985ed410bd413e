/**
 * Preference tuning of the tiny model in the page: a short DPO run on the CPU (the worker) starts at
 * the reference (loss log 2, zero KL), moves the implicit rewards and shows the replies before and
 * after; the WebGPU path agrees with the CPU path; ORPO runs without a reference.
 */
import { expect, test, type Page } from '@playwright/test';
import type { LmPreferenceResult } from '../../components/lm-preference/element';
import { LM_GPU_CPU_TOLERANCE } from '../../kernels/lm/tolerance';
import { openWidget as open, resultOf as result } from './helpers';

const openWidget = (page: Page, query: string, timeout = 150_000) => open(page, 'lm-preference', `v=1&${query}`, { timeout });
const resultOf = (widget: Parameters<typeof result>[0]) => result<LmPreferenceResult>(widget);

test('CPU: a short DPO run starts at the reference, moves the rewards and shows replies before and after', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&steps=8&held-out=6');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = await resultOf(widget);
  expect(r.backend).toBe('cpu');
  const [first, last] = [r.curve[0], r.curve.at(-1)!];
  expect(first.loss).toBeCloseTo(Math.log(2), 6);
  expect(first.kl).toBeCloseTo(0, 9);
  expect(last.kl).toBeGreaterThan(0);
  expect(last.margin).toBeGreaterThan(0);
  expect(last.loss).toBeLessThan(first.loss);
  expect(r.referenceMs).toBeGreaterThan(0);
  expect(r.before.sampled.samples).toBeGreaterThan(50);
  await expect(widget.locator('.lmw-table tbody tr')).toHaveCount(4);
  await expect(widget.locator('.lmw-plot figure')).toHaveCount(2);
  await expect(widget.locator('.lmw-summary')).toContainText('computed once, before training');
  await expect(widget).not.toContainText(/\bNaN\b|undefined|Infinity/);
});

test('WebGPU agrees with the CPU on the same two steps', async ({ page }) => {
  const query = 'autorun=1&steps=2&pairs=1&held-out=2';
  const gpu = await resultOf(await openWidget(page, query));
  expect(gpu.backend).toBe('webgpu');
  const cpu = await resultOf(await openWidget(page, `${query}&backend=cpu`));
  gpu.stepLosses.forEach((loss, i) => expect(Math.abs(loss - cpu.stepLosses[i])).toBeLessThan(LM_GPU_CPU_TOLERANCE));
  const [g, c] = [gpu.curve.at(-1)!, cpu.curve.at(-1)!];
  expect(Math.abs(g.loss - c.loss)).toBeLessThan(LM_GPU_CPU_TOLERANCE);
  expect(Math.abs(g.kl - c.kl)).toBeLessThan(LM_GPU_CPU_TOLERANCE);
});

test('ORPO has no reference model, and says so', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&method=orpo&steps=2&held-out=2');
  await expect(widget).toHaveAttribute('data-status', 'done');
  await expect(widget.locator('.lmw-summary')).toContainText('ORPO has no reference model');
  const r = await resultOf(widget);
  expect(r.method).toBe('orpo');
  expect(r.curve[0].margin).not.toBe(0);
});
