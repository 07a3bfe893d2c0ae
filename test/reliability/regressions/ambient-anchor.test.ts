import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, projectGradients } from '../../../src';
import { uniformArray, useBackend } from '../../helpers';

/**
 * Ambient mode with SGD/momentum re-anchors θ onto θ0 + span(Q) every 100 steps (regressions/
 * ambient-drift.check.ts). The schedule follows the iteration count, which setWeights restores, so a
 * run saved at step 150 and resumed re-anchors at step 200 like the uninterrupted one: bit-identical.
 */
test('a resumed ambient-momentum run re-anchors on the same steps (bit-identical across step 200)', async () => {
  await useBackend('cpu');
  const target = tf.tensor1d(uniformArray(30, 5));
  const make = () => {
    const v = tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(30, 4))));
    const basis = gaussianBasis(30, 6, { seed: 2 });
    const opt = projectGradients(tf.train.momentum(0.01, 0.9), basis, { variables: [v], mode: 'ambient' });
    const step = () => opt.minimize(() => tf.sum(tf.square(tf.sub(tf.mul(v, v), target))) as tf.Scalar);
    return { v, basis, opt, step, dispose: () => [opt, basis, v].forEach((x) => x.dispose()) };
  };
  const start = tf.memory().numTensors;
  const [a, b] = [make(), make()];
  for (let i = 0; i < 150; i++) [a, b].forEach((r) => r.step());
  const saved = await a.opt.getWeights();
  const resumed = make();
  await resumed.opt.setWeights(saved);
  saved[0].tensor.dispose();
  resumed.v.assign(a.v);
  for (let i = 0; i < 100; i++) [b, resumed].forEach((r) => r.step());
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
  expect(resumed.opt.iterations).toBe(250);
  expect(bits(resumed.v)).toEqual(bits(b.v));
  [a, b, resumed].forEach((r) => r.dispose());
  target.dispose();
  expect(tf.memory().numTensors).toBe(start - 1);
});
