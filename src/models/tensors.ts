import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { oneHot } from '../data/digits';
import { InvalidArgumentError } from '../errors';

/**
 * A {@link Dataset} as the tensors a model of the zoo takes: `x` of shape [n, ...inputShape] (e.g.
 * [n, 784] flattened or [n, 28, 28, 1] images, the same row-major pixels either way) and `y` the
 * one-hot float32 labels [n, classes]. The caller disposes both; `x` may share memory with `data.x`
 * on the cpu backend, so do not change one while using the other.
 *
 * @throws InvalidArgumentError when `inputShape` does not hold height·width values.
 * @example
 * const { x, y } = datasetTensors(digits(), models['conv-digits'].inputShape); // x: [1797, 8, 8, 1]
 */
export function datasetTensors(data: Dataset, inputShape: readonly number[]): { x: tf.Tensor; y: tf.Tensor2D } {
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (size !== data.height * data.width || inputShape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new InvalidArgumentError(
      `input shape [${inputShape.join(', ')}] does not hold one ${data.height}×${data.width} image: ` +
        `use [${data.height * data.width}] (flattened) or [${data.height}, ${data.width}, 1].`,
    );
  }
  return { x: tf.tensor(data.x, [data.n, ...inputShape], 'float32'), y: oneHot(data.y, data.classes) };
}
