import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { basisSpec } from '../basis/spec';
import { CheckpointError, DisposedError } from '../errors';
import { GradientInput, NamedTensor } from '../layout';
import { VariableSelection } from '../selection';
import { basisProbe, nonFiniteNames } from './checks';
import { disposeInner, innerWeights, restoreInnerWeights, setInnerWeights, supportsExactState } from './inner-state';
import { freeTapeOnThrow } from './loss-guard';
import { NonFiniteGuard } from './non-finite';
import { checkWrapperArguments, SubspaceOptimizerOptions, SubspaceResidual } from './options';
import { restoredOptimizer, SavedOptimizer, WrapperClass } from './restore';
import { COORDINATES_WEIGHT, RuleDefinition } from './rules/rule';
import { checkSavable, SavedConfig } from './saved-config';
import { splitSavedWeights } from './saved-state';
import { WrapperState } from './wrapper-state';

export type { NonFinitePolicy, SubspaceOptimizerOptions, SubspaceResidual } from './options';

/**
 * A tf.Optimizer that trains its variables in the affine subspace θ0 + span(Q) by the update rule
 * it was given (src/optimizer/rules/: 'coordinates', 'ambient', 'parameters'). The rule makes the
 * step from the flat gradient; everything around it is the same for every rule and composed here:
 * validating and routing the gradients (free and frozen variables, VariableSelection), the
 * non-finite policy (NonFiniteGuard), writes from outside and the rest of the bound state
 * (WrapperState), saving (getConfig, getWeights/setWeights) and, for an optimizer restored by
 * tf.loadLayersModel, binding to the model's variables on first use (SavedOptimizer).
 *
 * `projectGradients` and `projectParameters` build it with a registered rule; the constructor takes
 * any {@link RuleDefinition} (docs/contributing.md, "Adding an update rule").
 */
