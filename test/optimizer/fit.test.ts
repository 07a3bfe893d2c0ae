import * as tf from '@tensorflow/tfjs';
import { gaussianBasis } from '../../src';
import { digits } from '../../src/data';
import { oneHot } from '../../src/data/digits';
import { BACKENDS, keepsSubspace, MODES, ownsCoordinates, useBackend, wrap } from '../helpers';

/**
 * model.fit with the wrappers on real data (the embedded 8×8 digits): the loss goes down, accuracy
 * rises well above chance, and θ − θ0 stays in span(Q) where the rule keeps it with its optimizer
 * (keepsSubspace: every built-in mode does here).
 */
describe.each(BACKENDS)('model.fit on digits on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(MODES)('%s mode (Adam for a rule that owns z, momentum otherwise)', async (mode) => {
    const makeInner = () => (ownsCoordinates(mode) ? tf.train.adam(0.05) : tf.train.momentum(0.5, 0.9));
    const keeps = keepsSubspace(mode, makeInner);
    const data = digits();
    const n = 1000;
    const xs = tf.tensor2d(data.x.subarray(0, n * 64), [n, 64]);
    const ys = oneHot(data.y.subarray(0, n), 10);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const start = tf.memory().numTensors;
    const basis = gaussianBasis(model.countParams(), 60, { seed: 5 });
    const opt = wrap(mode, makeInner(), basis, model);
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(xs, ys, { epochs: 8, batchSize: 64, verbose: 0, shuffle: false });
    const loss = history.history.loss as number[];
    const acc = history.history.acc as number[];
    expect(loss[loss.length - 1]).toBeLessThan(0.6 * loss[0]);
    expect(acc[acc.length - 1]).toBeGreaterThan(0.6); // chance is 0.1
    const r = opt.residual();
    expect(r.displacement).toBeGreaterThan(0.1);
    if (keeps) expect(r.distance).toBeLessThanOrEqual(1e-5 * Math.max(1, r.displacement));
    opt.dispose();
    basis.dispose();
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
