import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { basisSpec } from '../basis/spec';
import { CheckpointError, DisposedError } from '../errors';
import { NamedTensor } from '../layout';
import { VariableSelection } from '../selection';
import { BoundState } from './bound-state';
import { basisProbe } from './checks';
import { disposeInner, innerWeights, restoreInnerWeights, setInnerWeights, supportsExactState } from './inner-state';
import { NonFiniteGuard } from './non-finite';
import { checkWrapperArguments, NonFinitePolicy, SubspaceOptimizerOptions } from './options';
import { SavedOptimizer } from './restore';
import { RuleDefinition } from './rules/rule';
import { checkSavable, SavedConfig } from './saved-config';
import { splitSavedWeights } from './saved-state';

/**
 * The life cycle half of {@link SubspaceOptimizer}, the one wrapper class (the stepping half is in
 * subspace-optimizer.ts): what it holds — the update rule, the basis and its probe, the inner
 * optimizer, the non-finite policy (NonFiniteGuard) and, once it knows its variables, the bound state
 * (BoundState) — and what it does with it whatever the rule: save (getConfig, getWeights), restore
 * (setWeights), dispose, and, for an optimizer restored by tf.loadLayersModel (SavedOptimizer),
 * answer from the saved state until it binds to the model's variables.
 */
export abstract class WrapperState<Mode extends string = string> extends tf.Optimizer {
  static readonly className: string = 'SubspaceOptimizer';
  /** The basis; not owned (it may be shared, dispose it yourself) — except by a restored optimizer, which built it. */
  readonly basis: Basis;
  protected readonly innerOptimizer: tf.Optimizer;
  protected readonly rule: RuleDefinition<Mode>;
  /** The factory's name ('projectGradients'): the prefix of messages. */
  protected readonly where: string;
  protected readonly guard: NonFiniteGuard;
  /** Qᵀv for a fixed seeded v: identifies the basis in saved state (see checks.ts). */
  private readonly probe: tf.Tensor1D;
  /** Null only while a restored optimizer is not bound to its variables yet. */
  protected state: BoundState | null = null;
  /** The saved optimizer this one was restored from (tf.loadLayersModel), else null. */
  protected readonly saved: SavedOptimizer | null;
  private disposed = false;

  /**
   * `where`: the factory's name, for messages; `rule`: the update rule; `opts`: the variables and
   * policies (validated first: a typed error and nothing created), or, from tf.loadLayersModel, the
   * saved optimizer to bind later.
   */
  constructor(where: string, inner: tf.Optimizer, basis: Basis, rule: RuleDefinition<Mode>, opts: SubspaceOptimizerOptions | SavedOptimizer) {
    super();
    this.where = where;
    this.rule = rule;
    let nonFinite: NonFinitePolicy;
    if (opts instanceof SavedOptimizer) {
      this.saved = opts;
      nonFinite = opts.config.nonFinite;
      opts.binder = (variables, at) => this.bindSaved(variables, at);
    } else {
      const checked = checkWrapperArguments(where, inner, basis, opts);
      this.saved = null;
      nonFinite = checked.nonFinite;
      this.state = this.stateFor(checked.selection, opts, inner, basis);
    }
    this.innerOptimizer = inner;
    this.basis = basis;
    this.probe = tf.keep(basisProbe(basis));
    this.guard = new NonFiniteGuard(where, nonFinite);
  }

  private stateFor(selection: VariableSelection, opts: SubspaceOptimizerOptions, inner: tf.Optimizer, basis: Basis): BoundState {
    return new BoundState(this.where, inner, basis, this.rule, selection, {
      origin: opts.origin,
      source: opts.variables,
      iterations: () => this.iterations,
    });
  }

  /** Which update rule this optimizer applies ('coordinates', 'ambient' or 'parameters' for the built-in ones). */
  get mode(): Mode {
    return this.rule.mode;
  }

  /** The wrapped optimizer; owned (disposed with the wrapper). */
  get inner(): tf.Optimizer {
    if (!this.state && this.saved) throw this.saved.notBound('inner'); // made from the saved config, used once bound
    return this.innerOptimizer;
  }

