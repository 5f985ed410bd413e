/**
 * The safetensors format (huggingface/safetensors, format spec in its README): 8 bytes of
 * little-endian u64 header length N, N bytes of JSON header {name: {dtype, shape, data_offsets:
 * [begin, end]}, "__metadata__": {string: string}}, then the tensor bytes, offsets relative to the
 * end of the header. Tensors must not overlap and must cover the data exactly.
 *
 * Read: F32, F16, BF16 become Float32Array; U8 and I32 are kept as stored. Every way a file can
 * be wrong gets a message that says what is wrong (truncated, a bad header, a tensor out of
 * bounds, a shape that does not match its bytes, an unknown dtype, NaN where numbers are needed).
 */
export type Dtype = 'F32' | 'F16' | 'BF16' | 'U8' | 'I32';

const BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, U8: 1, I32: 4 };

export interface TensorEntry {
  dtype: Dtype;
  shape: number[];
  /** Float32Array for float dtypes, Uint8Array for U8, Int32Array for I32. */
  data: Float32Array | Uint8Array | Int32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/** Header size limit (the reference implementation's is 100 MB). */
const MAX_HEADER = 100_000_000;

export function readSafetensors(bytes: ArrayBuffer | Uint8Array): SafetensorsFile {
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (buf.byteLength < 8) throw new SafetensorsError(`the file has ${buf.byteLength} bytes, too few for the 8-byte header length (truncated?)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER)
    throw new SafetensorsError(`the header length is ${headerLength} bytes, more than the ${MAX_HEADER} allowed (not a safetensors file?)`);
  if (8 + headerLength > buf.byteLength) {
    throw new SafetensorsError(
      `the header says it is ${headerLength} bytes but the file has only ${buf.byteLength - 8} after the length (truncated?)`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new SafetensorsError(`the header is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError('the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = buf.byteLength - dataStart;
  const tensors = new Map<string, TensorEntry>();
  const spans: [number, number, string][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = value as Record<string, string>;
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = info?.dtype;
    if (typeof dtype !== 'string' || !(dtype in BYTES)) {
      throw new SafetensorsError(`tensor "${name}" has dtype ${JSON.stringify(dtype)}; this reader handles ${Object.keys(BYTES).join(', ')}`);
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor "${name}" has shape ${JSON.stringify(shape)}; a shape is a list of non-negative integers`);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw new SafetensorsError(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength)
      throw new SafetensorsError(`tensor "${name}" ends at byte ${end} of the data, but the data has ${dataLength} bytes (truncated?)`);
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    const width = BYTES[dtype as Dtype];
    if (elements * width !== end - begin) {
      throw new SafetensorsError(`tensor "${name}" (${dtype} ${JSON.stringify(shape)}) needs ${elements * width} bytes but spans ${end - begin}`);
    }
    spans.push([begin, end, name]);
    tensors.set(name, { dtype: dtype as Dtype, shape: shape as number[], data: decode(buf, dataStart + begin, elements, dtype as Dtype) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== cursor) {
      throw new SafetensorsError(
        begin < cursor ? `tensor "${name}" overlaps the tensor before it` : `there are ${begin - cursor} unused bytes before tensor "${name}"`,
      );
    }
    cursor = end;
  }
  if (cursor !== dataLength) throw new SafetensorsError(`the tensors cover ${cursor} of the ${dataLength} data bytes`);
  return { tensors, metadata };
}

function decode(buf: Uint8Array, offset: number, n: number, dtype: Dtype): Float32Array | Uint8Array | Int32Array {
  const view = new DataView(buf.buffer, buf.byteOffset + offset, n * BYTES[dtype]);
  switch (dtype) {
    case 'U8':
      return buf.slice(offset, offset + n);
    case 'I32':
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(4 * i, true));
    case 'F32':
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true));
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'F16':
      return Float32Array.from({ length: n }, (_, i) => halfToFloat(view.getUint16(2 * i, true)));
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** float32 -> bfloat16 bits, rounding to nearest even (as torch's .to(torch.bfloat16) does); NaN stays NaN. */
export function floatToBf16Bits(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Uint32Array(f.buffer)[0];
  if (Number.isNaN(x)) return 0x7fc0;
  const rounding = 0x7fff + ((bits >>> 16) & 1);
  return ((bits + rounding) >>> 16) & 0xffff;
}

/** Rounds every value to the nearest bfloat16 (what storing in BF16 and reading back gives). */
export function roundToBf16(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < values.length; i++) bits[i] = floatToBf16Bits(values[i]) << 16;
  return out;
}

export interface TensorToWrite {
  dtype: 'F32' | 'BF16';
  shape: number[];
  data: Float32Array;
}

/**
 * Writes a safetensors file. Tensors are laid out in name order, the header padded with spaces to
 * a multiple of 8 bytes, as the reference implementation does.
 */
export function writeSafetensors(tensors: Record<string, TensorToWrite>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length)
      throw new SafetensorsError(`tensor "${name}": shape ${JSON.stringify(t.shape)} holds ${elements} values, data has ${t.data.length}`);
    const bytes = elements * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name];
    if (t.dtype === 'F32') {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(cursor + 4 * i, t.data[i], true);
      cursor += 4 * t.data.length;
    } else {
      for (let i = 0; i < t.data.length; i++) view.setUint16(cursor + 2 * i, floatToBf16Bits(t.data[i]), true);
      cursor += 2 * t.data.length;
    }
  }
  return out;
}
