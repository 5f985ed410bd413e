/**
 * The transformer's ops in WGSL: the GPU twins of ops/cpu.ts (same layouts, same formulas; that
 * file names the sources). Each kernel is tested against its CPU twin in
 * test/gpu/lm/ops.test.ts on shapes that are not multiples of the workgroup size.
 *
 * Per-row kernels (RMSNorm, cross-entropy, attention rows) run one workgroup of `row` threads per
 * row and reduce in shared memory; element-wise kernels run one thread per element.
 */
/** Threads per row on a GPU. */
export const ROW = 64;
/**
 * Threads per row on a CPU-emulated adapter. SwiftShader runs a workgroup as coroutines of 4 SIMD
 * lanes and switches between them at every barrier; with one coroutine per row instead of 16, a
 * training step of the tiny model took 30% less time there (attention about 3x, RMSNorm 4x as fast).
 */
export const SOFTWARE_ROW = 4;
export const rowThreads = (adapter: { software: boolean }) => (adapter.software ? SOFTWARE_ROW : ROW);
export const FLAT = 256;
/** Longest sequence the attention kernels hold in shared memory. */
export const MAX_SEQ = 256;

const FLAT_INDEX = /* wgsl */ `let i = gid.y * p.rowStride + gid.x;`;

/** partial[] reduction of `acc` across a workgroup of `row` threads; leaves the total in `total`. */
const reduce = (op: 'sum' | 'max', acc: string, total: string, row = ROW) => /* wgsl */ `
  partial[lid.x] = ${acc};
  workgroupBarrier();
  for (var stride = ${row / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { partial[lid.x] = ${op === 'sum' ? 'partial[lid.x] + partial[lid.x + stride]' : 'max(partial[lid.x], partial[lid.x + stride])'}; }
    workgroupBarrier();
  }
  let ${total} = partial[0];
  workgroupBarrier();`;

export const EMBED_WGSL = /* wgsl */ `
struct P { n: u32, d: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> tokens: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  ${FLAT_INDEX}
  if (i >= p.n) { return; }
  let r = i / p.d;
  out[i] = table[u32(tokens[r]) * p.d + i % p.d];
}`;

/** dTable[v, j] += sum over rows r with tokens[r] == v of dOut[r, j]: one thread per (v, j), no atomics needed. */
export const EMBED_BACKWARD_WGSL = /* wgsl */ `
struct P { n: u32, d: u32, rows: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read> tokens: array<i32>;
@group(0) @binding(3) var<storage, read_write> dTable: array<f32>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  ${FLAT_INDEX}
  if (i >= p.n) { return; }
  let v = i32(i / p.d);
  let j = i % p.d;
  var acc = 0.0;
  for (var r = 0u; r < p.rows; r = r + 1u) {
    if (tokens[r] == v) { acc = acc + dOut[r * p.d + j]; }
  }
  dTable[i] = dTable[i] + acc;
}`;

export const RMSNORM_WGSL = (row: number) => /* wgsl */ `
struct P { d: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;
var<workgroup> partial: array<f32, ${row}>;
@compute @workgroup_size(${row})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let o = wid.x * p.d;
  var acc = 0.0;
  for (var j = lid.x; j < p.d; j = j + ${row}u) { acc = acc + x[o + j] * x[o + j]; }
  ${reduce('sum', 'acc', 'ss', row)}
  let s = 1.0 / sqrt(ss / f32(p.d) + p.eps);
  if (lid.x == 0u) { rstd[wid.x] = s; }
  for (var j = lid.x; j < p.d; j = j + ${row}u) { out[o + j] = w[j] * (x[o + j] * s); }
}`;

