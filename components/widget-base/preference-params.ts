/**
 * Parameters of the widgets that train on the preference pairs (lm-preference, lm-reward). Kept
 * apart from shared-params.ts: reading the pairs' count generates them, which other widgets need not do.
 */
import { preferencePairs } from '../../kernels/lm/data/preference-pairs';
import type { ParamSpec } from './params';

export const PAIRS_PER_STEP = { kind: 'int', label: 'Pairs per step', min: 1, max: 8, default: 4 } as const satisfies ParamSpec;

export const HELD_OUT_PAIRS = {
  kind: 'int',
  label: 'Held-out pairs evaluated (0: all)',
  min: 0,
  max: preferencePairs().heldOut.length,
  default: 0,
  help: 'Fewer pairs evaluate faster and measure less precisely.',
} as const satisfies ParamSpec;
