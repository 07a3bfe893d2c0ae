import * as tf from '@tensorflow/tfjs';
import { Basis } from '../../src';

/**
 * A reference for the equivalence table that shares no code with the bases or the wrappers: Q (D×d)
 * is built once before training (see reference-bases.ts: independently from the basis' definition
 * where that is cheap, else by lifting the unit vectors once and checking the result against the
 * definition), and training runs θ(z) = θ0 + Q·z with plain tf ops (matMul, add, split, reshape)
 * through a hand-written forward pass of the test model. Float64 host helpers for building and
 * checking Q live here too.
 */

/** Row-major D×d float64 matrices throughout. */
export type Matrix = Float64Array;

/**
 * Thin QR's Q of E (row-major D×d) by classical Gram–Schmidt with one reorthogonalization
 * ("twice is enough", Giraud et al. 2005), in float64: orthonormal to O(eps64) for any E that is
 * numerically full rank, with diag(R) > 0 (so Q is the unique thin-QR factor, as the bases define it).
 */
export function gramSchmidt(E: ArrayLike<number>, D: number, d: number): Matrix {
  const cols = Array.from({ length: d }, (_, j) => Float64Array.from({ length: D }, (_, i) => E[i * d + j]));
  const q: Float64Array[] = [];
  cols.forEach((e, j) => {
    const v = e.slice();
    for (let pass = 0; pass < 2; pass++) {
      const r = q.map((qk) => dot(qk, v)); // classical: all coefficients from the same v
      q.forEach((qk, k) => axpy(-r[k], qk, v));
    }
    const n = Math.sqrt(dot(v, v));
    if (!(n > 1e-10 * Math.sqrt(dot(e, e)))) throw new Error(`gramSchmidt: column ${j} is dependent`);
    q.push(v.map((x) => x / n));
  });
  return fromColumns(q, D);
}

/** Q's columns as a row-major D×d matrix. */
export function fromColumns(columns: ArrayLike<number>[], D: number): Matrix {
  const d = columns.length;
  const out = new Float64Array(D * d);
  columns.forEach((c, j) => {
    for (let i = 0; i < D; i++) out[i * d + j] = c[i];
  });
  return out;
}

/** Column j of a row-major D×d matrix. */
export function column(q: Matrix, D: number, d: number, j: number): Float64Array {
  return Float64Array.from({ length: D }, (_, i) => q[i * d + j]);
}

/** The basis' Q, read by lifting each unit vector e_j once (no other use of the basis' code). */
export function liftedColumns(basis: Basis): Matrix {
  const { ambientDim: D, dim: d } = basis;
  const columns = Array.from({ length: d }, (_, j) => {
    const qj = tf.tidy(() => basis.lift(tf.oneHot(tf.tensor1d([j], 'int32'), d).reshape([d]).toFloat() as tf.Tensor1D));
    const values = qj.dataSync().slice();
    qj.dispose();
    return values;
  });
  return fromColumns(columns, D);
}

