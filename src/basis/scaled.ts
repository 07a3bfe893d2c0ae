import * as tf from '@tensorflow/tfjs-core';
import { checkFloat32Tensors } from '../backends/precision';
import { Basis, checkAlive, checkVector } from './basis';

/**
 * A basis with one extra column u (unit length, orthogonal to span(Q)): Q' = [Q, u]. Used for
 * SAID-style per-layer scales (Aghajanyan et al. 2020) made linear: with u ∝ the layer's initial
 * weights (minus their part in span(Q)), the extra coordinate scales the layer as a whole.
 * project(v) = [Qᵀv, uᵀv], lift([c, α]) = Q·c + α·u. Owns `inner`.
 */
export class AugmentedBasis implements Basis {
  readonly kind: string;
  readonly ambientDim: number;
  readonly dim: number;
  private u: tf.Tensor1D | null;

  constructor(readonly inner: Basis, u: tf.Tensor1D) {
    this.kind = `${inner.kind}+scale`;
    this.ambientDim = inner.ambientDim;
    this.dim = inner.dim + 1;
    this.u = tf.keep(u);
  }

  get isDisposed(): boolean {
    return this.u === null || this.inner.isDisposed;
  }

  project(v: tf.Tensor1D): tf.Tensor1D {
    checkAlive('project', this);
    checkVector('project', v, this.ambientDim, 'the vector to project');
    const u = this.u as tf.Tensor1D;
    return tf.tidy(() => tf.concat([this.inner.project(v), tf.reshape(tf.dot(u, v), [1])]) as tf.Tensor1D);
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    checkAlive('lift', this);
    checkVector('lift', c, this.dim, 'the coordinates');
    const u = this.u as tf.Tensor1D;
    return tf.tidy(() => {
      const [head, alpha] = tf.split(c, [this.inner.dim, 1]);
      return tf.add(this.inner.lift(head as tf.Tensor1D), tf.mul(u, alpha)) as tf.Tensor1D;
    });
  }

  materialize(): tf.Tensor2D {
    checkAlive('materialize', this);
    const u = this.u as tf.Tensor1D;
    return tf.tidy(() => tf.concat([this.inner.materialize(), tf.reshape(u, [this.ambientDim, 1])], 1) as tf.Tensor2D);
  }

  dispose(): void {
    this.u?.dispose();
    this.u = null;
    this.inner.dispose();
  }
}

/**
 * `inner` plus the direction of `w` orthogonal to span(inner), normalized — or `inner` itself when
 * that remainder is below 1e-6·‖w‖ (e.g. zero-initialized biases: there is nothing to scale).
 */
export function withScaleDirection(inner: Basis, w: tf.Tensor1D): Basis {
  checkFloat32Tensors('withScaleDirection', 'the scale direction u (a tensor)');
  // Gram–Schmidt twice ("twice is enough"): one float32 pass leaves ~1e-6 of span(Q) in u.
  const u = tf.tidy(() => {
    const once = tf.sub(w, inner.lift(inner.project(w))) as tf.Tensor1D;
    return tf.sub(once, inner.lift(inner.project(once)));
  });
  const norms = tf.tidy(() => tf.stack([tf.norm(u), tf.norm(w)]));
  const [rest, whole] = norms.dataSync();
  norms.dispose();
  if (!(rest > 1e-6 * whole)) {
    u.dispose();
    return inner;
  }
  const unit = tf.tidy(() => tf.div(u, rest) as tf.Tensor1D);
  u.dispose();
  return new AugmentedBasis(inner, unit);
}
