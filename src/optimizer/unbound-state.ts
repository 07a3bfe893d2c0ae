import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors';
import { GradientInput, NamedTensor } from '../layout';
import { VariableSelection } from '../selection';
import { BoundState } from './bound-state';
import { checkWrapperArguments } from './options';
import { COORDINATES_WEIGHT } from './rules/rule';
import { SavedConfig } from './saved-config';
import { decodeWeights, ownWeight, reencode, SavedWeights } from './saved-weights';
import { WrapperCore, WrapperState } from './state';

/** A loaded model's variables are named like the saved ones, up to the `_1`, `_2` tfjs appends on a clash. */
const canonical = (name: string) => name.replace(/_\d+$/, '');

/** What tf.loadLayersModel hands the optimizer's constructor: the saved class name and config. */
export class Restoring {
  constructor(
    readonly className: string,
    readonly config: SavedConfig,
  ) {}
}

/**
 * A restored optimizer before it meets the model's variables (state.ts): the saved config cannot
 * name them (they are created before it, under names that may gain `_1` suffixes), so it holds the
 * config and, once tf.loadLayersModel set them, copies of the saved weights (validated against the
 * config, the basis and the rule). It answers `origin`, `coordinates`, `getWeights` and `getConfig`
 * from them and throws CheckpointError for what needs the variables; {@link bind} checks the
 * variables against the saved ones and returns the bound state, with the saved weights restored.
 */
export class UnboundState implements WrapperState {
  readonly isBound = false;
  /** Copies of the saved weights (owned), once loaded. */
  private pending: SavedWeights | null = null;

  constructor(
    private readonly core: WrapperCore,
    private readonly saved: Restoring,
  ) {}

  /** The saved class name: the prefix of messages until it binds. */
  get name(): string {
    return this.saved.className;
  }

  requireBound(what: string): never {
    throw new CheckpointError(
      `${this.name}.${what}: this optimizer was restored by tf.loadLayersModel and binds to the model's variables ` +
        `on its first minimize/applyGradients; call bindRestoredOptimizer(model.optimizer, model) to bind it now.`,
    );
  }
  disposedMessage(): string {
    return `${this.name}: the optimizer was disposed; load the model again.`;
  }

  origin(what: string): tf.Tensor1D {
    return this.pending ? this.pending.origin : this.requireBound(what);
  }
  coordinates(what: string): tf.Tensor1D {
    const z = this.pending && ownWeight(this.pending, COORDINATES_WEIGHT);
    return z ? (tf.clone(z) as tf.Tensor1D) : this.requireBound(what);
  }
  setCoordinates(): void {
    this.requireBound('setCoordinates');
  }
  rebase(): void {
    this.requireBound('rebase');
  }
  residual(): never {
    return this.requireBound('residual');
  }
  selection(what: string): VariableSelection {
    return this.requireBound(what);
  }

  async weights(): Promise<NamedTensor[]> {
    if (!this.pending) throw new CheckpointError(`${this.name}.getWeights: no saved state was loaded; train one step first.`);
    const [iter, ...rest] = reencode(this.pending);
    return [{ name: iter.name, tensor: tf.clone(iter.tensor) }, ...rest];
  }

  /** Validates saved weights against the saved config, the basis and the rule, then keeps copies (replacing earlier ones). */
  restore(where: string, weights: NamedTensor[]): number {
    const { D, d } = this.saved.config.basis as { D: number; d: number };
    let decoded: SavedWeights;
    try {
      decoded = decodeWeights(`${this.name}.setWeights`, weights, { rule: this.core.rule, basis: this.core.basis, probe: this.core.probe });
    } catch (e) {
      throw new CheckpointError(`${(e as Error).message} The weights do not belong to this saved optimizer (saved basis: D = ${D}, d = ${d}).`);
    }
    const copy = (w: NamedTensor) => ({ name: w.name, tensor: tf.keep(tf.clone(w.tensor)) });
    const kept: SavedWeights = {
      ...decoded,
      iterationsEntry: copy(decoded.iterationsEntry),
      origin: tf.keep(tf.clone(decoded.origin)),
      probe: tf.keep(tf.clone(decoded.probe)),
      own: decoded.own.map(copy),
      inner: decoded.inner.map(copy),
    };
    this.disposePending();
    this.pending = kept;
    return kept.iterations;
  }
  async restoreAsync(where: string, weights: NamedTensor[]): Promise<number> {
    return this.restore(where, weights);
  }

  config(): SavedConfig {
    return { ...this.saved.config };
  }

  /**
   * The bound state on `variables`, which must be the saved ones (same count, and at each position
   * the same shape and name, up to `_1` suffixes); the saved weights are restored into it. Any
   * failure throws CheckpointError and leaves this state as it was.
   */
  bind(variables: tf.Variable[], where: string): BoundState {
    const opts = this.optionsFor(variables, where);
    const { selection } = checkWrapperArguments(this.core.where, this.core.inner, this.core.basis, opts);
    const state = new BoundState(this.core, selection, { source: variables });
    try {
      if (this.pending) state.restore(this.core.where, reencode(this.pending));
    } catch (e) {
      state.dispose();
      throw e;
    }
    this.disposePending();
    return state;
  }

  private optionsFor(variables: tf.Variable[], where: string) {
    const saved = this.saved.config.variables;
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
    const c = this.saved.config;
    return { variables, free: c.free.map((i) => variables[i]), frozen: c.frozen.map((i) => variables[i]), nonFinite: c.nonFinite };
  }

  /** The saved variables, found by the names of a gradient list: each must appear exactly once. */
  variablesByNames(grads: GradientInput): tf.Variable[] {
    const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
    const registry = tf.engine().registeredVariables;
    const given = names.map((n) => registry[n]).filter((v): v is tf.Variable => v != null);
    return this.saved.config.variables.map((s) => {
      const found = given.filter((v) => canonical(v.name) === canonical(s.name) && tf.util.arraysEqual(v.shape, s.shape));
      if (found.length !== 1) {
        throw new CheckpointError(
          `${this.name}.applyGradients: the gradients name ${found.length === 0 ? 'no' : found.length} variable(s) matching the saved ` +
            `'${s.name}' [${s.shape}], so the optimizer cannot tell which variables it was saved with; call ` +
            `bindRestoredOptimizer(model.optimizer, model) first, or use minimize(f, returnCost, model's trainable variables).`,
        );
      }
      return found[0];
    });
  }

  private disposePending(): void {
    const p = this.pending;
    if (!p) return;
    tf.dispose([p.iterationsEntry.tensor, p.origin, p.probe, ...p.own.map((w) => w.tensor), ...p.inner.map((w) => w.tensor)]);
    this.pending = null;
  }

  dispose(): void {
    this.disposePending();
  }
}
