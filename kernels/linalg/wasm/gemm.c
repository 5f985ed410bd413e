/*
 * The CPU trainers' matmul in WebAssembly SIMD (128-bit, four float32 lanes): C = alpha A B + beta C
 * with A (m x k), B (k x n), C (m x n) row-major in this module's memory. The micro-kernel keeps a
 * 4 x 8 block of C in eight vector registers and, for each p, broadcasts four values of A's column p
 * against two vectors of B's row p: every value loaded is used four or eight times. Edges that do
 * not fill a block run a scalar loop. The transposed forms are handled by the caller, which packs
 * the operands into this layout (kernels/linalg/gemm-wasm.ts).
 *
 * Build: `npm run build:wasm` (clang --target=wasm32 -msimd128 -O3, no libc), which embeds the
 * binary in gemm-wasm-binary.ts.
 */
#include <wasm_simd128.h>

static inline void store4(float *c, v128_t acc, float alpha, float beta) {
  v128_t r = wasm_f32x4_mul(acc, wasm_f32x4_splat(alpha));
  if (beta != 0.0f) r = wasm_f32x4_add(r, wasm_f32x4_mul(wasm_v128_load(c), wasm_f32x4_splat(beta)));
  wasm_v128_store(c, r);
}

static inline float dot_column(const float *a, const float *b, int k, int n) {
  float s = 0.0f;
  for (int p = 0; p < k; p++) s += a[p] * b[p * n];
  return s;
}

__attribute__((export_name("gemm_nn"))) void gemm_nn(int m, int k, int n, const float *A, const float *B, float *C, float alpha, float beta) {
  const int m4 = m & ~3;
  const int n8 = n & ~7;
  for (int i = 0; i < m4; i += 4) {
    const float *a0 = A + i * k;
    const float *a1 = a0 + k;
    const float *a2 = a1 + k;
    const float *a3 = a2 + k;
    for (int j = 0; j < n8; j += 8) {
      v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const float *b = B + j;
      for (int p = 0; p < k; p++) {
        const v128_t b0 = wasm_v128_load(b);
        const v128_t b1 = wasm_v128_load(b + 4);
        b += n;
        const v128_t x0 = wasm_f32x4_splat(a0[p]);
        const v128_t x1 = wasm_f32x4_splat(a1[p]);
        const v128_t x2 = wasm_f32x4_splat(a2[p]);
        const v128_t x3 = wasm_f32x4_splat(a3[p]);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x0, b0));
        c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x0, b1));
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x1, b0));
        c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x1, b1));
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x2, b0));
        c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x2, b1));
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x3, b0));
        c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x3, b1));
      }
      float *c = C + i * n + j;
      store4(c, c00, alpha, beta);
      store4(c + 4, c01, alpha, beta);
      store4(c + n, c10, alpha, beta);
      store4(c + n + 4, c11, alpha, beta);
      store4(c + 2 * n, c20, alpha, beta);
      store4(c + 2 * n + 4, c21, alpha, beta);
      store4(c + 3 * n, c30, alpha, beta);
      store4(c + 3 * n + 4, c31, alpha, beta);
    }
    for (int r = 0; r < 4; r++) {
      for (int j = n8; j < n; j++) {
        float *c = C + (i + r) * n + j;
        const float v = alpha * dot_column(A + (i + r) * k, B + j, k, n);
        *c = beta != 0.0f ? v + beta * *c : v;
      }
    }
  }
  for (int i = m4; i < m; i++) {
    for (int j = 0; j < n; j++) {
      float *c = C + i * n + j;
      const float v = alpha * dot_column(A + i * k, B + j, k, n);
      *c = beta != 0.0f ? v + beta * *c : v;
    }
  }
}
