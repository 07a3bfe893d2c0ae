import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { Mode, MODES, uniformArray } from '../helpers';
import { ambientDimOf, BASIS_KINDS, BasisKind, OPTIMIZER_NAMES } from './cases';

/**
 * fast-check generators for the property suites. A case is plain data (shapes, numbers and names,
 * no tensors or functions), so a shrunk counterexample prints as a readable record such as
 * `{"shapes":[[],[2,1,1,3]],"D":7,"d":2,"basis":"srht","optimizer":"adam","mode":"ambient","seed":3}`.
 */

/** A variable shape of rank 0 (a scalar) to 4 (a conv kernel), each dimension 1…4. */
export const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

/** One to four variables: D from 1 (a single scalar) to 1024. */
export const shapesArb = fc.array(shapeArb, { minLength: 1, maxLength: 4 });

export interface Case {
  shapes: number[][];
  /** Σ sizes. */
  D: number;
  /** 1 ≤ d ≤ D. */
  d: number;
  basis: BasisKind;
  optimizer: string;
  mode: Mode;
  seed: number;
}

/** Random variable shapes, d ≤ D (up to 16), every basis kind, optimizer and mode. */
export const caseArb: fc.Arbitrary<Case> = fc
  .record({
    shapes: shapesArb,
    dWanted: fc.integer({ min: 1, max: 16 }),
    basis: fc.constantFrom(...BASIS_KINDS),
    optimizer: fc.constantFrom(...OPTIMIZER_NAMES),
    mode: fc.constantFrom(...MODES),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  .map(({ shapes, dWanted, basis, optimizer, mode, seed }) => {
    const D = ambientDimOf(shapes);
    return { shapes, D, d: Math.min(dWanted, D), basis, optimizer, mode, seed };
  });

/**
 * Seeded float32 variables of the given shapes (values in [−0.5, 0.5)) and a smooth loss of them,
 * L = Σ_i Σ w_i ⊙ (tanh(v_i) − t_i)², with seeded weights w_i ∈ [0.5, 1.5) and targets t_i. The loss is
 * written over a list of tensors, so the same function can be evaluated on the variables (wrapper
 * path) or on θ0 + Q·z split by the test itself (reparameterized path).
 */
export function problemOf(shapes: number[][], seed: number) {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const make = (salt: number) =>
    shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(uniformArray(sizes[i], seed * 7919 + salt + i, 0.5), s))));
  const weights = shapes.map((s, i) => tf.tidy(() => tf.add(1, tf.tensor(uniformArray(sizes[i], seed * 31 + 1000 + i, 0.5), s))));
  const targets = shapes.map((s, i) => tf.tensor(uniformArray(sizes[i], seed * 31 + 2000 + i, 0.8), s));
  const loss = (parts: tf.Tensor[]): tf.Scalar =>
    tf.tidy(() => tf.addN(parts.map((p, i) => tf.sum(tf.mul(weights[i], tf.square(tf.sub(tf.tanh(p), targets[i])))))) as tf.Scalar);
  /** θ split into tensors shaped like the variables (the test's own split, not the library's). */
  const split = (theta: tf.Tensor1D): tf.Tensor[] => {
    let offset = 0;
    return shapes.map((s, i) => {
      const part = tf.reshape(tf.slice(theta, [offset], [sizes[i]]), s);
      offset += sizes[i];
      return part;
    });
  };
  return {
    sizes,
    /** A fresh set of variables; salt 0 is "the" initial point, other salts other points. */
    variables: (salt = 0) => make(salt),
    loss,
    split,
    dispose: () => tf.dispose([...weights, ...targets]),
  };
}
