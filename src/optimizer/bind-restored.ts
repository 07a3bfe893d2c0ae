import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors';
import { VariableSource, variablesOf } from '../layout';
import { SubspaceOptimizer } from './subspace-optimizer';

/**
 * Binds an optimizer restored by `tf.loadLayersModel` to the model's variables now (instead of on its
 * first step), so that `residual()`, `coordinates()` and the rest can be used before training. The
 * variables must be those it was saved with: same count, shapes and names (up to tfjs' `_1`
 * suffixes), in the same order; a mismatch throws {@link CheckpointError} and binds nothing. Calling
 * it again with the same variables does nothing.
 *
 * @example
 * const model = await tf.loadLayersModel('indexeddb://my-model');
 * const opt = bindRestoredOptimizer(model.optimizer, model);   // a ProjectedGradientOptimizer
 * console.log(opt.iterations, opt.residual());
 */
export function bindRestoredOptimizer(optimizer: tf.Optimizer, variables: VariableSource): SubspaceOptimizer {
  const where = 'bindRestoredOptimizer';
  if (!(optimizer instanceof SubspaceOptimizer)) {
    const what = optimizer == null ? String(optimizer) : `a ${(optimizer as tf.Optimizer).getClassName?.() ?? typeof optimizer}`;
    throw new InvalidArgumentError(`${where}: expected the subspace optimizer of a model loaded by tf.loadLayersModel (model.optimizer), got ${what}.`);
  }
  if (!optimizer.isRestored) {
    throw new InvalidArgumentError(`${where}: this optimizer was not restored by tf.loadLayersModel (an optimizer you built is bound to its variables already).`);
  }
  optimizer.bindTo(variablesOf(where, variables), where);
  return optimizer;
}
