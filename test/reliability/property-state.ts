import * as tf from '@tensorflow/tfjs';
import { wrap } from '../helpers';
import { Case, problemOf } from './arbitraries';
import { atMost, bitsOf, makeBasis, makeOptimizer, readFlat } from './cases';

/**
 * getWeights → setWeights round trip over random cases: optimizer A takes BEFORE steps; B (a fresh
 * wrapper with a fresh inner optimizer over other variables that are then given A's values) restores
 * A's weights; both take AFTER more steps, and B's variables must equal A's bit for bit after every
 * one (the same float32 operations on the same inputs). One basis serves both optimizers. Tensor
 * counts: the restore copies what it receives (disposing the saved list afterwards changes nothing
 * in B), and everything is freed on dispose.
 */
const BEFORE = 3;
const AFTER = 3;

export async function checkRoundTrip(c: Case): Promise<void> {
  const start = tf.memory().numTensors;
  const problem = problemOf(c.shapes, c.seed);
  const a = problem.variables();
  const b = problem.variables(1);
  const basis = makeBasis(c.basis, c.shapes, c.d, c.seed, a);
  const optA = wrap(c.mode, makeOptimizer(c.optimizer).inner, basis, a);
  try {
    for (let s = 0; s < BEFORE; s++) optA.minimize(() => problem.loss(a));
    b.forEach((v, i) => v.assign(a[i]));
    const optB = wrap(c.mode, makeOptimizer(c.optimizer).inner, basis, b);
    try {
      const saved = await optA.getWeights();
      await optB.setWeights(saved);
      saved[0].tensor.dispose(); // the iteration count is a new tensor; the rest are A's own variables
      atMost('|iterations B − iterations A|', Math.abs(optB.iterations - optA.iterations), 0);
      let steady = -1;
      for (let s = 1; s <= AFTER; s++) {
        optA.minimize(() => problem.loss(a));
        optB.minimize(() => problem.loss(b));
        const [ta, tb] = [bitsOf(readFlat(a)), bitsOf(readFlat(b))];
        const differing = ta.filter((x, i) => x !== tb[i]).length;
        atMost(`step ${s} after the restore: entries of θ that differ in their bits`, differing, 0);
        if (s === 1) steady = tf.memory().numTensors;
        else atMost(`step ${s}: tensors beyond the count after step 1`, Math.abs(tf.memory().numTensors - steady), 0);
      }
    } finally {
      optB.dispose();
    }
  } finally {
    optA.dispose();
    basis.dispose();
    tf.dispose([...a, ...b]);
    problem.dispose();
  }
  atMost('tensors left after dispose', Math.abs(tf.memory().numTensors - start), 0);
}
