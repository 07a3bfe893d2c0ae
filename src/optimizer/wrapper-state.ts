import * as tf from '@tensorflow/tfjs-core';
import { basisSpec } from '../basis/spec';
import { Basis } from '../basis/basis';
import { DisposedError } from '../errors';
import { NamedTensor, ParameterLayout } from '../layout';
import { VariableSelection } from '../selection';
import { projectPoint } from '../subspace';
import { basisProbe } from './checks';
import { splitSavedWeights } from './saved-state';
import { WriteWatch } from './outside-writes';
import { DeferredCheck } from './deferred-check';
import { checkWrapperArguments, NonFinitePolicy, SubspaceOptimizerOptions } from './options';
import { disposeInner, innerWeights, restoreInnerWeights, setInnerWeights, supportsExactState } from './inner-state';

/**
 * What every wrapper holds, and its life cycle: the layout of the variables, the origin, the basis
 * probe, the non-finite policy's counters, the write watch, state save/restore (getWeights,
 * setWeights) and disposal. The stepping is {@link SubspaceOptimizer}'s.
 */
export abstract class WrapperState extends tf.Optimizer {
  /** The wrapped optimizer; owned (disposed with the wrapper). */
  readonly inner: tf.Optimizer;
  /** The basis; not owned (it may be shared, dispose it yourself). */
  readonly basis: Basis;
  protected readonly layout: ParameterLayout;
  protected readonly selection: VariableSelection;
  protected readonly nonFinite: NonFinitePolicy;
  protected originT: tf.Tensor1D | null;
  /** Qᵀv for a fixed seeded v: identifies the basis in saved state (see checks.ts). */
  private probe: tf.Tensor1D | null = null;
  protected readonly where: string;
  protected readonly watch: WriteWatch;
  /** Steps dropped by 'skip': counted on the host (checked steps) and on the device (sync-free ones). */
  protected skippedOnHost = 0;
  protected skippedOnDevice: tf.Variable | null = null;
  /** Policy 'throw' on a backend where a read is a sync: the flags of the steps in flight. */
  protected readonly deferredCheck: DeferredCheck;

  protected constructor(where: string, inner: tf.Optimizer, basis: Basis, opts: SubspaceOptimizerOptions) {
    super();
    this.where = where;
    const { selection, nonFinite } = checkWrapperArguments(where, inner, basis, opts);
    const layout = selection.projected;
    this.inner = inner;
    this.basis = basis;
    this.layout = layout;
    this.selection = selection;
    this.nonFinite = nonFinite;
    const origin = opts.origin;
    this.originT = tf.keep(tf.tidy(() => (origin != null ? tf.clone(origin) : layout.read())));
    this.probe = tf.keep(basisProbe(basis));
    if (origin != null) {
      const theta0 = this.originT;
      tf.tidy(() => layout.assign(projectPoint(basis, theta0, layout.read())));
    }
    this.watch = new WriteWatch(layout, opts.variables);
    this.deferredCheck = new DeferredCheck(where);
    if (nonFinite === 'skip') this.skippedOnDevice = tf.tidy(() => tf.variable(tf.scalar(0), false));
  }

  /**
   * Steps dropped because of a non-finite gradient (policy 'skip'; they count in `iterations` too).
   * Reads one number from the device: the sync-free steps count there.
   */
  get skippedSteps(): number {
    return this.skippedOnHost + (this.skippedOnDevice && !this.skippedOnDevice.isDisposed ? this.skippedOnDevice.dataSync()[0] : 0);
  }

  /** Which update rule this optimizer applies ('coordinates', 'ambient' or 'parameters'). */
  abstract get mode(): string;

  /** Takes in writes from outside since the last step, or throws (SubspaceOptimizer.follow). */
  protected abstract follow(where: string): void;

  /** The optimizer's own coordinates z (coordinates mode), else null. */
  protected ownCoordinates(): tf.Variable | null {
    return null;
  }

  /** Shapes and names of the projected part of the inner optimizer's gradient list. */
  protected abstract projectedShapes(): ReadonlyArray<readonly number[]>;
  protected abstract projectedNames(): readonly string[];

  protected innerShapes(): ReadonlyArray<readonly number[]> {
    return [...this.projectedShapes(), ...(this.selection.free?.shapes ?? [])];
  }
  protected innerNames(): readonly string[] {
    return [...this.projectedNames(), ...(this.selection.free?.names ?? [])];
  }

  /** θ0 (owned by the optimizer: do not dispose). */
  get origin(): tf.Tensor1D {
    return this.alive('origin');
  }

  /** D: the number of parameters. */
  get ambientDim(): number {
    return this.layout.size;
  }

  /** The projected variables, in θ order. */
  get variables(): readonly tf.Variable[] {
    return this.layout.variables;
  }

