import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, NonFiniteError, UnknownVariableError } from '../../../src';
import { BACKENDS, MODES, uniformArray, useBackend, wrap } from '../../helpers';

/**
 * Regression (found by the reliability work, fixed in SubspaceOptimizer.minimize): a step that the wrapper rejects inside `minimize` (NonFiniteError, UnknownVariableError,
 * DimensionMismatchError, DisposedError from applyGradients) leaves the loss value and every gradient
 * tensor behind. `SubspaceOptimizer.minimize` calls `tf.Optimizer.minimize`, which disposed them only
 * after `applyGradients` returned. State is not changed (the faults and corrupted-state suites prove
 * it); only tensors leaked, once per rejected call. Expected here: the tensor count is unchanged after each rejected call.
 */
describe.each(BACKENDS)('a rejected minimize leaves no tensor behind on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(MODES)('%s mode', (mode) => {
    const w = tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(6, 1), [2, 3])));
    const b = tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(3, 2))));
    const stranger = tf.tidy(() => tf.variable(tf.zeros([2])));
    const basis = gaussianBasis(9, 3, { seed: 1 });
    const opt = wrap(mode, tf.train.adam(0.1), basis, [w, b]);
    const loss = () => tf.add(tf.sum(tf.square(w)), tf.sum(tf.square(b))) as tf.Scalar;
    opt.minimize(loss);
    const count = tf.memory().numTensors;
    expect(() => opt.minimize(() => tf.mul(loss(), NaN) as tf.Scalar)).toThrow(NonFiniteError);
    expect(tf.memory().numTensors).toBe(count);
    expect(() => opt.minimize(() => tf.add(loss(), tf.sum(stranger)) as tf.Scalar, false, [w, b, stranger])).toThrow(
      UnknownVariableError,
    );
    expect(tf.memory().numTensors).toBe(count);
    opt.dispose();
    basis.dispose();
    tf.dispose([w, b, stranger]);
  });
});
