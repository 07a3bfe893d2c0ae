import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, InvalidArgumentError, projectGradients, projectParameters, reparameterize, UnknownVariableError } from '../src';
import {
  BACKENDS,
  batches,
  convDenseModel,
  equalTolerance,
  flatWeights,
  maxAbs,
  maxAbsDiff,
  MODES,
  OPTIMIZERS,
  useBackend,
  wrap,
} from './helpers';

/** The conv layer (D = 20) is projected; the dense head (99 weights) is free or frozen. */
const head = (m: tf.LayersModel) => m.layers[2].trainableWeights;

describe.each(BACKENDS)('free and frozen variables on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(OPTIMIZERS.map(([n, make]) => [n, make] as const))(
    '%s: coordinates mode with a free head equals reparameterize with the same free head',
    (_name, makeInner) => {
      const data = batches(3);
      const model = convDenseModel(4);
      const ref = convDenseModel(4);
      const start = tf.memory().numTensors;
      const basis = gaussianBasis(20, 6, { seed: 2 });
      const opt = projectGradients(makeInner(), basis, { variables: model, free: head(model) });
      const rep = reparameterize(ref, basis, { free: head(ref) });
      const refOpt = makeInner();
      const headBefore = flatWeights(model);
      let worst = 0;
      let scale = 0;
      let count = 0;
      for (let s = 0; s < 20; s++) {
        const { x, y } = data[s % 3];
        opt.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, model.apply(x) as tf.Tensor)) as tf.Scalar);
        refOpt.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, rep.apply(x) as tf.Tensor)) as tf.Scalar, false, rep.trainable);
        const [a, b] = [flatWeights(model), flatWeights(ref)];
        // ref's conv weights are never written (they are read as θ0 + Q·z): compare θ(z) for them.
        const theta = rep.theta();
        const refAll = tf.tidy(() => tf.concat([theta, tf.slice(b, 20)]));
        worst = Math.max(worst, maxAbsDiff(a, refAll));
        scale = Math.max(scale, maxAbs(a));
        tf.dispose([a, b, theta, refAll]);
        if (s === 1) count = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(count); // flat after the first steps
      expect(worst).toBeLessThanOrEqual(equalTolerance(20, scale));
      const after = flatWeights(model);
      expect(tf.tidy(() => maxAbsDiff(tf.slice(after, 20), tf.slice(headBefore, 20)))).toBeGreaterThan(1e-3); // the head trained
      expect(opt.residual().distance).toBeLessThanOrEqual(1e-5);
      tf.dispose([after, headBefore]);
      [opt, refOpt].forEach((o) => o.dispose());
      tf.dispose(Object.values(refOpt).filter((v) => v instanceof tf.Tensor));
      rep.dispose();
      basis.dispose();
      expect(tf.memory().numTensors).toBe(start);
      tf.dispose(data.flatMap((d) => [d.x, d.y]));
      model.dispose();
      ref.dispose();
    },
  );

  test.each(MODES)('%s: frozen variables never change, and their gradients are ignored', (mode) => {
    const data = batches(2);
    const model = convDenseModel(5);
    const basis = gaussianBasis(20, 4, { seed: 1 });
    const frozenNames = head(model).map((w) => (w.read() as tf.Variable).name);
    const opt = wrap(mode, tf.train.momentum(0.05, 0.9), basis, model, { frozen: frozenNames });
    const before = flatWeights(model);
    for (let s = 0; s < 5; s++) {
      const { x, y } = data[s % 2];
      // varList includes the frozen head: its gradients arrive and must be ignored.
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      opt.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, model.apply(x) as tf.Tensor)) as tf.Scalar, false, vars);
    }
    const after = flatWeights(model);
    expect(tf.tidy(() => maxAbsDiff(tf.slice(after, 20), tf.slice(before, 20)))).toBe(0);
    expect(tf.tidy(() => maxAbsDiff(tf.slice(after, 0, 20), tf.slice(before, 0, 20)))).toBeGreaterThan(1e-3);
    const r = opt.residual();
    expect(r.distance).toBeLessThanOrEqual(1e-5 * Math.max(1, r.displacement));
    tf.dispose([before, after]);
    opt.dispose();
    basis.dispose();
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
    model.dispose();
  });

  test('state with free variables round-trips bit-identically', async () => {
    const data = batches(2);
    const a = convDenseModel(7);
    const b = convDenseModel(8);
    const basis = gaussianBasis(20, 5, { seed: 3 });
    const optA = projectParameters(tf.train.adam(0.02), basis, { variables: a, free: head(a) });
    const loss = (m: tf.LayersModel, s: number) => () =>
      tf.mean(tf.metrics.categoricalCrossentropy(data[s % 2].y, m.apply(data[s % 2].x) as tf.Tensor)) as tf.Scalar;
    for (let s = 0; s < 4; s++) optA.minimize(loss(a, s));
    b.setWeights(a.getWeights());
    const optB = projectParameters(tf.train.adam(0.02), basis, { variables: b, free: head(b) });
    const saved = await optA.getWeights();
    await optB.setWeights(saved);
    saved[0].tensor.dispose();
    for (let s = 4; s < 10; s++) {
      optA.minimize(loss(a, s));
      optB.minimize(loss(b, s));
    }
    const [ta, tb] = [flatWeights(a), flatWeights(b)];
    expect(maxAbsDiff(ta, tb)).toBe(0);
    tf.dispose([ta, tb, ...data.flatMap((d) => [d.x, d.y])]);
    [optA, optB, basis].forEach((o) => o.dispose());
    a.dispose();
    b.dispose();
  });

  test('bad selections: typed errors that say how to fix them', () => {
    const model = convDenseModel(1);
    const basis = gaussianBasis(20, 3);
    const all = gaussianBasis(119, 3);
    const h = head(model);
    const stranger = tf.tidy(() => tf.variable(tf.zeros([2])));
    const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: model, free: h });
    const g = tf.ones([2]);
    expect(() => opt.applyGradients({ [stranger.name]: g })).toThrow(UnknownVariableError);
    expect(() => opt.applyGradients({ [stranger.name]: g })).toThrow(/\(2 projected, 2 free, 0 frozen\)\. If it belongs to another model, create one optimizer per model.*list it in 'variables'/);
    expect(() => projectGradients(tf.train.sgd(0.1), basis, { variables: model, free: h, frozen: [h[0]] })).toThrow(
      /listed as both free and frozen/,
    );
    expect(() => projectGradients(tf.train.sgd(0.1), basis, { variables: model, free: model.trainableWeights })).toThrow(
      /nothing to project/,
    );
    expect(() => projectGradients(tf.train.sgd(0.1), basis, { variables: model, free: ['nope'] })).toThrow(
      /'free' names 'nope', but no variable of 'variables' has that name/,
    );
    expect(() => projectGradients(tf.train.sgd(0.1), basis, { variables: model, free: [42 as never] })).toThrow(InvalidArgumentError);
    expect(() => projectGradients(tf.train.sgd(0.1), all, { variables: model, free: h })).toThrow(
      /D = 119 rows but the 2 projected variable\(s\) hold 20 numbers/,
    );
    tf.dispose([g, stranger]);
    [opt, basis, all].forEach((o) => o.dispose());
    model.dispose();
  });
});
