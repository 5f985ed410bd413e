/**
 * The widget contract, for every registered widget, on both backends: it runs to `done` from its
 * embed page, reflects its backend in `data-backend` and (when it trains) a visible badge, fires `ft:done` with
 * `element.result`, and a bad attribute shows a message instead of running.
 */
import { expect, test } from '@playwright/test';
import type { ParamSpec } from '../../components/widget-base/params';
import { attrName } from '../../components/widget-base/params';
import { collectErrors, registeredWidgets } from './helpers';

const widgets = await registeredWidgets();

function badValue(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
    case 'number':
      return 'NaN';
    case 'bool':
      return 'maybe';
    default:
      return 'not-an-option';
  }
}

test('every widget is registered once with a name, title and schema', () => {
  expect(widgets.length).toBeGreaterThanOrEqual(6);
  expect(new Set(widgets.map((w) => w.name)).size).toBe(widgets.length);
  for (const w of widgets) expect(Object.keys(w.schema).length, w.name).toBeGreaterThan(0);
});

for (const meta of widgets) {
  test.describe(`ft-${meta.name}`, () => {
    test('runs to done with ft:done and element.result', async ({ page }, info) => {
      const errors = collectErrors(page);
      await page.addInitScript(() => {
        addEventListener('ft:done', (e) => ((window as unknown as { __ftDone: unknown }).__ftDone = (e as CustomEvent).detail));
      });
      const smoke = new URLSearchParams({ autorun: '1', ...(meta.smokeTest ?? {}) });
      await page.goto(`/embed/${meta.name}/?${smoke}`);
      const widget = page.locator(`ft-${meta.name}`);
      await expect(widget).toHaveAttribute('data-status', 'done', { timeout: 110_000 });
      const result = await widget.evaluate((el) => JSON.stringify((el as unknown as { result: unknown }).result));
      expect(result).not.toBe('null');
      expect(result).not.toMatch(/NaN|null,|Infinity/);
      const fired = await page.evaluate(() => JSON.stringify((window as unknown as { __ftDone: unknown }).__ftDone));
      expect(fired).toBe(result);

      // Widgets that train or sweep (they have a Run button) show where they ran and must take the
      // WebGPU path when it exists; calculators and the deck compute on the page and show no badge.
      const badge = widget.locator('.ftw-badge');
      const backend = await widget.getAttribute('data-backend');
      const trains = (await widget.locator('.ftw-run').count()) > 0;
      if (!trains) {
        await expect(badge).toBeHidden();
        await expect(widget.locator('.ftw-backend-note')).toBeEmpty();
      } else if (info.project.name === 'no-webgpu') {
        expect(backend).toBe('cpu');
        await expect(badge).toHaveText('CPU');
        await expect(badge).toHaveAttribute('title', /^Trains on the CPU: /);
      } else {
        expect(backend).toBe('webgpu');
        await expect(badge).toHaveText('WebGPU');
        await expect(badge).toHaveAttribute('title', /^Trains on the GPU \(WebGPU\): /);
      }
      await expect(widget).not.toContainText(/\bNaN\b|undefined/);
      expect(errors).toEqual([]);
    });

    test('backend=cpu forces the CPU path', async ({ page }) => {
      await page.goto(`/embed/${meta.name}/?autorun=1&backend=cpu`);
      const widget = page.locator(`ft-${meta.name}`);
      await expect(widget).toHaveAttribute('data-status', /running|done/);
      await expect(widget).toHaveAttribute('data-backend', 'cpu');
      if ((await widget.locator('.ftw-run').count()) > 0) await expect(widget.locator('.ftw-badge')).toHaveText('CPU');
    });

    test('a bad attribute shows a clear message and does not run', async ({ page }) => {
      const errors = collectErrors(page);
      const [param, spec] = Object.entries(meta.schema)[0];
      await page.goto(`/embed/${meta.name}/?autorun=1&${attrName(param)}=${badValue(spec)}`);
      const widget = page.locator(`ft-${meta.name}`);
      await expect(widget).toHaveAttribute('data-status', 'error');
      const message = widget.locator('.ftw-error');
      await expect(message).toBeVisible();
      await expect(message).toContainText(attrName(param));
      // The bad value stays marked on its control, and Run cannot train with the default instead.
      const control = widget.locator(`.ftw-control[data-param="${param}"]`);
      if (await control.count()) {
        await expect(control).toHaveAttribute('data-invalid', '');
        const run = widget.locator('.ftw-run');
        if (await run.count()) await expect(run).toBeDisabled();
      }
      expect(errors).toEqual([]);
    });

    test('the share link reproduces the configuration and validates it', async ({ page }) => {
      await page.goto(`/embed/${meta.name}/`);
      const widget = page.locator(`ft-${meta.name}`);
      await expect(widget.locator('.ftw-share')).toHaveAttribute('href', new RegExp(`/embed/${meta.name}/\\?v=1`));
      await page.goto(`/embed/${meta.name}/?v=1&no-such-setting=3`);
      await expect(page.getByRole('alert').first()).toContainText('no-such-setting');
    });

    test('hide= hides the named controls', async ({ page }) => {
      const param = Object.keys(meta.schema)[0];
      await page.goto(`/embed/${meta.name}/?hide=${attrName(param)}`);
      const control = page.locator(`ft-${meta.name} .ftw-control[data-param="${param}"]`);
      await expect(control).toBeHidden();
    });
  });
}
