import * as tf from '@tensorflow/tfjs';
import { hashedBasis, projectGradients, srhtBasis } from '../../../src';
import { BACKENDS, uniformArray, useBackend } from '../../helpers';

/**
 * Regression (found by the getWeights → setWeights property, fixed): the host-array step wrote
 * θ = θ0 + Q·z into one array reused across steps and uploaded it with tf.tensor, which on the cpu
 * backend keeps the array itself. Every variable then aliased the optimizer's buffer, so the next
 * step rewrote, in place, the values of any tensor that shared them (here: another model's variable
 * assigned from this one, as tf's Variable.assign shares the data). Expected: values seen by
 * others never change under them.
 */
describe.each(BACKENDS)('host-array step on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each([
    ['hashed', (D: number) => hashedBasis(D, 3, { seed: 1 })],
    ['srht', (D: number) => srhtBasis(D, 3, { seed: 1 })],
  ] as const)('%s: a tensor sharing a trained variable\'s data keeps its values across the next step', (_, make) => {
    const start = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(10, 1))));
    const basis = make(10);
    const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: [w] });
    const target = tf.tensor1d(uniformArray(10, 2));
    const loss = () => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar;
    opt.minimize(loss);
    const other = tf.tidy(() => tf.variable(tf.zeros([10])));
    other.assign(w); // shares w's data
    const before = Array.from(other.dataSync());
    opt.minimize(loss);
    expect(Array.from(other.dataSync())).toEqual(before);
    expect(Array.from(w.dataSync())).not.toEqual(before); // the step did move w
    opt.dispose();
    basis.dispose();
    tf.dispose([w, other, target]);
    expect(tf.memory().numTensors).toBe(start);
  });
});
