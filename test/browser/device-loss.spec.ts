/**
 * A GPU device lost in the middle of a run (driver reset, tab backgrounded on some systems): the
 * widget must say so, finish the run on the CPU reference, and never show an unhandled error.
 */
import { expect, test } from '@playwright/test';

test('a device lost mid-run falls back to the CPU and finishes', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Keep a handle on every device the page creates, so the test can destroy it.
  await page.addInitScript(() => {
    const devices: GPUDevice[] = [];
    (window as unknown as { __devices: GPUDevice[] }).__devices = devices;
    const original = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
      const device = await original.call(this, descriptor);
      devices.push(device);
      return device;
    };
  });
  await page.goto('/embed/pref-trainer/?autorun=1&steps=3000');
  const widget = page.locator('ft-pref-trainer');
  await expect(widget).toHaveAttribute('data-status', 'running');
  await expect(widget).toHaveAttribute('data-backend', 'webgpu');
  // Lose the device once training is under way on it (a first evaluation has been drawn).
  await expect(widget.locator('.ftw-status')).toHaveText(/step [1-9]/, { timeout: 60_000 });
  await page.evaluate(() => (window as unknown as { __devices: GPUDevice[] }).__devices.forEach((d) => d.destroy()));
  await expect(widget).toHaveAttribute('data-backend', 'cpu', { timeout: 30_000 });
  await expect(widget.locator('.ftw-badge')).toHaveText('CPU');
  await expect(widget.locator('.ftw-badge')).toHaveAttribute('title', /lost/);
  await expect(widget).toHaveAttribute('data-status', 'done', { timeout: 110_000 });
  expect(errors).toEqual([]);
});
