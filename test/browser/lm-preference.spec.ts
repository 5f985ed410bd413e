/**
 * Preference tuning of the tiny model in the page: a short DPO run on the CPU (the worker) starts at
 * the reference (loss log 2, zero KL), moves the implicit rewards and shows the replies before and
 * after; ORPO runs without a reference. (The WebGPU trainer against the CPU one:
 * test/gpu/lm/preference.test.ts; the widget's WebGPU path: widgets.spec.ts.)
 */
import { expect, test, type Page } from '@playwright/test';
import type { LmPreferenceResult } from '../../components/lm-preference/element';
import { openWidget as open, resultOf as result } from './helpers';

const openWidget = (page: Page, query: string, timeout = 150_000) => open(page, 'lm-preference', `v=1&${query}`, { timeout });
const resultOf = (widget: Parameters<typeof result>[0]) => result<LmPreferenceResult>(widget);

test('CPU: a short DPO run starts at the reference, moves the rewards and shows replies before and after', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&steps=4&held-out=4&samples=1');
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
  expect(r.before.sampled.samples).toBe(18); // samples=1: one per held-out prompt
  await expect(widget.locator('.lmw-table tbody tr')).toHaveCount(4);
  // Loss; rewards, accuracy and KL; reply length (no sweep plot without the sweep).
  await expect(widget.locator('.lmw-plot figure')).toHaveCount(3);
  expect(r.sweep).toBeNull();
  expect(last.replies.samples).toBe(18);
  await expect(widget.locator('.lmw-summary')).toContainText('computed once, before training');
  await expect(widget).not.toContainText(/\bNaN\b|undefined|Infinity/);
});

test('ORPO has no reference model, and says so; the sweep runs it at five values of its λ', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&method=orpo&steps=1&held-out=2&sweep=1&samples=1');
  await expect(widget).toHaveAttribute('data-status', 'done');
  await expect(widget.locator('.lmw-summary')).toContainText('ORPO has no reference model');
  const r = await resultOf(widget);
  expect(r.method).toBe('orpo');
  expect(r.curve[0].margin).not.toBe(0);
  expect(r.sweep?.map((p) => p.beta)).toEqual([0.1 / 3, 0.1, 0.3, 1, 3].map((b) => expect.closeTo(b, 12)));
  // The chosen value's point is the run's own last evaluation.
  expect(r.sweep?.find((p) => p.beta === 0.1)?.kl).toBe(r.curve.at(-1)!.kl);
  await expect(widget.locator('.lmw-plot figure')).toHaveCount(4);
  await expect(widget.locator('.lmw-summary')).toContainText('β sweep');
});
