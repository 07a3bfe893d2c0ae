import * as tf from '@tensorflow/tfjs-core';

/**
 * Finiteness, written once: every check for NaN/±Infinity in the optimizer (gradients, origins,
 * coordinates, saved weights, inner optimizer slots) goes through these.
 */

/** A bool scalar on the device: true when every entry of every tensor given is finite. In a tidy. */
export function finiteFlag(tensors: ReadonlyArray<tf.Tensor | null>): tf.Scalar {
  const present = tensors.filter((t): t is tf.Tensor => t != null);
  if (present.length === 0) return tf.scalar(true, 'bool');
  if (present.length === 1) return tf.all(tf.isFinite(present[0]));
  return tf.all(tf.stack(present.map((t) => tf.all(tf.isFinite(t))))) as tf.Scalar;
}

/** {@link finiteFlag}, read back to the host (one device→host read: a sync on a GPU). */
export function allFinite(tensors: ReadonlyArray<tf.Tensor | null>): boolean {
  const flag = tf.tidy(() => finiteFlag(tensors));
  const ok = flag.dataSync()[0] === 1;
  flag.dispose();
  return ok;
}

/** Whether every entry of `t` is finite (one read). */
export function isFiniteTensor(t: tf.Tensor): boolean {
  return allFinite([t]);
}

/** The quoted names of the tensors (by position in `names`) that hold a NaN or ±Infinity: "'a', 'b'". */
export function nonFiniteNames(tensors: ReadonlyArray<tf.Tensor | null>, names: readonly string[]): string {
  return names
    .filter((_, i) => tensors[i] != null && !isFiniteTensor(tensors[i] as tf.Tensor))
    .map((n) => `'${n}'`)
    .join(', ');
}
