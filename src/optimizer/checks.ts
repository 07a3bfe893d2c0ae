import * as tf from '@tensorflow/tfjs-core';
import { checkVector } from '../basis/basis';
import { DtypeError, InvalidArgumentError, NonFiniteError } from '../errors';

/** Validation shared by the wrappers: an origin, and gradients' finiteness (one device read). */

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

export function allFinite(tensors: Array<tf.Tensor | null>): boolean {
  const present = tensors.filter((t): t is tf.Tensor => t != null);
  const flag = tf.tidy(() => tf.all(tf.stack(present.map((t) => tf.all(tf.isFinite(t))))));
  const ok = flag.dataSync()[0] === 1;
  flag.dispose();
  return ok;
}

export function nonFiniteNames(parts: Array<tf.Tensor | null>, names: readonly string[]): string {
  const bad = names.filter((_, i) => {
    const t = parts[i];
    return t != null && !tf.tidy(() => tf.all(tf.isFinite(t)).dataSync()[0]);
  });
  return bad.map((n) => `'${n}'`).join(', ');
}
