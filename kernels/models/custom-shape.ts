import { MODEL_PRESETS, modelParamCount, type ModelShape } from './presets';

/** The sizes a reader may type for "Other size", in billions of parameters (every widget that offers one). */
export const CUSTOM_SIZE_BILLIONS = { min: 0.1, max: 2000 } as const;

/** A model known only by its parameter count: the count itself, and a shape to estimate what needs one. */
export interface CustomModel {
  /** Parameters psi, exactly as entered: model-state memory uses this. */
  params: number;
  /** A plausible shape (activations, LoRA sizes, ZeRO-3's gathered module); its own count is about `params`. */
  shape: ModelShape;
}

export function customModel(billions: number): CustomModel {
  const { min, max } = CUSTOM_SIZE_BILLIONS;
  if (!(billions >= min && billions <= max)) {
    throw new Error(`model size must be between ${min}B and ${max}B parameters, got ${billions}B`);
  }
  const params = billions * 1e9;
  return { params, shape: shapeForParams(params) };
}

/**
 * A transformer shape for a parameter count that is not a preset: take the preset nearest in
 * parameters (on a log scale) and scale its width and depth by one factor c, found by bisection
 * so the scaled shape has about `params` parameters (the vocabulary stays). Hidden stays a
 * multiple of the preset's head dimension and the query heads a multiple of the key/value
 * groups. Only the shape is approximate; memory of model states uses `params` exactly.
 */
export function shapeForParams(params: number): ModelShape {
  if (!(params > 0) || !Number.isFinite(params)) throw new Error(`model size must be a positive number, got ${params}`);
  const distance = (m: ModelShape) => Math.abs(Math.log(modelParamCount(m) / params));
  const nearest = MODEL_PRESETS.reduce((best, m) => (distance(m) < distance(best) ? m : best));
  if (modelParamCount(nearest) === params) return nearest;
  const headDim = nearest.hidden / nearest.heads;
  const group = nearest.heads / nearest.kvHeads; // query heads per key/value head
  const scaled = (c: number): ModelShape => {
    const heads = Math.max(1, Math.round((nearest.heads * c) / group)) * group;
    const hidden = heads * headDim;
    return {
      ...nearest,
      id: 'custom',
      label: `custom (${nearest.label} scaled)`,
      hidden,
      heads,
      kvHeads: heads / group,
      layers: Math.max(1, Math.round(nearest.layers * c)),
      intermediate: Math.round((nearest.intermediate * hidden) / nearest.hidden),
    };
  };
  let lo = 1e-3;
  let hi = 1e3;
  for (let i = 0; i < 60; i++) {
    const mid = Math.sqrt(lo * hi);
    if (modelParamCount(scaled(mid)) < params) lo = mid;
    else hi = mid;
  }
  // Width moves in whole key/value groups, so the scaled shape's count jumps; fix the width at the
  // nearest few group counts and choose the depth that fits best for each (the count is linear in it).
  const groups = Math.max(1, Math.round((nearest.heads * lo) / group));
  let best = scaled(lo);
  for (let g = Math.max(1, groups - 1); g <= groups + 1; g++) {
    const widthOnly = scaled(((g * group) / nearest.heads) * (1 + 1e-9));
    const one = modelParamCount({ ...widthOnly, layers: 1 });
    const perLayer = modelParamCount({ ...widthOnly, layers: 2 }) - one;
    const layers = Math.max(1, Math.round((params - (one - perLayer)) / perLayer));
    const candidate = { ...widthOnly, layers };
    if (distance(candidate) < distance(best)) best = candidate;
  }
  return best;
}