/** dx += r (dy w - x^ mean(dy w x^)), one workgroup per row. */
export const RMSNORM_BACKWARD_DX_WGSL = (row: number) => /* wgsl */ `
struct P { d: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
var<workgroup> partial: array<f32, ${row}>;
@compute @workgroup_size(${row})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let o = wid.x * p.d;
  let s = rstd[wid.x];
  var acc = 0.0;
  for (var j = lid.x; j < p.d; j = j + ${row}u) { acc = acc + dOut[o + j] * w[j] * x[o + j] * s; }
  ${reduce('sum', 'acc', 'dot', row)}
  let mean = dot / f32(p.d);
  for (var j = lid.x; j < p.d; j = j + ${row}u) {
    dx[o + j] = dx[o + j] + s * (dOut[o + j] * w[j] - x[o + j] * s * mean);
  }
}`;

/** dw[j] += sum over rows of dy x r: one thread per column. */
export const RMSNORM_BACKWARD_DW_WGSL = /* wgsl */ `
struct P { d: u32, rows: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dw: array<f32>;
@compute @workgroup_size(${ROW})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= p.d) { return; }
  var acc = 0.0;
  for (var r = 0u; r < p.rows; r = r + 1u) { acc = acc + dOut[r * p.d + j] * x[r * p.d + j] * rstd[r]; }
  dw[j] = dw[j] + acc;
}`;

/** Rotates pairs (i, i + hd/2) of each head by the position's angle; sign -1 rotates back. One thread per pair. */
export const ROPE_WGSL = /* wgsl */ `
struct P { n: u32, heads: u32, half: u32, sign: f32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> positions: array<i32>;
@group(0) @binding(2) var<storage, read> cosTable: array<f32>;
@group(0) @binding(3) var<storage, read> sinTable: array<f32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  ${FLAT_INDEX}
  if (i >= p.n) { return; }
  let pair = i % p.half;
  let head = (i / p.half) % p.heads;
  let r = i / (p.half * p.heads);
  let t = u32(positions[r]) * p.half + pair;
  let c = cosTable[t];
  let s = p.sign * sinTable[t];
  let o = (r * p.heads + head) * 2u * p.half + pair;
  let a = x[o];
  let b = x[o + p.half];
  x[o] = a * c - b * s;
  x[o + p.half] = b * c + a * s;
}`;

const ATTENTION_HEADER = /* wgsl */ `
struct P { batch: u32, seq: u32, heads: u32, hd: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: P;`;

/** One workgroup per query row (b, h, i): scores against keys j <= i of the same segment, softmax, P V. */
export const ATTENTION_WGSL = (row: number) => /* wgsl */ `${ATTENTION_HEADER}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> segments: array<i32>;
@group(0) @binding(5) var<storage, read_write> probs: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
var<workgroup> partial: array<f32, ${row}>;
var<workgroup> scores: array<f32, ${MAX_SEQ}>;
@compute @workgroup_size(${row})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = wid.x;
  let h = wid.y;
  let b = wid.z;
  let width = p.heads * p.hd;
  let qi = (b * p.seq + i) * width + h * p.hd;
  let seg = segments[b * p.seq + i];
  var localMax = -3.4e38;
  for (var j = lid.x; j < p.seq; j = j + ${row}u) {
    var s = -3.4e38;
    if (j <= i && segments[b * p.seq + j] == seg) {
      let kj = (b * p.seq + j) * width + h * p.hd;
      var dot = 0.0;
      for (var c = 0u; c < p.hd; c = c + 1u) { dot = dot + q[qi + c] * k[kj + c]; }
      s = dot * p.scale;
    }
    scores[j] = s;
    localMax = max(localMax, s);
  }
  ${reduce('max', 'localMax', 'mx', row)}
  var localSum = 0.0;
  for (var j = lid.x; j < p.seq; j = j + ${row}u) {
    var e = 0.0;
    if (scores[j] > -3.0e38) { e = exp(scores[j] - mx); }
    scores[j] = e;
    localSum = localSum + e;
  }
  ${reduce('sum', 'localSum', 'total', row)}
  let row = ((b * p.heads + h) * p.seq + i) * p.seq;
  for (var j = lid.x; j < p.seq; j = j + ${row}u) {
    let pj = scores[j] / total;
    scores[j] = pj;
    probs[row + j] = pj;
  }
  workgroupBarrier();
  for (var c = lid.x; c < p.hd; c = c + ${row}u) {
    var acc = 0.0;
    for (var j = 0u; j <= i; j = j + 1u) { acc = acc + scores[j] * v[(b * p.seq + j) * width + h * p.hd + c]; }
    out[qi + c] = acc;
  }
}`;

