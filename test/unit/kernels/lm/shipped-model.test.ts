/**
 * The shipped model (public/models/tiny-llama/): its files load and are checked; its held-out loss
 * is the one its model card records; the engine reproduces PyTorch autograd on it (fixture made by
 * scripts/lm/fixture.py), with the TypeScript and the WebAssembly matmul; bad files are explained.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareCpuGemm } from '../../../../kernels/linalg/gemm-cpu';
import { createCpuBackend } from '../../../../kernels/lm/engine/cpu-backend';
import { heldOutLoss } from '../../../../kernels/lm/held-out';
import { HELD_OUT_ROWS } from '../../../../kernels/lm/data/pretraining';
import { loadModelFiles, type ReadFile } from '../../../../kernels/lm/model-files';
import { TINY_MODEL_DIR } from '../../../../kernels/lm/tiny-model';
import { saveWeights } from '../../../../kernels/lm/weights';
import { compareWithFixture } from '../../../shared/lm-fixture';

const MODEL = TINY_MODEL_DIR;
const readModel: ReadFile = async (name) => new Uint8Array(readFileSync(`${MODEL}/${name}`));
const readFixture: ReadFile = async (name) => new Uint8Array(readFileSync(`test/fixtures/lm/${name}`));

describe('the shipped tiny model', () => {
  it('loads: LlamaForCausalLM config, 357-token tokenizer, bfloat16 weights of 895,360 parameters (1.8 MB)', async () => {
    const m = await loadModelFiles(readModel);
    expect(m.config.architectures).toEqual(['LlamaForCausalLM']);
    expect(m.tokenizer.vocabSize).toBe(m.config.vocab_size);
    expect(readFileSync(`${MODEL}/model.safetensors`).length).toBeLessThan(4 * 1024 * 1024);
    expect(m.chatTemplate).toContain('<|im_start|>');
  });

  it('held-out loss within 2% of the figure its model card records', async () => {
    await prepareCpuGemm();
    const card = readFileSync(`${MODEL}/README.md`, 'utf8');
    const recorded = Number(/held_out_loss_nats_per_token: ([0-9.]+)/.exec(card)![1]);
    const m = await loadModelFiles(readModel);
    const loss = await heldOutLoss(createCpuBackend(m.config), m, HELD_OUT_ROWS);
    expect(Math.abs(loss - recorded) / recorded).toBeLessThan(0.02);
  });

  for (const matmul of ['TypeScript', 'WebAssembly SIMD'] as const) {
    it(`reproduces PyTorch autograd (logits, loss, gradients of full fine-tuning, LoRA, DoRA and a reward model), ${matmul} matmul`, async () => {
      expect(await prepareCpuGemm(matmul === 'WebAssembly SIMD')).toBe(matmul === 'WebAssembly SIMD');
      const r = await compareWithFixture((m) => createCpuBackend(m.config), readModel, readFixture);
      expect(r.logits).toBeLessThan(1e-4);
      for (const kind of ['full', 'lora', 'dora'] as const) {
        expect(r.loss[kind], `${kind} loss`).toBeLessThan(1e-4);
        expect(r.grads[kind].worst, `${kind}: ${r.grads[kind].tensor}`).toBeLessThan(1e-4);
      }
      expect(r.counts).toEqual({ full: 39, lora: 56, dora: 24 }); // DoRA: A, B and the magnitude on q_proj and down_proj of 4 layers
      // The reward model: the rewards, TRL's loss, the head's gradient and every body gradient (lm_head is off its path).
      expect(r.reward.rewards).toBeLessThan(1e-4);
      expect(r.reward.loss).toBeLessThan(1e-4);
      expect(r.reward.head).toBeLessThan(1e-4);
      expect(r.reward.body.worst, r.reward.body.tensor).toBeLessThan(1e-4);
      expect(r.reward.count).toBe(38);
    });
  }

  it('explains bad files: wrong shapes, NaN weights, a wrong dtype, a truncated file, a config that does not match', async () => {
    const good = await loadModelFiles(readModel);
    const files =
      (over: Record<string, Uint8Array>): ReadFile =>
      async (name) =>
        over[name] ?? readModel(name);
    const original = JSON.parse(new TextDecoder().decode(await readModel('config.json')));
    const config = (change: object) => new TextEncoder().encode(JSON.stringify({ ...original, ...change }));
    await expect(
      loadModelFiles(files({ 'config.json': config({ hidden_size: 64, num_attention_heads: 2, num_key_value_heads: 2 }) })),
    ).rejects.toThrow(/q_proj\.weight has shape \[128, 128\], but config\.json implies \[64, 64\]/);
    const nan = structuredClone(good.weights);
    nan.layers[2].linear.up_proj[17] = NaN;
    await expect(loadModelFiles(files({ 'model.safetensors': saveWeights(nan, good.config, 'F32') }))).rejects.toThrow(/up_proj.*NaN at index 17/);
    const bytes = await readModel('model.safetensors');
    await expect(loadModelFiles(files({ 'model.safetensors': bytes.subarray(0, bytes.length - 100) }))).rejects.toThrow(/truncated/);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))));
    const i64 = bytes.slice();
    const swapped = header.replace('"BF16"', '"I64"');
    i64.set(new TextEncoder().encode(swapped), 8);
    await expect(loadModelFiles(files({ 'model.safetensors': i64 }))).rejects.toThrow(/dtype "I64"/);
    await expect(loadModelFiles(files({ 'tokenizer_config.json': new TextEncoder().encode('{') }))).rejects.toThrow(
      /tokenizer_config\.json: not valid JSON/,
    );
  });
});