  /** The free variables (stepped in full by the inner optimizer). */
  get freeVariables(): readonly tf.Variable[] {
    return this.selection.free?.variables ?? [];
  }

  /**
   * [iterations, origin, …mode state, …inner optimizer state]. As with `tf.train` optimizers, the
   * first entry is a new tensor (dispose it) and the others are this optimizer's own variables.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const origin = this.alive('getWeights');
    this.follow('getWeights');
    return [
      await this.saveIterations(),
      { name: 'subspace/origin', tensor: origin },
      { name: 'subspace/basis', tensor: this.probe as tf.Tensor1D },
      ...this.ownWeights(),
      ...(await innerWeights(this.inner)),
    ];
  }

  /**
   * Restores what {@link getWeights} returned (copies it: the caller keeps and disposes its tensors).
   * Everything is validated before anything changes; the variables themselves are not touched.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    if (supportsExactState(this.inner)) return this.setWeightsSync(weightValues);
    const [iterations, origin, own, inner] = this.splitWeights(weightValues);
    await setInnerWeights(this.where, this.inner, inner, this.innerShapes(), iterations, this.innerNames());
    this.restore(iterations, origin, own);
  }

  /** {@link setWeights} without awaiting (the inner optimizer must be one of the seven tf.train ones). */
  setWeightsSync(weightValues: NamedTensor[]): void {
    const [iterations, origin, own, inner] = this.splitWeights(weightValues);
    restoreInnerWeights(this.where, this.inner, inner, this.innerShapes(), iterations, this.innerNames());
    this.restore(iterations, origin, own);
  }

  private splitWeights(weightValues: NamedTensor[]): [number, tf.Tensor1D, NamedTensor[], NamedTensor[]] {
    this.alive('setWeights');
    const own = this.ownWeights().length;
    const split = splitSavedWeights(this.where, weightValues, own, this.layout.size, this.probe as tf.Tensor1D, this.basis);
    this.checkOwnWeights(split[2]);
    return split;
  }

  private restore(iterations: number, origin: tf.Tensor1D, own: NamedTensor[]): void {
    this.originT?.dispose();
    this.originT = tf.keep(tf.clone(origin));
    this.restoreOwnWeights(own);
    this.iterations_ = iterations;
    // The variables are checked against the restored θ0 (+ Q·z) at the next step (see follow).
    this.watch.forget();
  }

  /** Mode-specific state saved after the origin (none by default). */
  protected ownWeights(): NamedTensor[] {
    return [];
  }
  protected checkOwnWeights(_weights: NamedTensor[]): void {}
  protected restoreOwnWeights(_weights: NamedTensor[]): void {}

  override getConfig(): tf.serialization.ConfigDict {
    const spec = basisSpec(this.basis);
    return {
      mode: this.mode,
      nonFinite: this.nonFinite,
      innerClassName: this.inner.getClassName(),
      innerConfig: this.inner.getConfig(),
      // What tf.loadLayersModel needs to rebuild this optimizer (see optimizer/serialization.ts).
      basis: spec ? { ...spec } : null,
      variableCount: this.selection.all.length,
      ...this.selection.positions,
    };
  }

  /** True once {@link dispose} has run. */
  get isDisposed(): boolean {
    return this.originT === null;
  }

  /**
   * Frees the origin, the optimizer's own state and the inner optimizer (including tensors that
   * some tf.train optimizers forget in their own dispose, tfjs#4647). The basis and the variables are
   * not disposed. Calling it twice is harmless.
   */
  override dispose(): void {
    if (this.originT === null) return;
    this.originT.dispose();
    this.originT = null;
    this.probe?.dispose();
    this.probe = null;
    this.skippedOnDevice?.dispose();
    this.skippedOnDevice = null;
    this.deferredCheck.dispose();
    this.disposeOwn();
    disposeInner(this.inner);
    super.dispose();
  }
  protected disposeOwn(): void {}

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
    await this.deferredCheck.wait();
  }

  /** Throws when disposed, or (once) when a step in flight was found non-finite (deferred-check.ts). */
  protected alive(where: string): tf.Tensor1D {
    if (this.originT === null) {
      throw new DisposedError(`${this.where}.${where}: the optimizer was disposed; create a new one.`);
    }
    this.deferredCheck.throwIfFailed();
    return this.originT;
  }
}

// tf.Optimizer answers `instanceof` by duck typing (any object with minimize/applyGradients), and
// subclasses inherit that static: without this, `tf.train.adam() instanceof SubspaceOptimizer` is true
// (SubspaceOptimizer and the wrappers inherit this one).
Object.defineProperty(WrapperState, Symbol.hasInstance, {
  value: function (this: object, instance: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  },
});
