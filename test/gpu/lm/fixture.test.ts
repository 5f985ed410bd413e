/** The WebGPU engine against PyTorch autograd on the shipped model (the same fixture as the CPU test). */
import { describe, expect, it } from 'vitest';
import { createGpuBackend } from '../../../kernels/lm/engine/gpu-backend';
import type { ReadFile } from '../../../kernels/lm/model-files';
import { compareWithFixture } from '../../shared/lm-fixture';
import { testGpu } from '../gpu-setup';

const fetched =
  (base: string): ReadFile =>
  async (name) => {
    const r = await fetch(`${base}/${name}`);
    if (!r.ok) throw new Error(`${base}/${name}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };

describe('the WebGPU engine on the shipped model', () => {
  it('reproduces PyTorch autograd: logits, loss and gradients of full fine-tuning, LoRA, DoRA and a reward model', async () => {
    const gpu = await testGpu();
    const r = await compareWithFixture((m) => createGpuBackend(gpu, m.config), fetched('/models/tiny-llama'), fetched('/test/fixtures/lm'));
    expect(r.logits).toBeLessThan(1e-4);
    for (const kind of ['full', 'lora', 'dora'] as const) {
      expect(r.loss[kind], `${kind} loss`).toBeLessThan(1e-4);
      expect(r.grads[kind].worst, `${kind}: ${r.grads[kind].tensor}`).toBeLessThan(2e-4);
    }
    for (const key of ['rewards', 'loss', 'head'] as const) expect(r.reward[key], `reward model: ${key}`).toBeLessThan(2e-4);
    expect(r.reward.body.worst, r.reward.body.tensor).toBeLessThan(2e-4);
  });
});
