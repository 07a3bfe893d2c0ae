import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  DenseBasis,
  hashedBasis,
  InvalidArgumentError,
  NonFiniteError,
  ProjectedGradientOptimizer,
  ProjectedParameterOptimizer,
  projectGradients,
  projectParameters,
  SubspaceOptimizer,
  thinQr,
  trainableParameterCount,
  UnknownVariableError,
} from '../../src';
import { BACKENDS, batchNormModel, MODES, uniformArray, useBackend, wrap } from '../helpers';

/**
 * The paths a new user meets that used to corrupt a model without a word (issue: "no path that
 * silently corrupts a model"): each now gives a typed error naming the cause and the fix, or does
 * the right thing, and leaves every weight — non-trainable ones included — as it was.
 */

const bnModel = batchNormModel;

/**
 * tfjs-layers' own `fit` leaks one tensor each time a batch throws (measured with this library's
 * previous release too, and around a throwing `minimize` called directly: 0): counted, not ours.
 */
const FIT_THROW_LEAK = 1;

/** The saved state as numbers (the fresh iterations entry disposed). */
const stateOf = async (opt: SubspaceOptimizer) => {
  const [iter, ...rest] = await opt.getWeights();
  iter.tensor.dispose();
  return rest.map((w) => Array.from(w.tensor.dataSync()));
};

const allBits = (m: tf.LayersModel) => m.weights.map((w) => Array.from(new Uint32Array(Float32Array.from(w.read().dataSync()).buffer)));

