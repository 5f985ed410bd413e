/**
 * Numeric and formula answers as candidates type them: units with words after them, shown
 * working, rounding, powers, ranges, hedges, LaTeX, other names and cases for the variables; and
 * the slips a grader rejects (bits for bytes, GB for GiB, wrong factors, ranges too wide).
 * Numeric cards are drawn with seed 1; the expected values are in the comments.
 */
import { picked, typed } from './case';

export const numericCases = [
  // lora-param-count: 1,572,864 (rank 4, q k v o, 1.3B, 24 layers, hidden 2048)
  typed('lora-param-count', 'en', 'right', '1,572,864', 'Exact.'),
  typed('lora-param-count', 'en', 'right', '1.57M trainable params', 'Rounded, with words after the scale.'),
  typed('lora-param-count', 'en', 'right', '24 * 4 * 4 * (2048 + 2048) = 1572864', 'Shown working; the result counts.'),
  typed('lora-param-count', 'en', 'wrong', '786,432', 'Half: only one matrix per module.'),
  typed('lora-param-count', 'zh', 'right', '约157万个参数', 'Hedged, 万 with a unit word.'),
  typed('lora-param-count', 'zh', 'wrong', '6291456', 'Four times too many (rank 16).'),
  typed('lora-param-count', 'en', 'right', '≈1.6M', 'Honest rounding to two figures.'),
  // lora-param-fraction: 0.2398%
  typed('lora-param-fraction', 'en', 'right', '0.24%', 'Rounded.'),
  typed('lora-param-fraction', 'en', 'right', 'trainable%: 0.2398', 'PEFT’s own printout label before the number.'),
  typed('lora-param-fraction', 'en', 'wrong', '0.0024', 'A fraction where a percentage was asked.'),
  typed('lora-param-fraction', 'zh', 'right', '约 0.24%', 'Hedged.'),
  typed('lora-param-fraction', 'zh', 'wrong', '2.4%', 'Ten times too large.'),
  typed('lora-param-fraction', 'en', 'right', 'about 0.240 %', 'Three figures, a space before the sign.'),
  // lora-memory-numeric: 24.71 GiB
  typed('lora-memory-numeric', 'en', 'right', '24.7 GiB', 'Rounded.'),
  typed('lora-memory-numeric', 'en', 'wrong', '26.5 GiB', 'The byte count read as GB and labelled GiB.'),
  typed('lora-memory-numeric', 'en', 'right', '26.53 GB', 'Right in GB; converted.'),
  typed('lora-memory-numeric', 'zh', 'right', '约24.7GiB', 'Hedged.'),
  typed('lora-memory-numeric', 'zh', 'wrong', '12.4 GiB', 'Half: bf16 base forgotten or counted as 1 byte.'),
  typed('lora-memory-numeric', 'en', 'right', '24.71 GiB of model states', 'Words after the unit.'),
  typed('lora-memory-numeric', 'en', 'wrong', '24-26 GiB', 'A range too wide to count.'),
  // dora-param-count: 13,926,400
  typed('dora-param-count', 'en', 'right', '13,926,400', 'Exact.'),
  typed('dora-param-count', 'en', 'right', '13.9M', 'Rounded.'),
  typed('dora-param-count', 'en', 'wrong', '13,107,200', 'LoRA only: the magnitude vectors are missing.'),
  typed('dora-param-count', 'zh', 'right', '1392.64万', '万 with decimals.'),
  typed('dora-param-count', 'zh', 'wrong', '1310万', 'Misses the magnitudes.'),
  // dora-layer-params: 87,040
  typed('dora-layer-params', 'en', 'right', '87040', 'Exact.'),
  typed('dora-layer-params', 'en', 'right', '8*(5120+5120) + 5120 = 87,040', 'Shown working.'),
  typed('dora-layer-params', 'en', 'wrong', '81920', 'Misses m.'),
  typed('dora-layer-params', 'zh', 'right', '8.704万', 'In 万.'),
  // nf4-bits-per-param: 5 bits (block 32, no double quantization)
  typed('nf4-bits-per-param', 'en', 'right', '5.000', 'Exact to three decimals.'),
  typed('nf4-bits-per-param', 'en', 'right', '5 bits', 'Exact.'),
  typed('nf4-bits-per-param', 'en', 'wrong', '4.5', 'Block 64.'),
  typed('nf4-bits-per-param', 'zh', 'right', '5 比特', 'Exact, Chinese unit word.'),
  typed('nf4-bits-per-param', 'zh', 'wrong', '4.127', 'The double-quantized figure for block 64.'),
  // qlora-weight-memory: 6.707 GiB
  typed('qlora-weight-memory', 'en', 'right', '6.71 GiB', 'Rounded.'),
  typed('qlora-weight-memory', 'en', 'wrong', '7.2 GiB', 'The byte count in GB labelled GiB.'),
  typed('qlora-weight-memory', 'en', 'right', '7.20 GB', 'Right in GB.'),
  typed('qlora-weight-memory', 'zh', 'right', '约 6.7 GiB', 'Hedged, two figures.'),
  typed('qlora-weight-memory', 'zh', 'wrong', '24.2 GiB', 'bf16 weights: no quantization.'),
  typed('qlora-weight-memory', 'en', 'wrong', '~7 GiB', 'Hedged to one figure: too rough.'),
  // dpo-loss-value: 1.037
  typed('dpo-loss-value', 'en', 'right', '1.037', 'Exact.'),
  typed('dpo-loss-value', 'en', 'right', '-log σ(0.2·(3−6)) = 1.037', 'Working, then the value.'),
  typed('dpo-loss-value', 'en', 'wrong', '0.437', 'Sign of the margin flipped.'),
  typed('dpo-loss-value', 'zh', 'right', '约1.04', 'Hedged to three figures.'),
  typed('dpo-loss-value', 'zh', 'wrong', '0.598', 'Forgot β.'),
  // dpo-reward-margin: 0.5
  typed('dpo-reward-margin', 'en', 'right', '0.5', 'Exact.'),
  typed('dpo-reward-margin', 'en', 'right', '0.25*6 - 0.25*4 = 0.5', 'Working.'),
  typed('dpo-reward-margin', 'en', 'wrong', '2', 'Without β.'),
  typed('dpo-reward-margin', 'zh', 'right', '0.50', 'Exact.'),
  // kto-loss-value: 0.2227
  typed('kto-loss-value', 'en', 'right', '0.2227', 'Exact.'),
  typed('kto-loss-value', 'en', 'right', '0.223', 'Rounded.'),
  typed('kto-loss-value', 'en', 'wrong', '0.7773', 'The desirable branch.'),
  typed('kto-loss-value', 'zh', 'right', '≈0.22', 'Hedged to two figures, within the card’s tolerance.'),
  // zero-memory-per-gpu: 1,043 GiB (DP: no sharding)
  typed('zero-memory-per-gpu', 'en', 'right', '1043 GiB', 'Exact.'),
  typed('zero-memory-per-gpu', 'en', 'right', '1.12 TB', 'Right in TB.'),
  typed('zero-memory-per-gpu', 'en', 'wrong', '65.2 GiB', 'Divided by 16 GPUs: DP replicates.'),
  typed('zero-memory-per-gpu', 'zh', 'right', '约1043GiB每张卡', 'Hedged, words after the unit.'),
  typed('zero-memory-per-gpu', 'zh', 'wrong', '1120 GiB', 'GB read as GiB.'),
  // zero-communication-volume: 52 GB
  typed('zero-communication-volume', 'en', 'right', '52 GB', 'Exact.'),
  typed('zero-communication-volume', 'en', 'right', '2 x 13e9 x 2 bytes = 52 GB', 'Working.'),
  typed('zero-communication-volume', 'en', 'wrong', '26 GB', 'One Ψ instead of two.'),
  typed('zero-communication-volume', 'zh', 'right', '52GB 每步', 'Words after the unit.'),
  typed('zero-communication-volume', 'zh', 'wrong', '416 GB', 'Bits for bytes.'),
  // zero-largest-model: 36,056,338,028
  typed('zero-largest-model', 'en', 'right', '36B', 'Rounded to two figures, within 1%.'),
  typed('zero-largest-model', 'en', 'right', '3.6e10 parameters', 'Exponent, words after.'),
  typed('zero-largest-model', 'en', 'wrong', '80B', 'Forgot the replicated weights and gradients.'),
  typed('zero-largest-model', 'zh', 'right', '约360亿', 'In 亿.'),
  // sft-tiny-lora-params: 32,768
  typed('sft-tiny-lora-params', 'en', 'right', '32768', 'Exact.'),
  typed('sft-tiny-lora-params', 'en', 'right', '2^15', 'A power.'),
  typed('sft-tiny-lora-params', 'en', 'right', '2¹⁵', 'A superscript power.'),
  typed('sft-tiny-lora-params', 'en', 'wrong', '16384', 'One projection.'),
  typed('sft-tiny-lora-params', 'zh', 'right', '3.2768万', 'In 万.'),
  typed('sft-tiny-lora-params', 'zh', 'wrong', '8192', 'One layer.'),
  // sft-packed-rows: 32
  typed('sft-packed-rows', 'en', 'right', '32 rows', 'Exact, with a word.'),
  typed('sft-packed-rows', 'en', 'wrong', '250', 'Padded.'),
  typed('sft-packed-rows', 'zh', 'right', '32行', 'Exact.'),
  // lora-scale-value: 16 (rsLoRA, alpha 32, r 4)
  typed('lora-scale-value', 'en', 'right', '16x', 'A factor.'),
  typed('lora-scale-value', 'en', 'right', '32/√4 = 16', 'Working.'),
  typed('lora-scale-value', 'en', 'wrong', '8', 'alpha/r: not rsLoRA.'),
  typed('lora-scale-value', 'zh', 'right', '16倍', 'A factor in Chinese.'),
  typed('lora-scale-value', 'zh', 'wrong', '8倍', 'alpha/r.'),
];

