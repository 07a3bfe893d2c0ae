import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, InvalidArgumentError } from '../../src';
import { BACKENDS, MODES, uniformArray, useBackend, wrap } from '../helpers';

/**
 * A loss that throws inside `minimize` (and through `trainOnBatch`) leaves no tensor behind. tfjs-core
 * keeps the tensors its tape saved for a backward pass that never runs: with a plain tf.train.adam
 * every such call leaks them (15 per call on cpu for this 4-variable MLP, measured), so the
 * plain optimizer is the reference that shows the test can fail.
 */

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

describe.each(BACKENDS)('a loss that throws, on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const x = () => tf.tensor2d(uniformArray(24, 1), [8, 3]);
  const y = () => tf.tensor2d(uniformArray(16, 2), [8, 2]);

  test.each(MODES)('%s: minimize and trainOnBatch leak nothing where tf.train.adam leaks the tape', async (mode) => {
    const [xs, ys] = [x(), y()];
    const failure = new Error('the loss failed half way');
    let armed = false;
    const lossFn = (t: tf.Tensor, p: tf.Tensor) => {
      if (armed) throw failure;
      return tf.losses.meanSquaredError(t, p);
    };
    const leaks: Record<string, { minimize: number; trainOnBatch: number }> = {};
    for (const which of ['plain', 'wrapper']) {
      const model = mlp();
      const basis = gaussianBasis(26, 4, { seed: 3 });
      const opt = which === 'plain' ? tf.train.adam(0.01) : wrap(mode, tf.train.adam(0.01), basis, model);
      model.compile({ optimizer: opt, loss: lossFn });
      await model.trainOnBatch(xs, ys); // slots exist from here on
      const throwing = () => {
        tf.sum(model.apply(xs) as tf.Tensor);
        throw failure;
      };
      let count = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) expect(() => opt.minimize(throwing)).toThrow(failure);
      const minimize = (tf.memory().numTensors - count) / 3;
      armed = true;
      count = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await expect(model.trainOnBatch(xs, ys)).rejects.toBe(failure);
      const trainOnBatch = (tf.memory().numTensors - count) / 3;
      armed = false;
      leaks[which] = { minimize, trainOnBatch };
      // Training goes on normally afterwards.
      count = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) await model.trainOnBatch(xs, ys);
      expect(tf.memory().numTensors).toBe(count);
      opt.dispose();
      basis.dispose();
      model.dispose();
    }
    expect(leaks.plain.minimize).toBeGreaterThan(0);
    expect(leaks.plain.trainOnBatch).toBeGreaterThan(0);
    expect(leaks.wrapper).toEqual({ minimize: 0, trainOnBatch: 0 });
    tf.dispose([xs, ys]);
  });

  test.each(MODES)('%s: a loss that returns no tensor: InvalidArgumentError, nothing left behind', (mode) => {
    const model = mlp();
    const basis = gaussianBasis(26, 4, { seed: 3 });
    const opt = wrap(mode, tf.train.adam(0.01), basis, model);
    const xs = x();
    const count = tf.memory().numTensors;
    const bad = (() => {
      tf.sum(model.apply(xs) as tf.Tensor);
      return 3;
    }) as unknown as () => tf.Scalar;
    expect(() => opt.minimize(bad)).toThrow(InvalidArgumentError);
    expect(() => opt.minimize(bad)).toThrow('the loss function must return a scalar tf.Tensor, got number');
    expect(tf.memory().numTensors).toBe(count);
    expect(opt.iterations).toBe(0);
    opt.dispose();
    basis.dispose();
    model.dispose();
    xs.dispose();
  });
});
