import * as tf from '@tensorflow/tfjs-core';
import { copyFloat32 } from './backends/tensor-arrays';
import {
  DimensionMismatchError,
  DisposedError,
  DtypeError,
  InvalidArgumentError,
} from './errors';

/** Anything with `trainableWeights` whose entries read as variables: a `tf.LayersModel`. */
export interface LayersModelLike {
  trainableWeights: Array<{ read(): tf.Tensor }>;
}

/** The variables an optimizer is told to train: a list, or a layers model (its trainable weights). */
export type VariableSource = Array<tf.Variable | { read(): tf.Tensor }> | LayersModelLike;

/** A tensor with a name, as optimizers list gradients and weights. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Gradients as `Optimizer.applyGradients` receives them. */
export type GradientInput = tf.NamedTensorMap | NamedTensor[];

function isLayersModel(source: VariableSource): source is LayersModelLike {
  return !Array.isArray(source) && Array.isArray((source as LayersModelLike)?.trainableWeights);
}

/** A layer weight (tfjs-layers' LayerVariable, what `model.trainableWeights` holds): it reads as its variable. */
const readsAsVariable = (x: unknown): x is { read(): tf.Tensor } => !(x instanceof tf.Tensor) && typeof (x as { read?: unknown })?.read === 'function';

/**
 * The variables of a source: the list itself (layer weights, as in `model.trainableWeights`, read as
 * their variables), or a model's trainable weights (in their order).
 */
export function variablesOf(where: string, source: VariableSource): tf.Variable[] {
  if (source == null || (!Array.isArray(source) && !isLayersModel(source))) {
    throw new InvalidArgumentError(
      `${where}: 'variables' must be a tf.LayersModel, its trainableWeights, or an array of tf.Variable.`,
    );
  }
  const list: unknown[] = isLayersModel(source) ? source.trainableWeights : source;
  return list.map((x) => (readsAsVariable(x) ? x.read() : x)) as tf.Variable[];
}

/**
 * The flattening θ = concat(vec(v₁), …, vec(v_k)) of a fixed, ordered list of float32 variables:
 * their names, shapes, sizes and offsets, computed once, and the ops that move between the
 * per-variable tensors and the flat vector.
 */
export class ParameterLayout {
  readonly variables: readonly tf.Variable[];
  readonly names: readonly string[];
  readonly shapes: readonly number[][];
  readonly sizes: readonly number[];
  /** D = Σ sizes. */
  readonly size: number;
  private readonly index: Map<string, number>;

  constructor(where: string, source: VariableSource) {
    const variables = variablesOf(where, source);
    if (variables.length === 0) {
      throw new InvalidArgumentError(
        `${where}: there are no variables to train; pass a non-empty list or a model with ` +
          `trainable weights.`,
      );
    }
    this.index = new Map();
    variables.forEach((v, i) => {
      if (!(v instanceof tf.Variable)) {
        const x = v as unknown;
        const what = x instanceof tf.Tensor ? 'a tf.Tensor (a value, not a variable)' : x === null ? 'null' : typeof x;
        throw new InvalidArgumentError(
          `${where}: variables[${i}] is ${what}, which the optimizer cannot update; pass the model itself, ` +
            `model.trainableWeights, or an array of tf.Variable.`,
        );
      }
      if (v.isDisposed) {
        throw new DisposedError(`${where}: variable '${v.name}' is disposed.`);
      }
      if (v.dtype !== 'float32') {
        throw new DtypeError(
          `${where}: variable '${v.name}' has dtype ${v.dtype}; subspace training needs float32 ` +
            `variables. Create it as float32 or leave it out of 'variables'.`,
        );
      }
      if (this.index.has(v.name)) {
        throw new InvalidArgumentError(`${where}: variable '${v.name}' is listed twice.`);
      }
      this.index.set(v.name, i);
    });
    this.variables = variables.slice();
    this.names = variables.map((v) => v.name);
    this.shapes = variables.map((v) => v.shape.slice());
    this.sizes = variables.map((v) => v.size);
    this.size = this.sizes.reduce((a, b) => a + b, 0);
  }

  /** The position of the variable named `name`, or undefined. */
  indexOf(name: string): number | undefined {
    return this.index.get(name);
  }

  /** Throws unless `tensor` has the shape of variable i. */
  checkShape(where: string, i: number, tensor: tf.Tensor): void {
    if (!tf.util.arraysEqual(tensor.shape, this.shapes[i])) {
      throw new DimensionMismatchError(
        `${where}: the gradient for '${this.names[i]}' has shape [${tensor.shape}], but the variable ` +
          `has shape [${this.shapes[i]}].`,
      );
    }
  }

  /** concat(vec(t₁), …) as one vector; a null entry counts as zeros. Call inside a tidy. */
  flatten(parts: ReadonlyArray<tf.Tensor | null>): tf.Tensor1D {
    const flat = parts.map((t, i) =>
      t == null ? tf.zeros([this.sizes[i]]) : tf.reshape(t, [this.sizes[i]]),
    );
    return (flat.length === 1 ? flat[0] : tf.concat(flat)) as tf.Tensor1D;
  }

  /** The inverse of {@link flatten}: one tensor per variable, shaped like it. Call inside a tidy. */
  split(v: tf.Tensor1D): tf.Tensor[] {
    const parts = this.sizes.length === 1 ? [v] : tf.split(v, this.sizes.slice());
    return parts.map((p, i) => tf.reshape(p, this.shapes[i]));
  }

  /** θ: the current values flattened. Call inside a tidy. */
  read(): tf.Tensor1D {
    return this.flatten(this.variables);
  }

  /** Writes θ back into the variables. */
  assign(theta: tf.Tensor1D): void {
    tf.tidy(() => this.split(theta).forEach((p, i) => this.variables[i].assign(p)));
  }

  /** Writes θ, given on the host, back into the variables (one copy per variable: the caller may reuse theta). */
  assignFlat(theta: Float32Array): void {
    let offset = 0;
    tf.tidy(() =>
      this.variables.forEach((v, i) => {
        v.assign(copyFloat32(theta.subarray(offset, offset + this.sizes[i]), this.shapes[i] as number[]));
        offset += this.sizes[i];
      }),
    );
  }

  /** Throws a {@link DisposedError} if any variable was disposed under the optimizer. */
  checkAlive(where: string): void {
    const dead = this.variables.find((v) => v.isDisposed);
    if (dead) {
      throw new DisposedError(
        `${where}: variable '${dead.name}' was disposed while the optimizer still trains it; ` +
          `create a new optimizer for the new variables.`,
      );
    }
  }
}