/**
 * Backward, part 1, one workgroup per query row i: dp_j = do_i . v_j, ds_ij = p_ij (dp_j - sum p dp) / sqrt(hd)
 * (kept in dScores for part 2) and dq_i = sum_j ds_ij k_j.
 */
export const ATTENTION_BACKWARD_Q_WGSL = (row: number) => /* wgsl */ `${ATTENTION_HEADER}
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read> probs: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> dScores: array<f32>;
@group(0) @binding(6) var<storage, read_write> dq: array<f32>;
var<workgroup> partial: array<f32, ${row}>;
var<workgroup> ds: array<f32, ${MAX_SEQ}>;
@compute @workgroup_size(${row})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = wid.x;
  let h = wid.y;
  let b = wid.z;
  let width = p.heads * p.hd;
  let oi = (b * p.seq + i) * width + h * p.hd;
  let row = ((b * p.heads + h) * p.seq + i) * p.seq;
  var localDot = 0.0;
  for (var j = lid.x; j < p.seq; j = j + ${row}u) {
    var dp = 0.0;
    let pij = probs[row + j];
    if (pij != 0.0) {
      let vj = (b * p.seq + j) * width + h * p.hd;
      for (var c = 0u; c < p.hd; c = c + 1u) { dp = dp + dOut[oi + c] * v[vj + c]; }
    }
    ds[j] = dp;
    localDot = localDot + pij * dp;
  }
  ${reduce('sum', 'localDot', 'rowDot', row)}
  for (var j = lid.x; j < p.seq; j = j + ${row}u) {
    let d = probs[row + j] * (ds[j] - rowDot) * p.scale;
    ds[j] = d;
    dScores[row + j] = d;
  }
  workgroupBarrier();
  for (var c = lid.x; c < p.hd; c = c + ${row}u) {
    var acc = 0.0;
    for (var j = 0u; j <= i; j = j + 1u) { acc = acc + ds[j] * k[(b * p.seq + j) * width + h * p.hd + c]; }
    dq[oi + c] = acc;
  }
}`;

/** Backward, part 2, one thread per (b, h, j, c): dk_j = sum_{i >= j} ds_ij q_i, dv_j = sum_{i >= j} p_ij do_i. */
export const ATTENTION_BACKWARD_KV_WGSL = /* wgsl */ `
struct P { batch: u32, seq: u32, heads: u32, hd: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read> probs: array<f32>;
@group(0) @binding(3) var<storage, read> q: array<f32>;
@group(0) @binding(4) var<storage, read> dScores: array<f32>;
@group(0) @binding(5) var<storage, read_write> dk: array<f32>;
@group(0) @binding(6) var<storage, read_write> dv: array<f32>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.y * p.rowStride + gid.x;
  if (t >= p.batch * p.heads * p.seq * p.hd) { return; }
  let c = t % p.hd;
  let j = (t / p.hd) % p.seq;
  let h = (t / (p.hd * p.seq)) % p.heads;
  let b = t / (p.hd * p.seq * p.heads);
  let width = p.heads * p.hd;
  var accK = 0.0;
  var accV = 0.0;
  for (var i = j; i < p.seq; i = i + 1u) {
    let s = ((b * p.heads + h) * p.seq + i) * p.seq + j;
    let idx = (b * p.seq + i) * width + h * p.hd + c;
    accK = accK + dScores[s] * q[idx];
    accV = accV + probs[s] * dOut[idx];
  }
  let out = (b * p.seq + j) * width + h * p.hd + c;
  dk[out] = accK;
  dv[out] = accV;
}`;

export const SWIGLU_WGSL = /* wgsl */ `
struct P { n: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> gate: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  ${FLAT_INDEX}
  if (i >= p.n) { return; }
  let g = gate[i];
  out[i] = g / (1.0 + exp(-g)) * up[i];
}`;

