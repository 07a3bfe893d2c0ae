import * as tf from '@tensorflow/tfjs-core';
import { checkBasisSpec } from '../basis/from-spec';
import { BasisSpec } from '../basis/spec';
import { CheckpointError } from '../errors';
import { supportsExactState } from './inner-state';
import type { GradientMode } from './project-gradients';
import type { NonFinitePolicy } from './subspace-optimizer';

/** A variable as a saved config records it (the `name` key survives tfjs-layers' camel-casing). */
export interface SavedVariable {
  name: string;
  shape: number[];
}

/** The config of a saved wrapper (see optimizer/serialization.ts). */
export interface SavedConfig {
  mode: GradientMode | 'parameters';
  nonFinite: NonFinitePolicy;
  innerClassName: string;
  innerConfig: tf.serialization.ConfigDict;
  basis: BasisSpec | null;
  variableCount: number;
  free: number[];
  frozen: number[];
  variables: SavedVariable[];
}

/**
 * Throws {@link CheckpointError} unless `config` is a complete saved config of `wrapper` (the class
 * tf.serialization found by name): a seeded basis spec, a mode of that class, the variables' names
 * and shapes, free/frozen positions among them, and a registered tf.train inner optimizer.
 */
export function checkSavedConfig(wrapper: { className: string }, config: SavedConfig): void {
  const where = `${wrapper.className}.fromConfig`;
  const c = config as Partial<SavedConfig> | null;
  if (c?.basis == null) {
    throw new CheckpointError(`${where}: the saved optimizer has no seeded basis; load the model without the optimizer and create it again.`);
  }
  try {
    checkBasisSpec(where, c.basis);
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  const modes = wrapper.className === 'ProjectedParameter' ? ['parameters'] : ['coordinates', 'ambient'];
  if (!modes.includes(c.mode as string)) throw new CheckpointError(`${where}: the saved mode '${String(c.mode)}' is not one of ${modes.join(', ')}.`);
  const vars = c.variables;
  const okVar = (v: SavedVariable) => typeof v?.name === 'string' && Array.isArray(v.shape) && v.shape.every((n) => Number.isInteger(n) && n >= 0);
  if (!Array.isArray(vars) || vars.length === 0 || !vars.every(okVar)) {
    throw new CheckpointError(`${where}: the saved config does not list the optimizer's variables (saved by an older version?); load the model without the optimizer and create it again.`);
  }
  const okPos = (p: unknown) => Array.isArray(p) && p.every((i) => Number.isInteger(i) && i >= 0 && i < vars.length);
  if (!okPos(c.free) || !okPos(c.frozen)) throw new CheckpointError(`${where}: the saved free/frozen positions are not positions among ${vars.length} variables.`);
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[c.innerClassName as string];
  if (!entry) throw new CheckpointError(`${where}: the inner optimizer class '${String(c.innerClassName)}' is not registered.`);
  if (!supportsExactState({ getClassName: () => c.innerClassName } as tf.Optimizer)) throw new CheckpointError(`${where}: a ${c.innerClassName} inner optimizer cannot be restored exactly.`);
}
