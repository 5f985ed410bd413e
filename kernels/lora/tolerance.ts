/**
 * How closely the WebGPU trainer follows the CPU trainer (test/gpu/lora/trainer.test.ts).
 * Both store float32; the CPU accumulates sums in float64 and the GPU in float32, and Adam
 * divides by sqrt(v), which amplifies tiny gradient differences where gradients are near zero,
 * so the two drift apart slowly rather than agreeing to the last bit.
 */
export const GPU_CPU_TOLERANCE = {
  /** Relative difference of each step's minibatch loss and of the evaluation losses over 40 steps. */
  loss: 1e-3,
  /** Largest difference of any parameter, relative to max(1, |value|), after 40 steps. */
  parameters: 1e-3,
};