  /** θ0 (owned by the optimizer: do not dispose). */
  get origin(): tf.Tensor1D {
    if (!this.state) return (this.checkAlive('origin'), this.savedWeight(1, 'origin'));
    return this.alive('origin').origin;
  }

  /** D: the number of parameters. */
  get ambientDim(): number {
    return this.basis.ambientDim;
  }

  /** The projected variables, in θ order. */
  get variables(): readonly tf.Variable[] {
    return this.bound('variables').layout.variables;
  }

  /** The free variables (stepped in full by the inner optimizer). */
  get freeVariables(): readonly tf.Variable[] {
    return this.bound('freeVariables').selection.free?.variables ?? [];
  }

  /** Every variable it was given, split into projected, free and frozen (src/checkpoint/compact.ts reads it). */
  protected get selection(): VariableSelection {
    return this.bound('selection').selection;
  }

  /**
   * Steps dropped because of a non-finite gradient (policy 'skip'; they count in `iterations` too).
   * Reads one number from the device: the sync-free steps count there.
   */
  get skippedSteps(): number {
    return this.guard.skippedSteps;
  }

  /** True once {@link dispose} has run. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * [iterations, origin, basis probe, …the rule's state (z), …inner optimizer state]. As with
   * `tf.train` optimizers, the first entry is a new tensor (dispose it) and the others are this
   * optimizer's own variables.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    if (!this.state) {
      this.checkAlive('getWeights');
      const pending = this.saved?.pending;
      if (!pending) throw new CheckpointError(`${this.name}.getWeights: no saved state was loaded; train one step first.`);
      const [iter, ...rest] = pending;
      return [{ name: iter.name, tensor: tf.clone(iter.tensor) }, ...rest];
    }
    const state = this.alive('getWeights');
    state.follow(`${this.where}.getWeights`);
    return [
      await this.saveIterations(),
      { name: 'subspace/origin', tensor: state.origin },
      { name: 'subspace/basis', tensor: this.probe },
      ...state.ownWeights(),
      ...(await innerWeights(this.innerOptimizer)),
    ];
  }

  /**
   * Restores what {@link getWeights} returned (copies it: the caller keeps and disposes its tensors).
   * Everything is validated before anything changes; the variables themselves are not touched.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    if (!this.state || supportsExactState(this.innerOptimizer)) return this.setWeightsSync(weightValues);
    const state = this.alive('setWeights');
    const [iterations, origin, own, inner] = this.split(state, weightValues);
    await setInnerWeights(this.where, this.innerOptimizer, inner, state.innerShapes(), iterations, state.innerNames());
    state.restore(origin, own);
    this.iterations_ = iterations;
  }

  /** {@link setWeights} without awaiting (the inner optimizer must be one of the seven tf.train ones). */
  setWeightsSync(weightValues: NamedTensor[]): void {
    if (!this.state && this.saved) {
      this.checkAlive('setWeights');
      this.iterations_ = this.saved.keep(weightValues, this.rule, this.basis, this.probe);
      return;
    }
    this.restoreInto(this.alive('setWeights'), weightValues);
  }

  private restoreInto(state: BoundState, weightValues: NamedTensor[]): void {
    const [iterations, origin, own, inner] = this.split(state, weightValues);
    restoreInnerWeights(this.where, this.innerOptimizer, inner, state.innerShapes(), iterations, state.innerNames());
    state.restore(origin, own);
    this.iterations_ = iterations;
  }

  private split(state: BoundState, weightValues: NamedTensor[]): [number, tf.Tensor1D, NamedTensor[], NamedTensor[]] {
    const split = splitSavedWeights(this.where, weightValues, this.rule.savedWeights, state.layout.size, this.probe, this.basis);
    this.rule.checkSaved(this.where, split[2], this.basis);
    return split;
  }

