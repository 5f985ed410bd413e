import { describe, expect, it } from 'vitest';
import { floatToBf16Bits, readSafetensors, roundToBf16, SafetensorsError, writeSafetensors } from '../../../../kernels/formats/safetensors';

const enc = new TextEncoder();

/** A file from a raw header object and data bytes, the way a writer in another language would lay it out. */
function file(header: unknown, data: Uint8Array, declaredLength?: number): Uint8Array {
  const json = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips float32 and bfloat16 tensors with metadata; the header is padded to 8 bytes', () => {
    const a = Float32Array.from([1.5, -2, 3.25, 1e-3, 70000, -0]);
    const bytes = writeSafetensors(
      { 'model.w': { dtype: 'F32', shape: [2, 3], data: a }, 'model.b': { dtype: 'BF16', shape: [6], data: a } },
      { format: 'pt' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const read = readSafetensors(bytes);
    expect(read.metadata).toEqual({ format: 'pt' });
    expect(Array.from(read.tensors.get('model.w')!.data)).toEqual(Array.from(a));
    expect(read.tensors.get('model.w')!.shape).toEqual([2, 3]);
    expect(Array.from(read.tensors.get('model.b')!.data)).toEqual(Array.from(roundToBf16(a)));
  });

  it('rounds to bfloat16 to nearest even, as torch does: 1 + 2^-8 is a tie and goes to 1, 1 + 3 * 2^-8 up', () => {
    expect(floatToBf16Bits(1)).toBe(0x3f80);
    expect(floatToBf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(floatToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(floatToBf16Bits(-2)).toBe(0xc000);
    expect(floatToBf16Bits(NaN)).toBe(0x7fc0);
  });

  it('reads float16', () => {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint16(0, 0x3c00, true); // 1
    new DataView(data.buffer).setUint16(2, 0xc500, true); // -5
    const t = readSafetensors(file({ x: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, data)).tensors.get('x')!;
    expect(Array.from(t.data)).toEqual([1, -5]);
  });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['fewer than 8 bytes', () => new Uint8Array(5), /too few/],
    ['a header longer than the file', () => file({}, new Uint8Array(0), 500), /truncated/],
    [
      'a header that is not JSON',
      () => {
        const b = file({}, new Uint8Array(0));
        b.set(enc.encode('{x'), 8);
        return b;
      },
      /not valid JSON/,
    ],
    ['an unknown dtype', () => file({ x: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /dtype "F64"/],
    [
      'a shape that does not match the bytes',
      () => file({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /needs 12 bytes but spans 8/,
    ],
    ['data cut short', () => file({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)), /truncated/],
    [
      'overlapping tensors',
      () =>
        file({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)),
      /overlaps/,
    ],
    ['unused bytes', () => file({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), /cover 4 of the 8/],
  ];
  it.each(cases)('refuses a file with %s, saying what is wrong', (_, make, message) => {
    expect(() => readSafetensors(make())).toThrow(SafetensorsError);
    expect(() => readSafetensors(make())).toThrow(message);
  });
});
