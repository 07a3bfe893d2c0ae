import * as tf from '@tensorflow/tfjs-core';
import { readFloat32, writeFloat32 } from '../backends/host-arrays';
import { checkFloat32Tensors, gpuHoldsBasis } from '../backends/precision';
import { DimensionMismatchError, DtypeError, InvalidArgumentError } from '../errors';
import { times, transposedTimes } from '../linalg/matvec';
import { thinQr, ThinQrOptions } from '../linalg/qr';
import { DenseKernel } from '../linalg/wasm/dense-kernel';
import { gaussianArray } from '../random';
import { adjointPair, Basis, checkAlive, checkDims, checkVector, HostOperator, makeHostOperator } from './basis';
import { currentBackend } from './operator';
import { rememberSpec } from './spec';

/**
 * Thin QR of a tall basis: returns the D×d float32 Q with ‖QᵀQ − I‖∞ ≤ 1e-6 (checked) and diag(R) > 0
 * (so Q is unique). Computed in float64 on the CPU by {@link thinQr}: Cholesky-QR when E is well
 * conditioned, block Gram–Schmidt twice otherwise (O(D·d²) time, O(D·d) memory), never with
 * `tf.linalg.qr` (which builds a D×D matrix). The result is identical on every backend. A column is
 * dependent when its distance to the span of the columns kept before it is below rankTol·its norm.
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
   * 'kernel': Q in its own WebAssembly memory, applied by SIMD kernels that stream four rows at once
   * (and use helper threads after `useWorkerThreads()` from 'tfjs-subspace/node'); vectors are read
   * from and written to the backend (fastest on cpu and wasm; up to 4 GiB of Q). 'tensor': Q (and Qᵀ,
   * see `layout`) as tensors on the backend: no download (webgl, webgpu). 'host': Q as a float32
   * typed array in JavaScript memory, applied with plain loops — for bases past 4 GiB. 'auto'
   * (default): 'tensor' on a GPU backend, else 'kernel' where it runs and fits, else 'tensor' up to
   * 1.5 GiB, else 'host'.
   */
  storage?: 'auto' | 'kernel' | 'tensor' | 'host';
  /**
   * For storage 'tensor'. 'both' (default): keep Qᵀ beside Q so that both products are a row vector
   * times a matrix (the fast case of the wasm and cpu matMul; Q·c with Q as the left operand is
   * 3–4× slower on wasm), at twice the memory. 'single': only Q.
   */
  layout?: 'both' | 'single';
}

const HOST_THRESHOLD_BYTES = 1.5 * 2 ** 30;
const STORAGES = ['auto', 'kernel', 'tensor', 'host'];