  /**
   * The config `model.save({includeOptimizer: true})` stores (saved-config.ts): the mode, the policy,
   * the inner optimizer, the basis spec and the name and shape of every variable it was given.
   * Throws {@link CheckpointError} when the optimizer could not be rebuilt from it, so that saving
   * fails instead of loading.
   */
  override getConfig(): tf.serialization.ConfigDict {
    if (!this.state) return { ...(this.saved as SavedOptimizer).config } as unknown as tf.serialization.ConfigDict;
    checkSavable(`${this.getClassName()}.getConfig (model.save with includeOptimizer)`, this.getClassName(), this.basis, this.innerOptimizer, this.rule);
    const { selection } = this.state;
    const config: SavedConfig = {
      mode: this.mode as SavedConfig['mode'],
      nonFinite: this.guard.policy,
      innerClassName: this.innerOptimizer.getClassName(),
      innerConfig: this.innerOptimizer.getConfig(),
      basis: { ...(basisSpec(this.basis) as NonNullable<SavedConfig['basis']>) },
      variableCount: selection.all.length,
      ...selection.positions,
      variables: selection.all.map((v) => ({ name: v.name, shape: v.shape.slice() })),
    };
    return config as unknown as tf.serialization.ConfigDict;
  }

  /**
   * Frees the origin, the rule's state and the inner optimizer (including tensors that some tf.train
   * optimizers forget in their own dispose, tfjs#4647). The basis and the variables are not disposed
   * (a restored optimizer's basis is: it made it). Calling it twice is harmless.
   */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.state?.dispose();
    this.probe.dispose();
    this.guard.dispose();
    disposeInner(this.innerOptimizer);
    if (this.saved) {
      this.saved.disposePending();
      this.basis.dispose();
    }
    super.dispose();
  }

  /** The prefix of messages: the factory's name, or the saved class name while a restored optimizer is unbound. */
  protected get name(): string {
    return !this.state && this.saved ? this.saved.where : this.where;
  }

  protected notBound(what: string): CheckpointError {
    return (this.saved as SavedOptimizer).notBound(what);
  }

  /** A saved weight of a restored optimizer not bound yet (by position in getWeights' list). */
  protected savedWeight(index: number, what: string): tf.Tensor1D {
    const pending = this.saved?.pending;
    if (!pending || !pending[index]) throw this.notBound(what);
    return pending[index].tensor as tf.Tensor1D;
  }

  /** Throws when disposed, or (once) when a step in flight was found non-finite (deferred-check.ts). */
  protected checkAlive(what: string): void {
    if (this.disposed) {
      throw new DisposedError(
        !this.state && this.saved
          ? `${this.saved.where}: the optimizer was disposed; load the model again.`
          : `${this.where}.${what}: the optimizer was disposed; create a new one.`,
      );
    }
    this.guard.throwIfFailed();
  }

  /** The bound state; a restored optimizer not bound yet throws {@link CheckpointError}. */
  protected bound(what: string): BoundState {
    if (!this.state) throw this.notBound(what);
    return this.state;
  }

  /** {@link bound}, after {@link checkAlive}. */
  protected alive(what: string): BoundState {
    const state = this.bound(what);
    this.checkAlive(what);
    return state;
  }

  /**
   * A restored optimizer binds to `variables`: they must be the saved ones (SavedOptimizer checks);
   * its state is built on them and the saved weights restored into it. Any failure leaves it unbound
   * and frees what was made. The same variables again do nothing.
   */
  protected bindSaved(variables: tf.Variable[], where: string): void {
    const saved = this.saved as SavedOptimizer;
    if (this.disposed) throw new DisposedError(`${saved.where}: the optimizer was disposed; load the model again.`);
    if (saved.boundTo(variables, where)) return;
    const opts = saved.optionsFor(variables, where);
    const { selection } = checkWrapperArguments(this.where, this.innerOptimizer, this.basis, opts);
    const state = this.stateFor(selection, opts, this.innerOptimizer, this.basis);
    try {
      if (saved.pending) this.restoreInto(state, saved.pending);
    } catch (e) {
      state.dispose();
      throw e;
    }
    this.state = state;
    saved.bindsTo(variables);
  }
}

// tf.Optimizer answers `instanceof` by duck typing (any object with minimize/applyGradients), and
// subclasses inherit that static: without this, `tf.train.adam() instanceof SubspaceOptimizer` is true
// (SubspaceOptimizer and the named wrappers inherit this one).
Object.defineProperty(WrapperState, Symbol.hasInstance, {
  value: function (this: object, instance: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  },
});
