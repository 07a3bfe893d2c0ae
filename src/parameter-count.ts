import { VariableSource } from './layout';
import { VariableRef, VariableSelection } from './selection';

/** Options of {@link trainableParameterCount}: the same `free`/`frozen` lists the wrapper will get. */
export interface ParameterCountOptions {
  /** Variables trained in full, outside the subspace: not counted in D. */
  free?: VariableRef[];
  /** Variables that never change: not counted in D. */
  frozen?: VariableRef[];
}

/**
 * D: the number of parameters a wrapper (or `reparameterize`) given the same `variables`, `free`
 * and `frozen` projects onto the subspace, i.e. the number of rows its basis must have. For a
 * `tf.LayersModel` this counts its trainable weights only: `model.countParams()` also counts
 * non-trainable ones (BatchNormalization's moving mean and variance, layers set `trainable = false`)
 * and gives a basis of the wrong size. The variables are validated as the wrapper will validate
 * them (float32, alive, no duplicates, known free/frozen entries), with the same typed errors.
 *
 * @example
 * const D = trainableParameterCount(model, { free: model.layers.at(-1).trainableWeights });
 * const basis = gaussianBasis(D, 200, { seed: 1 });
 * const opt = projectGradients(tf.train.adam(0.05), basis,
 *   { variables: model, free: model.layers.at(-1).trainableWeights });
 */
export function trainableParameterCount(variables: VariableSource, opts: ParameterCountOptions = {}): number {
  return new VariableSelection('trainableParameterCount', variables, opts.free, opts.frozen).projected.size;
}
