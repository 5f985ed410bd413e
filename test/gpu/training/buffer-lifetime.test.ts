/**
 * Every trainer frees every GPU buffer it made: each is created, run and destroyed 50 times while
 * the device's createBuffer is watched, and no buffer made in between may still be alive. This
 * counts at the device, below the buffer scope, so a buffer made outside a scope is caught too.
 */
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../kernels/gpu/device';
import { makeTask } from '../../../kernels/lora/task';
import { DEFAULT_TRAINER, type TrainerConfig } from '../../../kernels/lora/trainer';
import { createGpuTrainer as createLayerTrainer } from '../../../kernels/lora/trainer-gpu';
import { DEFAULT_LOSS, type PreferenceLossName } from '../../../kernels/preference/objective';
import { createPreferenceTask } from '../../../kernels/preference/task';
import { createGpuTrainer as createPreferenceTrainer } from '../../../kernels/preference/trainer-gpu';
import type { Trainer } from '../../../kernels/training/trainer';
import { testGpu } from '../gpu-setup';

const ROUNDS = 50;

/** Counts buffers created on the device and not yet destroyed while `body` runs. */
async function liveBuffersAfter(gpu: GpuContext, body: () => Promise<void>): Promise<{ created: number; alive: number }> {
  const device = gpu.device;
  const create = device.createBuffer.bind(device);
  const alive = new Set<GPUBuffer>();
  let created = 0;
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = create(descriptor);
    created++;
    alive.add(buffer);
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = () => {
      alive.delete(buffer);
      destroy();
    };
    return buffer;
  };
  try {
    await body();
  } finally {
    device.createBuffer = create;
  }
  return { created, alive: alive.size };
}

async function cycle(make: () => Trainer<unknown>): Promise<void> {
  for (let i = 0; i < ROUNDS; i++) {
    const trainer = make();
    await trainer.runSteps(1, i % 10 === 0);
    trainer.destroy();
  }
}

describe(`each trainer, created, run and destroyed ${ROUNDS} times, leaves no GPU buffer alive`, () => {
  const layerTask = makeTask({ trainSize: 64, heldOutSize: 32 });
  const layerCases: [string, Partial<TrainerConfig>][] = [
    ['LoRA', { method: 'lora' }],
    ['DoRA', { method: 'dora' }],
    ['full fine-tuning', { method: 'full' }],
    ['QLoRA (NF4 base)', { method: 'lora', base: 'nf4' }],
  ];
  for (const [name, override] of layerCases) {
    it(`layer trainer: ${name}`, async () => {
      const gpu = await testGpu();
      const { created, alive } = await liveBuffersAfter(gpu, () =>
        cycle(() => createLayerTrainer(gpu, layerTask, { ...DEFAULT_TRAINER, ...override })),
      );
      expect(created).toBeGreaterThan(ROUNDS * 10);
      expect(alive).toBe(0);
    });
  }

  const preferenceTask = createPreferenceTask({ prompts: 16, heldOutPrompts: 8 });
  for (const loss of ['dpo', 'kto'] as PreferenceLossName[]) {
    it(`preference trainer: ${loss}`, async () => {
      const gpu = await testGpu();
      const { created, alive } = await liveBuffersAfter(gpu, () =>
        cycle(() => createPreferenceTrainer(gpu, preferenceTask, { loss: { ...DEFAULT_LOSS, loss }, adam: { lr: 0.05 } })),
      );
      expect(created).toBeGreaterThan(ROUNDS * 10);
      expect(alive).toBe(0);
    });
  }
});
