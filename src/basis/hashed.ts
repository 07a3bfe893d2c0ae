import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { shuffled } from '../random';
import { rememberSpec } from './spec';
import { checkAlive } from './basis';
import { checkStructuredOptions, OperatorBasis, StructuredBasisOptions } from './operator';
import { HashedArrays } from './hashed-arrays';
import { Engine } from '../linalg/engine';

/**
 * Options of {@link hashedBasis} and `new HashedBasis(D, d, opts)`: `seed` (of the assignment and
 * the signs) and `compute` — 'arrays': one sequential pass over θ (WebAssembly SIMD, or JavaScript
 * loops with the same bits); 'tf': gather/tile tf ops (no download: webgl/webgpu); 'auto' (default).
 */
export type HashedBasisOptions = StructuredBasisOptions;

/**
 * A hashed basis (Chen et al. 2015, "Compressing Neural Networks with the Hashing Trick", made
 * orthonormal): every coordinate i of θ belongs to exactly one column col(i), with a random sign
 * s_i, and column j is normalized by √n_j (n_j: its size, ⌊D/d⌋ or ⌈D/d⌉). Disjoint supports make
 * QᵀQ = I exactly. project and lift are O(D): c[col(i)] += w_i·v_i and (Qc)_i = w_i·c[col(i)], one
 * sequential pass over θ with c in cache; the basis holds 2·D numbers (col, w) instead of D·d.
 *
 * The tf-op path (webgl) uses the seeded permutation π that lists the coordinates so that position
 * k belongs to column k mod d: Qᵀv sums the gathered v∘w in rows of d, Q·c tiles c and gathers it back.
 */
export class HashedBasis extends OperatorBasis {
  readonly kind = 'hashed';
  private col: Int32Array | null;
  private w: Float32Array | null;
  private state: { order: tf.Tensor1D; inverse: tf.Tensor1D; weights: tf.Tensor1D } | null = null;
  private arrays: HashedArrays | null = null;
  private readonly rows: number;

  /** The same options as {@link hashedBasis}; a bare seed as third argument (the old signature) throws. */
  constructor(D: number, d: number, opts: HashedBasisOptions = {}) {
    super('HashedBasis', D, d, opts);
    this.rows = Math.ceil(D / d);
    // The typed arrays now unless the tf path is certain: col and w are written into them.
    this.arrays = this.useTf() ? null : new HashedArrays(D, d);
    [this.col, this.w] = columnsAndWeights(D, d, this.seed, this.arrays ?? undefined);
  }

  get isDisposed(): boolean {
    return this.col === null;
  }

  /** The tf-op tensors, built on first use of the 'tf' path (in a scope of their own). */
  private tensors(): NonNullable<HashedBasis['state']> {
    if (!this.state) this.state = assignmentTensors(this.ambientDim, this.dim, this.seed);
    return this.state;
  }

  protected projectArrays(x: Float32Array): Float32Array {
    return this.typedArrays().project(x);
  }

  protected liftInto(z: Float32Array, out: Float32Array, base?: Float32Array): void {
    this.typedArrays().liftInto(z, out, base);
  }

  /** The typed arrays (made here if the basis was built for the tf path and is now used on cpu/wasm). */
  private typedArrays(): HashedArrays {
    if (!this.arrays) {
      const arrays = new HashedArrays(this.ambientDim, this.dim);
      arrays.col.set(this.col as Int32Array);
      arrays.w.set(this.w as Float32Array);
      [this.arrays, this.col, this.w] = [arrays, arrays.col, arrays.w]; // the JS copies are dropped
    }
    return this.arrays;
  }

  /** The engine compute 'arrays' runs on: 'simd' (WebAssembly SIMD) or 'loops' (JavaScript loops). */
  get engine(): Engine {
    return this.typedArrays().engine;
  }

  protected projectTf(v: tf.Tensor1D): tf.Tensor1D {
    const { order, weights } = this.tensors();
    const { ambientDim: D, dim: d, rows } = this;
    return tf.tidy(() => {
      const ordered = tf.gather(tf.mul(v, weights), order);
      const padded = rows * d > D ? tf.pad(ordered, [[0, rows * d - D]]) : ordered;
      return tf.sum(tf.reshape(padded, [rows, d]), 0) as tf.Tensor1D;
    });
  }

  protected liftTf(c: tf.Tensor1D): tf.Tensor1D {
    const { inverse, weights } = this.tensors();
    const { ambientDim: D, rows } = this;
    return tf.tidy(() => {
      const tiled = tf.reshape(tf.tile(tf.reshape(c, [1, this.dim]), [rows, 1]), [-1]);
      const ordered = rows * this.dim > D ? tf.slice(tiled, 0, D) : tiled;
      return tf.mul(tf.gather(ordered, inverse), weights) as tf.Tensor1D;
    });
  }

  materialize(): tf.Tensor2D {
    checkAlive('materialize', this);
    const [col, w] = [this.col as Int32Array, this.w as Float32Array];
    const q = new Float32Array(this.ambientDim * this.dim);
    for (let i = 0; i < col.length; i++) q[i * this.dim + col[i]] = w[i];
    return tf.tensor2d(q, [this.ambientDim, this.dim]);
  }

  dispose(): void {
    if (this.state) tf.dispose([this.state.order, this.state.inverse, this.state.weights]);
    this.state = null;
    this.col = this.w = null;
    this.arrays = null;
  }
}

/** col(i) and w_i for every coordinate (the assignment without the permutation arrays), into `into` if given. */
function columnsAndWeights(D: number, d: number, seed: number, into?: { col: Int32Array; w: Float32Array }): [Int32Array, Float32Array] {
  const { order, weights } = hashedAssignment(D, d, seed);
  const col = into?.col ?? new Int32Array(D);
  order.forEach((i, k) => (col[i] = k % d));
  if (!into) return [col, weights];
  into.w.set(weights);
  return [col, into.w];
}

function assignmentTensors(D: number, d: number, seed: number) {
  const { order, inverse, weights } = hashedAssignment(D, d, seed);
  return tf.tidy(() => ({
    order: tf.keep(tf.tensor1d(order, 'int32')),
    inverse: tf.keep(tf.tensor1d(inverse, 'int32')),
    weights: tf.keep(tf.tensor1d(weights, 'float32')),
  }));
}

/**
 * The seeded assignment of coordinates to columns: `order` (π, a permutation of 0…D−1; position k is
 * in column k mod d), `inverse` (π⁻¹) and the weights w_i = s_i / √n_col(i).
 */
export function hashedAssignment(D: number, d: number, seed: number) {
  const rng = seedrandom.alea(`hashed:${seed}`);
  const order = shuffled(D, rng);
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
 * const basis = hashedBasis(trainableParameterCount(model), 1000, {seed: 7});
 */
export function hashedBasis(D: number, d: number, opts: HashedBasisOptions = {}): HashedBasis {
  checkStructuredOptions('hashedBasis', D, d, opts);
  const basis = new HashedBasis(D, d, opts);
  return rememberSpec(basis, { kind: 'hashed', D, d, seed: basis.seed });
}
