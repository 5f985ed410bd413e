import { ALL_LINEAR_MODULES, linearShape, type ModelShape } from '../models/presets';

/** Parameters of the largest single module (a linear layer or the embedding): ZeRO-3 gathers modules one at a time. */
export function largestModuleParams(m: ModelShape): number {
  let largest = m.vocab * m.hidden;
  for (const mod of ALL_LINEAR_MODULES) {
    const s = linearShape(m, mod);
    if (s) largest = Math.max(largest, s.in * s.out);
  }
  return largest;
}