export class SubspaceOptimizer<Mode extends string = string> extends tf.Optimizer {
  static readonly className: string = 'SubspaceOptimizer';
  /** The basis; not owned (it may be shared, dispose it yourself) — except by a restored optimizer, which built it. */
  readonly basis: Basis;
  private readonly innerOptimizer: tf.Optimizer;
  private readonly rule: RuleDefinition<Mode>;
  /** The factory's name ('projectGradients'): the prefix of messages. */
  private readonly where: string;
  private readonly guard: NonFiniteGuard;
  /** Qᵀv for a fixed seeded v: identifies the basis in saved state (see checks.ts). */
  private readonly probe: tf.Tensor1D;
  /** Null only while a restored optimizer is not bound to its variables yet. */
  private state: WrapperState | null = null;
  /** The saved optimizer this one was restored from (tf.loadLayersModel), else null. */
  private readonly saved: SavedOptimizer | null;
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
    let nonFinite = opts instanceof SavedOptimizer ? opts.config.nonFinite : undefined;
    if (opts instanceof SavedOptimizer) {
      this.saved = opts;
      opts.binder = (variables, at) => this.bindSaved(variables, at);
    } else {
      const checked = checkWrapperArguments(where, inner, basis, opts);
      nonFinite = checked.nonFinite;
      this.saved = null;
      this.state = this.stateFor(checked.selection, opts, inner, basis);
    }
    this.innerOptimizer = inner;
    this.basis = basis;
    this.probe = tf.keep(basisProbe(basis));
    this.guard = new NonFiniteGuard(where, nonFinite ?? 'throw');
  }

  private stateFor(selection: VariableSelection, opts: SubspaceOptimizerOptions, inner: tf.Optimizer, basis: Basis): WrapperState {
    return new WrapperState(this.where, inner, basis, this.rule, selection, {
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
   * z, the current coordinates (a new tensor; the caller disposes it): the rule's own z in
   * coordinates mode, else Qᵀ(θ − θ0). A write from outside since the last step is taken in first.
   */
  coordinates(): tf.Tensor1D {
    if (!this.state) {
      this.checkAlive('coordinates');
      const at = this.rule.savedWeights.indexOf(COORDINATES_WEIGHT);
      if (at < 0) throw this.notBound('coordinates');
      return tf.clone(this.savedWeight(3 + at, 'coordinates')) as tf.Tensor1D;
    }
    const state = this.alive('coordinates');
    state.follow(`${this.where}.coordinates`);
    return state.coordinates();
  }

  /**
   * Moves the variables to θ0 + Q·z (and, in coordinates mode, makes z the optimizer's own); the
   * inner optimizer's state and the iteration count are kept. Validated first: a live float32
   * vector of length d with finite entries, else a typed error and nothing changes.
   *
   * @example
   * const z = opt.coordinates();      // save a point…
   * opt.setCoordinates(z);            // …and go back to it later
   */
  setCoordinates(z: tf.Tensor1D): void {
    this.alive('setCoordinates').setCoordinates(`${this.where}.setCoordinates`, z);
  }

  /**
   * Makes the variables' current values the origin θ0 (z = 0 from here on): the way to keep training
   * after a write from outside put θ off the subspace (`OutsideWriteError`), e.g. a checkpoint with
   * another origin. The inner optimizer's state and the iteration count are kept.
   *
   * @example
   * model.setWeights(pretrained);   // values off θ0 + span(Q)
   * opt.rebase();                   // train θ0' + Q·z around them
   */
  rebase(): void {
    this.alive('rebase').rebase(`${this.where}.rebase`);
  }

  /** How far θ is from θ0 + span(Q) right now (reads two numbers from the device). */
  residual(): SubspaceResidual {
    return this.alive('residual').residual();
  }

  /** Like `tf.Optimizer.minimize`, but `varList` defaults to this optimizer's projected and free variables. */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    if (!this.state) {
      this.checkAlive('minimize');
      if (!varList) throw this.notBound('minimize without varList');
      this.bindSaved(varList, `${this.name}.minimize`);
    }
    const state = this.alive('minimize');
    state.follow(`${this.where}.minimize`);
    // As tf.Optimizer.minimize, but a loss that throws and a rejected step (non-finite, unknown or
    // disposed variable) free the loss, the gradients and the tape instead of leaking them.
    const vars = varList ?? state.selection.trained;
    const { value, grads } = this.computeGradients(freeTapeOnThrow(`${this.where}.minimize`, f), vars);
    try {
      this.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
    } catch (e) {
      value.dispose();
      throw e;
    } finally {
      tf.dispose(grads);
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  override applyGradients(variableGradients: GradientInput): void {
    if (!this.state && this.saved) {
      this.checkAlive('applyGradients');
      this.bindSaved(this.saved.variablesByNames(variableGradients), `${this.name}.applyGradients`);
    }
    const state = this.alive('applyGradients');
    state.checkAlive(this.where);
    const { projected: parts, free } = state.selection.route(this.where, variableGradients);
    state.follow(`${this.where}.applyGradients`);
    const present = parts.map((p) => p != null);
    const freeNames = state.selection.free?.names ?? [];
    const freeList = freeNames.map((name, i) => ({ name, tensor: free[i] as tf.Tensor }));
    const g = tf.tidy(() => state.layout.flatten(parts));
    try {
      const outcome = this.guard.run(
        [g, ...free],
        () => nonFiniteNames([...parts, ...free], [...state.layout.names, ...freeNames]),
        () => state.stepState(this.innerOptimizer),
        this.iterations + 1,
        () => state.rule.step(g, present, freeList),
      );
      this.incrementIterations();
      if (outcome === 'stepped') state.watch.record();
    } finally {
      g.dispose();
    }
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

  private restoreInto(state: WrapperState, weightValues: NamedTensor[]): void {
    const [iterations, origin, own, inner] = this.split(state, weightValues);
    restoreInnerWeights(this.where, this.innerOptimizer, inner, state.innerShapes(), iterations, state.innerNames());
    state.restore(origin, own);
    this.iterations_ = iterations;
  }

  private split(state: WrapperState, weightValues: NamedTensor[]): [number, tf.Tensor1D, NamedTensor[], NamedTensor[]] {
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

  /**
   * Waits until every step in flight has been checked, then throws {@link NonFiniteError} naming the
   * steps that had a non-finite gradient (dropped on the device: nothing was updated). Only policy
   * 'throw' on a backend where a read is a device sync (webgl, webgpu, …) defers the check; there the
   * next call into the optimizer throws too, once the flag has been read. Elsewhere it resolves at once.
   *
   * @example
   * for (let i = 0; i < 100; i++) opt.minimize(loss);
   * await opt.checkNonFinite();   // rejects if any of them had a NaN/Infinity gradient
   */
  async checkNonFinite(): Promise<void> {
    this.alive('checkNonFinite');
    await this.guard.wait();
  }

  /** tf.serialization's entry for a saved ProjectedGradient/ProjectedParameter (restore.ts). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return restoredOptimizer(cls as unknown as WrapperClass, config as unknown as SavedConfig, SubspaceOptimizer) as unknown as T;
  }

  /** The prefix of messages: the factory's name, or the saved class name while a restored optimizer is unbound. */
  private get name(): string {
    return !this.state && this.saved ? this.saved.where : this.where;
  }

  private notBound(what: string): CheckpointError {
    return (this.saved as SavedOptimizer).notBound(what);
  }

  /** A saved weight of a restored optimizer not bound yet (by position in getWeights' list). */
  private savedWeight(index: number, what: string): tf.Tensor1D {
    const pending = this.saved?.pending;
    if (!pending || !pending[index]) throw this.notBound(what);
    return pending[index].tensor as tf.Tensor1D;
  }

  /** Throws when disposed, or (once) when a step in flight was found non-finite (deferred-check.ts). */
  private checkAlive(what: string): void {
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
  private bound(what: string): WrapperState {
    if (!this.state) throw this.notBound(what);
    return this.state;
  }

  /** {@link bound}, after {@link checkAlive}. */
  private alive(what: string): WrapperState {
    const state = this.bound(what);
    this.checkAlive(what);
    return state;
  }

  /**
   * A restored optimizer binds to `variables`: they must be the saved ones (SavedOptimizer checks);
   * its state is built on them and the saved weights restored into it. Any failure leaves it unbound
   * and frees what was made. The same variables again do nothing.
   */
  private bindSaved(variables: tf.Variable[], where: string): void {
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
// subclasses inherit that static: without this, `tf.train.adam() instanceof SubspaceOptimizer` is true.
Object.defineProperty(SubspaceOptimizer, Symbol.hasInstance, {
  value: function (this: object, instance: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  },
});
