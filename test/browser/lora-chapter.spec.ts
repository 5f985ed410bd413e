import { expect, test, type Page } from '@playwright/test';
import type { DoraAnalysisResult } from '../../components/dora-analysis/element';
import type { LoraParamsResult } from '../../components/lora-params/element';
import { expectCheckPasses, openWidget, resultOf } from './helpers';

/** Ids of the live checks each chapter places beside its derivation steps. */
const CHAPTER_CHECKS = {
  lora: [
    'rank-of-ba',
    'zero-init',
    'grad-b',
    'grad-a',
    'param-count',
    'rslora-forward',
    'rslora-first-step',
    'merge',
    'gqa-kv',
    'merge-ties',
    'merge-dare',
  ],
  dora: ['norm-axis', 'init-identity', 'merge', 'grad-m', 'grad-v', 'grad-ab', 'detach'],
} as const;

const openEmbed = (page: Page, name: string, query: string) => openWidget(page, name, query, { timeout: 60_000 });

test.describe('LoRA parameter calculator', () => {
  test('LLaMA-2-7B, r = 16 on q, k, v, o: 16,777,216', async ({ page }) => {
    const widget = await openEmbed(page, 'lora-params', 'v=1');
    await expect(widget).toHaveAttribute('data-status', 'done');
    await expect(widget.locator('.lp-headline')).toContainText('16,777,216 trainable parameters: 0.249%');
    expect((await resultOf<LoraParamsResult>(widget)).trainable).toBe(16_777_216);
    await expect(widget.locator('.lp-table tr')).toHaveCount(5);
  });
  test('all seven linear layers: 39,976,960; the plain-MLP 1.3B shape has no gate_proj', async ({ page }) => {
    const all = await openEmbed(page, 'lora-params', 'v=1&targets=q,k,v,o,gate,up,down');
    expect((await resultOf<LoraParamsResult>(all)).trainable).toBe(39_976_960);
    const gpt = await openEmbed(page, 'lora-params', 'v=1&model=1.3b&rank=8&targets=gate,up');
    // GPT-3 XL shape: up is 2048 -> 8192, so 24 layers x 8 x (2048 + 8192).
    expect((await resultOf<LoraParamsResult>(gpt)).trainable).toBe(24 * 8 * (2048 + 8192));
    await expect(gpt.locator('.lp-table')).toContainText('not in this model');
  });
  test('a rank out of range is refused with a message, not NaN', async ({ page }) => {
    const widget = await openEmbed(page, 'lora-params', 'v=1&rank=0');
    await expect(widget).toHaveAttribute('data-status', 'error');
    await expect(widget).toContainText(/rank/i);
    await expect(widget).not.toContainText(/NaN|Infinity/);
  });
});

test.describe('magnitude/direction analysis', () => {
  test('trains the four runs on the CPU reference and reports finite numbers', async ({ page }) => {
    const widget = await openEmbed(page, 'dora-analysis', 'v=1&autorun=1&steps=100&backend=cpu');
    await expect(widget).toHaveAttribute('data-status', 'done');
    await expect(widget).toHaveAttribute('data-backend', 'cpu');
    const { runs } = await resultOf<DoraAnalysisResult>(widget);
    expect(runs.map((r) => r.id)).toEqual(['full', 'lora', 'dora', 'dora-undetached']);
    for (const r of runs) {
      for (const v of [r.finalHeldOut, r.directionChange, r.magnitudeChange, r.slope]) expect(Number.isFinite(v)).toBe(true);
    }
    // LoRA at r = 4 cannot hold the per-row rescaling of the default task; DoRA can.
    const byId = Object.fromEntries(runs.map((r) => [r.id, r]));
    expect(byId.dora.finalHeldOut).toBeLessThan(byId.lora.finalHeldOut / 10);
    expect(byId.lora.magnitudeChange).toBeLessThan(0.7 * byId.dora.magnitudeChange);
    await expect(widget.locator('[role="img"][aria-label="ΔM against ΔD during training"]')).toHaveCount(1);
    await expect(widget.locator('[role="img"][aria-label="Held-out loss"]')).toHaveCount(1);
    await expect(widget).not.toContainText(/NaN|Infinity|undefined/);
  });
  test('takes the WebGPU path when there is one, and agrees with the CPU path', async ({ page }) => {
    const gpu = await openEmbed(page, 'dora-analysis', 'v=1&autorun=1&steps=20');
    await expect(gpu).toHaveAttribute('data-backend', 'webgpu');
    const onGpu = await resultOf<DoraAnalysisResult>(gpu);
    const cpu = await openEmbed(page, 'dora-analysis', 'v=1&autorun=1&steps=20&backend=cpu');
    const onCpu = await resultOf<DoraAnalysisResult>(cpu);
    // Same seeded runs on both backends: float32 kernels against the float64-accumulating reference.
    onGpu.runs.forEach((r, i) => {
      const c = onCpu.runs[i];
      expect(Math.abs(r.directionChange - c.directionChange)).toBeLessThan(1e-3 + 0.02 * c.directionChange);
      expect(Math.abs(r.magnitudeChange - c.magnitudeChange)).toBeLessThan(1e-3 + 0.02 * c.magnitudeChange);
    });
  });
  test('a learning rate outside the allowed range is refused with a message naming it', async ({ page }) => {
    const widget = await openEmbed(page, 'dora-analysis', 'v=1&autorun=1&lr=5');
    await expect(widget).toHaveAttribute('data-status', 'error');
    await expect(widget).toContainText(/lr|learning rate/i);
    await expect(widget).not.toContainText(/NaN|Infinity/);
  });
});

for (const [slug, ids] of Object.entries(CHAPTER_CHECKS)) {
  test(`/chapters/${slug}/ renders its math and every live check passes`, async ({ page }) => {
    await page.goto(`/chapters/${slug}/`);
    await expect(page.locator('.katex').first()).toBeVisible();
    await expect(page.locator('h2', { hasText: 'Facts under test' })).toBeVisible();
    for (const id of ids) {
      const check = page.locator(`ft-check[data-name="${slug}/${id}"]`);
      await expectCheckPasses(check);
    }
    await expect(page.locator(`ft-check[data-name^="${slug}/"]`)).toHaveCount(ids.length);
  });
}
