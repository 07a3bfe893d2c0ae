import * as tf from '@tensorflow/tfjs';
import { gaussianBasis } from '../../src';
import { BACKENDS, equalTolerance, uniformArray, useBackend, wrap } from '../helpers';
import { bitsOf, hostQ, maxAbsOf, maxDiff, readFlat } from '../reliability/cases';

/**
 * A null/undefined gradient in ambient and parameters modes means what it means to tf.train: that
 * variable and its slots are not touched by the inner optimizer in that step (not a zero gradient,
 * which would still decay Adam's moments and move the variable). Reference: a plain tf.train.adam on
 * twin variables, fed the same gradients (projected with Q's values in float64 on the host in ambient
 * mode) with the same nulls; in parameters mode θ is then projected onto θ0 + span(Q) on the host.
 */

const D = 10;
const d = 4;

function makeVars(): tf.Variable[] {
  return [
    tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(6, 1, 0.5), [3, 2]))),
    tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(4, 2, 0.5)))),
  ];
}

/** Pv = Q(Qᵀv) in float64 from Q's values. */
function hostProject(q: Float64Array, v: ArrayLike<number>): Float64Array {
  const c = new Float64Array(d);
  for (let i = 0; i < D; i++) for (let j = 0; j < d; j++) c[j] += q[i * d + j] * v[i];
  return Float64Array.from({ length: D }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += q[i * d + j] * c[j];
    return s;
  });
}

function split(flat: ArrayLike<number>): tf.Tensor[] {
  return [tf.tensor2d(Array.from(flat).slice(0, 6), [3, 2]), tf.tensor1d(Array.from(flat).slice(6))];
}

/** The slot variables of a tf.train.adam, by position (the first moment). */
function firstMoment(opt: tf.Optimizer, i: number): tf.Variable {
  return (opt as unknown as { accumulatedFirstMoment: Array<{ variable: tf.Variable }> }).accumulatedFirstMoment[i].variable;
}

describe.each(BACKENDS)('null gradients on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(['ambient', 'parameters'] as const)('%s mode: the variable without a gradient and its slots are left alone, as by tf.train.adam', (mode) => {
    const [mine, twin] = [makeVars(), makeVars()];
    const basis = gaussianBasis(D, d, { seed: 5 });
    const q = hostQ(basis);
    const opt = wrap(mode, tf.train.adam(0.05), basis, mine);
    const reference = tf.train.adam(0.05);
    const theta0 = Float64Array.from(readFlat(twin));
    // Step 2 has no gradient for the second variable.
    const grads = [0, 1, 2].map((s) => Float64Array.from(uniformArray(D, 40 + s)));
    const present = [[true, true], [true, false], [true, true]];
    for (let s = 0; s < 3; s++) {
      const g = grads[s].map((v, i) => (i >= 6 && !present[s][1] ? 0 : v));
      const parts = split(Float32Array.from(g));
      const before = s > 0 ? { b: bitsOf(readFlat([mine[1]])), slot: bitsOf(readFlat([firstMoment(opt.inner, 1)])) } : null;
      opt.applyGradients(mine.map((v, i) => ({ name: v.name, tensor: present[s][i] ? parts[i] : (null as unknown as tf.Tensor) })));
      // The reference: tf.train.adam itself, with the same null.
      const fed = split(Float32Array.from(mode === 'ambient' ? hostProject(q, g) : g));
      reference.applyGradients(twin.map((v, i) => ({ name: v.name, tensor: present[s][i] ? fed[i] : (null as unknown as tf.Tensor) })));
      if (mode === 'parameters') {
        const theta = readFlat(twin);
        const delta = theta.map((v, i) => v - theta0[i]);
        const projected = hostProject(q, delta).map((v, i) => theta0[i] + v);
        split(Float32Array.from(projected)).forEach((t, i) => {
          twin[i].assign(t);
          t.dispose();
        });
      }
      tf.dispose([...parts, ...fed]);
      const [a, b] = [readFlat(mine), readFlat(twin)];
      // Two computations of the same steps (float32 on the device vs a float64 projection): equal
      // up to float32 rounding, equalTolerance(steps, |θ|∞).
      expect(maxDiff(a, b)).toBeLessThanOrEqual(equalTolerance(s + 1, maxAbsOf(b)));
      const slots = [opt.inner, reference].map((o) => readFlat([firstMoment(o, 1)]));
      expect(maxDiff(slots[0], slots[1])).toBeLessThanOrEqual(equalTolerance(s + 1, 1));
      if (before && !present[s][1]) {
        expect(bitsOf(readFlat([firstMoment(opt.inner, 1)]))).toEqual(before.slot);
        if (mode === 'ambient') expect(bitsOf(readFlat([mine[1]]))).toEqual(before.b);
      }
    }
    opt.dispose();
    reference.dispose();
    basis.dispose();
    tf.dispose([...mine, ...twin]);
  });
});
