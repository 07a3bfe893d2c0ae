import * as tf from '@tensorflow/tfjs';
import { digits } from '../../src/data';
import { oneHot } from '../../src/data/digits';

/**
 * The real model of the long-run and soak checks: an MLP 64 → 8 (tanh) → 10 (softmax) on the embedded
 * 8×8 digits (D = 610), seeded, and the first `batches · batchSize` images cut into fixed batches.
 * Small on purpose: 10⁴ steps per mode must fit the CI budget.
 */
export function digitsMlp(seed = 1): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

export interface Batches {
  x: tf.Tensor2D[];
  y: tf.Tensor2D[];
  /** All batches concatenated (for `fit`). */
  xs: tf.Tensor2D;
  ys: tf.Tensor2D;
  dispose(): void;
}

export function digitsBatches(count = 16, batchSize = 32): Batches {
  const data = digits();
  const n = count * batchSize;
  const xs = tf.tensor2d(data.x.subarray(0, n * 64), [n, 64]);
  const ys = oneHot(data.y.subarray(0, n), 10);
  const x = Array.from({ length: count }, (_, b) => tf.slice(xs, [b * batchSize, 0], [batchSize, 64]));
  const y = Array.from({ length: count }, (_, b) => tf.slice(ys, [b * batchSize, 0], [batchSize, 10]));
  return { x, y, xs, ys, dispose: () => tf.dispose([xs, ys, ...x, ...y]) };
}

/**
 * The mean categorical cross-entropy (what `compile({loss: 'categoricalCrossentropy'})` minimizes) of
 * a model, or a reparameterized one, on batch `step mod count`.
 */
export function batchLoss(
  model: { apply(x: tf.Tensor): unknown },
  data: Batches,
  step: number,
): () => tf.Scalar {
  const b = step % data.x.length;
  return () => tf.mean(tf.metrics.categoricalCrossentropy(data.y[b], model.apply(data.x[b]) as tf.Tensor)) as tf.Scalar;
}
