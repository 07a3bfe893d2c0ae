import * as tf from '@tensorflow/tfjs-core';
import { DtypeError, InvalidArgumentError } from '../errors';
import { thinQr, ThinQrOptions } from '../linalg/qr';
import { gaussianArray } from '../random';
import { Basis, checkAlive, checkDims, checkVector } from './basis';

/**
 * Thin QR of a tall basis: returns the D×d float32 Q with QᵀQ = I and diag(R) > 0 (so Q is unique).
 * Computed in float64 on the CPU by Cholesky-QR twice (O(D·d²) time, O(D·d) memory), never with
 * `tf.linalg.qr` (which builds a D×D matrix). The result is identical on every backend.
 *
 * @example
 * const Q = orthonormalize(tf.randomNormal([1000, 20]));
 * @throws RankDeficientError naming the dependent columns (unless `dropDependent`), NonFiniteError,
 *   InvalidDimensionError when d = 0 or d > D.
 */
export function orthonormalize(E: tf.Tensor2D, opts: ThinQrOptions = {}): tf.Tensor2D {
  const { q, kept } = thinQrOfTensor('orthonormalize', E, opts);
  return tf.tensor2d(q, [E.shape[0], kept.length], 'float32');
}

function thinQrOfTensor(where: string, E: tf.Tensor2D, opts: ThinQrOptions) {
  if (E.rank !== 2) {
    throw new InvalidArgumentError(
      `${where}: the basis must be a 2-D tensor of shape [D, d], got shape [${E.shape.join(', ')}].`,
    );
  }
  if (E.dtype !== 'float32') {
    throw new DtypeError(`${where}: the basis must be float32, got ${E.dtype}. Cast it first.`);
  }
  const [D, d] = E.shape;
  return thinQr(E.dataSync() as Float32Array, D, d, opts);
}

/** A basis that stores Q (D×d float32) and applies it with two matrix–vector products. */
export class DenseBasis implements Basis {
  readonly ambientDim: number;
  readonly dim: number;
  private q: tf.Tensor2D | null;

  /**
   * Wraps an already orthonormal D×d matrix (taken over: the basis disposes it). Prefer
   * {@link denseBasis}, which orthonormalizes first.
   */
  constructor(q: tf.Tensor2D, readonly kind: string = 'dense') {
    this.q = tf.keep(q);
    [this.ambientDim, this.dim] = q.shape;
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
    // A row vector times Q: no transpose flag (slow on wasm), Q read once.
    return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(v, [1, this.ambientDim]), q), [this.dim]));
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    const q = this.matrix('lift');
    checkVector('lift', c, this.dim, 'the coordinates');
    return tf.tidy(() => tf.reshape(tf.matMul(q, tf.reshape(c, [this.dim, 1])), [this.ambientDim]));
  }

  materialize(): tf.Tensor2D {
    return tf.clone(this.matrix('materialize'));
  }

  dispose(): void {
    this.q?.dispose();
    this.q = null;
  }
}

/**
 * A dense basis spanning the columns of E (D×d): Q = thin-QR(E).
 *
 * @example
 * const basis = denseBasis(tf.randomNormal([model.countParams(), 50]));
 */
export function denseBasis(E: tf.Tensor2D, opts: ThinQrOptions = {}): DenseBasis {
  return new DenseBasis(orthonormalize(E, opts), 'dense');
}

/** Options of {@link gaussianBasis}. */
export interface GaussianBasisOptions {
  /** Seed of the generator (any integer). Default 0. The same seed gives the same Q everywhere. */
  seed?: number;
}

/**
 * The random subspace of Li et al. (2018), "Measuring the Intrinsic Dimension of Objective
 * Landscapes": a D×d matrix of seeded standard normals, orthonormalized. Generated and factored in
 * plain JavaScript, so the same seed gives bit-identical Q on cpu, wasm and webgl.
 *
 * @example
 * const basis = gaussianBasis(199210, 750, {seed: 1});
 */
export function gaussianBasis(D: number, d: number, opts: GaussianBasisOptions = {}): DenseBasis {
  checkDims('gaussianBasis', D, d);
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) {
    throw new InvalidArgumentError(`gaussianBasis: seed must be an integer, got ${seed}.`);
  }
  const { q } = thinQr(gaussianArray(D * d, seed), D, d);
  return new DenseBasis(tf.tensor2d(q, [D, d], 'float32'), 'gaussian');
}
