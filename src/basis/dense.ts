import * as tf from '@tensorflow/tfjs-core';
import { readFloat32, writeFloat32 } from '../backends/tensor-arrays';
import { checkFloat32Tensors, gpuHoldsBasis } from '../backends/precision';
import { DimensionMismatchError, DtypeError, InvalidArgumentError } from '../errors';
import { times, transposedTimes } from '../linalg/matvec';
import { thinQrFor, ThinQrOptions } from '../linalg/qr';
import { checkFinite } from '../linalg/qr-checks';
import { WasmMatrix } from '../linalg/wasm/wasm-matrix';
import seedrandom from 'seedrandom';
import { checkSeed, gaussianArray } from '../random';
import { adjointPair, ArrayOperator, Basis, checkAlive, checkDims, checkVector, makeArrayOperator } from './basis';
import { checkStorageOptions, DenseStorage, DenseStorageOptions } from './dense-storage';
import { currentBackend } from './operator';
import { rememberSpec } from './spec';

export type { DenseStorage, DenseStorageOptions } from './dense-storage';

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

/** The thin QR of E's values, its messages naming `where` (the function the user called). */
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
  return thinQrFor(where, E.dataSync() as Float32Array, D, d, opts);
}

/** True while this module builds a DenseBasis from a Q its own thin QR checked (no second check). */
let trusted = false;

function orthonormalBasis(q: Float32Array, shape: [number, number], kind: string, opts: DenseStorageOptions): DenseBasis {
  trusted = true;
  try {
    return new DenseBasis({ values: q, shape }, kind, opts);
  } finally {
    trusted = false;
  }
}

/**
 * ‖QᵀQx − x‖ ≤ this·‖x‖ for a seeded random x: what a Q wrapped by `new DenseBasis` must meet. A Q
 * from a float32 thin QR meets 1e-6 (‖QᵀQ − I‖∞ ≤ 1e-6 bounds the 2-norm); a matrix that is not
 * orthonormal misses by O(1).
 */
const WRAP_TOL = 1e-4;

/**
 * Throws unless the matrix a user hands `new DenseBasis` is finite and orthonormal (one O(D·d) probe
 * in float64: Q·x, then Qᵀ of it, against x): a NaN or a non-orthonormal Q would corrupt every step.
 */
function checkOrthonormal(where: string, q: Float32Array, D: number, d: number): void {
  checkFinite(where, q, D, d);
  const rng = seedrandom.alea('dense-basis/probe');
  const x = Float64Array.from({ length: d }, () => 2 * rng() - 1);
  const back = new Float64Array(d);
  for (let i = 0; i < D; i++) {
    let y = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) y += q[row + j] * x[j];
    for (let j = 0; j < d; j++) back[j] += q[row + j] * y;
  }
  let err = 0;
  let norm = 0;
  for (let j = 0; j < d; j++) {
    err += (back[j] - x[j]) ** 2;
    norm += x[j] ** 2;
  }
  const rel = Math.sqrt(err / norm);
  if (!(rel <= WRAP_TOL)) {
    throw new InvalidArgumentError(
      `${where}: the matrix is not orthonormal (‖QᵀQx − x‖/‖x‖ = ${rel.toPrecision(3)} for a random x, at most ` +
        `${WRAP_TOL} expected). new DenseBasis wraps a Q that is orthonormal already; use denseBasis(E) to ` +
        `orthonormalize the columns of E first.`,
    );
  }
}

/** Past this many bytes of tensors, 'auto' keeps Q in a typed array (storage 'array') instead. */
const ARRAY_THRESHOLD_BYTES = 1.5 * 2 ** 30;

