import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { DisposedError } from '../errors';
import { GradientInput, NamedTensor } from '../layout';
import { VariableSelection } from '../selection';
import { BoundState } from './bound-state';
import { ForwardWrite, withForwardWrites } from './forward-writes';
import { exactInstanceof } from './exact-instanceof';
import { disposeInner } from './inner-state';
import { freeTapeOnThrow } from './loss-guard';
import { NonFiniteGuard } from './non-finite';
import { checkWrapperArguments, NonFinitePolicy, SubspaceOptimizerOptions, SubspaceResidual } from './options';
import { FACTORIES, RuleDefinition, SavedClassName } from './rules/rule';
import { rebuildFromConfig, SavedConfig } from './saved-config';
import { basisProbe } from './saved-weights';
import { WrapperCore, WrapperState } from './state';
import { Restoring, UnboundState } from './unbound-state';

export type { NonFinitePolicy, SubspaceOptimizerOptions, SubspaceResidual } from './options';
/**
 * A tf.Optimizer that trains its variables in the affine subspace θ0 + span(Q) by the update rule
 * it was given (src/optimizer/rules/: 'coordinates', 'ambient', 'parameters'). The rule makes the
 * step from the flat gradient; the rest is the same for every rule: the non-finite policy
 * (non-finite.ts), and a state (state.ts) — bound to its variables (bound-state.ts: routing the
 * gradients, writes from outside, saving), or, for an optimizer restored by tf.loadLayersModel,
 * unbound until its first step (unbound-state.ts). This class only delegates to its state.
 *
 * `projectGradients` and `projectParameters` build it with a registered rule; the constructor takes
 * any {@link RuleDefinition} (docs/contributing.md, "Adding an update rule"): `where` is the
 * factory's name for messages, and `opts` the variables and policies (validated first: a typed error
 * and nothing created) or, from tf.loadLayersModel, the saved class and config to bind later.
 */
export class SubspaceOptimizer<Mode extends string = string> extends tf.Optimizer {
  static readonly className: string = 'SubspaceOptimizer';
  /** The basis; not owned (it may be shared, dispose it yourself) — except by a restored optimizer, which built it. */
  readonly basis: Basis;
  private readonly core: WrapperCore;
  private state: WrapperState;
  /** True for an optimizer tf.loadLayersModel made (it owns its basis and binds on first use). */
  private readonly restored: boolean;
  private disposed = false;

  constructor(where: string, inner: tf.Optimizer, basis: Basis, rule: RuleDefinition<Mode>, opts: SubspaceOptimizerOptions | Restoring) {
    super();
    const restoring = opts instanceof Restoring ? opts : null;
    const checked = opts instanceof Restoring ? null : checkWrapperArguments(where, inner, basis, opts);
    const probe = tf.keep(basisProbe(basis));
    const guard = new NonFiniteGuard(where, restoring?.config.nonFinite ?? (checked as { nonFinite: NonFinitePolicy }).nonFinite);
    this.core = { where, inner, basis, rule, probe, guard, iterations: () => this.iterations };
    this.basis = basis;
    this.restored = restoring != null;
    try {
      this.state = restoring
        ? new UnboundState(this.core, restoring)
        : new BoundState(this.core, (checked as { selection: VariableSelection }).selection, {
            origin: (opts as SubspaceOptimizerOptions).origin,
            source: (opts as SubspaceOptimizerOptions).variables,
          });
    } catch (e) {
      probe.dispose();
      guard.dispose();
      throw e;
    }
  }

  /** Which update rule this optimizer applies ('coordinates', 'ambient' or 'parameters' for the built-in ones). */
  get mode(): Mode {
    return this.core.rule.mode as Mode;
  }

  /** The wrapped optimizer; owned (disposed with the wrapper). */
  get inner(): tf.Optimizer {
    this.state.requireBound('inner'); // a restored one made it from the saved config: used once bound
    return this.core.inner;
  }

  /** θ0 (owned by the optimizer: do not dispose). */
  get origin(): tf.Tensor1D {
    return this.use('origin').origin('origin');
  }

  /** D: the number of parameters. */
  get ambientDim(): number {
    return this.basis.ambientDim;
  }

  /** The projected variables, in θ order. */
  get variables(): readonly tf.Variable[] {
    return this.state.selection('variables').projected.variables;
  }

  /** The free variables (stepped in full by the inner optimizer). */
  get freeVariables(): readonly tf.Variable[] {
    return this.state.selection('freeVariables').free?.variables ?? [];
  }

  /**
   * Steps dropped because of a non-finite gradient (policy 'skip'; they count in `iterations` too).
   * Reads one number from the device: the sync-free steps count there.
   */
  get skippedSteps(): number {
    return this.core.guard.skippedSteps;
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
    return this.use('coordinates').coordinates('coordinates');
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
    this.use('setCoordinates').setCoordinates(`${this.core.where}.setCoordinates`, z);
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
    this.use('rebase').rebase(`${this.core.where}.rebase`);
  }

  /** How far θ is from θ0 + span(Q) right now (reads two numbers from the device). */
  residual(): SubspaceResidual {
    return this.use('residual').residual();
  }

