import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { parametersRule } from './rules/parameters';
import { SubspaceOptimizer, SubspaceOptimizerOptions } from './subspace-optimizer';

/**
 * Parameter projection (docs/concepts.md, "The three training paths", path 3), saved as
 * 'ProjectedParameter': the inner optimizer takes its ordinary step with the full gradient, then
 * θ ← θ0 + QQᵀ(θ − θ0) (src/optimizer/rules/parameters.ts). For SGD and momentum this equals the
 * reparameterized model (P is linear and θ − θ0 already lies in span(Q)); for adaptive optimizers θ
 * stays in the subspace but follows a different trajectory. The inner optimizer keeps D-sized slots.
 *
 * A name and a rule only: it has no state of its own (tf.loadLayersModel builds it with
 * SubspaceOptimizer's constructor: SubspaceOptimizer.fromConfig). Registered with tf.serialization
 * on import.
 */
export class ProjectedParameterOptimizer extends SubspaceOptimizer<'parameters'> {
  static override readonly className = 'ProjectedParameter';

  constructor(inner: tf.Optimizer, basis: Basis, opts: SubspaceOptimizerOptions) {
    super('projectParameters', inner, basis, parametersRule, opts);
  }
}
tf.serialization.registerClass(ProjectedParameterOptimizer);

/**
 * Wraps `inner` so that after each ordinary step the variables are projected back onto
 * θ0 + span(Q) (the variant suggested on the PyTorch forum by KFrank; for SGD it takes the same
 * steps as {@link projectGradients}).
 *
 * @example
 * const opt = projectParameters(tf.train.sgd(0.1), gaussianBasis(D, 50), {variables: model});
 * model.compile({optimizer: opt, loss: 'meanSquaredError'});
 */
export function projectParameters(
  inner: tf.Optimizer,
  basis: Basis,
  opts: SubspaceOptimizerOptions,
): ProjectedParameterOptimizer {
  return new ProjectedParameterOptimizer(inner, basis, opts);
}
