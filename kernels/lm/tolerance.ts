/**
 * How closely the WebGPU engine follows the CPU engine on the tiny model: losses of the same run
 * agree to this relative difference. Both compute in float32; the GPU sums in a different order
 * (parallel reductions), and the differences grow a little with every optimizer step.
 */
export const LM_GPU_CPU_TOLERANCE = 2e-3;