/** A basis that stores Q (D×d float32) and applies it with two matrix–vector products. */
export class DenseBasis implements Basis {
  readonly ambientDim: number;
  readonly dim: number;
  /** Where Q is kept: the storage asked for, or the one 'auto' chose (see {@link DenseStorageOptions}). */
  readonly storage: DenseStorage;
  private q: tf.Tensor2D | null = null;
  private qT: tf.Tensor2D | null = null;
  private array: Float32Array | null = null;
  private matrix: WasmMatrix | null = null;
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
    const { storage, keepTranspose } = checkStorageOptions('DenseBasis', opts);
    [this.ambientDim, this.dim] = q.shape;
    checkDims('DenseBasis', this.ambientDim, this.dim);
    if (!(q instanceof tf.Tensor) && q.values.length !== this.ambientDim * this.dim) {
      throw new DimensionMismatchError(
        `DenseBasis: values has ${q.values.length} numbers, but shape [${q.shape.join(', ')}] needs ` +
          `${this.ambientDim * this.dim}; pass the row-major D×d matrix with its shape.`,
      );
    }
    const gpu = ['webgl', 'webgpu'].includes(currentBackend()) && gpuHoldsBasis('DenseBasis', this.ambientDim); // backends/precision.ts
    if (storage === 'wasm' || (storage === 'auto' && !gpu)) this.matrix = WasmMatrix.create(this.ambientDim, this.dim);
    if (storage === 'wasm' && !this.matrix) {
      throw new InvalidArgumentError(
        `DenseBasis: storage 'wasm' needs WebAssembly SIMD and at most 4 GiB for Q ` +
          `(${this.ambientDim}×${this.dim}); use storage 'tensor' or 'array'.`,
      );
    }
    if (!trusted) {
      try {
        checkOrthonormal('DenseBasis', q instanceof tf.Tensor ? (q.dataSync() as Float32Array) : q.values, this.ambientDim, this.dim);
      } catch (e) {
        this.matrix?.dispose();
        throw e;
      }
    }
    const bytes = this.ambientDim * this.dim * 4 * (keepTranspose ? 2 : 1);
    this.storage = this.matrix ? 'wasm' : storage === 'array' || (storage === 'auto' && bytes > ARRAY_THRESHOLD_BYTES) ? 'array' : 'tensor';
    if (this.storage === 'tensor') checkFloat32Tensors('DenseBasis', `storage 'tensor' (Q as a tensor)`, `Pass { storage: 'array' } (Q exact in a typed array). `);
    if (this.storage !== 'tensor') {
      const values = q instanceof tf.Tensor ? (q.dataSync() as Float32Array) : q.values;
      if (this.matrix) this.matrix.setRows(values);
      else this.array = q instanceof tf.Tensor ? values.slice() : values;
      if (q instanceof tf.Tensor) q.dispose();
      return;
    }
    try {
      const t = q instanceof tf.Tensor ? q : tf.tensor2d(q.values, q.shape);
      this.q = tf.keep(t);
      if (keepTranspose) this.qT = tf.tidy(() => tf.keep(tf.transpose(t) as tf.Tensor2D));
    } catch (e) {
      this.q?.dispose();
      throw new InvalidArgumentError(
        `DenseBasis: a ${this.ambientDim}×${this.dim} basis does not fit in the ${tf.getBackend()} ` +
          `backend's memory (${(e as Error).message}); create it with {storage: 'array'}.`,
      );
    }
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  project(v: tf.Tensor1D): tf.Tensor1D {
    checkAlive('project', this);
    checkVector('project', v, this.ambientDim, 'the vector to project');
    if (this.matrix || this.array) return this.arrayOps.project(v);
    // A row vector times Q: no transpose flag (slow on wasm), Q read once.
    const q = this.q as tf.Tensor2D;
    return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(v, [1, this.ambientDim]), q), [this.dim]));
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    checkAlive('lift', this);
    checkVector('lift', c, this.dim, 'the coordinates');
    if (this.matrix || this.array) return this.arrayOps.lift(c);
    const { q, qT } = this;
    return tf.tidy(() =>
      qT
        ? tf.reshape(tf.matMul(tf.reshape(c, [1, this.dim]), qT), [this.ambientDim])
        : tf.reshape(tf.matMul(q as tf.Tensor2D, tf.reshape(c, [this.dim, 1])), [this.ambientDim]),
    );
  }

  /**
   * Qᵀx and θ0 + Q·z on typed arrays when Q is in WebAssembly memory (storage 'wasm'), so that an
   * optimizer step reads g and writes θ once each; null for the other storages.
   */
  arrayOperator(): ArrayOperator | null {
    const matrix = this.matrix;
    if (!matrix) return null;
    checkAlive('arrayOperator', this);
    return makeArrayOperator(this.ambientDim, (x) => matrix.project(x), (z, out, base) => matrix.liftInto(z, out, base));
  }

  // Storage 'wasm' and 'array': the vector is read in place; the wasm matrix writes Q·c straight into the output.
  private readonly arrayOps = adjointPair(
    (v) => {
      const x = readFloat32(v);
      return tf.tensor1d(this.matrix ? this.matrix.project(x) : transposedTimes(this.array as Float32Array, this.ambientDim, this.dim, x));
    },
    (c) => {
      const z = c.dataSync() as Float32Array; // d numbers, read before the output is allocated
      if (this.matrix) {
        const matrix = this.matrix;
        return writeFloat32(this.ambientDim, (out) => matrix.liftInto(z, out));
      }
      return tf.tensor1d(times(this.array as Float32Array, this.ambientDim, this.dim, z));
    },
  );

  materialize(): tf.Tensor2D {
    checkAlive('materialize', this);
    if (this.matrix) return tf.tensor2d(this.matrix.getRows(), [this.ambientDim, this.dim]);
    return this.array ? tf.tensor2d(this.array, [this.ambientDim, this.dim]) : tf.clone(this.q as tf.Tensor2D);
  }

  dispose(): void {
    tf.dispose([this.q, this.qT].filter((t): t is tf.Tensor2D => t !== null));
    this.matrix?.dispose();
    this.q = this.qT = this.array = this.matrix = null;
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
  checkStorageOptions('denseBasis', opts);
  const { q, kept } = thinQrOfTensor('denseBasis', E, opts);
  return orthonormalBasis(q, [E.shape[0], kept.length], 'dense', opts);
}

/** Options of {@link gaussianBasis}. */
export interface GaussianBasisOptions extends DenseStorageOptions {
  /** Seed of the generator (a safe integer). Default 0. The same seed gives the same Q everywhere. */
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
  const seed = checkSeed('gaussianBasis', opts.seed);
  checkStorageOptions('gaussianBasis', opts);
  const { q } = thinQrFor('gaussianBasis', gaussianArray(D * d, seed), D, d);
  return rememberSpec(orthonormalBasis(q, [D, d], 'gaussian', opts), { kind: 'gaussian', D, d, seed });
}
