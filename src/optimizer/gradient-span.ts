import * as tf from '@tensorflow/tfjs-core';
import { disposeInner } from './inner-state';

/**
 * Whether `inner`'s update keeps every step in the span of the gradients it was given — true for
 * SGD, momentum, Nesterov and tfjs 4.22's Adadelta (whose first ratio of running averages is exactly
 * 1), false for element-wise adaptive optimizers (Adagrad, Adam, Adamax, RMSProp) that rescale each
 * coordinate. Ambient mode (rules/ambient.ts) re-anchors θ onto θ0 + span(Q) only for optimizers
 * that keep the span, and only they keep θ in the subspace there.
 *
 * Measured, not looked up by class name: a fresh copy of the optimizer, rebuilt from its registered
 * class and config, takes three steps on a 3-vector with gradients c_t·u (u with entries of distinct
 * magnitudes); the optimizer keeps the span when the total step is parallel to u within 1e-5 (relative;
 * an element-wise rescaling of u is off by O(1)). An optimizer whose class is not registered with
 * tf.serialization, or whose copy fails, counts as not keeping the span.
 */
export function keepsGradientSpan(inner: tf.Optimizer): boolean {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[inner.getClassName()];
  if (!entry) return false;
  let copy: tf.Optimizer | null = null;
  let v: tf.Variable | null = null;
  try {
    const [cls, fromConfig] = entry;
    copy = fromConfig(cls, inner.getConfig()) as tf.Optimizer;
    v = tf.tidy(() => tf.variable(tf.zeros([3]), true));
    const u = [1, -2, 0.25];
    for (const c of [1, 0.3, -0.7]) {
      const g = tf.tensor1d(u.map((x) => x * c));
      copy.applyGradients([{ name: v.name, tensor: g }]);
      g.dispose();
    }
    const step = Array.from(v.dataSync());
    const along = step.reduce((s, x, i) => s + x * u[i], 0) / u.reduce((s, x) => s + x * x, 0);
    const off = Math.hypot(...step.map((x, i) => x - along * u[i]));
    const size = Math.hypot(...step);
    return size > 0 && Number.isFinite(size) && off <= 1e-5 * size;
  } catch {
    return false;
  } finally {
    v?.dispose();
    if (copy) disposeInner(copy);
  }
}
