import * as tf from '@tensorflow/tfjs-core';
import { Basis } from './basis/basis';

/**
 * The pure core: the affine-subspace maps every path is built from, as plain functions of tensors.
 * None of them owns or changes state; call them inside a `tf.tidy`.
 */

/** θ(z) = θ0 + Q·z: the point of the subspace with coordinates z. Differentiable in z. */
export function pointAt(basis: Basis, origin: tf.Tensor1D, z: tf.Tensor1D): tf.Tensor1D {
  return tf.add(origin, basis.lift(z));
}

/** P·v = Q·Qᵀ·v: the orthogonal projection of a direction onto span(Q). */
export function projectDirection(basis: Basis, v: tf.Tensor1D): tf.Tensor1D {
  return basis.lift(basis.project(v));
}

/** z = Qᵀ(θ − θ0): the coordinates of the point of the subspace nearest to θ. */
export function coordinatesOf(basis: Basis, origin: tf.Tensor1D, theta: tf.Tensor1D): tf.Tensor1D {
  return basis.project(tf.sub(theta, origin));
}

/** θ0 + P(θ − θ0): the point of the affine subspace nearest to θ (re-anchored at θ0). */
export function projectPoint(basis: Basis, origin: tf.Tensor1D, theta: tf.Tensor1D): tf.Tensor1D {
  return pointAt(basis, origin, coordinatesOf(basis, origin, theta));
}

/**
 * How far θ is from the affine subspace: `distance` = ‖(I − P)(θ − θ0)‖ and `displacement` =
 * ‖θ − θ0‖, both as scalars. "In the subspace" means distance ≤ 1e-5·max(1, displacement).
 */
export function residualOf(
  basis: Basis,
  origin: tf.Tensor1D,
  theta: tf.Tensor1D,
): { distance: tf.Scalar; displacement: tf.Scalar } {
  const delta = tf.sub(theta, origin);
  return {
    distance: tf.norm(tf.sub(delta, projectDirection(basis, delta as tf.Tensor1D))) as tf.Scalar,
    displacement: tf.norm(delta) as tf.Scalar,
  };
}