export const formulaCases = [
  // lora-layer-formula: r*(d+k)
  typed('lora-layer-formula', 'en', 'right', 'r(d+k)', 'Juxtaposition.'),
  typed('lora-layer-formula', 'en', 'right', 'R(D+K)', 'Upper case.'),
  typed('lora-layer-formula', 'en', 'right', 'r \\cdot (d + k)', 'LaTeX.'),
  typed('lora-layer-formula', 'en', 'right', 'dr + kr', 'Expanded.'),
  typed('lora-layer-formula', 'en', 'wrong', 'd*k', 'The dense layer.'),
  typed('lora-layer-formula', 'zh', 'right', 'rank*(d+k)', 'The variable’s long name.'),
  typed('lora-layer-formula', 'en', 'wrong', 'r*d*k', 'Product instead of sum.'),
  typed('lora-layer-formula', 'en', 'wrong', '2r(d+k)', 'Doubled.'),
  // rslora-formula: alpha/sqrt(r)
  typed('rslora-formula', 'en', 'right', '\\frac{\\alpha}{\\sqrt{r}}', 'LaTeX.'),
  typed('rslora-formula', 'en', 'right', 'α/√r', 'Unicode.'),
  typed('rslora-formula', 'en', 'right', 'lora_alpha / r^0.5', 'PEFT’s name and a power.'),
  typed('rslora-formula', 'en', 'wrong', 'alpha/r', 'Plain LoRA.'),
  typed('rslora-formula', 'zh', 'right', 'alpha * r^{-1/2}', 'LaTeX-style group.'),
  typed('rslora-formula', 'zh', 'wrong', 'sqrt(alpha/r)', 'Square root of the whole.'),
  typed('rslora-formula', 'en', 'right', 'Alpha/sqrt(R)', 'Upper case.'),
  // double-quant-formula: 4 + 8/B1 + 32/(B1*B2)
  typed('double-quant-formula', 'en', 'right', '4 + \\frac{8}{B_1} + \\frac{32}{B_1 B_2}', 'LaTeX with subscripts.'),
  typed('double-quant-formula', 'en', 'right', '4+8/B1+32/(B1B2)', 'Juxtaposed names.'),
  typed('double-quant-formula', 'en', 'wrong', '4 + 32/B1', 'Without double quantization.'),
  typed('double-quant-formula', 'zh', 'right', '4 + (8 + 32/B2)/B1', 'Factored.'),
  typed('double-quant-formula', 'zh', 'wrong', '4 + 8/B1 + 32/B2', 'The constant is per B1·B2 weights.'),
  typed('double-quant-formula', 'en', 'wrong', '4 + 8/B1', 'Forgets the fp32 constants.'),
  // dpo-loss-formula: -log(sigmoid(beta*((pw - rw) - (pl - rl))))
  typed('dpo-loss-formula', 'en', 'right', '-\\log \\sigma(\\beta((pw - rw) - (pl - rl)))', 'LaTeX.'),
  typed('dpo-loss-formula', 'en', 'right', 'log(1 + exp(-beta*(pw - pl - rw + rl)))', 'Softplus form.'),
  typed('dpo-loss-formula', 'en', 'wrong', '-log(sigmoid(beta*(pw - pl)))', 'No reference.'),
  typed('dpo-loss-formula', 'zh', 'right', '-ln(sigmoid(β*((pw-rw)-(pl-rl))))', 'Greek letter, ln.'),
  typed('dpo-loss-formula', 'zh', 'wrong', '-log(sigmoid(beta*((pw - rw) + (pl - rl))))', 'Sign of the rejected term.'),
  typed('dpo-loss-formula', 'en', 'right', '-\\log\\left(\\frac{1}{1+e^{-\\beta((pw-rw)-(pl-rl))}}\\right)', 'Sigmoid written out with e.'),
  // zero1-memory-formula: 4*psi + 12*psi/N
  typed('zero1-memory-formula', 'en', 'right', '4\\Psi + \\frac{12\\Psi}{N}', 'LaTeX, capital Psi.'),
  typed('zero1-memory-formula', 'en', 'right', '(4 + 12/N) * psi', 'Factored.'),
  typed('zero1-memory-formula', 'en', 'wrong', '16*psi/N', 'That is ZeRO-3.'),
  typed('zero1-memory-formula', 'zh', 'right', '4ψ+12ψ/N', 'Unicode.'),
  typed('zero1-memory-formula', 'zh', 'wrong', '2ψ+14ψ/N', 'ZeRO-2.'),
  // zero2-memory-formula: 2*psi + 14*psi/N
  typed('zero2-memory-formula', 'en', 'right', '2Psi + 14Psi/N', 'Capitalised name.'),
  typed('zero2-memory-formula', 'en', 'right', 'psi*(2 + 14/n)', 'Lower-case n.'),
  typed('zero2-memory-formula', 'en', 'wrong', '4*psi + 12*psi/N', 'ZeRO-1.'),
  typed('zero2-memory-formula', 'zh', 'right', '2\\psi+\\frac{14\\psi}{N}', 'LaTeX.'),
  typed('zero2-memory-formula', 'zh', 'wrong', '16ψ', 'Plain DP.'),
];