export const SWIGLU_BACKWARD_WGSL = /* wgsl */ `
struct P { n: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dOut: array<f32>;
@group(0) @binding(2) var<storage, read> gate: array<f32>;
@group(0) @binding(3) var<storage, read> up: array<f32>;
@group(0) @binding(4) var<storage, read_write> dGate: array<f32>;
@group(0) @binding(5) var<storage, read_write> dUp: array<f32>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  ${FLAT_INDEX}
  if (i >= p.n) { return; }
  let g = gate[i];
  let s = 1.0 / (1.0 + exp(-g));
  dUp[i] = dOut[i] * g * s;
  dGate[i] = dOut[i] * up[i] * s * (1.0 + g * (1.0 - s));
}`;

/** One workgroup per row: rowLoss = w (logsumexp - z[target]); dLogits = w (softmax - onehot) when grad is set. */
export const CROSS_ENTROPY_WGSL = (withGrad: boolean, row: number) => /* wgsl */ `
struct P { vocab: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowLoss: array<f32>;
${withGrad ? '@group(0) @binding(5) var<storage, read_write> dLogits: array<f32>;' : ''}
var<workgroup> partial: array<f32, ${row}>;
@compute @workgroup_size(${row})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let r = wid.x;
  let o = r * p.vocab;
  var localMax = -3.4e38;
  for (var j = lid.x; j < p.vocab; j = j + ${row}u) { localMax = max(localMax, logits[o + j]); }
  ${reduce('max', 'localMax', 'mx', row)}
  var localSum = 0.0;
  for (var j = lid.x; j < p.vocab; j = j + ${row}u) { localSum = localSum + exp(logits[o + j] - mx); }
  ${reduce('sum', 'localSum', 'total', row)}
  let lse = mx + log(total);
  let tgt = u32(targets[r]);
  let w = weights[r];
  if (lid.x == 0u) { rowLoss[r] = w * (lse - logits[o + tgt]); }
  ${
    withGrad
      ? `for (var j = lid.x; j < p.vocab; j = j + ${row}u) {
    var g = 0.0;
    if (w != 0.0) { g = w * exp(logits[o + j] - lse); if (j == tgt) { g = g - w; } }
    dLogits[o + j] = g;
  }`
      : ''
  }
}`;

export const FILL_WGSL = /* wgsl */ `
struct P { n: u32, value: f32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  ${FLAT_INDEX}
  if (i < p.n) { out[i] = p.value; }
}`;

/** partials[slot] = sum of squares of one gradient buffer (one workgroup). */
export const SUM_SQUARES_WGSL = /* wgsl */ `
struct P { n: u32, slot: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
var<workgroup> partial: array<f32, ${ROW}>;
@compute @workgroup_size(${ROW})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var acc = 0.0;
  for (var i = lid.x; i < p.n; i = i + ${ROW}u) { acc = acc + x[i] * x[i]; }
  ${reduce('sum', 'acc', 'total')}
  if (lid.x == 0u) { partials[p.slot] = total; }
}`;

/** scale = min(1, maxNorm / (sqrt(sum of partials) + 1e-6)): torch.nn.utils.clip_grad_norm_. */
export const CLIP_SCALE_WGSL = /* wgsl */ `
struct P { count: u32, maxNorm: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> scale: array<f32>;
@compute @workgroup_size(1)
fn main() {
  var total = 0.0;
  for (var i = 0u; i < p.count; i = i + 1u) { total = total + partials[i]; }
  scale[0] = min(1.0, p.maxNorm / (sqrt(total) + 1e-6));
}`;

/** dst[i] = src[(counter * per + i) mod srcLength]: the step's slice of a whole run's data (bits copied, any 4-byte type). */
export const LOAD_ROWS_WGSL = /* wgsl */ `
struct P { per: u32, srcLength: u32, rowStride: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> counter: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  ${FLAT_INDEX}
  if (i >= p.per) { return; }
  let start = (counter[0] * p.per) % p.srcLength;
  dst[i] = src[(start + i) % p.srcLength];
}`;
