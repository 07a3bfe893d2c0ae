import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { Basis, checkVector } from '../basis/basis';
import { NamedTensor } from '../layout';
import { DimensionMismatchError, DtypeError, InvalidArgumentError, NonFiniteError } from '../errors';

/** Validation shared by the wrappers: an origin, and gradients' finiteness (one device read). */

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

/** Throws unless `origin` is a live, finite float32 vector of length D (wrappers and `reparameterize`). */
export function checkOrigin(where: string, origin: tf.Tensor1D, D: number): void {
  if (!(origin instanceof tf.Tensor) || origin.isDisposed) {
    throw new InvalidArgumentError(`${where}: origin must be a live tf.Tensor1D of length ${D}.`);
  }
  checkVector(where, origin, D, 'origin');
  if (origin.dtype !== 'float32') {
    throw new DtypeError(`${where}: origin must be float32, got ${origin.dtype}.`);
  }
  if (!tf.tidy(() => tf.all(tf.isFinite(origin)).dataSync()[0])) {
    throw new NonFiniteError(`${where}: origin contains NaN or Infinity.`);
  }
}

/** A bool scalar on the device: true when every entry of every tensor given is finite. In a tidy. */
export function finiteFlag(tensors: Array<tf.Tensor | null>): tf.Scalar {
  const present = tensors.filter((t): t is tf.Tensor => t != null);
  return tf.all(tf.stack(present.map((t) => tf.all(tf.isFinite(t))))) as tf.Scalar;
}

/** {@link finiteFlag}, read back to the host (one device→host read: a sync on a GPU). */
export function allFinite(tensors: Array<tf.Tensor | null>): boolean {
  const flag = tf.tidy(() => finiteFlag(tensors));
  const ok = flag.dataSync()[0] === 1;
  flag.dispose();
  return ok;
}

/** Throws unless z is a live float32 vector of length d with finite entries (for setCoordinates). */
export function checkCoordinates(where: string, z: tf.Tensor1D, d: number): void {
  if (!(z instanceof tf.Tensor) || z.isDisposed) {
    throw new InvalidArgumentError(`${where}: z must be a live tf.Tensor1D of length d = ${d} (e.g. from coordinates()).`);
  }
  checkVector(where, z, d, 'z');
  if (z.dtype !== 'float32') {
    throw new DtypeError(`${where}: z must be float32, got ${z.dtype}; cast it with tf.cast(z, 'float32').`);
  }
  if (!tf.tidy(() => tf.all(tf.isFinite(z)).dataSync()[0])) {
    throw new NonFiniteError(`${where}: z contains NaN or Infinity; pass finite coordinates. Nothing was changed.`);
  }
}

export function nonFiniteNames(parts: Array<tf.Tensor | null>, names: readonly string[]): string {
  const bad = names.filter((_, i) => {
    const t = parts[i];
    return t != null && !tf.tidy(() => tf.all(tf.isFinite(t)).dataSync()[0]);
  });
  return bad.map((n) => `'${n}'`).join(', ');
}

/**
 * Qᵀv for a fixed seeded v (d numbers): saved with the optimizer's state so that state saved with
 * another basis of the same D and d (another seed or kind) is recognized on restore.
 */
export function basisProbe(basis: Basis): tf.Tensor1D {
  const rng = seedrandom.alea('subspace/basis-probe');
  const v = Float32Array.from({ length: basis.ambientDim }, () => 2 * rng() - 1);
  return tf.tidy(() => basis.project(tf.tensor1d(v)));
}

/**
 * Throws unless a saved probe matches this basis' own: equal up to float32 summation order
 * (1e-4·max(1, |c|∞); another basis differs by O(1)).
 */
export function checkBasisProbe(where: string, saved: NamedTensor | undefined, own: tf.Tensor1D, basis: Basis): void {
  if (saved?.name !== 'subspace/basis' || !(saved.tensor instanceof tf.Tensor)) {
    throw new InvalidArgumentError(
      `${where}: expected the basis probe 'subspace/basis' after the origin, got ${saved ? `'${saved.name}'` : 'nothing'}; ` +
        `the weights come from another optimizer or version.`,
    );
  }
  if (!tf.util.arraysEqual(saved.tensor.shape, own.shape)) {
    throw new DimensionMismatchError(
      `${where}: 'subspace/basis' has shape [${saved.tensor.shape}], expected [${own.shape}]: it was saved with a basis of another d.`,
    );
  }
  const [diff, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(saved.tensor, own))).dataSync()[0], tf.max(tf.abs(own)).dataSync()[0]]);
  if (!Number.isFinite(diff)) {
    throw new NonFiniteError(`${where}: 'subspace/basis' contains NaN or Infinity.`);
  }
  if (!(diff <= 1e-4 * Math.max(1, scale))) {
    throw new InvalidArgumentError(
      `${where}: the state was saved with another basis (its probe differs by ${diff.toExponential(2)}): this ` +
        `optimizer's ${basis.kind} basis has the same D = ${basis.ambientDim} and d = ${basis.dim} but other directions ` +
        `(another seed or kind); restore into an optimizer built with the same basis.`,
    );
  }
}
