import * as tf from '@tensorflow/tfjs';
import type { LabelledTensors } from '../../src/intrinsic';

/**
 * Li et al.'s (2018) toy problem: D = 1,000 parameters in 10 blocks of 100; the loss is the mean
 * squared distance of each block's sum from its target (1, 2, …, 10). It depends on the 10 block-sum
 * directions only, so a random subspace of d ≥ 10 contains a solution and one of d < 10 (generically)
 * does not: d_int = 10 exactly. As a model: a bias-free dense layer 100 → 10 fed a row of ones (column
 * k of the kernel is block k, its output the block sum).
 */
export function toyModel(seed: number): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ units: 10, useBias: false, inputShape: [100], kernelInitializer: tf.initializers.glorotUniform({ seed }) })] });
}

/** n copies of the one example (ones → 1…10): the train/validation/test splits all hold it. */
export function toyData(n: number): LabelledTensors {
  return tf.tidy(() => ({ x: tf.ones([n, 100]), y: tf.tile(tf.range(1, 11).reshape([1, 10]), [n, 1]) }));
}

/**
 * The toy's performance: 1 / (1 + MSE/τ) with τ = 0.01, in (0, 1], 1 at a solution. A subspace short
 * of the solution by a residual r has MSE = ‖r‖²/10; 90 % of a solved baseline needs MSE ≤ τ/9.
 */
export function toyMetric(model: { predict(x: tf.Tensor): tf.Tensor | tf.Tensor[] }, data: LabelledTensors): number {
  const mse = tf.tidy(() => tf.mean(tf.square(tf.sub(model.predict(data.x) as tf.Tensor, data.y))).dataSync()[0]);
  return 1 / (1 + mse / 0.01);
}
