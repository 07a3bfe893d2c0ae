import * as tf from '@tensorflow/tfjs';
import {
  DimensionMismatchError,
  gaussianBasis,
  NonFiniteError,
} from '../../src';
import {
  BACKENDS,
  batches,
  convDenseModel,
  flatWeights,
  MODES,
  OPTIMIZERS,
  snapshot,
  useBackend,
  wrap,
} from '../helpers';

function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

describe.each(BACKENDS)('optimizer state on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(MODES)('%s mode', (mode) => {
    test.each(OPTIMIZERS.map(([name, make]) => [name, make] as const))(
      '%s: getWeights → setWeights into a fresh wrapper continues bit-identically',
      async (_name, makeInner) => {
        const data = batches(3);
        const a = convDenseModel(2);
        const b = convDenseModel(9); // different weights: everything must come from the saved state
        const basis = gaussianBasis(a.countParams(), 8, { seed: 6 });
        const optA = wrap(mode, makeInner(), basis, a);
        const loss = (m: tf.LayersModel, s: number) => () =>
          tf.mean(tf.metrics.categoricalCrossentropy(data[s % 3].y, m.apply(data[s % 3].x) as tf.Tensor)) as tf.Scalar;
        for (let s = 0; s < 5; s++) optA.minimize(loss(a, s));

        b.setWeights(a.getWeights());
        const optB = wrap(mode, makeInner(), basis, b);
        const saved = await optA.getWeights();
        const start = tf.memory().numTensors;
        await optB.setWeights(saved);
        saved[0].tensor.dispose();
        expect(optB.iterations).toBe(optA.iterations);
        for (let s = 5; s < 15; s++) {
          optA.minimize(loss(a, s));
          optB.minimize(loss(b, s));
          const [ta, tb] = [flatWeights(a), flatWeights(b)];
          expect(bits(tb)).toEqual(bits(ta));
          tf.dispose([ta, tb]);
        }
        // Restoring replaced B's slots without leaking the old ones (the first step created none).
        expect(tf.memory().numTensors).toBeLessThanOrEqual(start + saved.length);
        [optA, optB].forEach((o) => o.dispose());
        basis.dispose();
        tf.dispose(data.flatMap((d) => [d.x, d.y]));
        a.dispose();
        b.dispose();
      },
    );
  });

  test.each(MODES)('%s: corrupted or mismatched state is rejected and changes nothing', async (mode) => {
    const data = batches(1);
    const model = convDenseModel(4);
    const other = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const basis = gaussianBasis(model.countParams(), 5, { seed: 1 });
    const otherBasis = gaussianBasis(other.countParams(), 5, { seed: 1 });
    const opt = wrap(mode, tf.train.adam(0.01), basis, model);
    const foreign = wrap(mode, tf.train.adam(0.01), otherBasis, other);
    const step = (o: tf.Optimizer, m: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
      o.minimize(() => tf.losses.meanSquaredError(y, m.apply(x) as tf.Tensor) as tf.Scalar);
    step(opt, model, data[0].x, data[0].y);
    const ox = tf.ones([4, 3]);
    const oy = tf.ones([4, 2]);
    step(foreign, other, ox, oy);
    const before = await snapshot(opt, opt.variables);
    const count = tf.memory().numTensors;

    const wrongD = await foreign.getWeights();
    await expect(opt.setWeights(wrongD)).rejects.toThrow(DimensionMismatchError);
    await expect(opt.setWeights(wrongD)).rejects.toThrow(/origin must be a vector of length 119, got shape \[8\]/);
    const good = await opt.getWeights();
    await expect(opt.setWeights(good.slice(0, 1))).rejects.toThrow(/setWeights expects \[iterations, origin/);
    const nan = tf.fill(good[good.length - 1].tensor.shape, NaN);
    await expect(opt.setWeights([...good.slice(0, -1), { name: good[good.length - 1].name, tensor: nan }])).rejects.toThrow(
      NonFiniteError,
    );
    const renamed = good.map((w, i) => (i === good.length - 1 ? { name: 'inner/bogus/0', tensor: w.tensor } : w));
    await expect(opt.setWeights(renamed)).rejects.toThrow(/unexpected optimizer weight 'inner\/bogus\/0'/);
    tf.dispose([wrongD[0].tensor, good[0].tensor, nan]);
    expect(tf.memory().numTensors).toBe(count);
    expect(await snapshot(opt, opt.variables)).toEqual(before);
    [opt, foreign].forEach((o) => o.dispose());
    [basis, otherBasis].forEach((x) => x.dispose());
    tf.dispose([ox, oy, data[0].x, data[0].y]);
    model.dispose();
    other.dispose();
  });
});
