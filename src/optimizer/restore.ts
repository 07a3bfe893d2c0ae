import * as tf from '@tensorflow/tfjs-core';
import { Basis, checkVector } from '../basis/basis';
import { basisFromSpec } from '../basis/from-spec';
import { BasisSpec } from '../basis/spec';
import { CheckpointError, DisposedError, InvalidArgumentError } from '../errors';
import { GradientInput, NamedTensor, VariableSource, variablesOf } from '../layout';
import { basisProbe, checkBasisProbe, checkOrigin } from './checks';
import { checkSavedConfig, SavedConfig } from './saved-config';
import { ProjectedGradientOptimizer, projectGradients } from './project-gradients';
import { ProjectedParameterOptimizer, projectParameters } from './project-parameters';
import { SubspaceOptimizer } from './subspace-optimizer';

export type { SavedConfig, SavedVariable } from './saved-config';

type WrapperClass = typeof ProjectedGradientOptimizer | typeof ProjectedParameterOptimizer;

/** A loaded model's variables are named like the saved ones, up to the `_1`, `_2` tfjs appends on a clash. */
const canonical = (name: string) => name.replace(/_\d+$/, '');

/** The state of one restored optimizer: the saved config and weights until it binds, the wrapper after. */
class Restoring {
  target: SubspaceOptimizer | null = null;
  boundTo: tf.Variable[] = [];
  pending: NamedTensor[] | null = null;
  iterations = 0;
  disposed = false;
  readonly bound = new Map<PropertyKey, unknown>();

  constructor(
    readonly cls: WrapperClass,
    readonly config: SavedConfig,
    readonly basis: Basis,
    readonly probe: tf.Tensor1D,
  ) {}

  get where(): string {
    return this.cls.className;
  }

  alive(): void {
    if (this.disposed) throw new DisposedError(`${this.where}: the optimizer was disposed; load the model again.`);
  }

  notBound(what: string): CheckpointError {
    return new CheckpointError(
      `${this.where}.${what}: this optimizer was restored by tf.loadLayersModel and binds to the model's variables ` +
        `on its first minimize/applyGradients; call bindRestoredOptimizer(model.optimizer, model) to bind it now.`,
    );
  }

  /** Validates the saved weights against the saved config and basis, then keeps copies of them. */
  setWeights(weights: NamedTensor[]): void {
    this.alive();
    const where = `${this.where}.setWeights`;
    const { D, d } = this.config.basis as BasisSpec;
    const own = this.config.mode === 'coordinates' ? 1 : 0;
    if (!Array.isArray(weights) || weights.length < 3 + own) {
      throw new CheckpointError(`${where}: expected [iterations, origin, basis probe${own ? ', z' : ''}, …inner state], got ${Array.isArray(weights) ? weights.length : 'no'} entries.`);
    }
    const [iter, origin, probe] = weights;
    const iterations = iter?.tensor?.size === 1 ? iter.tensor.dataSync()[0] : NaN;
    if (!Number.isInteger(iterations) || iterations < 0) throw new CheckpointError(`${where}: the saved iteration count ${iterations} is invalid.`);
    try {
      checkOrigin(where, origin?.tensor as tf.Tensor1D, D);
      checkBasisProbe(where, probe, this.probe, this.basis);
      if (own) checkVector(where, weights[3].tensor, d, "the saved coordinates 'subspace/z'");
    } catch (e) {
      throw new CheckpointError(`${(e as Error).message} The weights do not belong to this saved optimizer (saved basis: D = ${D}, d = ${d}).`);
    }
    this.disposePending();
    this.pending = weights.map(({ name, tensor }) => ({ name, tensor: tf.keep(tf.clone(tensor)) }));
    this.iterations = iterations;
  }

