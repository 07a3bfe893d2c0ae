import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { InvalidArgumentError } from '../errors';
import { adjointPair, Basis, checkAlive, checkDims, checkVector } from './basis';

/** Options of {@link hashedBasis}. */
export interface HashedBasisOptions {
  /** Seed of the assignment and the signs (any integer). Default 0. */
  seed?: number;
}

/**
 * A hashed basis (Chen et al. 2015, "Compressing Neural Networks with the Hashing Trick", made
 * orthonormal): every coordinate i of θ belongs to exactly one column col(i), with a random sign
 * s_i, and column j is normalized by √n_j (n_j: its size, ⌊D/d⌋ or ⌈D/d⌉). Disjoint supports make
 * QᵀQ = I exactly. project and lift are one gather and one multiply–sum each: O(D) time, and the
 * basis holds 3·D numbers (weights, order, inverse order) instead of D·d.
 *
 * Layout: the seeded permutation π lists the coordinates so that position k belongs to column
 * k mod d; Qᵀv sums the gathered v∘w in rows of d, Q·c tiles c and gathers it back.
 */
export class HashedBasis implements Basis {
  readonly kind = 'hashed';
  readonly ambientDim: number;
  readonly dim: number;
  readonly seed: number;
  private state: { order: tf.Tensor1D; inverse: tf.Tensor1D; weights: tf.Tensor1D } | null;
  private readonly rows: number;

  constructor(D: number, d: number, seed: number) {
    checkDims('hashedBasis', D, d);
    if (!Number.isInteger(seed)) {
      throw new InvalidArgumentError(`hashedBasis: seed must be an integer, got ${seed}.`);
    }
    this.ambientDim = D;
    this.dim = d;
    this.seed = seed;
    this.rows = Math.ceil(D / d);
    const { order, inverse, weights } = hashedLayout(D, d, seed);
    this.state = tf.tidy(() => ({
      order: tf.keep(tf.tensor1d(order, 'int32')),
      inverse: tf.keep(tf.tensor1d(inverse, 'int32')),
      weights: tf.keep(tf.tensor1d(weights, 'float32')),
    }));
  }

  get isDisposed(): boolean {
    return this.state === null;
  }

  private tensors(where: string) {
    checkAlive(where, this);
    return this.state as NonNullable<HashedBasis['state']>;
  }

  project(v: tf.Tensor1D): tf.Tensor1D {
    this.tensors('project');
    checkVector('project', v, this.ambientDim, 'the vector to project');
    return this.ops.project(v);
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    this.tensors('lift');
    checkVector('lift', c, this.dim, 'the coordinates');
    return this.ops.lift(c);
  }

  // Keeps autodiff off gather's gradient (UnsortedSegmentSum, missing on wasm).
  private readonly ops = adjointPair(
    (v) => this.projectRaw(v),
    (c) => this.liftRaw(c),
  );

  private projectRaw(v: tf.Tensor1D): tf.Tensor1D {
    const { order, weights } = this.tensors('project');
    const { ambientDim: D, dim: d, rows } = this;
    return tf.tidy(() => {
      const ordered = tf.gather(tf.mul(v, weights), order);
      const padded = rows * d > D ? tf.pad(ordered, [[0, rows * d - D]]) : ordered;
      return tf.sum(tf.reshape(padded, [rows, d]), 0) as tf.Tensor1D;
    });
  }

  private liftRaw(c: tf.Tensor1D): tf.Tensor1D {
    const { inverse, weights } = this.tensors('lift');
    const { ambientDim: D, rows } = this;
    return tf.tidy(() => {
      const tiled = tf.reshape(tf.tile(tf.reshape(c, [1, this.dim]), [rows, 1]), [-1]);
      const ordered = rows * this.dim > D ? tf.slice(tiled, 0, D) : tiled;
      return tf.mul(tf.gather(ordered, inverse), weights) as tf.Tensor1D;
    });
  }

  materialize(): tf.Tensor2D {
    this.tensors('materialize');
    const { order, weights } = hashedLayout(this.ambientDim, this.dim, this.seed);
    const q = new Float32Array(this.ambientDim * this.dim);
    order.forEach((i, k) => (q[i * this.dim + (k % this.dim)] = weights[i]));
    return tf.tensor2d(q, [this.ambientDim, this.dim]);
  }

  dispose(): void {
    if (this.state) tf.dispose([this.state.order, this.state.inverse, this.state.weights]);
    this.state = null;
  }
}

/**
 * The seeded layout: `order` (π, a permutation of 0…D−1; position k is in column k mod d),
 * `inverse` (π⁻¹) and the weights w_i = s_i / √n_col(i).
 */
export function hashedLayout(D: number, d: number, seed: number) {
  const rng = seedrandom.alea(`hashed:${seed}`);
  const order = new Int32Array(D);
  for (let i = 0; i < D; i++) order[i] = i;
  for (let i = D - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const inverse = new Int32Array(D);
  order.forEach((i, k) => (inverse[i] = k));
  const full = Math.floor(D / d);
  const extra = D - full * d; // columns 0 … extra−1 have one more coordinate
  const weights = new Float32Array(D);
  order.forEach((i, k) => {
    const j = k % d;
    const n = full + (j < extra ? 1 : 0);
    weights[i] = (rng() < 0.5 ? -1 : 1) / Math.sqrt(n);
  });
  return { order, inverse, weights };
}

/**
 * An exactly orthonormal hashed basis of d columns in R^D, seeded (the same on every backend).
 *
 * @example
 * const basis = hashedBasis(model.countParams(), 1000, {seed: 7});
 */
export function hashedBasis(D: number, d: number, opts: HashedBasisOptions = {}): HashedBasis {
  return new HashedBasis(D, d, opts.seed ?? 0);
}
