import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { basisFromSpec, checkBasisSpec } from '../basis/from-spec';
import { seededFactoryList } from '../basis/kinds';
import { BasisSpec, basisSpec } from '../basis/spec';
import { CheckpointError } from '../errors';
import { supportsExactState } from './inner-state';
import type { NonFinitePolicy } from './options';
import { VariableSelection } from '../selection';
import { findRule, isRegistered, modesOf, RuleMode } from './rules/registry';
import { RuleDefinition, SavedClassName } from './rules/rule';

/**
 * The config `model.save({includeOptimizer: true})` stores for a wrapper, and the way back: what it
 * holds ({@link SavedConfig}), whether an optimizer can be saved ({@link checkSavable}) and loaded
 * ({@link checkSavedConfig}), and what it is rebuilt from ({@link rebuildFromConfig}).
 */

/** A variable as a saved config records it (the `name` key survives tfjs-layers' camel-casing). */
export interface SavedVariable {
  name: string;
  shape: number[];
}

/** The config of a saved wrapper. */
export interface SavedConfig {
  mode: RuleMode;
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
  const modes = modesOf(wrapper.className as SavedClassName);
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

/**
 * Throws {@link CheckpointError} unless an optimizer saved now could be rebuilt from its config: a
 * seeded basis, one of the seven tf.train inner optimizers, and a registered rule of the class it
 * saves under (`className`).
 */
export function checkSavable(where: string, className: string, basis: Basis, inner: tf.Optimizer, rule: RuleDefinition): void {
  if (basisSpec(basis) == null) {
    throw new CheckpointError(
      `${where}: the optimizer's ${basis.kind} basis cannot be rebuilt from a saved config (only ${seededFactoryList('and')} ` +
        `are rebuilt from their seed), so the saved model could not be loaded. Either ` +
        `build the optimizer with one of those seeded bases, or call model.save() without includeOptimizer and, ` +
        `after loading, create the optimizer again with the same basis (restore its state with setWeights).`,
    );
  }
  if (!supportsExactState(inner)) {
    throw new CheckpointError(
      `${where}: a ${inner.getClassName()} inner optimizer cannot be restored exactly (only the seven tf.train ` +
        `optimizers can); call model.save() without includeOptimizer and create the optimizer again after loading.`,
    );
  }
  if (!isRegistered(rule) || rule.savedAs !== className) {
    throw new CheckpointError(
      `${where}: the update rule '${rule.mode}' is not registered for ${className} (src/optimizer/rules/registry.ts), ` +
        `so the saved model could not be loaded; register the rule, or call model.save() without includeOptimizer.`,
    );
  }
}

/** The config of a bound optimizer that {@link checkSavable} accepted. */
export function configOf(inner: tf.Optimizer, basis: Basis, rule: RuleDefinition, nonFinite: NonFinitePolicy, selection: VariableSelection): SavedConfig {
  return {
    mode: rule.mode as RuleMode,
    nonFinite,
    innerClassName: inner.getClassName(),
    innerConfig: inner.getConfig(),
    basis: { ...(basisSpec(basis) as BasisSpec) },
    variableCount: selection.all.length,
    ...selection.positions,
    variables: selection.all.map((v) => ({ name: v.name, shape: v.shape.slice() })),
  };
}

/** What a checked saved config rebuilds: the rule, a fresh inner optimizer and the seeded basis. */
export function rebuildFromConfig(className: string, config: SavedConfig): { rule: RuleDefinition; inner: tf.Optimizer; basis: Basis } {
  checkSavedConfig({ className }, config);
  const rule = findRule(className as SavedClassName, config.mode) as RuleDefinition;
  const [innerCls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[config.innerClassName];
  const inner = fromConfig(innerCls, config.innerConfig) as tf.Optimizer;
  return { rule, inner, basis: basisFromSpec(config.basis as BasisSpec) };
}
