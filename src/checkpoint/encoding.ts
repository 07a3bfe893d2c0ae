import { CheckpointError } from '../errors';

/** Float32 values as base64 of their little-endian bytes (works in Node and in browsers). */
export function encodeFloat32(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The inverse of {@link encodeFloat32}; `expected` is the number of floats it must hold. */
export function decodeFloat32(where: string, what: string, text: unknown, expected: number): Float32Array {
  if (typeof text !== 'string') throw new CheckpointError(`${where}: '${what}' is missing or not a base64 string.`);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new CheckpointError(`${where}: '${what}' is not valid base64; the checkpoint is damaged.`);
  }
  if (binary.length !== expected * 4) {
    throw new CheckpointError(
      `${where}: '${what}' holds ${binary.length} bytes, expected ${expected * 4} (${expected} float32 values); ` +
        `the checkpoint is truncated or belongs to another model.`,
    );
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const out = new Float32Array(bytes.buffer);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new CheckpointError(`${where}: '${what}' contains NaN or Infinity (at index ${bad}); the checkpoint is damaged.`);
  return out;
}

/** FNV-1a (32-bit) over the bytes of float32 values, as 8 hex digits: identifies a seeded origin. */
export function fingerprint(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
