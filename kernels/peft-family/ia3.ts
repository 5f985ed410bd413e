/**
 * (IA)^3 (Liu et al. 2022) rescales activations with learned vectors: the outputs of k_proj and
 * v_proj (one scale per output row) and the input of down_proj (one scale per input column, the
 * MLP's inner activations). Both fold into the weight matrix, which is how PEFT merges it
 * (peft 0.20, tuners/ia3/layer.py: the weight times ia3_l, transposed for feed-forward layers).
 * Weights are row-major (out x in), as nn.Linear stores them.
 */
export function foldIa3(weight: Float64Array, rows: number, cols: number, scale: Float64Array, feedforward: boolean): Float64Array {
  if (weight.length !== rows * cols) throw new Error(`weight has ${weight.length} values, not ${rows} x ${cols}`);
  if (scale.length !== (feedforward ? cols : rows)) throw new Error(`the (IA)³ vector must have ${feedforward ? cols : rows} values`);
  const out = new Float64Array(weight.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = weight[i * cols + j] * (feedforward ? scale[j] : scale[i]);
  return out;
}

/** y = W x for a row-major (rows x cols) W. */
export function applyLinear(weight: Float64Array, rows: number, cols: number, x: Float64Array): Float64Array {
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[i] += weight[i * cols + j] * x[j];
  return y;
}
