import * as tf from '@tensorflow/tfjs';
import { uniformArray } from '../helpers';
import { orthonormalityError } from '../linalg/orthonormality';
import { Case } from './arbitraries';
import { atMost, makeBasis, maxAbsOf, maxDiff } from './cases';

/**
 * The basis properties over random shapes, D, d ≤ D and every kind (the optimizer fields of the case
 * are ignored):
 * - QᵀQ = I on the materialized float32 Q, in float64: ≤ 1e-6 (Q is orthonormal to float64 rounding
 *   before it is stored; rounding to float32 moves each entry by ≤ 6e-8 relative, and a Gram entry
 *   sums D such products of unit-norm columns: ≤ 2·6e-8, with margin);
 * - lift∘project is idempotent: ‖P(Pv) − Pv‖∞ ≤ 1e-5·max(1, ‖v‖∞) for a seeded v (each application
 *   rounds two float32 matrix–vector products of length ≤ D);
 * - project∘lift is the identity on R^d (QᵀQc = c) to the same tolerance;
 * - no tensor is left behind.
 */
export function checkBasis(c: Case): void {
  const start = tf.memory().numTensors;
  const basis = makeBasis(c.basis, c.shapes, c.d, c.seed);
  try {
    const [D, d] = [basis.ambientDim, basis.dim];
    atMost('|D − Σ sizes|', Math.abs(D - c.D), 0);
    const q = basis.materialize();
    const values = q.dataSync() as Float32Array;
    q.dispose();
    atMost('max |QᵀQ − I|', orthonormalityError(values, D, d), 1e-6);

    const vArr = uniformArray(D, c.seed + 17);
    const cArr = uniformArray(d, c.seed + 18);
    const [pv, ppv, qtqc] = tf.tidy(() => {
      const v = tf.tensor1d(vArr);
      const p1 = basis.lift(basis.project(v));
      const p2 = basis.lift(basis.project(p1));
      const back = basis.project(basis.lift(tf.tensor1d(cArr)));
      return [p1, p2, back].map((t) => t.dataSync() as Float32Array);
    });
    const tol = 1e-5 * Math.max(1, maxAbsOf(vArr));
    atMost('max |P(Pv) − Pv|', maxDiff(ppv, pv), tol);
    atMost('max |QᵀQc − c|', maxDiff(qtqc, cArr), 1e-5 * Math.max(1, maxAbsOf(cArr)));
  } finally {
    basis.dispose();
  }
  atMost('tensors left after dispose', Math.abs(tf.memory().numTensors - start), 0);
}
