/**
 * Figures quoted in model answers ({full7bGB}, {nf4BitsDq}, ...), computed from kernels/ so the
 * text never carries a hand-typed number that could drift from the formulas.
 */
import { formatSig, groupDigits } from '../../kernels/answer-check/numeric';
import { loraParamCount } from '../../kernels/lora/param-count';
import { modelStateBytes, nf4BitsPerParam } from '../../kernels/memory/training-memory';
import { ALL_LINEAR_MODULES, modelParamCount, presetById } from '../../kernels/models/presets';
import { quantizedWeightMemory } from '../../kernels/nf4/model-memory';
import { paperBytesPerParam } from '../../kernels/zero/memory';
import type { TemplateVars } from './generators';

const total = (s: { weights: number; gradients: number; optimizer: number }) => s.weights + s.gradients + s.optimizer;
const gb = (bytes: number) => formatSig(bytes / 1e9, 3);

function computeFacts(): TemplateVars {
  const m7 = presetById('7b');
  const p7 = modelParamCount(m7);
  const lora7 = loraParamCount(m7, 16, ALL_LINEAR_MODULES);
  const q7 = quantizedWeightMemory(m7);
  const p13 = modelParamCount(presetById('13b'));
  const q13 = quantizedWeightMemory(presetById('13b'));
  const p70 = modelParamCount(presetById('70b'));
  const q70 = quantizedWeightMemory(presetById('70b'));
  return {
    params7b: formatSig(p7 / 1e9, 3) + 'B',
    full7bGB: gb(total(modelStateBytes({ method: 'full', params: p7 }))),
    bf16Weights7bGB: gb(2 * p7),
    lora7bR16All: formatSig(lora7 / 1e6, 3) + 'M',
    lora7bR16AllGB: gb(total(modelStateBytes({ method: 'lora', params: p7, adapterParams: lora7 }))),
    adapterStates7bR16GB: gb(16 * lora7),
    qloraWeights7bGB: gb(q7.nf4DoubleQuantBytes),
    qloraWeights7bNoDqGB: gb(q7.nf4Bytes),
    left8GbAfter7bQlora: gb(8e9 - q7.nf4DoubleQuantBytes),
    bf16Weights13bGB: gb(2 * p13),
    full13bGB: gb(total(modelStateBytes({ method: 'full', params: p13 }))),
    qloraWeights13bGB: gb(q13.nf4DoubleQuantBytes),
    bf16Weights70bGB: gb(2 * p70),
    qloraWeights70bGB: gb(q70.nf4DoubleQuantBytes),
    loraLayer4096r8: groupDigits(8 * (4096 + 4096)),
    denseLayer4096: groupDigits(4096 * 4096),
    nf4Bits: formatSig(nf4BitsPerParam(false)),
    nf4BitsDq: formatSig(nf4BitsPerParam(true)),
    dqSavingBits: formatSig(nf4BitsPerParam(false) - nf4BitsPerParam(true), 3),
    zero1BytesN8: formatSig(paperBytesPerParam(1, 8)),
    zero2BytesN8: formatSig(paperBytesPerParam(2, 8)),
    zero3BytesN8: formatSig(paperBytesPerParam(3, 8)),
  };
}

let cached: TemplateVars | null = null;
export function facts(): TemplateVars {
  cached ??= computeFacts();
  return cached;
}
