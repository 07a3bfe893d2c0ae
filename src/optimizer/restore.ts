import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { basisFromSpec } from '../basis/from-spec';
import { BasisSpec } from '../basis/spec';
import { CheckpointError, InvalidArgumentError } from '../errors';
import { GradientInput, NamedTensor, VariableSource, variablesOf } from '../layout';
import { checkBasisProbe, checkOrigin } from './checks';
import { SubspaceOptimizerOptions } from './options';
import { findRule } from './rules/registry';
import { FACTORIES, RuleDefinition } from './rules/rule';
import { checkSavedConfig, SavedConfig } from './saved-config';
import { ownLabels } from './saved-state';
import type { SubspaceOptimizer } from './subspace-optimizer';

export type { SavedConfig, SavedVariable } from './saved-config';

/** A loaded model's variables are named like the saved ones, up to the `_1`, `_2` tfjs appends on a clash. */
const canonical = (name: string) => name.replace(/_\d+$/, '');

/**
 * What a restored optimizer knows before it binds to the model's variables: the saved config and
 * (once tf.loadLayersModel set them) copies of the saved weights, and the checks that the variables
 * it is bound to are the saved ones. The optimizer ({@link SubspaceOptimizer}) asks it for what it
 * can answer unbound and binds through it.
 */
export class SavedOptimizer {
  /** Copies of the saved weights (owned) until the optimizer binds. */
  pending: NamedTensor[] | null = null;
  private bound: tf.Variable[] | null = null;
  /** Set by the optimizer: checks `variables`, builds its state on them and restores {@link pending} into it. */
  binder: ((variables: tf.Variable[], where: string) => void) | null = null;

  constructor(
    /** The class name it was saved under: the prefix of its messages until it binds. */
    readonly where: string,
    readonly config: SavedConfig,
  ) {}

  notBound(what: string): CheckpointError {
    return new CheckpointError(
      `${this.where}.${what}: this optimizer was restored by tf.loadLayersModel and binds to the model's variables ` +
        `on its first minimize/applyGradients; call bindRestoredOptimizer(model.optimizer, model) to bind it now.`,
    );
  }

  /**
   * Validates saved weights against the saved config, the basis and the rule's own check, then keeps
   * copies of them (replacing earlier ones). Returns the saved iteration count.
   */
  keep(weights: NamedTensor[], rule: RuleDefinition, basis: Basis, probe: tf.Tensor1D): number {
    const where = `${this.where}.setWeights`;
    const { D, d } = this.config.basis as BasisSpec;
    const own = rule.savedWeights.length;
    if (!Array.isArray(weights) || weights.length < 3 + own) {
      throw new CheckpointError(`${where}: expected [iterations, origin, basis probe${ownLabels(rule.savedWeights)}, …inner state], got ${Array.isArray(weights) ? weights.length : 'no'} entries.`);
    }
    const [iter, origin, savedProbe] = weights;
    const iterations = iter?.tensor?.size === 1 ? iter.tensor.dataSync()[0] : NaN;
    if (!Number.isInteger(iterations) || iterations < 0) throw new CheckpointError(`${where}: the saved iteration count ${iterations} is invalid.`);
    try {
      checkOrigin(where, origin?.tensor as tf.Tensor1D, D);
      checkBasisProbe(where, savedProbe, probe, basis);
      rule.checkSaved(where, weights.slice(3, 3 + own), basis);
    } catch (e) {
      throw new CheckpointError(`${(e as Error).message} The weights do not belong to this saved optimizer (saved basis: D = ${D}, d = ${d}).`);
    }
    this.disposePending();
    this.pending = weights.map(({ name, tensor }) => ({ name, tensor: tf.keep(tf.clone(tensor)) }));
    return iterations;
  }

  /** The saved weight named `name` (owned: do not dispose), or a CheckpointError naming `what`. */
  saved(name: string, what: string): tf.Tensor {
    const found = this.pending?.find((w) => w.name === name);
    if (!found) throw this.notBound(what);
    return found.tensor;
  }

