import { expect, test, type Page } from '@playwright/test';
import type { PrefTrainerResult } from '../../components/pref-trainer/element';
import { openWidget as open, resultOf as result } from './helpers';

const openWidget = (page: Page, query: string, timeout = 120_000) => open(page, 'pref-trainer', `v=1&${query}`, { timeout });
const resultOf = (widget: Parameters<typeof result>[0]) => result<PrefTrainerResult>(widget);

test('CPU, defaults: DPO on clean pairs passes 90% held-out accuracy and draws three plots', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu');
  await expect(widget).toHaveAttribute('data-status', 'done');
  await expect(widget).toHaveAttribute('data-backend', 'cpu');
  const result = await resultOf(widget);
  expect(result.final!.step).toBe(200);
  expect(result.final!.heldOutAccuracy).toBeGreaterThan(0.9);
  expect(result.final!.margin).toBeGreaterThan(0);
  // Both implicit rewards fall; the rejected one faster (the chapter points this out).
  expect(result.final!.chosenReward).toBeLessThan(0);
  expect(result.final!.rejectedReward).toBeLessThan(result.final!.chosenReward);
  expect(result.history[0].kl).toBe(0);
  await expect(widget.locator('.pt-plot > figure')).toHaveCount(3);
  await expect(widget.locator('.pt-summary')).toContainText('held-out accuracy');
  await expect(widget).not.toContainText(/NaN|Infinity|undefined/);
});

test('deterministic labels: the DPO margin is still growing at the end of the run', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&labels=deterministic&steps=600');
  const { history } = await resultOf(widget);
  const n = history.length;
  expect(history[n - 1].margin).toBeGreaterThan(history[Math.floor(n / 2)].margin + 0.2);
});

test('a bad attribute shows a message naming it, and nothing runs', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&beta=0', 20_000);
  await expect(widget).toHaveAttribute('data-status', 'error');
  await expect(widget.locator('.ftw-error')).toContainText(/β|beta/);
  expect(await resultOf(widget)).toBeNull();
});

test('β sweep: one point per loss and β, none above the exact RLHF frontier', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu&mode=sweep&steps=60', 240_000);
  await expect(widget).toHaveAttribute('data-status', 'done');
  const { sweep, frontier } = await resultOf(widget);
  expect(sweep).toHaveLength(24);
  expect(new Set(sweep.map((p) => p.loss))).toEqual(new Set(['dpo', 'ipo', 'simpo', 'kto']));
  // For every beta the optimum maximises gain - beta * KL, so no run can score more on that objective.
  for (const p of sweep) {
    for (const f of frontier) {
      expect(p.rewardGain - f.beta * p.kl, `${p.loss} β=${p.beta} against the optimum at β=${f.beta}`).toBeLessThanOrEqual(
        f.rewardGain - f.beta * f.kl + 1e-6,
      );
    }
  }
  await expect(widget.locator('.pt-plot > figure')).toHaveCount(1);
});

// The config's `webgpu` project launches Chromium with WebGPU on SwiftShader.
test.describe('on WebGPU (SwiftShader)', () => {
  // SwiftShader emulates the GPU on the CPU: compiling the pipelines and 100 steps take a while.
  test.setTimeout(300_000);
  for (const loss of ['dpo', 'ipo', 'simpo', 'kto'] as const) {
    test(`${loss}: the WGSL kernels and the CPU reference agree after 100 steps`, async ({ page }) => {
      const query = `autorun=1&loss=${loss}&steps=100&noise=0.1${loss === 'simpo' ? '&beta=2' : ''}`;
      const gpuWidget = await openWidget(page, query, 240_000);
      await expect(gpuWidget).toHaveAttribute('data-status', 'done');
      await expect(gpuWidget).toHaveAttribute('data-backend', 'webgpu');
      const onGpu = (await resultOf(gpuWidget)).final!;
      const cpuWidget = await openWidget(page, `${query}&backend=cpu`);
      const onCpu = (await resultOf(cpuWidget)).final!;
      for (const key of ['loss', 'margin', 'kl', 'winRate'] as const) {
        expect(Math.abs(onGpu[key] - onCpu[key]), key).toBeLessThan(2e-3 * Math.max(1, Math.abs(onCpu[key])));
      }
      // Accuracy counts ordered pairs (480 of them): float32 rounding may flip a near-tie or two.
      expect(Math.abs(onGpu.heldOutAccuracy - onCpu.heldOutAccuracy)).toBeLessThanOrEqual(2 / 480 + 1e-12);
    });
  }
});
