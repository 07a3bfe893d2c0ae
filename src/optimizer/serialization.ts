import * as tf from '@tensorflow/tfjs-core';
import { basisSpec } from '../basis/spec';
import { CheckpointError } from '../errors';
import { VariableSelection } from '../selection';
import { supportsExactState } from './inner-state';
import { ProjectedGradientOptimizer } from './project-gradients';
import { ProjectedParameterOptimizer } from './project-parameters';
import { restoredOptimizer, SavedConfig } from './restore';
import { SubspaceOptimizer } from './subspace-optimizer';

export { bindRestoredOptimizer } from './restore';
export type { SavedConfig, SavedVariable } from './restore';

type WrapperClass = typeof ProjectedGradientOptimizer | typeof ProjectedParameterOptimizer;

/**
 * What `model.save({includeOptimizer: true})` stores as the optimizer's config: the wrapper's own
 * config plus the name and shape of every variable it was given, in order (projected, free and
 * frozen alike: `free`/`frozen` are positions in that list). Throws {@link CheckpointError} when the
 * optimizer could not be rebuilt from it, so that saving fails instead of loading.
 */
function serializableConfig(opt: SubspaceOptimizer, original: () => tf.serialization.ConfigDict): tf.serialization.ConfigDict {
  const where = `${opt.getClassName()}.getConfig (model.save with includeOptimizer)`;
  if (basisSpec(opt.basis) == null) {
    throw new CheckpointError(
      `${where}: the optimizer's ${opt.basis.kind} basis cannot be rebuilt from a saved config (only gaussianBasis, ` +
        `hashedBasis and srhtBasis are rebuilt from their seed), so the saved model could not be loaded. Either ` +
        `build the optimizer with one of those seeded bases, or call model.save() without includeOptimizer and, ` +
        `after loading, create the optimizer again with the same basis (restore its state with setWeights).`,
    );
  }
  if (!supportsExactState(opt.inner)) {
    throw new CheckpointError(
      `${where}: a ${opt.inner.getClassName()} inner optimizer cannot be restored exactly (only the seven tf.train ` +
        `optimizers can); call model.save() without includeOptimizer and create the optimizer again after loading.`,
    );
  }
  const all = (opt as unknown as { selection: VariableSelection }).selection.all;
  return { ...original(), variables: all.map((v) => ({ name: v.name, shape: v.shape.slice() })) } as tf.serialization.ConfigDict;
}

let registered = false;

/**
 * Registers the wrappers with tf.serialization so that `model.save({includeOptimizer: true})` and
 * `tf.loadLayersModel` round-trip them (called on import; idempotent). Saving checks that the
 * optimizer can be rebuilt (seeded basis, a tf.train inner optimizer) and records its variables;
 * loading gives back an optimizer of the same class that binds to the model's variables on its
 * first step (see {@link bindRestoredOptimizer}).
 */
export function registerSubspaceOptimizers(): void {
  if (registered) return;
  registered = true;
  for (const cls of [ProjectedGradientOptimizer, ProjectedParameterOptimizer] as WrapperClass[]) {
    const original = cls.prototype.getConfig;
    Object.defineProperty(cls.prototype, 'getConfig', {
      configurable: true,
      writable: true,
      value: function (this: SubspaceOptimizer): tf.serialization.ConfigDict {
        return serializableConfig(this, () => original.call(this));
      },
    });
    const withFromConfig = cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable> & {
      fromConfig: (c: unknown, config: tf.serialization.ConfigDict) => tf.Optimizer;
    };
    withFromConfig.fromConfig = (_c, config) => restoredOptimizer(cls, config as unknown as SavedConfig);
    tf.serialization.registerClass(withFromConfig);
  }
}
registerSubspaceOptimizers();
