import * as tf from '@tensorflow/tfjs-core';
import { DimensionMismatchError, DisposedError, InvalidDimensionError } from '../errors';

/**
 * An orthonormal basis Q ∈ R^{D×d} (QᵀQ = I) used as an operator. Dense bases store Q; structured
 * bases never hold a D×d matrix. Both methods are pure tf ops (no data download), differentiable,
 * and return new tensors that the caller owns.
 */
export interface Basis {
  /** What kind of basis this is ('dense', 'gaussian', …): recorded in checkpoints and errors. */
  readonly kind: string;
  /** D: the length of the parameter vector θ. */
  readonly ambientDim: number;
  /** d: the number of trainable coordinates z. */
  readonly dim: number;
  /** Qᵀv: R^D → R^d. */
  project(v: tf.Tensor1D): tf.Tensor1D;
  /** Q·c: R^d → R^D. */
  lift(c: tf.Tensor1D): tf.Tensor1D;
  /** Q as a dense D×d float32 tensor (for tests and small problems: D·d floats). */
  materialize(): tf.Tensor2D;
  /** True once {@link Basis.dispose} has run. */
  readonly isDisposed: boolean;
  /** Frees the basis' tensors. Optimizers never dispose a basis they were given. */
  dispose(): void;
}

/**
 * Qᵀx and θ0 + Q·z on JavaScript typed arrays: what a basis offers when it applies Q on arrays (a
 * hashed or SRHT basis computing on 'arrays', a dense basis with storage 'wasm'), so that an
 * optimizer step reads g and writes θ once each and fuses the origin into the lift. Call
 * {@link arrayOperator} to get it; null means "use the tensor methods".
 */
export interface ArrayOperator {
  project(x: Float32Array): Float32Array;
  /**
   * base + Q·z (base: θ0, or omitted for Q·z), written into `out` when given (length D, any
   * contents: reusing one array saves the page faults of a fresh D-float allocation per step) or
   * into a new array. Returns the array written.
   */
  lift(z: Float32Array, base?: Float32Array, out?: Float32Array): Float32Array;
}

/** The basis' array operator when it has one and uses it on the current backend, else null. */
export function arrayOperator(basis: Basis): ArrayOperator | null {
  const b = basis as Basis & { arrayOperator?: () => ArrayOperator | null };
  return typeof b.arrayOperator === 'function' ? b.arrayOperator() : null;
}

/**
 * An {@link ArrayOperator} over a typed-array project and an in-place lift (out ← base + Q·z, out of
 * length D with any contents): checks the length of a given `out`, allocates one otherwise.
 */
export function makeArrayOperator(
  D: number,
  project: (x: Float32Array) => Float32Array,
  liftInto: (z: Float32Array, out: Float32Array, base?: Float32Array) => void,
): ArrayOperator {
  return {
    project,
    lift: (z, base, out) => {
      if (out && out.length !== D) {
        throw new DimensionMismatchError(`arrayOperator().lift: out must have length D = ${D}, got ${out.length}.`);
      }
      const into = out ?? new Float32Array(D);
      liftInto(z, into, base);
      return into;
    },
  };
}

/** Throws unless `D` and `d` describe a subspace that can exist: integers with 1 ≤ d ≤ D. */
export function checkDims(where: string, D: number, d: number): void {
  if (!Number.isInteger(D) || D < 1) {
    throw new InvalidDimensionError(`${where}: D must be a positive integer, got ${D}.`);
  }
  if (!Number.isInteger(d) || d < 1 || d > D) {
    throw new InvalidDimensionError(
      `${where}: d must be an integer with 1 ≤ d ≤ D = ${D}, got d = ${d}. ` +
        `A subspace of R^${D} has at most ${D} orthonormal directions and needs at least one.`,
    );
  }
}

/** Throws unless `t` is a vector of length `n`. */
export function checkVector(where: string, t: tf.Tensor, n: number, what: string): void {
  if (t.rank !== 1 || t.shape[0] !== n) {
    throw new DimensionMismatchError(
      `${where}: ${what} must be a vector of length ${n}, got shape [${t.shape.join(', ')}].`,
    );
  }
}

/** Throws a {@link DisposedError} when `basis` has been disposed. */
export function checkAlive(where: string, basis: Basis): void {
  if (basis.isDisposed) {
    throw new DisposedError(
      `${where}: the ${basis.kind} basis (D = ${basis.ambientDim}, d = ${basis.dim}) was disposed; ` +
        `create a new basis or dispose it only after the last optimizer using it.`,
    );
  }
}

/**
 * project and lift as differentiable ops from raw implementations that autodiff cannot (or should
 * not) see through — JavaScript loops, or gathers whose gradient (UnsortedSegmentSum) wasm lacks.
 * Q is linear and orthonormal, so each map's gradient is the other one: ∂(Qᵀv)/∂v·dy = Q·dy and
 * ∂(Q·c)/∂c·dy = Qᵀdy.
 */
export function adjointPair(
  projectRaw: (v: tf.Tensor1D) => tf.Tensor1D,
  liftRaw: (c: tf.Tensor1D) => tf.Tensor1D,
): { project: (v: tf.Tensor1D) => tf.Tensor1D; lift: (c: tf.Tensor1D) => tf.Tensor1D } {
  type Grad = Parameters<typeof tf.customGrad>[0];
  const project = tf.customGrad(((v: tf.Tensor1D) => ({
    value: projectRaw(v),
    gradFunc: (dy: tf.Tensor1D) => liftRaw(dy),
  })) as unknown as Grad);
  const lift = tf.customGrad(((c: tf.Tensor1D) => ({
    value: liftRaw(c),
    gradFunc: (dy: tf.Tensor1D) => projectRaw(dy),
  })) as unknown as Grad);
  return { project: (v) => project(v) as tf.Tensor1D, lift: (c) => lift(c) as tf.Tensor1D };
}
