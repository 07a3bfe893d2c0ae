import * as tf from '@tensorflow/tfjs-core';
import { ProjectedGradientOptimizer } from './project-gradients';
import { ProjectedParameterOptimizer } from './project-parameters';
import { SavedClassName } from './rules/rule';
import { SubspaceOptimizer } from './subspace-optimizer';

export { bindRestoredOptimizer } from './restore';
export type { SavedConfig, SavedVariable } from './restore';

/** The class of each saved class name (rules/rule.ts, SavedClassName): the compiler checks that each has one. */
const WRAPPER_CLASSES: { [Name in SavedClassName]: tf.serialization.SerializableConstructor<SubspaceOptimizer> & { readonly className: Name } } = {
  ProjectedGradient: ProjectedGradientOptimizer,
  ProjectedParameter: ProjectedParameterOptimizer,
};

let registered = false;

/**
 * Registers the wrapper classes with tf.serialization, so that `model.save({includeOptimizer: true})`
 * and `tf.loadLayersModel` round-trip them (called on import; idempotent). Saving checks that the
 * optimizer can be rebuilt (seeded basis, a tf.train inner optimizer, a registered rule:
 * SubspaceOptimizer.getConfig) and records its variables; loading gives back an optimizer of the
 * same class that binds to the model's variables on its first step (SubspaceOptimizer.fromConfig,
 * see {@link bindRestoredOptimizer}).
 */
export function registerSubspaceOptimizers(): void {
  if (registered) return;
  registered = true;
  for (const cls of Object.values(WRAPPER_CLASSES)) tf.serialization.registerClass(cls);
}
registerSubspaceOptimizers();
