/**
 * Memory of a model's weights stored for QLoRA: the linear layers of every block in NF4
 * (bitsandbytes' Linear4bit replaces nn.Linear there), the embeddings, the output head and the
 * norms left in bf16, as transformers + bitsandbytes do by default. Shapes come from
 * kernels/models/presets.ts, bytes from kernels/memory/training-memory.ts.
 */
import { modelStateBytes } from '../memory/training-memory';
import { ALL_LINEAR_MODULES, linearShape, modelParamCount, type ModelShape } from '../models/presets';

/** Parameters in the linear layers of all blocks (the ones QLoRA quantizes). */
export function linearParamCount(m: ModelShape): number {
  let perLayer = 0;
  for (const mod of ALL_LINEAR_MODULES) {
    const s = linearShape(m, mod);
    if (s) perLayer += s.in * s.out;
  }
  return m.layers * perLayer;
}

export interface QuantizedWeightMemory {
  params: number;
  quantizedParams: number;
  /** All weights in bf16 (2 bytes each). */
  bf16Bytes: number;
  /** Linear layers in NF4 with float32 block scales, the rest in bf16. */
  nf4Bytes: number;
  /** The same with double-quantized scales. */
  nf4DoubleQuantBytes: number;
}

export function quantizedWeightMemory(m: ModelShape): QuantizedWeightMemory {
  const params = modelParamCount(m);
  const quantizedParams = linearParamCount(m);
  const quantizedFraction = quantizedParams / params;
  const weights = (doubleQuant: boolean) => modelStateBytes({ method: 'qlora', params, quantizedFraction, doubleQuant, adapterParams: 0 }).weights;
  return {
    params,
    quantizedParams,
    bf16Bytes: modelStateBytes({ method: 'lora', params, adapterParams: 0 }).weights,
    nf4Bytes: weights(false),
    nf4DoubleQuantBytes: weights(true),
  };
}

/**
 * What PEFT's `prepare_model_for_kbit_training` adds: it casts every fp16/bf16 parameter that is
 * not 4-bit (embeddings, output head, norms) to fp32 (peft 0.20, `utils/other.py`), 2 more bytes each.
 */
export function kbitUpcastExtraBytes(m: ModelShape): number {
  return 2 * (modelParamCount(m) - linearParamCount(m));
}
