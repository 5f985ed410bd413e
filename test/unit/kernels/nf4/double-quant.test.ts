import { describe, expect, test } from 'vitest';
import { nf4BitsPerParam } from '../../../../kernels/memory/training-memory';
import { presetById } from '../../../../kernels/models/presets';
import { doubleDequantize, doubleQuantize } from '../../../../kernels/nf4/double-quant';
import { linearParamCount, quantizedWeightMemory } from '../../../../kernels/nf4/model-memory';
import { NF4_LEVELS, quantizeBlockwise } from '../../../../kernels/nf4/nf4';
import { sampleWeights } from '../../../../kernels/nf4/weights';
import { createRng } from '../../../../kernels/random/rng';

describe('bit accounting (QLoRA paper, section 3, "Double Quantization")', () => {
  test('scales cost 32/64 = 0.5 bit per parameter without double quantization', () => {
    expect(nf4BitsPerParam(false) - 4).toBe(0.5);
  });
  test('and 8/64 + 32/(64*256) = 0.127 bit with it, as the paper states', () => {
    expect(nf4BitsPerParam(true) - 4).toBeCloseTo(0.127, 3);
  });
  test("a saving of 0.373 bit per parameter, about 3 GB for a 65B model (the paper's figures)", () => {
    const saving = nf4BitsPerParam(false) - nf4BitsPerParam(true);
    expect(saving).toBeCloseTo(0.373, 3);
    expect((65e9 * saving) / 8 / 1e9).toBeCloseTo(3.0, 1);
  });
  test("a 65B model in NF4 with double quantization fits under the paper's 48 GB", () => {
    expect((65e9 * nf4BitsPerParam(true)) / 8).toBeLessThan(48e9);
  });
});

describe('double quantization of real scales', () => {
  const w = sampleWeights('normal', 64 * 256 * 8, createRng(11));
  const { absmax } = quantizeBlockwise(w, 64, NF4_LEVELS);
  const dq = doubleQuantize(absmax);

  test('one 8-bit code per scale, one float32 per 256 scales', () => {
    expect(dq.codes.length).toBe(absmax.length);
    expect(dq.absmax2.length).toBe(absmax.length / 256);
  });
  test('the offset is the mean of the scales', () => {
    const mean = absmax.reduce((s, a) => s + a, 0) / absmax.length;
    expect(dq.offset).toBeCloseTo(mean, 7);
  });
  test('recovered scales are within 1% of the originals (8-bit dynamic code on centred values)', () => {
    const back = doubleDequantize(dq);
    for (let i = 0; i < absmax.length; i++) expect(Math.abs(back[i] - absmax[i]) / absmax[i]).toBeLessThan(0.01);
  });
});

describe('weight memory of the LLaMA-2 presets', () => {
  test.each(['7b', '13b', '70b'])('%s: linear layers at 4.5 bits, the rest at 16; double quant saves 0.373 bit per quantized weight', (id) => {
    const m = quantizedWeightMemory(presetById(id));
    expect(m.bf16Bytes).toBe(2 * m.params);
    expect(m.nf4Bytes).toBeCloseTo((m.quantizedParams * 4.5) / 8 + (m.params - m.quantizedParams) * 2, -3);
    expect(m.nf4Bytes).toBeLessThan(m.bf16Bytes / 3);
    expect(m.nf4Bytes - m.nf4DoubleQuantBytes).toBeCloseTo((m.quantizedParams * 0.373) / 8, -6);
  });
  test('LLaMA-2-7B: 6.48e9 parameters in linear layers of 6.74e9', () => {
    const m = presetById('7b');
    // Per layer: 4 x 4096^2 (attention) + 3 x 4096 x 11008 (MLP) = 202,375,168; x 32 layers.
    expect(linearParamCount(m)).toBe(32 * (4 * 4096 * 4096 + 3 * 4096 * 11008));
    expect(quantizedWeightMemory(m).params).toBe(6738415616);
  });
});
