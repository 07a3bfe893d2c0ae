import * as tf from '@tensorflow/tfjs-core';
import { DtypeError, InvalidArgumentError } from '../errors';
import { times, transposedTimes } from '../linalg/matvec';
import { thinQr, ThinQrOptions } from '../linalg/qr';
import { gaussianArray } from '../random';
import { adjointPair, Basis, checkAlive, checkDims, checkVector } from './basis';
import { rememberSpec } from './spec';

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

/** Where a dense basis keeps Q. */
export interface DenseStorageOptions {
  /**
   * 'tensor': Q (and Qᵀ, see `layout`) as tensors on the backend. 'host': Q as a float32 typed array
   * in JavaScript memory, applied with plain loops (reads the vector from the device) — for bases
   * larger than a backend's memory (the wasm heap holds 4 GB in all). 'auto' (default): 'host' when
   * the tensors would take more than 1.5 GiB, else 'tensor'.
   */
  storage?: 'auto' | 'tensor' | 'host';
  /**
   * 'both' (default): keep Qᵀ beside Q so that both products are a row vector times a matrix (the
   * fast case of the wasm and cpu matMul; Q·c with Q as the left operand is 3–4× slower on wasm),
   * at twice the memory. 'single': only Q.
   */
  layout?: 'both' | 'single';
}

const HOST_THRESHOLD_BYTES = 1.5 * 2 ** 30;

/** A basis that stores Q (D×d float32) and applies it with two matrix–vector products. */
export class DenseBasis implements Basis {
  readonly ambientDim: number;
  readonly dim: number;
  readonly storage: 'tensor' | 'host';
  private q: tf.Tensor2D | null = null;
  private qT: tf.Tensor2D | null = null;
  private host: Float32Array | null = null;
  private disposed = false;

  /**
   * Wraps an already orthonormal D×d matrix — a tensor (taken over: the basis disposes it) or a
   * row-major Float32Array with its shape. Prefer {@link denseBasis}, which orthonormalizes first.
   */
  constructor(
    q: tf.Tensor2D | { values: Float32Array; shape: [number, number] },
    readonly kind: string = 'dense',
    opts: DenseStorageOptions = {},
  ) {
    const layout = opts.layout ?? 'both';
    const storage = opts.storage ?? 'auto';
    if (!['both', 'single'].includes(layout) || !['auto', 'tensor', 'host'].includes(storage)) {
      throw new InvalidArgumentError(
        `DenseBasis: layout must be 'both' or 'single' and storage 'auto', 'tensor' or 'host'.`,
      );
    }
    [this.ambientDim, this.dim] = q.shape;
    const bytes = this.ambientDim * this.dim * 4 * (layout === 'both' ? 2 : 1);
    this.storage = storage === 'host' || (storage === 'auto' && bytes > HOST_THRESHOLD_BYTES) ? 'host' : 'tensor';
    if (this.storage === 'host') {
      this.host = q instanceof tf.Tensor ? (q.dataSync() as Float32Array).slice() : q.values;
      if (q instanceof tf.Tensor) q.dispose();
      return;
    }
    try {
      const t = q instanceof tf.Tensor ? q : tf.tensor2d(q.values, q.shape);
      this.q = tf.keep(t);
      if (layout === 'both') this.qT = tf.tidy(() => tf.keep(tf.transpose(t) as tf.Tensor2D));
    } catch (e) {
      this.q?.dispose();
      throw new InvalidArgumentError(
        `DenseBasis: a ${this.ambientDim}×${this.dim} basis does not fit in the ${tf.getBackend()} ` +
          `backend's memory (${(e as Error).message}); create it with {storage: 'host'}.`,
      );
    }
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  project(v: tf.Tensor1D): tf.Tensor1D {
    checkAlive('project', this);
    checkVector('project', v, this.ambientDim, 'the vector to project');
    if (this.host) return this.hostOps.project(v);
    // A row vector times Q: no transpose flag (slow on wasm), Q read once.
    const q = this.q as tf.Tensor2D;
    return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(v, [1, this.ambientDim]), q), [this.dim]));
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    checkAlive('lift', this);
    checkVector('lift', c, this.dim, 'the coordinates');
    if (this.host) return this.hostOps.lift(c);
    const { q, qT } = this;
    return tf.tidy(() =>
      qT
        ? tf.reshape(tf.matMul(tf.reshape(c, [1, this.dim]), qT), [this.ambientDim])
        : tf.reshape(tf.matMul(q as tf.Tensor2D, tf.reshape(c, [this.dim, 1])), [this.ambientDim]),
    );
  }

  // Host storage: plain loops over the typed array.
  private readonly hostOps = adjointPair(
    (v) => tf.tensor1d(transposedTimes(this.host as Float32Array, this.ambientDim, this.dim, v.dataSync())),
    (c) => tf.tensor1d(times(this.host as Float32Array, this.ambientDim, this.dim, c.dataSync())),
  );

  materialize(): tf.Tensor2D {
    checkAlive('materialize', this);
    return this.host ? tf.tensor2d(this.host, [this.ambientDim, this.dim]) : tf.clone(this.q as tf.Tensor2D);
  }

  dispose(): void {
    tf.dispose([this.q, this.qT].filter((t): t is tf.Tensor2D => t !== null));
    this.q = this.qT = this.host = null;
    this.disposed = true;
  }
}

/**
 * A dense basis spanning the columns of E (D×d): Q = thin-QR(E).
 *
 * @example
 * const basis = denseBasis(tf.randomNormal([model.countParams(), 50]));
 */
export function denseBasis(E: tf.Tensor2D, opts: ThinQrOptions & DenseStorageOptions = {}): DenseBasis {
  const { q, kept } = thinQrOfTensor('denseBasis', E, opts);
  return new DenseBasis({ values: q, shape: [E.shape[0], kept.length] }, 'dense', opts);
}

/** Options of {@link gaussianBasis}. */
export interface GaussianBasisOptions extends DenseStorageOptions {
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
  return rememberSpec(new DenseBasis({ values: q, shape: [D, d] }, 'gaussian', opts), { kind: 'gaussian', D, d, seed });
}
