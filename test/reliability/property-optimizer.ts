import * as tf from '@tensorflow/tfjs';
import { reparameterizeFunction } from '../../src';
import { equalTolerance, keepsSubspace, ownsCoordinates, wrap } from '../helpers';
import { Case, problemOf } from './arbitraries';
import { atMost, difference, hostQ, hostResidual, makeBasis, makeOptimizer, maxAbsOf, maxDiff, readFlat } from './cases';

/**
 * Property tests of the optimizer wrappers over random variable shapes (scalars to 4-D kernels), D,
 * d ≤ D, every basis kind, both wrappers in every mode and all seven tf.train optimizers, against
 * the reparameterized reference θ0 + Q·z (reparameterizeFunction: autodiff through the basis, an
 * independent path). After every one of STEPS steps:
 * - the cells docs/concepts.md, "The equivalence table", calls equal (coordinates mode; any mode with a linear optimizer) match the
 *   reference to `equalTolerance(STEPS, |θ|∞)` (float32 rounding of a few operations per step);
 * - θ stays in θ0 + span(Q), ‖(I − P)(θ − θ0)‖ ≤ 1e-5·max(1, ‖θ − θ0‖) measured in float64 from Q's
 *   values, in every cell except ambient mode with an adaptive optimizer (documented to leave, except
 *   on a hashed basis, where it provably stays), so parameter projection never leaves;
 * - the live tensor count is the same after every step from the second on, and after dispose.
 * Throws a readable error (see `atMost`) when a claim fails.
 */
const STEPS = 4;

export function checkTrajectory(c: Case): void {
  // The cells' claims come from the rule: one that owns z is the reparameterized model for every
  // optimizer; θ must stay in θ0 + span(Q) where the rule keeps it with this optimizer (and always on
  // a hashed basis, where an element-wise scaling maps span(Q) into itself).
  const keeps = keepsSubspace(c.mode, () => makeOptimizer(c.optimizer).inner);
  const start = tf.memory().numTensors;
  const problem = problemOf(c.shapes, c.seed);
  const variables = problem.variables();
  const basis = makeBasis(c.basis, c.shapes, c.d, c.seed, variables);
  const { inner, kind } = makeOptimizer(c.optimizer);
  const opt = wrap(c.mode, inner, basis, variables);
  const theta0 = readFlat(variables);
  const origin = tf.tensor1d(theta0);
  const rep = reparameterizeFunction((theta) => problem.loss(problem.split(theta)), basis, { origin });
  const refOpt = makeOptimizer(c.optimizer).inner;
  const q = hostQ(basis);
  const equal = ownsCoordinates(c.mode) || kind === 'linear';
  const stays = keeps || c.basis.startsWith('hashed');
  let steadyCount = -1;
  try {
    for (let s = 1; s <= STEPS; s++) {
      opt.minimize(() => problem.loss(variables));
      refOpt.minimize(() => rep.value(), false, [rep.z]);
      const ours = readFlat(variables);
      if (equal) {
        const refT = rep.theta();
        const ref = refT.dataSync();
        refT.dispose();
        const tol = equalTolerance(STEPS, Math.max(maxAbsOf(ours), maxAbsOf(ref)));
        atMost(`step ${s}: max |θ − θ_reparameterized|`, maxDiff(ours, ref), tol);
      }
      if (stays) {
        const r = hostResidual(q, basis.ambientDim, basis.dim, difference(ours, theta0));
        atMost(`step ${s}: ‖(I − P)(θ − θ0)‖ / max(1, ‖θ − θ0‖)`, r.distance / Math.max(1, r.displacement), 1e-5);
      }
      if (s === 1) steadyCount = tf.memory().numTensors;
      else atMost(`step ${s}: tensors beyond the count after step 1`, Math.abs(tf.memory().numTensors - steadyCount), 0);
    }
  } finally {
    opt.dispose();
    refOpt.dispose();
    tf.dispose(Object.values(refOpt).filter((v) => v instanceof tf.Tensor && !v.isDisposed)); // tfjs#4647
    rep.dispose();
    basis.dispose();
    tf.dispose([origin, ...variables]);
    problem.dispose();
  }
  atMost('tensors left after dispose', Math.abs(tf.memory().numTensors - start), 0);
}