  /**
   * Throws CheckpointError unless `variables` are the saved ones (same count, and at each position
   * the same shape and name, up to `_1` suffixes); returns the wrapper options that rebuild it on them.
   */
  optionsFor(variables: tf.Variable[], where: string): SubspaceOptimizerOptions & { variables: tf.Variable[] } {
    const saved = this.config.variables;
    const problem =
      variables.length !== saved.length
        ? `${variables.length} variable(s) were given but ${saved.length} were saved`
        : saved
            .map((s, i) => {
              const v = variables[i];
              if (!(v instanceof tf.Variable)) return `position ${i} is not a tf.Variable`;
              if (!tf.util.arraysEqual(v.shape, s.shape)) return `position ${i}: '${v.name}' has shape [${v.shape}], the saved '${s.name}' had [${s.shape}]`;
              if (canonical(v.name) !== canonical(s.name)) return `position ${i}: '${v.name}' is not the saved '${s.name}'`;
              return '';
            })
            .find((p) => p !== '');
    if (problem) {
      throw new CheckpointError(
        `${where}: these are not the variables the optimizer was saved with (${problem}); train the model that ` +
          `tf.loadLayersModel returned, or bind explicitly with bindRestoredOptimizer(model.optimizer, model).`,
      );
    }
    const c = this.config;
    return { variables, free: c.free.map((i) => variables[i]), frozen: c.frozen.map((i) => variables[i]), nonFinite: c.nonFinite };
  }

  /**
   * Whether the optimizer is bound to `variables` already: false while unbound; a CheckpointError when
   * it is bound to others.
   */
  boundTo(variables: tf.Variable[], where: string): boolean {
    const was = this.bound;
    if (!was) return false;
    if (variables.length === was.length && variables.every((v, i) => v === was[i])) return true;
    throw new CheckpointError(`${where}: the optimizer is already bound to other variables; use it with the model it was loaded with.`);
  }

  /** The optimizer is bound to `variables` now: the saved weights were restored into it. */
  bindsTo(variables: tf.Variable[]): void {
    this.disposePending();
    this.bound = variables.slice();
  }

  /** The saved variables, found by the names of a gradient list: each must appear exactly once. */
  variablesByNames(grads: GradientInput): tf.Variable[] {
    const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
    const registry = tf.engine().registeredVariables;
    const given = names.map((n) => registry[n]).filter((v): v is tf.Variable => v != null);
    return this.config.variables.map((s) => {
      const found = given.filter((v) => canonical(v.name) === canonical(s.name) && tf.util.arraysEqual(v.shape, s.shape));
      if (found.length !== 1) {
        throw new CheckpointError(
          `${this.where}.applyGradients: the gradients name ${found.length === 0 ? 'no' : found.length} variable(s) matching the saved ` +
            `'${s.name}' [${s.shape}], so the optimizer cannot tell which variables it was saved with; call ` +
            `bindRestoredOptimizer(model.optimizer, model) first, or use minimize(f, returnCost, model's trainable variables).`,
        );
      }
      return found[0];
    });
  }

  disposePending(): void {
    this.pending?.forEach((w) => w.tensor.dispose());
    this.pending = null;
  }
}

/** A wrapper class as tf.serialization knows it: its saved name, and instances built by SubspaceOptimizer's constructor. */
export interface WrapperClass {
  readonly className: string;
  readonly prototype: SubspaceOptimizer;
}

const restored = new WeakMap<object, SavedOptimizer>();

/**
 * The optimizer `tf.loadLayersModel` gets back for a saved `cls` (ProjectedGradientOptimizer or
 * ProjectedParameterOptimizer): an instance of that class (SubspaceOptimizer's constructor runs with
 * `cls` as its class: the named classes have no state of their own) with the saved rule, basis and
 * inner optimizer. The saved config cannot name the model's variables (they are created before it,
 * under names that may gain `_1` suffixes), so it binds on its first `minimize`/`applyGradients` — or
 * on {@link bindRestoredOptimizer} — after checking the variables' names and shapes position by
 * position against the saved ones; from then on it is exactly the saved optimizer continuing.
 */
export function restoredOptimizer(cls: WrapperClass, config: SavedConfig, construct: typeof SubspaceOptimizer): SubspaceOptimizer {
  checkSavedConfig(cls, config);
  const rule = findRule(cls.className as RuleDefinition['savedAs'], config.mode) as RuleDefinition;
  const [innerCls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[config.innerClassName];
  const inner = fromConfig(innerCls, config.innerConfig) as tf.Optimizer;
  const basis = basisFromSpec(config.basis as BasisSpec);
  const saved = new SavedOptimizer(cls.className, config);
  const opt = Reflect.construct(construct, [FACTORIES[rule.savedAs], inner, basis, rule, saved], cls as unknown as new () => unknown) as SubspaceOptimizer;
  restored.set(opt, saved);
  return opt;
}

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
  const saved = restored.get(optimizer);
  if (!saved) {
    throw new InvalidArgumentError(
      'bindRestoredOptimizer: this optimizer was not restored by tf.loadLayersModel (an optimizer you built is bound to its variables already).',
    );
  }
  (saved.binder as NonNullable<SavedOptimizer['binder']>)(variablesOf('bindRestoredOptimizer', variables), 'bindRestoredOptimizer');
  return optimizer as SubspaceOptimizer;
}