  /**
   * Like `tf.Optimizer.minimize`, but `varList` defaults to this optimizer's projected and free
   * variables. A step that is not applied — a non-finite gradient, a loss that throws, a rejected
   * gradient — changes nothing: not the variables, the slots, nor what the loss itself wrote
   * (BatchNormalization's moving statistics, forward-writes.ts); the loss, the gradients and the
   * tape are freed.
   */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const current = this.use('minimize');
    if (!current.isBound && !varList) current.requireBound('minimize without varList');
    const state = current.isBound ? (current as BoundState) : this.bind(varList as tf.Variable[], `${current.name}.minimize`);
    const where = this.core.where;
    state.follow(`${where}.minimize`);
    const vars = varList ?? state.selection().trained;
    return withForwardWrites(vars, (writes) => {
      const { value, grads } = this.computeGradients(freeTapeOnThrow(`${where}.minimize`, f), vars);
      try {
        if (this.stepWith(state, vars.map((v) => ({ name: v.name, tensor: grads[v.name] })), writes.settle()) === 'skipped') writes.undo();
      } catch (e) {
        value.dispose();
        throw e;
      } finally {
        tf.dispose(grads);
      }
      if (returnCost) return value;
      value.dispose();
      return null;
    });
  }

  override applyGradients(variableGradients: GradientInput): void {
    const state = this.use('applyGradients');
    const bound = state instanceof UnboundState ? this.bind(state.variablesByNames(variableGradients), `${state.name}.applyGradients`) : (state as BoundState);
    this.stepWith(bound, variableGradients, []);
  }

  private stepWith(state: BoundState, grads: GradientInput, written: readonly ForwardWrite[]): 'stepped' | 'skipped' {
    const outcome = state.step(grads, written);
    this.incrementIterations();
    return outcome;
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
    this.use('checkNonFinite');
    await this.core.guard.wait();
  }

  /**
   * [iterations, origin, basis probe, …the rule's state (z), …inner optimizer state] (the one
   * codec: saved-weights.ts). As with `tf.train` optimizers, the first entry is a new tensor
   * (dispose it) and the others are this optimizer's own variables.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    return this.use('getWeights').weights(() => this.saveIterations());
  }

  /**
   * Restores what {@link getWeights} returned (copies it: the caller keeps and disposes its tensors).
   * Everything is validated before anything changes; the variables themselves are not touched.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.iterations_ = await this.use('setWeights').restoreAsync(this.core.where, weightValues);
  }

  /** {@link setWeights} without awaiting (the inner optimizer must be one of the seven tf.train ones). */
  setWeightsSync(weightValues: NamedTensor[]): void {
    this.iterations_ = this.use('setWeights').restore(this.core.where, weightValues);
  }

  /**
   * The config `model.save({includeOptimizer: true})` stores (saved-config.ts): the mode, the policy,
   * the inner optimizer, the basis spec and the name and shape of every variable it was given.
   * Throws {@link CheckpointError} when the optimizer could not be rebuilt from it, so that saving
   * fails instead of loading.
   */
  override getConfig(): tf.serialization.ConfigDict {
    return this.state.config(this.getClassName()) as unknown as tf.serialization.ConfigDict;
  }

  /**
   * Frees the origin, the rule's state and the inner optimizer (including tensors that some tf.train
   * optimizers forget in their own dispose, tfjs#4647). The basis and the variables are not disposed
   * (a restored optimizer's basis is: it made it). Calling it twice is harmless.
   */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.state.dispose();
    this.core.probe.dispose();
    this.core.guard.dispose();
    disposeInner(this.core.inner);
    if (this.restored) this.basis.dispose();
    super.dispose();
  }

  /**
   * Binds a restored optimizer to `variables` (the saved ones; see {@link bindRestoredOptimizer});
   * the same variables again do nothing. For bindRestoredOptimizer and the first step.
   */
  bindTo(variables: tf.Variable[], where: string): BoundState {
    this.use(where);
    return this.bind(variables, where);
  }

  private bind(variables: tf.Variable[], where: string): BoundState {
    const next = this.state.bind(variables, where) as BoundState;
    this.state = next;
    return next;
  }

  /** The state, after checking the optimizer is alive and no step in flight was found non-finite (deferred-check.ts). */
  private use(what: string): WrapperState {
    if (this.disposed) throw new DisposedError(this.state.disposedMessage(what));
    this.core.guard.throwIfFailed();
    return this.state;
  }

  /** True when tf.loadLayersModel made this optimizer. */
  get isRestored(): boolean {
    return this.restored;
  }

  /** The bound state for src/checkpoint (not exported from the package). */
  boundState(what: string): BoundState {
    this.use(what).requireBound(what);
    return this.state as BoundState;
  }

  /** tf.serialization's entry for a saved ProjectedGradient/ProjectedParameter: an unbound optimizer of that class. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const className = (cls as unknown as { className: SavedClassName }).className;
    const saved = config as unknown as SavedConfig;
    const { rule, inner, basis } = rebuildFromConfig(className, saved);
    // SubspaceOptimizer's constructor with `cls` as the class: the named classes have no state of their own.
    return Reflect.construct(SubspaceOptimizer, [FACTORIES[rule.savedAs], inner, basis, rule, new Restoring(className, saved)], cls) as unknown as T;
  }
}

exactInstanceof(SubspaceOptimizer);
