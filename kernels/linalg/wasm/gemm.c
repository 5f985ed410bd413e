/*
 * The CPU trainers' matmul in WebAssembly SIMD (128-bit, four float32 lanes):
 * C = alpha op(A) op(B) + beta C, row-major, op(X) = X or its transpose, with A stored m x k
 * (k x m when trans_a), B stored k x n (n x k when trans_b) and C m x n in this module's memory.
 *
 * The blocking of GotoBLAS (Goto and van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 2008), which XNNPACK's and every BLAS's GEMM follow:
 * - a KC x NC block of op(B) is packed into panels of 8 columns, each panel KC x 8 contiguous, so
 *   the micro-kernel reads it as one stream and the block stays in the L2 cache;
 * - an MC x KC block of op(A) is packed into panels of 4 rows, each KC x 4 contiguous (it stays in
 *   L1/L2 while the kernel sweeps every B panel);
 * - the micro-kernel keeps a 4 x 8 block of C in eight vector registers and, for each p, splats four
 *   values of A against two vectors of B: every value loaded is used four or eight times.
 * Packing reads either layout, so the transposed forms cost the same as the plain one. Panels at
 * the edges are padded with zeros and only the valid part of C is written.
 *
 * Build: `npm run build:wasm` (clang --target=wasm32 -msimd128 -O3, no libc), which embeds the
 * binary in gemm-binary.ts.
 */
#include <wasm_simd128.h>

#define MR 4
#define NR 8
#define MC 64
#define KC 256
#define NC 512

static float packed_a[MC * KC] __attribute__((aligned(16)));
static float packed_b[KC * NC] __attribute__((aligned(16)));

/* Panels of 4 rows of op(A)[ic .. ic+mc, pc .. pc+kc]: packed_a[(panel * kc + p) * 4 + r]. */
static void pack_a(const float *A, int trans_a, int m, int k, int ic, int mc, int pc, int kc) {
  float *dst = packed_a;
  for (int i0 = 0; i0 < mc; i0 += MR) {
    for (int p = 0; p < kc; p++) {
      for (int r = 0; r < MR; r++) {
        const int i = ic + i0 + r;
        const int q = pc + p;
        *dst++ = i0 + r < mc ? (trans_a ? A[q * m + i] : A[i * k + q]) : 0.0f;
      }
    }
  }
}

/* Panels of 8 columns of op(B)[pc .. pc+kc, jc .. jc+nc]: packed_b[(panel * kc + p) * 8 + c]. */
static void pack_b(const float *B, int trans_b, int k, int n, int pc, int kc, int jc, int nc) {
  float *dst = packed_b;
  for (int j0 = 0; j0 < nc; j0 += NR) {
    const int cols = nc - j0 < NR ? nc - j0 : NR;
    for (int p = 0; p < kc; p++) {
      const int q = pc + p;
      if (!trans_b && cols == NR) {
        wasm_v128_store(dst, wasm_v128_load(B + q * n + jc + j0));
        wasm_v128_store(dst + 4, wasm_v128_load(B + q * n + jc + j0 + 4));
        dst += NR;
        continue;
      }
      for (int c = 0; c < NR; c++) {
        const int j = jc + j0 + c;
        *dst++ = c < cols ? (trans_b ? B[j * k + q] : B[q * n + j]) : 0.0f;
      }
    }
  }
}

/* c[0 .. 8] = alpha (lo, hi) + beta c[0 .. 8]; beta == 0 never reads c, which may hold anything (NaN included). */
static inline void store_row(float *c, v128_t lo, v128_t hi, float alpha, float beta) {
  const v128_t va = wasm_f32x4_splat(alpha);
  lo = wasm_f32x4_mul(lo, va);
  hi = wasm_f32x4_mul(hi, va);
  if (beta != 0.0f) {
    const v128_t vb = wasm_f32x4_splat(beta);
    lo = wasm_f32x4_add(lo, wasm_f32x4_mul(wasm_v128_load(c), vb));
    hi = wasm_f32x4_add(hi, wasm_f32x4_mul(wasm_v128_load(c + 4), vb));
  }
  wasm_v128_store(c, lo);
  wasm_v128_store(c + 4, hi);
}

/* One 4 x 8 block of C (rows x cols of it valid) from a packed A panel and a packed B panel. */
static void micro_kernel(int kc, const float *a, const float *b, float *C, int ldc, int rows, int cols, float alpha, float beta) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(b);
    const v128_t b1 = wasm_v128_load(b + 4);
    const v128_t x0 = wasm_v128_load32_splat(a);
    const v128_t x1 = wasm_v128_load32_splat(a + 1);
    const v128_t x2 = wasm_v128_load32_splat(a + 2);
    const v128_t x3 = wasm_v128_load32_splat(a + 3);
    a += MR;
    b += NR;
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x0, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x0, b1));
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x1, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x1, b1));
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x2, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x2, b1));
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x3, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x3, b1));
  }
  if (rows == MR && cols == NR) {
    store_row(C, c00, c01, alpha, beta);
    store_row(C + ldc, c10, c11, alpha, beta);
    store_row(C + 2 * ldc, c20, c21, alpha, beta);
    store_row(C + 3 * ldc, c30, c31, alpha, beta);
    return;
  }
  float tile[MR * NR] __attribute__((aligned(16)));
  store_row(tile, c00, c01, alpha, 0.0f);
  store_row(tile + NR, c10, c11, alpha, 0.0f);
  store_row(tile + 2 * NR, c20, c21, alpha, 0.0f);
  store_row(tile + 3 * NR, c30, c31, alpha, 0.0f);
  for (int r = 0; r < rows; r++) {
    for (int j = 0; j < cols; j++) {
      float *c = C + r * ldc + j;
      *c = beta != 0.0f ? tile[r * NR + j] + beta * *c : tile[r * NR + j];
    }
  }
}

__attribute__((export_name("gemm"))) void gemm(int m, int k, int n, const float *A, int trans_a, const float *B, int trans_b, float *C, float alpha, float beta) {
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = k - pc < KC ? k - pc : KC;
      /* The first block of k applies beta; the later ones add to what it wrote. */
      const float block_beta = pc == 0 ? beta : 1.0f;
      pack_b(B, trans_b, k, n, pc, kc, jc, nc);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = m - ic < MC ? m - ic : MC;
        pack_a(A, trans_a, m, k, ic, mc, pc, kc);
        for (int j0 = 0; j0 < nc; j0 += NR) {
          const int cols = nc - j0 < NR ? nc - j0 : NR;
          for (int i0 = 0; i0 < mc; i0 += MR) {
            const int rows = mc - i0 < MR ? mc - i0 : MR;
            micro_kernel(kc, packed_a + i0 * kc, packed_b + j0 * kc, C + (ic + i0) * n + jc + j0, n, rows, cols, alpha, block_beta);
          }
        }
      }
    }
  }
}