  /** Checks `variables` against the saved names and shapes (by position), then builds the wrapper. */
  bind(variables: tf.Variable[], where: string): SubspaceOptimizer {
    this.alive();
    if (this.target) {
      if (variables.length === this.boundTo.length && variables.every((v, i) => v === this.boundTo[i])) return this.target;
      throw new CheckpointError(`${where}: the optimizer is already bound to other variables; use it with the model it was loaded with.`);
    }
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
    const [innerCls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[c.innerClassName];
    const inner = fromConfig(innerCls, c.innerConfig) as tf.Optimizer;
    const opts = { variables, free: c.free.map((i) => variables[i]), frozen: c.frozen.map((i) => variables[i]), nonFinite: c.nonFinite };
    let target: SubspaceOptimizer | null = null;
    try {
      target = c.mode === 'parameters' ? projectParameters(inner, this.basis, opts) : projectGradients(inner, this.basis, { ...opts, mode: c.mode });
      if (this.pending) target.setWeightsSync(this.pending);
    } catch (e) {
      if (target) target.dispose();
      else inner.dispose();
      throw e;
    }
    this.disposePending();
    this.probe.dispose();
    this.target = target;
    this.boundTo = variables.slice();
    return target;
  }

  /** Binds from the names of a gradient list: each saved variable must appear exactly once. */
  bindByNames(grads: GradientInput): SubspaceOptimizer {
    const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
    const registry = tf.engine().registeredVariables;
    const given = names.map((n) => registry[n]).filter((v): v is tf.Variable => v != null);
    const ordered = this.config.variables.map((s) => {
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
    return this.bind(ordered, `${this.where}.applyGradients`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.target) this.target.dispose();
    else this.probe.dispose();
    this.basis.dispose();
    this.disposePending();
  }

  disposePending(): void {
    this.pending?.forEach((w) => w.tensor.dispose());
    this.pending = null;
  }

  /** What the optimizer answers before it is bound. */
  unbound(placeholder: object, prop: PropertyKey): unknown {
    const c = this.config;
    switch (prop) {
      case 'getClassName':
        return () => this.where;
      case 'getConfig':
        return () => ({ ...c }) as unknown as tf.serialization.ConfigDict;
      case 'setWeights':
        return async (w: NamedTensor[]) => this.setWeights(w);
      case 'getWeights':
        return async () => {
          this.alive();
          if (!this.pending) throw new CheckpointError(`${this.where}.getWeights: no saved state was loaded; train one step first.`);
          const [iter, ...rest] = this.pending;
          return [{ name: iter.name, tensor: tf.clone(iter.tensor) }, ...rest];
        };
      case 'minimize':
        return (f: () => tf.Scalar, returnCost?: boolean, varList?: tf.Variable[]) => {
          this.alive();
          if (!varList) throw this.notBound('minimize without varList');
          return this.bind(varList, `${this.where}.minimize`).minimize(f, returnCost, varList);
        };
      case 'applyGradients':
        return (grads: GradientInput) => (this.alive(), this.bindByNames(grads).applyGradients(grads));
      case 'computeGradients':
        return (f: () => tf.Scalar, varList?: tf.Variable[]) => tf.variableGrads(f, varList);
      case 'dispose':
        return () => this.dispose();
      case 'isDisposed':
        return this.disposed;
      case 'mode':
        return c.mode;
      case 'basis':
        return this.basis;
      case 'iterations':
        return this.iterations;
      case 'ambientDim':
        return (c.basis as BasisSpec).D;
      case 'skippedSteps':
        return 0;
      case 'origin':
        this.alive();
        if (!this.pending) throw this.notBound('origin');
        return this.pending[1].tensor;
      case 'coordinates':
        return () => {
          this.alive();
          if (c.mode !== 'coordinates' || !this.pending) throw this.notBound('coordinates');
          return tf.clone(this.pending[3].tensor);
        };
      case 'inner':
        throw this.notBound('inner'); // made from the saved config when binding
      case 'constructor':
        return this.cls;
    }
    const found = findProperty(this.cls.prototype, prop);
    if (found && (found.get || typeof found.value === 'function')) {
      if (found.get) throw this.notBound(String(prop));
      return () => {
        throw this.notBound(String(prop));
      };
    }
    return Reflect.get(placeholder, prop);
  }
}

function findProperty(proto: object | null, prop: PropertyKey): PropertyDescriptor | undefined {
  for (let p = proto; p != null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, prop);
    if (d) return d;
  }
  return undefined;
}

const states = new WeakMap<object, Restoring>();

/**
 * The optimizer `tf.loadLayersModel` gets back: a {@link ProjectedGradientOptimizer} or
 * {@link ProjectedParameterOptimizer} (`instanceof`, `getClassName()` and every method as the saved
 * one). The saved config cannot name the model's variables (they are created before it, under names
 * that may gain `_1` suffixes), so it binds on its first `minimize`/`applyGradients` — or on
 * {@link bindRestoredOptimizer} — after checking the variables' names and shapes position by
 * position against the saved ones; from then on it is exactly the saved optimizer continuing.
 */
export function restoredOptimizer(wrapper: WrapperClass, config: SavedConfig): tf.Optimizer {
  checkSavedConfig(wrapper, config);
  const basis = basisFromSpec(config.basis as BasisSpec);
  const state = new Restoring(wrapper, config, basis, tf.keep(basisProbe(basis)));
  const placeholder = Object.create(wrapper.prototype) as object;
  const proxy = new Proxy(placeholder, {
    get(target, prop) {
      const t = state.target;
      if (t == null) return Object.prototype.hasOwnProperty.call(target, prop) ? Reflect.get(target, prop) : state.unbound(target, prop);
      if (prop === 'dispose') return () => state.dispose();
      const value = Reflect.get(t, prop);
      if (typeof value !== 'function' || prop === 'constructor') return value;
      if (!state.bound.has(prop)) state.bound.set(prop, value.bind(t));
      return state.bound.get(prop);
    },
    set(target, prop, value) {
      return Reflect.set(state.target ?? target, prop, value);
    },
    has(target, prop) {
      return prop in (state.target ?? target) || findProperty(wrapper.prototype, prop) !== undefined;
    },
  });
  states.set(proxy, state);
  return proxy as tf.Optimizer;
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
  const state = states.get(optimizer);
  if (!state) {
    throw new InvalidArgumentError(
      'bindRestoredOptimizer: this optimizer was not restored by tf.loadLayersModel (an optimizer you built is bound to its variables already).',
    );
  }
  state.bind(variablesOf('bindRestoredOptimizer', variables), 'bindRestoredOptimizer');
  return optimizer as SubspaceOptimizer;
}