describe.each(BACKENDS)('paths that used to corrupt a model silently (%s)', (backend) => {
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;
  let bad: tf.Tensor2D;
  beforeAll(async () => {
    await useBackend(backend);
    x = tf.tensor2d(uniformArray(32 * 8, 3, 2), [32, 8]);
    y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32'), 3).toFloat() as tf.Tensor2D;
    const values = uniformArray(32 * 8, 4, 2);
    values[17] = NaN;
    bad = tf.tensor2d(values, [32, 8]);
  });
  afterAll(() => tf.dispose([x, y, bad]));

  test('new DenseBasis refuses NaN values and a matrix that is not orthonormal (typed errors naming the fix), no tensor left', () => {
    const start = tf.memory().numTensors;
    const Q = thinQr(uniformArray(160, 1), 40, 4).q;
    const good = new DenseBasis({ values: Q, shape: [40, 4] });
    good.dispose();
    const nan = Q.slice();
    nan[13] = NaN;
    expect(() => new DenseBasis({ values: nan, shape: [40, 4] })).toThrow(NonFiniteError);
    expect(() => new DenseBasis({ values: nan, shape: [40, 4] })).toThrow(/contains NaN or Infinity \(first at row 3, column 1/);
    const scaled = Q.map((v) => 2 * v);
    expect(() => new DenseBasis({ values: scaled, shape: [40, 4] })).toThrow(InvalidArgumentError);
    expect(() => new DenseBasis({ values: scaled, shape: [40, 4] })).toThrow(/not orthonormal .* use denseBasis\(E\) to orthonormalize/);
    for (const storage of ['tensor', 'array', 'wasm'] as const) {
      const t = tf.tensor2d(nan, [40, 4]);
      expect(() => new DenseBasis(t, 'dense', { storage })).toThrow(NonFiniteError);
      t.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  test.each(['throw', 'skip'] as const)(
    "model.fit on a NaN batch with BatchNormalization (nonFinite '%s'): trainable weights, moving statistics and slots unchanged, predict stays finite",
    async (policy) => {
      const model = bnModel(5);
      const basis = hashedBasis(trainableParameterCount(model), 20, { seed: 2 });
      const opt = projectGradients(tf.train.adam(0.01), basis, { variables: model, nonFinite: policy });
      model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      // One good step first, so that the slots exist (policy 'skip' then drops the step on the device).
      await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, shuffle: false });
      const before = allBits(model);
      const slots = await stateOf(opt);
      const start = tf.memory().numTensors;
      const fit = () => model.fit(bad, y, { epochs: 1, batchSize: 32, verbose: 0, shuffle: false });
      if (policy === 'throw') await expect(fit()).rejects.toThrow(/contains NaN or Infinity; nothing was updated/);
      else await fit();
      expect(allBits(model)).toEqual(before);
      expect(await stateOf(opt)).toEqual(slots);
      if (policy === 'skip') expect(opt.skippedSteps).toBe(1);
      const p = model.predict(x) as tf.Tensor;
      expect(p.dataSync().every(Number.isFinite)).toBe(true);
      p.dispose();
      expect(tf.memory().numTensors).toBe(start + (policy === 'throw' ? FIT_THROW_LEAK : 0));
      // Training goes on from there.
      await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, shuffle: false });
      expect(allBits(model)).not.toEqual(before);
      opt.dispose();
      basis.dispose();
      model.dispose();
    },
  );

  test('a loss that throws inside minimize after the forward pass wrote the moving statistics puts them back', () => {
    const model = bnModel(6);
    const basis = hashedBasis(trainableParameterCount(model), 20, { seed: 2 });
    const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: model });
    const before = allBits(model);
    const start = tf.memory().numTensors;
    const loss = () => {
      tf.mean(model.apply(x, { training: true }) as tf.Tensor); // writes the moving statistics
      throw new Error('boom');
    };
    expect(() => opt.minimize(loss as () => tf.Scalar)).toThrow('boom');
    expect(allBits(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(start);
    opt.dispose();
    basis.dispose();
    model.dispose();
  });

  test('variables: model.trainableWeights (layer weights) trains exactly as variables: model', async () => {
    const a = bnModel(7);
    const b = bnModel(7);
    const D = trainableParameterCount(a);
    expect(trainableParameterCount(a.trainableWeights)).toBe(D);
    const start = tf.memory().numTensors;
    const [ba, bb] = [hashedBasis(D, 12, { seed: 3 }), hashedBasis(D, 12, { seed: 3 })];
    const oa = projectGradients(tf.train.adam(0.01), ba, { variables: a });
    const ob = projectGradients(tf.train.adam(0.01), bb, { variables: b.trainableWeights });
    a.compile({ optimizer: oa, loss: 'categoricalCrossentropy' });
    b.compile({ optimizer: ob, loss: 'categoricalCrossentropy' });
    for (const m of [a, b]) await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, shuffle: false });
    expect(allBits(b)).toEqual(allBits(a));
    [oa, ob, ba, bb].forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(start);
    [a, b].forEach((t) => t.dispose());
  });

  test('model.getWeights(), model.weights and plain tensors are refused with the fix, and not counted as D', () => {
    const model = bnModel(8);
    const basis = hashedBasis(trainableParameterCount(model), 12, { seed: 3 });
    const sgd = tf.train.sgd(0.1);
    const start = tf.memory().numTensors;
    const fix = /not trainable \(e\.g\. BatchNormalization's moving statistics, which model\.getWeights\(\) and model\.weights include\).*Pass the model itself or model\.trainableWeights/;
    expect(() => projectGradients(sgd, basis, { variables: model.getWeights() as tf.Variable[] })).toThrow(fix);
    expect(() => projectParameters(sgd, basis, { variables: model.weights })).toThrow(InvalidArgumentError);
    expect(() => trainableParameterCount(model.getWeights() as tf.Variable[])).toThrow(fix);
    const values = model.trainableWeights.map((w) => tf.clone(w.read()));
    expect(() => trainableParameterCount(values as tf.Variable[])).toThrow(/variables\[0\] is a tf\.Tensor \(a value, not a variable\).*pass the model itself, model\.trainableWeights/);
    tf.dispose(values);
    expect(tf.memory().numTensors).toBe(start);
    [sgd, basis, model].forEach((t) => t.dispose());
  });

  test('one optimizer compiled into a second model: the UnknownVariableError says to create one optimizer per model; the second model is untouched', async () => {
    const first = bnModel(9);
    const second = bnModel(10);
    const basis = hashedBasis(trainableParameterCount(first), 12, { seed: 3 });
    const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: first });
    second.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const before = allBits(second);
    const start = tf.memory().numTensors;
    const fit = second.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
    await expect(fit).rejects.toThrow(UnknownVariableError);
    await expect(second.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 })).rejects.toThrow(/If it belongs to another model, create one optimizer per model/);
    expect(allBits(second)).toEqual(before);
    expect(tf.memory().numTensors).toBe(start + 2 * FIT_THROW_LEAK);
    [opt, basis, first, second].forEach((t) => t.dispose());
  });

  test.each(MODES)('instanceof the named classes (%s), as docs/api.md shows', (mode) => {
    const v = tf.variable(tf.tensor1d(uniformArray(6, 1)));
    const basis = hashedBasis(6, 2, { seed: 1 });
    const sgd = tf.train.sgd(0.1);
    const start = tf.memory().numTensors;
    const opt = wrap(mode, sgd, basis, [v]);
    expect(opt).toBeInstanceOf(SubspaceOptimizer);
    expect(opt instanceof ProjectedGradientOptimizer || opt instanceof ProjectedParameterOptimizer).toBe(true);
    expect(opt instanceof ProjectedParameterOptimizer).toBe(opt.mode === 'parameters');
    const adam = tf.train.adam();
    expect(adam instanceof ProjectedGradientOptimizer).toBe(false);
    adam.dispose();
    opt.dispose(); // disposes sgd too
    expect(tf.memory().numTensors).toBe(start - 1); // sgd's learning-rate scalar, made before start
    [basis, v].forEach((t) => t.dispose());
  });
});
