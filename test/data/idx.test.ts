import { InvalidArgumentError } from '../../src/errors';
import { parseIdx } from '../../src/data/idx';

/** An IDX file written byte by byte: magic (0, 0, type, rank), big-endian uint32 dims, then `body`. */
function idxBytes(type: number, dims: number[], body: number[]): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...body]);
}

describe('parseIdx', () => {
  // Each body is the big-endian encoding of `values`, written out by hand.
  const cases: Array<[string, number, number[], number[], number[]]> = [
    ['uint8', 0x08, [2, 3], [0, 1, 127, 128, 200, 255], [0, 1, 127, 128, 200, 255]],
    ['int8', 0x09, [4], [0x00, 0x7f, 0x80, 0xff], [0, 127, -128, -1]],
    ['int16', 0x0b, [3], [0x01, 0x02, 0xff, 0xfe, 0x80, 0x00], [258, -2, -32768]],
    ['int32', 0x0c, [2], [0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xfd], [65536, -3]],
    ['float32', 0x0d, [2, 1], [0x3f, 0xc0, 0x00, 0x00, 0xc1, 0x20, 0x00, 0x00], [1.5, -10]],
    ['float64', 0x0e, [1], [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18], [Math.PI]],
  ];
  test.each(cases)('reads %s elements (big-endian) with their dims', (dtype, code, dims, body, values) => {
    const parsed = parseIdx(idxBytes(code, dims, body));
    expect(parsed.dtype).toBe(dtype);
    expect(parsed.dims).toEqual(dims);
    expect(parsed.data.constructor.name.toLowerCase()).toBe(`${dtype}array`);
    expect(Array.from(parsed.data)).toEqual(values);
  });

  test('one-byte data is a view of the input; inputs at any byte offset parse', () => {
    const inner = idxBytes(0x08, [3], [7, 8, 9]);
    const padded = new Uint8Array(inner.length + 5);
    padded.set(inner, 5);
    const { data } = parseIdx(padded.subarray(5));
    expect(Array.from(data)).toEqual([7, 8, 9]);
    expect(data.buffer).toBe(padded.buffer);
    // A float32 file at an odd offset still parses (DataView has no alignment rule).
    const f = idxBytes(0x0d, [1], [0x3f, 0x80, 0, 0]);
    const odd = new Uint8Array(f.length + 1);
    odd.set(f, 1);
    expect(Array.from(parseIdx(odd.subarray(1)).data)).toEqual([1]);
  });

  test('a three-dimensional uint8 file (the MNIST image layout) and an empty one', () => {
    const parsed = parseIdx(idxBytes(0x08, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]));
    expect(parsed.dims).toEqual([2, 2, 2]);
    expect(parsed.data.length).toBe(8);
    const empty = parseIdx(idxBytes(0x08, [0, 28, 28], []));
    expect(empty.dims).toEqual([0, 28, 28]);
    expect(empty.data.length).toBe(0);
  });

  const errors: Array<[string, Uint8Array, RegExp]> = [
    ['too short for the magic number', Uint8Array.from([0, 0, 8]), /3 bytes is too short for the 4-byte magic/],
    ['a non-zero magic prefix', Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), /must start with 2 zero bytes, got 0x01 0x00/],
    ['gzip bytes', Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), /gzip-compressed: decompress them first/],
    ['an unknown type code', idxBytes(0x0a, [1], [0]), /unknown IDX type code 0x0A/],
    ['a truncated header', idxBytes(0x08, [5, 5], []).subarray(0, 9), /2 dimensions need 12 header bytes, got 9/],
    ['truncated data', idxBytes(0x0b, [3], [0, 1, 0, 2]), /\[3\] int16 needs 14 bytes in all, got 12/],
    ['trailing bytes', idxBytes(0x08, [2], [1, 2, 3]), /1 trailing bytes after the IDX data: \[2\] uint8 is 10 bytes/],
  ];
  test.each(errors)('rejects %s with an InvalidArgumentError that describes a valid file', (_, bytes, message) => {
    let caught: unknown;
    try {
      parseIdx(bytes);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toMatch(/an IDX file is: 2 zero bytes, a type code/);
  });
});
