import { InvalidArgumentError } from '../errors';

/**
 * The element types of the IDX format (LeCun's MNIST file format), by their type code:
 * 0x08 unsigned byte, 0x09 signed byte, 0x0B 16-bit, 0x0C 32-bit integer, 0x0D float32, 0x0E float64.
 */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array that holds an IDX file's elements, one kind per {@link IdxDtype}. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its element type, its dimensions (outermost first) and its elements, row-major. */
export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: IdxData;
}

interface IdxType {
  dtype: IdxDtype;
  size: number;
  create(n: number): IdxData;
  read(view: DataView, offset: number): number;
}

const TYPES: Record<number, IdxType> = {
  0x08: { dtype: 'uint8', size: 1, create: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  0x09: { dtype: 'int8', size: 1, create: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) },
  0x0b: { dtype: 'int16', size: 2, create: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o) },
  0x0c: { dtype: 'int32', size: 4, create: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o) },
  0x0d: { dtype: 'float32', size: 4, create: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o) },
  0x0e: { dtype: 'float64', size: 8, create: (n) => new Float64Array(n), read: (v, o) => v.getFloat64(o) },
};

const LAYOUT =
  'an IDX file is: 2 zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, ' +
  '0x0D float32, 0x0E float64), the number of dimensions k, k big-endian uint32 sizes, then ' +
  'exactly the product of the sizes elements, big-endian';

function hex(v: number): string {
  return `0x${v.toString(16).padStart(2, '0').toUpperCase()}`;
}

/**
 * Parses the bytes of an (already decompressed) IDX file, the format of MNIST and Fashion-MNIST.
 * Pure `Uint8Array`/`DataView` code: it works in Node and in a browser. For the one-byte types the
 * returned `data` is a view of `bytes` (no copy: copy it before changing either); multi-byte types are
 * converted from big-endian into a new array.
 *
 * @throws InvalidArgumentError for a bad magic number, an unknown type code, a header or data shorter
 *   than the dimensions say, or bytes after the data; the message says which and what a valid file is.
 * @example
 * const { dims, data } = parseIdx(new Uint8Array(await (await fetch('t10k-labels-idx1-ubyte')).arrayBuffer()));
 * // dims = [10000], data = Uint8Array of the labels 0 … 9
 */
export function parseIdx(bytes: Uint8Array): IdxArray {
  if (bytes.length < 4) {
    throw new InvalidArgumentError(`IDX data of ${bytes.length} bytes is too short for the 4-byte magic number; ${LAYOUT}.`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (these bytes are gzip-compressed: decompress them first)' : '';
    throw new InvalidArgumentError(
      `IDX magic number must start with 2 zero bytes, got ${hex(bytes[0])} ${hex(bytes[1])}${gz}; ${LAYOUT}.`,
    );
  }
  const type = TYPES[bytes[2]];
  if (type === undefined) throw new InvalidArgumentError(`unknown IDX type code ${hex(bytes[2])}; ${LAYOUT}.`);
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new InvalidArgumentError(
      `truncated IDX header: ${rank} dimensions need ${headerBytes} header bytes, got ${bytes.length}; ${LAYOUT}.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.size;
  const shape = `[${dims.join(', ')}] ${type.dtype}`;
  if (bytes.length < expected) {
    throw new InvalidArgumentError(
      `truncated IDX data: ${shape} needs ${expected} bytes in all, got ${bytes.length}; ${LAYOUT}.`,
    );
  }
  if (bytes.length > expected) {
    throw new InvalidArgumentError(
      `${bytes.length - expected} trailing bytes after the IDX data: ${shape} is ${expected} bytes in all, ` +
        `got ${bytes.length}; ${LAYOUT}.`,
    );
  }
  if (type.size === 1) {
    const offset = bytes.byteOffset + headerBytes;
    const data = type.dtype === 'uint8' ? new Uint8Array(bytes.buffer, offset, count) : new Int8Array(bytes.buffer, offset, count);
    return { dtype: type.dtype, dims, data };
  }
  const data = type.create(count);
  for (let i = 0, o = headerBytes; i < count; i++, o += type.size) data[i] = type.read(view, o);
  return { dtype: type.dtype, dims, data };
}
