import * as tf from '@tensorflow/tfjs';
import {
  DimensionMismatchError,
  gaussianBasis,
  InvalidArgumentError,
  reparameterize,
  reparameterizeFunction,
} from '../src';
import { BACKENDS, batches, convDenseModel, flatWeights, maxAbsDiff, uniformArray, useBackend } from './helpers';

describe.each(BACKENDS)('reparameterize on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('functional: ∂f/∂z = Qᵀ∇f(θ0 + Qz) against the closed form of a quadratic', () => {
    // f(θ) = ½‖A θ − b‖² ⇒ ∇f = Aᵀ(Aθ − b); computed here in float64 from the values.
    const D = 30;
    const d = 6;
    const A = uniformArray(D * D, 1);
    const bv = uniformArray(D, 2);
    const t0 = uniformArray(D, 3);
    const start = tf.memory().numTensors;
    const basis = gaussianBasis(D, d, { seed: 8 });
    const origin = tf.tensor1d(t0);
    const At = tf.tensor2d(A, [D, D]);
    const bt = tf.tensor1d(bv);
    const rep = reparameterizeFunction(
      (theta) => tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.squeeze(tf.matMul(At, tf.reshape(theta, [D, 1]))), bt)))) as tf.Scalar,
      basis,
      { origin },
    );
    tf.tidy(() => rep.z.assign(tf.tensor1d(uniformArray(d, 4))));
    const { grads, value } = tf.variableGrads(() => rep.value(), [rep.z]);
    const thetaT = rep.theta();
    const theta = thetaT.dataSync();
    const q = basis.materialize();
    const Q = q.dataSync();
    const r = Array.from({ length: D }, (_, i) => {
      let s = -bv[i];
      for (let j = 0; j < D; j++) s += A[i * D + j] * theta[j];
      return s;
    });
    const g = Array.from({ length: D }, (_, j) => r.reduce((acc, ri, i) => acc + A[i * D + j] * ri, 0));
    const expected = Array.from({ length: d }, (_, k) => g.reduce((acc, gj, j) => acc + Q[j * d + k] * gj, 0));
    const got = grads[rep.z.name].dataSync();
    // float32 matMuls of length 30 with |entries| ≤ ~30: relative 1e-5 of the gradient's scale.
    const scale = Math.max(...expected.map(Math.abs));
    expected.forEach((e, k) => expect(Math.abs(got[k] - e)).toBeLessThanOrEqual(1e-5 * scale));
    tf.dispose([value, ...Object.values(grads), q, origin, At, bt, thetaT]);
    rep.dispose();
    rep.dispose();
    basis.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(() => rep.theta()).toThrow(/used after dispose/);
  });

  test('model: apply() reads θ0 + Qz, leaves the variables alone and restores read()', () => {
    const model = convDenseModel(3);
    const { x } = batches(1)[0];
    const basis = gaussianBasis(model.countParams(), 4, { seed: 2 });
    const before = flatWeights(model);
    const rep = reparameterize(model, basis);
    // At z = 0 the forward pass is the model's own.
    const y0 = model.predict(x) as tf.Tensor;
    const y1 = tf.tidy(() => rep.apply(x) as tf.Tensor);
    expect(maxAbsDiff(y0, y1)).toBe(0);
    tf.tidy(() => rep.z.assign(tf.tensor1d([1, -1, 0.5, 2])));
    const y2 = tf.tidy(() => rep.apply(x) as tf.Tensor);
    expect(maxAbsDiff(y0, y2)).toBeGreaterThan(1e-3);
    // The same output as writing θ0 + Qz into a copy of the model (an independent path).
    const copy = convDenseModel(3);
    const theta = rep.theta();
    const parts = tf.split(theta, model.trainableWeights.map((w) => w.read().size));
    const shaped = parts.map((p, i) => tf.reshape(p, model.trainableWeights[i].read().shape));
    copy.setWeights(shaped);
    const y3 = copy.predict(x) as tf.Tensor;
    expect(maxAbsDiff(y2, y3)).toBeLessThanOrEqual(1e-6);
    const after = flatWeights(model);
    expect(maxAbsDiff(before, after)).toBe(0);
    expect(model.trainableWeights.every((w) => !Object.prototype.hasOwnProperty.call(w, 'read'))).toBe(true);
    tf.dispose([y0, y1, y2, y3, theta, ...parts, ...shaped, before, after]);
    rep.dispose();
    basis.dispose();
    model.dispose();
    copy.dispose();
  });

  test('bad input', () => {
    const model = convDenseModel(1);
    const basis = gaussianBasis(50, 3);
    expect(() => reparameterize(model, basis)).toThrow(DimensionMismatchError);
    expect(() => reparameterize(model, basis)).toThrow(/reparameterize: the basis has D = 50 rows but the \d+ projected variable\(s\) hold 119 numbers\. Build the basis for D = 119/);
    expect(() => reparameterize({} as never, basis)).toThrow(InvalidArgumentError);
    expect(() => reparameterizeFunction(() => 0, basis, {} as never)).toThrow(/'origin'.*is required/);
    // A non-finite origin is refused as the wrappers refuse it, by both forms, leaving no tensor behind.
    const fit = gaussianBasis(119, 3);
    const bad = tf.tensor1d(Array.from({ length: 119 }, (_, i) => (i === 7 ? NaN : 0)));
    const before = tf.memory().numTensors;
    expect(() => reparameterize(model, fit, { origin: bad })).toThrow(/reparameterize: origin contains NaN or Infinity/);
    expect(() => reparameterizeFunction(() => 0, fit, { origin: bad })).toThrow(/reparameterizeFunction: origin contains NaN or Infinity/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([bad]);
    fit.dispose();
    basis.dispose();
    model.dispose();
  });
});
