import * as tf from '@tensorflow/tfjs';
import { DimensionMismatchError, DisposedError, DtypeError, gaussianBasis, InvalidArgumentError, NonFiniteError } from '../../src';
import { BACKENDS, MODES, ownsCoordinates, snapshot, uniformArray, useBackend, wrap } from '../helpers';
import { hostQ, maxDiff, readFlat } from '../reliability/cases';

/**
 * setCoordinates(z): moves the variables to θ0 + Q·z (checked against θ0 + Q·z computed in float64
 * from Q's values), makes z the optimizer's own in coordinates mode, keeps the inner state and the
 * iteration count; every bad z gives a typed error naming the problem and changes nothing.
 */

const D = 15;
const d = 4;

describe.each(BACKENDS)('setCoordinates on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(MODES)('%s: θ = θ0 + Q·z, the inner state kept; bad z: typed errors, nothing changed', async (mode) => {
    const vars = [
      tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(12, 1, 0.5), [4, 3]))),
      tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(3, 2, 0.5)))),
    ];
    const basis = gaussianBasis(D, d, { seed: 4 });
    const opt = wrap(mode, tf.train.adam(0.05), basis, vars);
    const g = [tf.tensor2d(uniformArray(12, 7), [4, 3]), tf.tensor1d(uniformArray(3, 8))];
    for (let s = 0; s < 2; s++) opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: g[i] })));
    const before = await snapshot(opt, vars);
    const bad: Array<[string, unknown, new (m: string) => Error, string]> = [
      ['too short', tf.zeros([d - 1]), DimensionMismatchError, 'z must be a vector of length 4, got shape [3]'],
      ['a matrix', tf.zeros([d, 1]), DimensionMismatchError, 'z must be a vector of length 4'],
      ['NaN', tf.tensor1d([0, NaN, 0, 0]), NonFiniteError, 'z contains NaN or Infinity'],
      ['int32', tf.zeros([d], 'int32'), DtypeError, "z must be float32, got int32; cast it with tf.cast(z, 'float32')"],
      ['an array', [0, 0, 0, 0], InvalidArgumentError, 'z must be a live tf.Tensor1D of length d = 4'],
    ];
    const disposed = tf.zeros([d]);
    disposed.dispose();
    bad.push(['disposed', disposed, InvalidArgumentError, 'z must be a live tf.Tensor1D']);
    const count = tf.memory().numTensors;
    for (const [, z, type, message] of bad) {
      expect(() => opt.setCoordinates(z as tf.Tensor1D)).toThrow(type);
      expect(() => opt.setCoordinates(z as tf.Tensor1D)).toThrow(message);
    }
    expect(tf.memory().numTensors).toBe(count);
    expect(await snapshot(opt, vars)).toEqual(before);

    const values = uniformArray(d, 9);
    const z = tf.tensor1d(values);
    opt.setCoordinates(z);
    z.dispose();
    const q = hostQ(basis);
    const theta0 = opt.origin.dataSync();
    const expected = Float64Array.from(theta0, (t, i) => t + values.reduce((s, c, j) => s + q[i * d + j] * c, 0));
    // θ0 + Q·z in float32 on the device vs float64 on the host: ≤ 4 roundings of values ≤ 3.
    expect(maxDiff(readFlat(vars), expected)).toBeLessThanOrEqual(4 * 2 ** -23 * 3);
    const now = opt.coordinates();
    // A rule's own z is z itself; otherwise z = Qᵀ(θ − θ0) is read back from θ (float32 rounding).
    expect(maxDiff(now.dataSync(), values)).toBeLessThanOrEqual(ownsCoordinates(mode) ? 0 : 1e-5);
    now.dispose();
    const after = await snapshot(opt, vars);
    expect(after.iterations).toBe(before.iterations);
    const innerOf = (s: typeof before) => s.weights.filter(([name]) => name.startsWith('inner/'));
    expect(innerOf(after)).toEqual(innerOf(before));
    // Training continues from there without a tensor leak.
    const steady = tf.memory().numTensors;
    opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: g[i] })));
    expect(tf.memory().numTensors).toBe(steady);
    opt.dispose();
    expect(() => opt.setCoordinates(tf.zeros([d]) as tf.Tensor1D)).toThrow(DisposedError);
    basis.dispose();
    tf.dispose([...vars, ...g, ...bad.map((b) => b[1]).filter((t): t is tf.Tensor => t instanceof tf.Tensor && !t.isDisposed)]);
  });
});
