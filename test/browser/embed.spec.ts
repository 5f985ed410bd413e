/** The embed gallery's snippets and an embedded frame's size reports, as a team lead's doc uses them. */
import { expect, test } from '@playwright/test';

test('gallery snippets point at the origin the site is served from, with the resize script and clipboard permission', async ({ page }) => {
  await page.goto('/embed/');
  const origin = new URL(page.url()).origin;
  const area = page.locator('#snippet-lora-params');
  await expect(area).toHaveValue(new RegExp(`^<iframe src="${origin.replace(/[.:/]/g, '\\$&')}/embed/lora-params/\\?v=1`));
  const value = await area.inputValue();
  expect(value).toContain('allow="clipboard-write"');
  expect(value).toContain(`e.origin !== "${origin}"`);
  expect(value.startsWith(' ')).toBe(false);
});

test('a pasted snippet resizes its frame to the widget: smaller than the fixed height when the content is shorter', async ({ page }) => {
  await page.goto('/embed/');
  const snippet = await page.locator('#snippet-lora-params').inputValue();
  // A host page on the same origin: the snippet with a deliberately tall frame.
  await page.goto('/a-host-page/'); // any page of the origin will do (this one is the 404 page)
  await page.evaluate((html) => {
    document.body.innerHTML = '<div id="host"></div>';
    const host = document.getElementById('host')!;
    host.innerHTML = html.replace(/height="\d+"/, 'height="2400"');
    // Scripts inserted through innerHTML do not run: re-create the snippet's script.
    const old = host.querySelector('script')!;
    const s = document.createElement('script');
    s.textContent = old.textContent;
    old.replaceWith(s);
  }, snippet);
  const frame = page.locator('#host iframe');
  // The frame first reports the loading page's height, then the rendered widget's: wait for the widget's.
  await expect
    .poll(
      async () => {
        const h = (await frame.boundingBox())?.height ?? 0;
        return h > 200 && h < 2000;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  // The embed does not take focus on load.
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BODY');
});

test('the gallery builds the snippet from the preview’s settings and the chosen options, at a fixed height that fits what the preview shows', async ({
  page,
}) => {
  await page.goto('/embed/');
  const card = page.locator('li#lora-params');
  const frame = card.locator('iframe.preview');
  await frame.scrollIntoViewIfNeeded();
  const preview = page.frameLocator('li#lora-params iframe.preview').locator('ft-lora-params');
  await expect(preview).toHaveAttribute('data-status', 'done');
  // The lead sets the rank in the preview, then picks the options above it.
  await preview.evaluate((el) => el.setAttribute('rank', '32'));
  await card.locator('[data-option="autorun"]').check();
  await card.locator('[data-option="hide"]').fill('targets');
  const snippet = card.locator('textarea');
  await expect(snippet).toHaveValue(/(\?|&amp;)rank=32\b/);
  await expect(snippet).toHaveValue(/(\?|&amp;)autorun=1\b/);
  await expect(snippet).toHaveValue(/(\?|&amp;)hide=targets\b/);
  // The preview hides the control too, so its height is the pasted frame's; the fixed height is that height.
  await expect(preview.locator('.ftw-list')).toBeHidden();
  const content = await frame.evaluate((f: HTMLIFrameElement) => {
    const body = f.contentDocument!.body;
    return Math.ceil(body.getBoundingClientRect().bottom + (parseFloat(getComputedStyle(body).marginBottom) || 0));
  });
  await expect.poll(async () => Number(/height="(\d+)"/.exec(await snippet.inputValue())?.[1])).toBe(content);
  expect(content).toBeLessThan(520); // the example's height, with the target list shown
});
