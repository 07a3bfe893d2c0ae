import * as tf from '@tensorflow/tfjs-core';
import { Basis, checkVector } from '../basis/basis';
import { DimensionMismatchError, DtypeError, InvalidArgumentError, NonFiniteError } from '../errors';
import { isFiniteTensor } from './finite';

/** Argument checks shared by the wrappers and `reparameterize`: the basis' rows, and vectors given by the user. */

/**
 * Throws DimensionMismatchError unless the basis has one row per projected number (the wrappers and
 * `reparameterize` share this check and its message).
 */
export function checkBasisRows(where: string, basis: Basis, layout: { size: number; names: readonly string[] }): void {
  if (basis.ambientDim === layout.size) return;
  throw new DimensionMismatchError(
    `${where}: the basis has D = ${basis.ambientDim} rows but the ${layout.names.length} projected ` +
      `variable(s) hold ${layout.size} numbers. Build the basis for D = ${layout.size} ` +
      `(e.g. gaussianBasis(${layout.size}, ${Math.min(basis.dim, layout.size)})).`,
  );
}

/** What a checked vector is, for the messages: its name, and how to make a valid one. */
interface VectorRole {
  /** 'origin', 'z', 'the saved coordinates …'. */
  label: string;
  /** Advice appended to the messages, e.g. " (e.g. from coordinates())". */
  hint?: string;
  /** Appended to the NaN message, e.g. " Nothing was changed." */
  after?: string;
  /** The length's name in the messages ('d': "of length d = 4"). */
  lengthName?: string;
}

/**
 * Throws a typed error unless `t` is a live float32 vector of length n with finite entries (one read):
 * the origin θ0 (n = D), coordinates z (n = d), a saved z.
 */
export function checkFloatVector(where: string, t: tf.Tensor, n: number, role: VectorRole): void {
  const { label, hint = '', after = '', lengthName } = role;
  if (!(t instanceof tf.Tensor) || t.isDisposed) {
    throw new InvalidArgumentError(`${where}: ${label} must be a live tf.Tensor1D of length ${lengthName ? `${lengthName} = ${n}` : n}${hint}.`);
  }
  checkVector(where, t, n, label);
  if (t.dtype !== 'float32') {
    throw new DtypeError(`${where}: ${label} must be float32, got ${t.dtype}; cast it with tf.cast(${label}, 'float32').`);
  }
  if (!isFiniteTensor(t)) throw new NonFiniteError(`${where}: ${label} contains NaN or Infinity; pass finite values.${after}`);
}

/** Throws unless `origin` is a live, finite float32 vector of length D (wrappers and `reparameterize`). */
export function checkOrigin(where: string, origin: tf.Tensor, D: number): void {
  checkFloatVector(where, origin, D, { label: 'origin' });
}

/** Throws unless z is a live float32 vector of length d with finite entries (setCoordinates). */
export function checkCoordinates(where: string, z: tf.Tensor, d: number): void {
  checkFloatVector(where, z, d, { label: 'z', lengthName: 'd', hint: ` (e.g. from coordinates())`, after: ' Nothing was changed.' });
}
