import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { Basis, checkAlive, checkDims, checkVector } from '../../src/basis/basis';
import type { SeededBasisKind } from '../../src/basis/kinds';
import { rememberSpec } from '../../src/basis/spec';
import { checkSeed, shuffled } from '../../src/random';

/**
 * A throwaway seeded basis kind for test/recipes.test.ts, written as docs/contributing.md, "Adding a
 * basis kind", step 1 says (the one file; it would be src/basis/axes.ts): Q is d signed coordinate
 * axes of R^D, chosen by the seed — column j is ±e_{π(j)} for a seeded permutation π. Orthonormal
 * exactly; stored densely and applied with tf ops (a test kind needs no speed).
 */
export class AxesBasis implements Basis {
  readonly kind = 'axes';
  private q: tf.Tensor2D | null;

  constructor(
    readonly ambientDim: number,
    readonly dim: number,
    readonly seed: number,
  ) {
    const rng = seedrandom.alea(`axes${seed}`);
    const axes = shuffled(ambientDim, rng);
    const values = new Float32Array(ambientDim * dim);
    for (let j = 0; j < dim; j++) values[axes[j] * dim + j] = rng() < 0.5 ? -1 : 1;
    this.q = tf.keep(tf.tensor2d(values, [ambientDim, dim]));
  }

  get isDisposed(): boolean {
    return this.q === null;
  }

  private matrix(where: string): tf.Tensor2D {
    checkAlive(where, this);
    return this.q as tf.Tensor2D;
  }

  project(v: tf.Tensor1D): tf.Tensor1D {
    const q = this.matrix('project');
    checkVector('project', v, this.ambientDim, 'the vector to project');
    return tf.tidy(() => tf.reshape(tf.matMul(q, tf.reshape(v, [-1, 1]), true, false), [-1]) as tf.Tensor1D);
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    const q = this.matrix('lift');
    checkVector('lift', c, this.dim, 'the coordinates');
    return tf.tidy(() => tf.reshape(tf.matMul(q, tf.reshape(c, [-1, 1])), [-1]) as tf.Tensor1D);
  }

  materialize(): tf.Tensor2D {
    return tf.clone(this.matrix('materialize'));
  }

  dispose(): void {
    this.q?.dispose();
    this.q = null;
  }
}

/** The kind's factory: validates with checkDims and checkSeed and records its spec. */
export function axesBasis(D: number, d: number, opts: { seed?: number } = {}): AxesBasis {
  checkDims('axesBasis', D, d);
  const seed = checkSeed('axesBasis', opts?.seed);
  // A kind registered at run time is not a key the compiler knows (registerSeededKind, src/basis/kinds.ts).
  return rememberSpec(new AxesBasis(D, d, seed), { kind: 'axes' as SeededBasisKind, D, d, seed });
}