/** ‖QᵀQ − I‖∞ (the largest entry), in float64. */
export function orthonormalityError(q: Matrix, D: number, d: number): number {
  let worst = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += q[i * d + a] * q[i * d + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

/** ‖(I − QQᵀ)δ‖ and ‖δ‖ in float64: how far θ0 + δ is from θ0 + span(Q). */
export function residual(q: Matrix, D: number, d: number, delta: Float64Array): { distance: number; displacement: number } {
  const c = new Float64Array(d);
  for (let i = 0; i < D; i++) for (let j = 0; j < d; j++) c[j] += q[i * d + j] * delta[i];
  let sq = 0;
  for (let i = 0; i < D; i++) {
    let p = 0;
    for (let j = 0; j < d; j++) p += q[i * d + j] * c[j];
    sq += (delta[i] - p) ** 2;
  }
  return { distance: Math.sqrt(sq), displacement: Math.sqrt(dot(delta, delta)) };
}

/** max |a − b| over two arrays of the same length. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Block-diagonal assembly of row-major blocks (D_i×d_i). */
export function blockDiagonal(blocks: Array<{ q: Matrix; D: number; d: number }>): Matrix {
  const D = blocks.reduce((s, b) => s + b.D, 0);
  const d = blocks.reduce((s, b) => s + b.d, 0);
  const out = new Float64Array(D * d);
  let [row, col] = [0, 0];
  for (const b of blocks) {
    for (let i = 0; i < b.D; i++) for (let j = 0; j < b.d; j++) out[(row + i) * d + col + j] = b.q[i * b.d + j];
    row += b.D;
    col += b.d;
  }
  return out;
}

/** [Q, u] with u the unit direction of w orthogonal to span(Q) (Gram–Schmidt twice, float64). */
export function withScale(q: Matrix, D: number, d: number, w: ArrayLike<number>): Matrix {
  const columns = Array.from({ length: d }, (_, j) => column(q, D, d, j));
  const u = Float64Array.from(w);
  for (let pass = 0; pass < 2; pass++) {
    const r = columns.map((c) => dot(c, u));
    columns.forEach((c, k) => axpy(-r[k], c, u));
  }
  const n = Math.sqrt(dot(u, u));
  return fromColumns([...columns, u.map((x) => x / n)], D);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

// ---------------------------------------------------------------------------------------------
// The test model, written out as tf ops.

/** convDenseModel's weights in trainableWeights order: conv kernel, conv bias, dense kernel, dense bias. */
export const CONV_DENSE_SHAPES: number[][] = [[3, 3, 1, 2], [2], [32, 3], [3]];

/**
 * convDenseModel's forward pass from a flat θ: Conv2D 3×3 'valid' stride 1 (+bias, tanh) → flatten
 * (row-major NHWC, as tf.layers.flatten) → Dense (+bias) → softmax.
 */
export function convDenseForward(theta: tf.Tensor1D, x: tf.Tensor4D): tf.Tensor2D {
  const sizes = CONV_DENSE_SHAPES.map((s) => s.reduce((a, b) => a * b, 1));
  const [k, b1, w, b2] = tf.split(theta, sizes).map((p, i) => tf.reshape(p, CONV_DENSE_SHAPES[i]));
  const h = tf.tanh(tf.add(tf.conv2d(x, k as tf.Tensor4D, 1, 'valid'), b1));
  return tf.softmax(tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]), w as tf.Tensor2D), b2)) as tf.Tensor2D;
}

/** Mean categorical cross-entropy of probabilities (the model's last layer is a softmax). */
export function crossEntropy(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  return tf.mean(tf.metrics.categoricalCrossentropy(y, p)) as tf.Scalar;
}

/** θ(z) = θ0 + Q·z with Q a float32 tensor made once; z a trainable variable starting at 0. */
export class PlainReference {
  readonly z: tf.Variable;
  private readonly q: tf.Tensor2D;
  private readonly theta0: tf.Tensor1D;

  constructor(theta0: Float32Array, q: Matrix, readonly D: number, readonly d: number) {
    this.theta0 = tf.tensor1d(theta0);
    this.q = tf.tensor2d(Float32Array.from(q), [D, d]);
    this.z = tf.tidy(() => tf.variable(tf.zeros([d]), true));
  }

  theta(): tf.Tensor1D {
    return tf.tidy(() => tf.add(this.theta0, tf.reshape(tf.matMul(this.q, tf.reshape(this.z, [this.d, 1])), [this.D])));
  }

  loss(x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
    return crossEntropy(y, convDenseForward(this.theta(), x));
  }

  dispose(): void {
    tf.dispose([this.theta0, this.q, this.z]);
  }
}

/** The values of θ0 as a flat Float32Array (the model's trainableWeights in order). */
export function flatValues(model: tf.LayersModel): Float32Array {
  return Float32Array.from(model.trainableWeights.flatMap((w) => Array.from(w.read().dataSync())));
}
