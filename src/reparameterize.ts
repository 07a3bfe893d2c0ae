import * as tf from '@tensorflow/tfjs-core';
import { checkBasisRows, checkOrigin } from './optimizer/checks';
import { Basis, checkAlive } from './basis/basis';
import { DisposedError, InvalidArgumentError } from './errors';
import { LayersModelLike } from './layout';
import { VariableRef, VariableSelection } from './selection';
import { pointAt } from './subspace';

/** A model whose forward pass runs at θ0 + Q·z, with z the only trainable variable. */
export interface Reparameterized {
  /** The d coordinates, trainable, starting at 0. */
  readonly z: tf.Variable;
  /** What an optimizer should train: [z, …the free variables]. */
  readonly trainable: tf.Variable[];
  /** The forward pass at θ(z) = θ0 + Q·z, differentiable in z. Call inside a tidy (or minimize). */
  apply(x: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  /** θ(z) as a new flat tensor (D). */
  theta(): tf.Tensor1D;
  /** Frees z and θ0; the model and the basis are not touched. */
  dispose(): void;
}

/** Just enough of a `tf.LayersModel` (kept structural so tfjs-layers stays an optional peer). */
export interface ApplicableModel extends LayersModelLike {
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>): unknown;
}

type Readable = { read(): tf.Tensor };

/**
 * The reparameterized reference (docs/concepts.md, "The three training paths", path 1): the model's layers read θ0 + Q·z instead of
 * their own variables during `apply`, so autodiff reaches z with ∂L/∂z = Qᵀ∇L(θ). The model's
 * variables are never changed. This is the independent computation every wrapper is tested against,
 * and a training path of its own (train z with any optimizer).
 *
 * @example
 * // `model` ends in a softmax (outputs are probabilities), so the loss is categorical cross-entropy;
 * // for a model that outputs logits use tf.losses.softmaxCrossEntropy(ys, logits) instead.
 * const rep = reparameterize(model, gaussianBasis(trainableParameterCount(model), 20, {seed: 3}));
 * const opt = tf.train.adam(0.01);
 * const loss = () => tf.mean(tf.metrics.categoricalCrossentropy(ys, rep.apply(xs) as tf.Tensor)) as tf.Scalar;
 * opt.minimize(loss, false, [rep.z]);
 */
export function reparameterize(
  model: ApplicableModel,
  basis: Basis,
  opts: { origin?: tf.Tensor1D; free?: VariableRef[]; frozen?: VariableRef[] } = {},
): Reparameterized {
  const where = 'reparameterize';
  if (model == null || typeof model.apply !== 'function' || !Array.isArray(model.trainableWeights)) {
    throw new InvalidArgumentError(`${where}: the first argument must be a tf.LayersModel.`);
  }
  const selection = new VariableSelection(where, model, opts.free, opts.frozen);
  const layout = selection.projected;
  checkBasisRows(where, basis, layout);
  // The layer weights that read θ0 + Q·z, each with its position in the projected layout.
  const weights = (model.trainableWeights as unknown as Readable[])
    .map((w) => [w, layout.indexOf((w.read() as tf.Variable).name)] as const)
    .filter((pair): pair is readonly [Readable, number] => pair[1] !== undefined);
  const theta0 = opts.origin ?? tf.tidy(() => layout.read());
  const point = subspacePoint(where, basis, theta0);
  if (theta0 !== opts.origin) theta0.dispose();
  return {
    z: point.z,
    trainable: [point.z, ...(selection.free?.variables ?? [])],
    theta: point.theta,
    dispose: point.dispose,
    apply(x, kwargs) {
      const parts = layout.split(point.theta());
      weights.forEach(([w, i]) => (w.read = () => parts[i]));
      try {
        return model.apply(x, kwargs) as tf.Tensor | tf.Tensor[];
      } finally {
        // The override is an own property; removing it restores the prototype's read().
        weights.forEach(([w]) => delete (w as Partial<Readable>).read);
      }
    },
  };
}

/** The functional reparameterization, for losses written directly in terms of θ. */
export interface ReparameterizedFunction<T> {
  /** The d coordinates, trainable, starting at 0. */
  readonly z: tf.Variable;
  /** f(θ0 + Q·z), differentiable in z. */
  value(): T;
  /** θ(z) as a new flat tensor (D). */
  theta(): tf.Tensor1D;
  /** Frees z and θ0. */
  dispose(): void;
}

/**
 * Reparameterizes a function of the flat parameter vector: `value()` = f(θ0 + Q·z), with z a
 * trainable variable starting at 0.
 *
 * @example
 * const rep = reparameterizeFunction((theta) => tf.sum(tf.square(theta)), basis, {origin: theta0});
 * tf.train.sgd(0.1).minimize(() => rep.value(), false, [rep.z]);
 */
export function reparameterizeFunction<T>(
  f: (theta: tf.Tensor1D) => T,
  basis: Basis,
  opts: { origin: tf.Tensor1D },
): ReparameterizedFunction<T> {
  const point = subspacePoint('reparameterizeFunction', basis, opts?.origin);
  return { ...point, value: () => f(point.theta()) };
}

/** z (trainable, zeros) and θ(z) = θ0 + Q·z over a kept copy of the origin. */
function subspacePoint(where: string, basis: Basis, origin: tf.Tensor1D | undefined) {
  checkAlive(where, basis);
  if (!(origin instanceof tf.Tensor)) {
    throw new InvalidArgumentError(`${where}: 'origin' (a float32 Tensor1D of length D) is required.`);
  }
  checkOrigin(where, origin, basis.ambientDim);
  let theta0: tf.Tensor1D | null = tf.keep(tf.clone(origin));
  const z = tf.tidy(() => tf.variable(tf.zeros([basis.dim]) as tf.Tensor1D, true));
  return {
    z,
    theta(): tf.Tensor1D {
      if (theta0 === null) throw new DisposedError(`${where}: used after dispose().`);
      const origin = theta0;
      return tf.tidy(() => pointAt(basis, origin, z));
    },
    dispose(): void {
      if (theta0 === null) return;
      theta0.dispose();
      theta0 = null;
      z.dispose();
    },
  };
}
