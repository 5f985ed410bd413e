import { describe, expect, it, test } from 'vitest';
import { ALL_LINEAR_MODULES, ATTENTION_MODULES, modelParamCount, presetById } from '../../../../kernels/models/presets';
import { loraParamCount, loraTensorSizes } from '../../../../kernels/lora/param-count';
import { kbitUpcastExtraBytes } from '../../../../kernels/nf4/model-memory';
import { activationBytes, adamMomentBytes, modelStateBytes, nf4BitsPerParam } from '../../../../kernels/memory/training-memory';

describe('model shapes', () => {
  // Parameter counts of the released LLaMA-2 checkpoints (sum of the safetensors shapes).
  it.each([
    ['7b', 6_738_415_616],
    ['13b', 13_015_864_320],
    ['70b', 68_976_648_192],
  ])('LLaMA-2-%s has %d parameters from its shapes', (id, count) => {
    expect(modelParamCount(presetById(id))).toBe(count);
  });

  it('GPT-3 XL shape is about 1.3B parameters', () => {
    expect(modelParamCount(presetById('1.3b')) / 1e9).toBeCloseTo(1.31, 2);
  });

  it('an unknown preset names the known ones', () => {
    expect(() => presetById('5b')).toThrow(/1\.3b, 7b, 13b, 70b/);
  });
});

describe('LoRA parameter count', () => {
  const llama7b = presetById('7b');
  it('r = 16 on q, k, v, o of LLaMA-2-7B adds 16,777,216 parameters (16 x 8192 x 4 x 32)', () => {
    expect(loraParamCount(llama7b, 16, ATTENTION_MODULES)).toBe(16_777_216);
  });
  it('r = 16 on all seven linear layers adds 39,976,960 parameters', () => {
    // per layer: 4 x 16 x 8192 + 3 x 16 x (4096 + 11008) = 524,288 + 724,992 = 1,249,280; x 32 layers
    expect(loraParamCount(llama7b, 16, ALL_LINEAR_MODULES)).toBe(39_976_960);
  });
  it('grouped-query attention shrinks k and v: LLaMA-2-70B r = 8 on q, k, v, o', () => {
    // q, o: 8 x (8192 + 8192); k, v: 8 x (8192 + 1024); 80 layers
    expect(loraParamCount(presetById('70b'), 8, ATTENTION_MODULES)).toBe(80 * (2 * 8 * 16384 + 2 * 8 * 9216));
  });
  it('scales linearly in r and rejects a rank below 1', () => {
    expect(loraParamCount(llama7b, 64, ATTENTION_MODULES)).toBe(4 * loraParamCount(llama7b, 16, ATTENTION_MODULES));
    expect(() => loraParamCount(llama7b, 0, ATTENTION_MODULES)).toThrow(/positive integer/);
  });
});

describe('training memory', () => {
  it('full fine-tuning with mixed-precision Adam is 2 + 2 + 12 = 16 bytes per parameter (112 GB for 7B)', () => {
    const m = modelStateBytes({ method: 'full', params: 7e9 });
    expect(m).toEqual({ weights: 14e9, gradients: 14e9, optimizer: 84e9 });
    expect(m.weights + m.gradients + m.optimizer).toBe(112e9);
  });

  it('LoRA keeps the base frozen in 16-bit and trains the adapter at 16 bytes per parameter', () => {
    const m = modelStateBytes({ method: 'lora', params: 7e9, adapterParams: 16_777_216 });
    expect(m.weights).toBe(14e9 + 2 * 16_777_216);
    expect(m.gradients).toBe(2 * 16_777_216);
    expect(m.optimizer).toBe(12 * 16_777_216);
  });

  it('NF4 costs 4.5 bits per weight with fp32 block scales and about 4.127 with double quantization (QLoRA paper, section 3)', () => {
    expect(nf4BitsPerParam(false)).toBe(4.5);
    expect(nf4BitsPerParam(true) - 4).toBeCloseTo(0.127, 3);
    expect(nf4BitsPerParam(true)).toBe(4 + 8 / 64 + 32 / (64 * 256));
  });

  it('QLoRA stores the quantized fraction in NF4 and the rest in bf16', () => {
    const m = modelStateBytes({ method: 'qlora', params: 1e9, quantizedFraction: 0.9, doubleQuant: false, adapterParams: 0 });
    expect(m.weights).toBeCloseTo((0.9e9 * 4.5) / 8 + 0.1e9 * 2, 0);
    expect(() => modelStateBytes({ method: 'qlora', params: 1e9, quantizedFraction: 2 })).toThrow(/quantizedFraction/);
  });

  it('rejects a non-positive or non-finite parameter count', () => {
    expect(() => modelStateBytes({ method: 'full', params: NaN })).toThrow(/positive/);
    expect(() => modelStateBytes({ method: 'full', params: -1 })).toThrow(/positive/);
  });

  it('activations follow Korthikanti et al. eq. 1: s b h (34 + 5 a s / h) bytes per layer', () => {
    const shape = { seqLen: 2048, microBatch: 1, hidden: 4096, layers: 32, heads: 32 };
    const perLayer = 2048 * 4096 * (34 + (5 * 32 * 2048) / 4096);
    expect(activationBytes({ ...shape, checkpointing: false, flashAttention: false })).toBe(32 * perLayer);
    expect(activationBytes({ ...shape, checkpointing: false })).toBe(32 * 2048 * 4096 * 34);
    // Checkpointing keeps each layer's 2 s b h input plus one layer being recomputed.
    expect(activationBytes({ ...shape, checkpointing: true })).toBe(32 * 2 * 2048 * 4096 + 2048 * 4096 * 34);
    expect(() => activationBytes({ ...shape, seqLen: 0, checkpointing: false })).toThrow(/seqLen/);
  });
});

describe('the QLoRA recipe: adapter tensors, 8-bit Adam, fp32 upcast', () => {
  const m7 = presetById('7b');
  test('r = 64 on all linear modules of LLaMA-2-7B: 159,907,840 parameters in 448 tensors', () => {
    // per layer: 4 * 64 * (4096 + 4096) + 2 * 64 * (4096 + 11008) + 64 * (11008 + 4096) = 4,997,120
    const sizes = loraTensorSizes(m7, 64, ALL_LINEAR_MODULES);
    expect(sizes.length).toBe(32 * 7 * 2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(159_907_840);
    expect(loraParamCount(m7, 64, ALL_LINEAR_MODULES)).toBe(159_907_840);
  });
  test('Adam moments: 8 bytes per value in 32 bits; 2 bytes + an fp32 absmax per 256 in 8 bits', () => {
    expect(adamMomentBytes([1000], 32)).toBe(8000);
    expect(adamMomentBytes([4096], 8)).toBe(2 * 4096 + 2 * 4 * 16);
    expect(adamMomentBytes([4097], 8)).toBe(2 * 4097 + 2 * 4 * 17);
    expect(adamMomentBytes([4095], 8)).toBe(8 * 4095); // below min_8bit_size: kept in 32 bits
  });
  test('prepare_model_for_kbit_training upcasts embeddings, head and norms: 2 extra bytes each', () => {
    // LLaMA-2-7B: two 32000 x 4096 embeddings, 65 norms of 4096
    expect(kbitUpcastExtraBytes(m7)).toBe(2 * (2 * 32000 * 4096 + 65 * 4096));
  });
});
