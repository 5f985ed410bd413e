import { WEIGHT_DISTRIBUTION_LABELS, WEIGHT_DISTRIBUTIONS } from '../../kernels/nf4/weights';
import type { WidgetMeta } from '../widget-base/meta';
import type { ParamSchema } from '../widget-base/params';
import { SEED } from '../widget-base/shared-params';

export const schema = {
  distribution: {
    kind: 'enum',
    label: 'Weights',
    options: WEIGHT_DISTRIBUTIONS,
    default: 'normal',
    optionLabels: WEIGHT_DISTRIBUTION_LABELS,
  },
  rows: { kind: 'int', label: 'Rows', min: 8, max: 4096, default: 1024 },
  cols: { kind: 'int', label: 'Columns', min: 8, max: 4096, default: 1024 },
  blockSize: {
    kind: 'enum',
    label: 'Block size',
    options: ['32', '64', '128', '256'],
    default: '64',
    help: 'Consecutive weights (along a row) that share one absmax scale. QLoRA uses 64.',
  },
  show: {
    kind: 'enum',
    label: 'Codes shown',
    options: ['nf4', 'int4', 'fp4'],
    default: 'nf4',
    optionLabels: { nf4: 'NF4', int4: 'INT4', fp4: 'FP4' },
  },
  seed: SEED,
} satisfies ParamSchema;

export const meta: WidgetMeta<typeof schema> = {
  name: 'nf4-quantizer',
  title: 'Blockwise 4-bit quantization of a weight matrix',
  summary:
    'Quantize a matrix of up to 4096 × 4096 weights (normal, heavy-tailed, with outliers, or crowded near the block maximum) to NF4, INT4 and FP4 with absmax blocks of 32–256, on the GPU with WGSL kernels or on the CPU; compare their error, SQNR and time.',
  chapter: 'qlora-nf4',
  schema,
  example: { distribution: 'normal', rows: '1024', cols: '1024', 'block-size': '64' },
  embedHeight: 980,
};
