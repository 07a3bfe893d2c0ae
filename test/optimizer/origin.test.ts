import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, projectGradients, reparameterize } from '../../src';
import {
  BACKENDS,
  batches,
  convDenseModel,
  equalTolerance,
  flatWeights,
  maxAbs,
  maxAbsDiff,
  MODES,
  uniformArray,
  useBackend,
  wrap,
} from '../helpers';

describe.each(BACKENDS)('an explicit origin on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(MODES)('%s: the variables are moved to the nearest point of θ0 + span(Q) at creation', (mode) => {
    const model = convDenseModel(2);
    const D = model.countParams();
    const start = tf.memory().numTensors;
    const basis = gaussianBasis(D, 5, { seed: 3 });
    const origin = tf.tensor1d(uniformArray(D, 4, 0.3));
    const theta = flatWeights(model);
    // Expected: θ0 + Q·Qᵀ(θ − θ0), computed in float64 from Q's values (independent of the library's ops).
    const q = basis.materialize();
    const Q = q.dataSync();
    const t = Array.from(theta.dataSync());
    const o = origin.dataSync();
    const z = Array.from({ length: 5 }, (_, k) => t.reduce((acc, ti, i) => acc + Q[i * 5 + k] * (ti - o[i]), 0));
    const expected = tf.tensor1d(Array.from(o, (oi, i) => oi + z.reduce((acc, zk, k) => acc + Q[i * 5 + k] * zk, 0)));
    const opt = wrap(mode, tf.train.sgd(0.1), basis, model, { origin });
    const moved = flatWeights(model);
    // float32 matVecs of length ≤ 119 over values ≤ 1: 1e-5.
    expect(maxAbsDiff(moved, expected)).toBeLessThanOrEqual(1e-5);
    expect(opt.residual().distance).toBeLessThanOrEqual(1e-5);
    const zOpt = opt.coordinates();
    const zRef = tf.tensor1d(z);
    expect(maxAbsDiff(zOpt, zRef)).toBeLessThanOrEqual(1e-5);
    expect(opt.getConfig()).toEqual(
      expect.objectContaining({ mode, nonFinite: 'throw', innerClassName: 'SGD', innerConfig: { learningRate: 0.1 } }),
    );
    tf.dispose([origin, theta, q, expected, moved, zOpt, zRef]);
    opt.dispose();
    basis.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  test('coordinates mode from an explicit origin equals reparameterize with that origin', () => {
    const data = batches(2);
    const model = convDenseModel(6);
    const ref = convDenseModel(6);
    const D = model.countParams();
    const start = tf.memory().numTensors;
    const basis = gaussianBasis(D, 9, { seed: 8 });
    const origin = tf.tidy(() => tf.add(flatWeights(model), tf.tensor1d(uniformArray(D, 5, 0.05))) as tf.Tensor1D);
    const opt = projectGradients(tf.train.adam(0.02), basis, { variables: model, origin });
    const rep = reparameterize(ref, basis, { origin });
    // The wrapper starts at z₀ = Qᵀ(θ − θ0); start the reference there too.
    const z0 = opt.coordinates();
    rep.z.assign(z0);
    const refOpt = tf.train.adam(0.02);
    let worst = 0;
    let scale = 0;
    for (let s = 0; s < 20; s++) {
      const { x, y } = data[s % 2];
      opt.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, model.apply(x) as tf.Tensor)) as tf.Scalar);
      refOpt.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, rep.apply(x) as tf.Tensor)) as tf.Scalar, false, [rep.z]);
      const [a, b] = [flatWeights(model), rep.theta()];
      worst = Math.max(worst, maxAbsDiff(a, b));
      scale = Math.max(scale, maxAbs(a));
      tf.dispose([a, b]);
    }
    expect(worst).toBeLessThanOrEqual(equalTolerance(20, scale));
    expect(opt.residual().displacement).toBeGreaterThan(1e-2);
    [opt, refOpt].forEach((o) => o.dispose());
    rep.dispose();
    basis.dispose();
    tf.dispose(Object.values(refOpt).filter((v) => v instanceof tf.Tensor));
    tf.dispose([origin, z0]);
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
    model.dispose();
    ref.dispose();
  });
});
