import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, InvalidArgumentError } from '../errors';
import { decodeFloat32, encodeFloat32, fingerprint } from './encoding';

/** Variables stored with their values: shapes (in order) and the concatenated float32 values, base64. */
export interface StoredGroup {
  shapes: number[][];
  values: string;
}

/** Variables that are only identified: shapes and a fingerprint of their values (a seeded model rebuilds them). */
export interface FingerprintedGroup {
  shapes: number[][];
  fingerprint: string;
}

/** The values of `variables` concatenated on the host (one read per variable). */
export function readValues(where: string, variables: readonly tf.Variable[], what: string): Float32Array {
  const bad = variables.find((v) => v.dtype !== 'float32');
  if (bad) {
    throw new InvalidArgumentError(`${where}: the ${what} '${bad.name}' has dtype ${bad.dtype}; compact checkpoints store float32 weights only.`);
  }
  const out = new Float32Array(variables.reduce((n, v) => n + v.size, 0));
  let offset = 0;
  for (const v of variables) {
    out.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  return out;
}

export function storeGroup(where: string, variables: readonly tf.Variable[], what: string): StoredGroup {
  return { shapes: variables.map((v) => v.shape.slice()), values: encodeFloat32(readValues(where, variables, what)) };
}

export function fingerprintGroup(where: string, variables: readonly tf.Variable[], what: string): FingerprintedGroup {
  return { shapes: variables.map((v) => v.shape.slice()), fingerprint: fingerprint(readValues(where, variables, what)) };
}

/** Number of floats in a list of shapes. */
export function sizeOf(shapes: readonly number[][]): number {
  return shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
}

/** Throws unless the saved shapes are those of `variables`, in order. */
export function checkShapes(where: string, what: string, saved: unknown, variables: readonly tf.Variable[]): void {
  const shapes = Array.isArray(saved) ? (saved as number[][]) : null;
  const mine = variables.map((v) => v.shape);
  if (!shapes || shapes.length !== mine.length || shapes.some((s, i) => !Array.isArray(s) || !tf.util.arraysEqual(s, mine[i]))) {
    throw new CheckpointError(
      `${where}: the checkpoint's ${what} have shapes ${JSON.stringify(saved)}, the model's ${JSON.stringify(mine)}; ` +
        `load it into the architecture it was made from.`,
    );
  }
}

/** The values of a stored group, split per variable (validated: length, finiteness). */
export function decodeGroup(where: string, what: string, group: StoredGroup, variables: readonly tf.Variable[]): Float32Array[] {
  checkShapes(where, what, group?.shapes, variables);
  const flat = decodeFloat32(where, `${what}.values`, group.values, sizeOf(group.shapes));
  let offset = 0;
  return variables.map((v) => flat.subarray(offset, (offset += v.size)));
}

/** Writes per-variable values (after every check has passed). */
export function writeGroup(variables: readonly tf.Variable[], values: Float32Array[]): void {
  tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(values[i], v.shape, 'float32'))));
}