/** A basis that stores Q (D×d float32) and applies it with two matrix–vector products. */
export class DenseBasis implements Basis {
  readonly ambientDim: number;
  readonly dim: number;
  readonly storage: 'kernel' | 'tensor' | 'host';
  private q: tf.Tensor2D | null = null;
  private qT: tf.Tensor2D | null = null;
  private host: Float32Array | null = null;
  private kernel: DenseKernel | null = null;
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
    if (!['both', 'single'].includes(layout) || !STORAGES.includes(storage)) {
      throw new InvalidArgumentError(
        `DenseBasis: layout must be 'both' or 'single' and storage 'auto', 'kernel', 'tensor' or 'host'.`,
      );
    }
    [this.ambientDim, this.dim] = q.shape;
    checkDims('DenseBasis', this.ambientDim, this.dim);
    if (!(q instanceof tf.Tensor) && q.values.length !== this.ambientDim * this.dim) {
      throw new DimensionMismatchError(
        `DenseBasis: values has ${q.values.length} numbers, but shape [${q.shape.join(', ')}] needs ` +
          `${this.ambientDim * this.dim}; pass the row-major D×d matrix with its shape.`,
      );
    }
    const gpu = ['webgl', 'webgpu'].includes(currentBackend()) && gpuHoldsBasis('DenseBasis', this.ambientDim); // backends/precision.ts
    if (storage === 'kernel' || (storage === 'auto' && !gpu)) this.kernel = DenseKernel.create(this.ambientDim, this.dim);
    if (storage === 'kernel' && !this.kernel) {
      throw new InvalidArgumentError(
        `DenseBasis: storage 'kernel' needs WebAssembly SIMD and at most 4 GiB for Q ` +
          `(${this.ambientDim}×${this.dim}); use storage 'tensor' or 'host'.`,
      );
    }
    const bytes = this.ambientDim * this.dim * 4 * (layout === 'both' ? 2 : 1);
    this.storage = this.kernel ? 'kernel' : storage === 'host' || (storage === 'auto' && bytes > HOST_THRESHOLD_BYTES) ? 'host' : 'tensor';
    if (this.storage === 'tensor') checkFloat32Tensors('DenseBasis', `storage 'tensor' (Q as a tensor)`, `Pass { storage: 'host' } (Q exact on the host). `);
    if (this.storage !== 'tensor') {
      const values = q instanceof tf.Tensor ? (q.dataSync() as Float32Array) : q.values;
      if (this.kernel) this.kernel.setRows(values);
      else this.host = q instanceof tf.Tensor ? values.slice() : values;
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
    if (this.kernel || this.host) return this.hostOps.project(v);
    // A row vector times Q: no transpose flag (slow on wasm), Q read once.
    const q = this.q as tf.Tensor2D;
    return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(v, [1, this.ambientDim]), q), [this.dim]));
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    checkAlive('lift', this);
    checkVector('lift', c, this.dim, 'the coordinates');
    if (this.kernel || this.host) return this.hostOps.lift(c);
    const { q, qT } = this;
    return tf.tidy(() =>
      qT
        ? tf.reshape(tf.matMul(tf.reshape(c, [1, this.dim]), qT), [this.ambientDim])
        : tf.reshape(tf.matMul(q as tf.Tensor2D, tf.reshape(c, [this.dim, 1])), [this.ambientDim]),
    );
  }

  /**
   * Qᵀx and θ0 + Q·z on typed arrays when Q is in a kernel memory (storage 'kernel'), so that an
   * optimizer step reads g and writes θ once each; null for the other storages.
   */
  hostOperator(): HostOperator | null {
    const kernel = this.kernel;
    if (!kernel) return null;
    checkAlive('hostOperator', this);
    return makeHostOperator(this.ambientDim, (x) => kernel.project(x), (z, out, base) => kernel.liftInto(z, out, base));
  }

  // Kernel and host storage: the vector is read in place; the kernel writes Q·c straight into the output.
  private readonly hostOps = adjointPair(
    (v) => {
      const x = readFloat32(v);
      return tf.tensor1d(this.kernel ? this.kernel.project(x) : transposedTimes(this.host as Float32Array, this.ambientDim, this.dim, x));
    },
    (c) => {
      const z = c.dataSync() as Float32Array; // d numbers, read before the output is allocated
      if (this.kernel) {
        const kernel = this.kernel;
        return writeFloat32(this.ambientDim, (out) => kernel.liftInto(z, out));
      }
      return tf.tensor1d(times(this.host as Float32Array, this.ambientDim, this.dim, z));
    },
  );

  materialize(): tf.Tensor2D {
    checkAlive('materialize', this);
    if (this.kernel) return tf.tensor2d(this.kernel.getRows(), [this.ambientDim, this.dim]);
    return this.host ? tf.tensor2d(this.host, [this.ambientDim, this.dim]) : tf.clone(this.q as tf.Tensor2D);
  }

  dispose(): void {
    tf.dispose([this.q, this.qT].filter((t): t is tf.Tensor2D => t !== null));
    this.kernel?.dispose();
    this.q = this.qT = this.host = this.kernel = null;
    this.disposed = true;
  }
}

/**
 * A dense basis spanning the columns of E (D×d): Q = thin-QR(E).
 *
 * @example
 * const basis = denseBasis(tf.randomNormal([trainableParameterCount(model), 50]));
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