export const choiceCases = [
  picked('lora-shapes', 'right', [0], 'B is d × r, A is r × k.'),
  picked('lora-shapes', 'wrong', [1], 'Swapped.'),
  picked('lora-init', 'right', [0], 'Both zero: no gradient.'),
  picked('lora-init', 'wrong', [1], 'The trap.'),
  picked('lora-rank-bound', 'right', [0], 'Rank at most 8.'),
  picked('lora-rank-bound', 'wrong', [1], 'The full size.'),
  picked('lora-merge-latency', 'right', [0], 'Merged.'),
  picked('lora-merge-latency', 'wrong', [1], 'Not free: merged.'),
  picked('lora-merge-adapters', 'right', [0, 1, 2], 'All three true statements.'),
  picked('lora-merge-adapters', 'wrong', [0, 1], 'Misses DARE’s rescaling.'),
  picked('lora-merge-adapters', 'wrong', [0, 1, 2, 3], 'DARE drops at random, not by magnitude.'),
  picked('lora-gqa-kv', 'right', [0], 'GQA: k_proj outputs 1024.'),
  picked('lora-gqa-kv', 'wrong', [1], 'Ignores GQA.'),
  picked('dora-norm-axis', 'right', [0], 'Per row.'),
  picked('dora-norm-axis', 'wrong', [1], 'Columns.'),
  picked('dora-initial-output', 'right', [0], 'Exactly the base layer.'),
  picked('dora-initial-output', 'wrong', [3], 'The bias is not rescaled.'),
];
