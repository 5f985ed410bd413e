/**
 * The tiny language model fine-tuned in the page: the default run on the CPU (a worker) learns the
 * task; the WebGPU path agrees with the CPU path; Stop acts at once; downloads are PEFT's layout;
 * a corrupt or missing model file is explained in the widget; out-of-vocabulary input is said.
 */
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import type { LmFinetuneResult } from '../../components/lm-finetune/element';
import { readSafetensors } from '../../kernels/formats/safetensors';
import { LM_GPU_CPU_TOLERANCE } from '../../kernels/lm/tolerance';
import { openWidget as open, resultOf as result } from './helpers';

const openWidget = (page: Page, query: string, timeout = 180_000) => open(page, 'lm-finetune', `v=1&${query}`, { timeout });
const resultOf = (widget: Parameters<typeof result>[0]) => result<LmFinetuneResult | null>(widget);

test('CPU, defaults: LoRA learns to answer in JSON, forgets little, and offers PEFT and merged downloads', async ({ page }) => {
  const widget = await openWidget(page, 'autorun=1&backend=cpu');
  await expect(widget).toHaveAttribute('data-status', 'done');
  const r = (await resultOf(widget))!;
  expect(r.backend).toBe('cpu');
  // r (in + out) per adapted layer, all seven layers, four blocks: the calculator's formula.
  expect(r.trainableParams).toBe(4 * 8 * (3 * (128 + 128) + (128 + 128) + 2 * (128 + 352) + (352 + 128)));
  const first = r.curve[0];
  const last = r.curve.at(-1)!;
  expect(last.taskLoss).toBeLessThan(0.5 * first.taskLoss);
  expect(r.heldOutSuccessAfter).toBeGreaterThan(r.heldOutSuccessBefore);
  expect(r.heldOutSuccessAfter).toBeGreaterThanOrEqual(0.5);
  await expect(widget.locator('.lf-table tbody tr')).toHaveCount(3);
  await expect(widget.locator('.lf-plot figure')).toHaveCount(2);
  await expect(widget).not.toContainText(/\bNaN\b|undefined|Infinity/);

  const [download] = await Promise.all([page.waitForEvent('download'), widget.getByRole('button', { name: /Download the adapter/ }).click()]);
  const files = unzipSync(new Uint8Array(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c as Buffer[]))));
  const config = JSON.parse(new TextDecoder().decode(files['adapter_config.json']));
  expect(config).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16, use_dora: false, use_rslora: false, task_type: 'CAUSAL_LM' });
  const tensors = readSafetensors(files['adapter_model.safetensors']).tensors;
  expect(tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')!.shape).toEqual([8, 128]);
  expect(tensors.get('base_model.model.model.layers.3.mlp.down_proj.lora_B.weight')!.shape).toEqual([128, 8]);
  expect(tensors.size).toBe(2 * 7 * 4);
});

test('WebGPU (SwiftShader) and the CPU path train the same run to the same losses', async ({ page }) => {
  test.setTimeout(400_000);
  const query = 'autorun=1&task=facts&steps=2&batch=1';
  const gpu = await openWidget(page, query, 300_000);
  await expect(gpu).toHaveAttribute('data-backend', 'webgpu');
  const onGpu = (await resultOf(gpu))!;
  const onCpu = (await resultOf(await openWidget(page, `${query}&backend=cpu`)))!;
  for (let i = 0; i < onCpu.stepLosses.length; i++) {
    expect(Math.abs(onGpu.stepLosses[i] - onCpu.stepLosses[i]) / onCpu.stepLosses[i]).toBeLessThan(LM_GPU_CPU_TOLERANCE);
  }
  for (const key of ['taskLoss', 'promptLoss', 'pretrainLoss'] as const) {
    expect(Math.abs(onGpu.curve.at(-1)![key] - onCpu.curve.at(-1)![key]) / onCpu.curve.at(-1)![key], key).toBeLessThan(LM_GPU_CPU_TOLERANCE);
  }
});

test('Stop ends a long CPU run within a moment, after progress has shown', async ({ page }) => {
  const widget = await open(page, 'lm-finetune', 'v=1&autorun=1&backend=cpu&steps=2000', { settle: false });
  await expect(widget.locator('.ftw-status')).toHaveText(/step [1-9]/, { timeout: 60_000 });
  const t0 = Date.now();
  await widget.getByRole('button', { name: 'Stop' }).click();
  await expect(widget).toHaveAttribute('data-status', 'idle');
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(await resultOf(widget)).toBeNull();
});

test('a corrupt or missing model file is explained in the widget, and the page keeps working', async ({ page }) => {
  await page.route('**/models/tiny-llama/model.safetensors', async (route) => {
    const response = await route.fetch();
    const body = await response.body();
    await route.fulfill({ response, body: body.subarray(0, 5000) });
  });
  const widget = await openWidget(page, 'autorun=1&backend=cpu');
  await expect(widget).toHaveAttribute('data-status', 'error');
  await expect(widget.locator('.ftw-error')).toContainText(/model\.safetensors.*truncated/);
  await page.unroute('**/models/tiny-llama/model.safetensors');
  await page.route('**/models/tiny-llama/config.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
  const again = await openWidget(page, 'autorun=1&backend=cpu');
  await expect(again.locator('.ftw-error')).toContainText(/config\.json.*HTTP 404/);
});

test('asking the base model: characters outside the vocabulary are said on screen', async ({ page }) => {
  const widget = await open(page, 'lm-finetune', 'v=1', { settle: false });
  await widget.getByLabel('Ask the model').fill('Wie heißt die Hauptstadt von Perú?');
  await widget.getByRole('button', { name: 'Ask' }).click();
  await expect(widget.locator('.lf-ask-output')).toContainText('Base model:');
  await expect(widget.locator('.lf-ask-output')).toContainText('ß ú');
  await expect(widget.locator('.lf-ask-output')).toContainText('UTF-8 bytes');
});
