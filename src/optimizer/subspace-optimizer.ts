import * as tf from '@tensorflow/tfjs-core';
import { basisSpec } from '../basis/spec';
import { Basis, checkAlive } from '../basis/basis';
import { DisposedError, InvalidArgumentError, NonFiniteError } from '../errors';
import { GradientInput, NamedTensor, ParameterLayout } from '../layout';
import { VariableSelection } from '../selection';
import { coordinatesOf, pointAt, projectPoint, residualOf } from '../subspace';
import { allFinite, basisProbe, checkBasisProbe, checkCoordinates, checkOrigin, nonFiniteNames } from './checks';
import { freeTapeOnThrow } from './loss-guard';
import { stepOrKeep } from './step-or-keep';
import { followWrites, WriteWatch } from './outside-writes';
import { checkWrapperArguments, NonFinitePolicy, SubspaceOptimizerOptions, SubspaceResidual } from './options';
import { innerStateVariables, innerWeights, restoreInnerWeights, setInnerWeights, supportsExactState } from './inner-state';

export type { NonFinitePolicy, SubspaceOptimizerOptions, SubspaceResidual } from './options';


/**
 * What both wrappers share: the layout of the variables, the origin, validation of every gradient
 * before any state changes, the non-finite policy, writes from outside (outside-writes.ts), iteration
 * counting, state save/restore and disposal. Subclasses implement {@link SubspaceOptimizer.step} on
 * the flat gradient g ∈ R^D.
 */
export abstract class SubspaceOptimizer extends tf.Optimizer {
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
  private readonly watch: WriteWatch;
  /** Steps dropped by 'skip': counted on the host (checked steps) and on the device (sync-free ones). */
  private skippedOnHost = 0;
  private skippedOnDevice: tf.Variable | null = null;

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

  /**
   * One update from the flat gradient g ∈ R^D (zeros where `present[i]` is false: no gradient came for
   * variable i); append `free` to the inner list. In a tidy.
   */
  protected abstract step(g: tf.Tensor1D, present: boolean[], free: NamedTensor[]): void;

  /** Whether a step moves θ back into θ0 + span(Q), so that a write off it must not pass unnoticed. */
  protected abstract get keepsSubspace(): boolean;

  /** The optimizer's own coordinates z (coordinates mode), else null. */
  protected ownCoordinates(): tf.Variable | null {
    return null;
  }

  /** Shapes and names of the projected part of the inner optimizer's gradient list. */
  protected abstract projectedShapes(): ReadonlyArray<readonly number[]>;
  protected abstract projectedNames(): readonly string[];

  private innerShapes(): ReadonlyArray<readonly number[]> {
    return [...this.projectedShapes(), ...(this.selection.free?.shapes ?? [])];
  }
  private innerNames(): readonly string[] {
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
   * z, the current coordinates (a new tensor; the caller disposes it): the optimizer's own z in
   * coordinates mode, else Qᵀ(θ − θ0). A write from outside since the last step is taken in first.
   */
  coordinates(): tf.Tensor1D {
    const origin = this.alive('coordinates');
    this.follow('coordinates');
    const own = this.ownCoordinates();
    return own ? (tf.clone(own) as tf.Tensor1D) : tf.tidy(() => coordinatesOf(this.basis, origin, this.layout.read()));
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
    const origin = this.alive('setCoordinates');
    const where = `${this.where}.setCoordinates`;
    checkAlive(where, this.basis);
    this.layout.checkAlive(where);
    checkCoordinates(where, z, this.basis.dim);
    tf.tidy(() => this.layout.assign(pointAt(this.basis, origin, z)));
    this.ownCoordinates()?.assign(z);
    this.watch.record();
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
    const old = this.alive('rebase');
    this.layout.checkAlive(`${this.where}.rebase`);
    this.originT = tf.keep(tf.tidy(() => tf.clone(this.layout.read())));
    old.dispose();
    const own = this.ownCoordinates();
    if (own) tf.tidy(() => own.assign(tf.zerosLike(own)));
    this.watch.record();
  }

  /**
   * Takes in a write from outside since the last step (outside-writes.ts): nothing to do when no
   * variable's data changed; else θ is read once and, when it lies in θ0 + span(Q), z follows it
   * (coordinates mode); off the subspace, an OutsideWriteError and nothing changes.
   */
  private follow(where: string): void {
    const origin = this.alive(where);
    checkAlive(this.where, this.basis);
    this.layout.checkAlive(this.where);
    followWrites(`${this.where}.${where}`, this.watch, this.keepsSubspace, this.basis, origin, this.layout, this.ownCoordinates());
  }

  /** How far θ is from θ0 + span(Q) right now (reads two numbers from the device). */
  residual(): SubspaceResidual {
    const origin = this.alive('residual');
    checkAlive(this.where, this.basis);
    const both = tf.tidy(() => {
      const r = residualOf(this.basis, origin, this.layout.read());
      return tf.stack([r.distance, r.displacement]);
    });
    const [distance, displacement] = both.dataSync();
    both.dispose();
    return { distance, displacement };
  }

  /** Like `tf.Optimizer.minimize`, but `varList` defaults to this optimizer's projected and free variables. */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    this.alive('minimize');
    this.follow('minimize');
    // As tf.Optimizer.minimize, but a loss that throws and a rejected step (non-finite, unknown or
    // disposed variable) free the loss, the gradients and the tape instead of leaking them.
    const vars = varList ?? this.selection.trained;
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
    this.alive('applyGradients');
    checkAlive(this.where, this.basis);
    this.layout.checkAlive(this.where);
    this.selection.free?.checkAlive(this.where);
    const { projected: parts, free } = this.selection.route(this.where, variableGradients);
    this.follow('applyGradients');
    const present = parts.map((p) => p != null);
    const freeNames = this.selection.free?.names ?? [];
    const freeList = freeNames.map((name, i) => ({ name, tensor: free[i] as tf.Tensor }));
    const g = tf.tidy(() => this.layout.flatten(parts));
    try {
      const state = this.nonFinite === 'skip' ? this.stepState() : null;
      if (state) {
        stepOrKeep(state, [g, ...free], this.skippedOnDevice as tf.Variable, () => this.step(g, present, freeList));
      } else if (this.nonFinite !== 'unchecked' && !allFinite([g, ...free])) {
        if (this.nonFinite === 'skip') {
          this.skippedOnHost++;
          this.incrementIterations();
          return;
        }
        throw new NonFiniteError(
          `${this.where}: the gradient of ${nonFiniteNames(
            [...parts, ...free],
            [...this.layout.names, ...(this.selection.free?.names ?? [])],
          )} contains NaN or ` +
            `Infinity; nothing was updated. Lower the learning rate, clip the loss, or create the ` +
            `optimizer with {nonFinite: 'skip'} to drop such steps.`,
        );
      } else {
        tf.tidy(() => this.step(g, present, freeList));
      }
      this.incrementIterations();
      this.watch.record();
    } finally {
      g.dispose();
    }
  }

  /** Every variable a step can change, or null when the inner optimizer's are not all known yet. */
  private stepState(): tf.Variable[] | null {
    const count = this.projectedNames().length + (this.selection.free?.names.length ?? 0);
    const inner = innerStateVariables(this.inner, count);
    const own = this.ownCoordinates();
    return inner && [...this.layout.variables, ...this.freeVariables, ...(own ? [own] : []), ...inner];
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
    if (!Array.isArray(weightValues) || weightValues.length < 3 + own) {
      throw new InvalidArgumentError(
        `${this.where}: setWeights expects [iterations, origin, basis probe${own ? ', z' : ''}, …inner state] as ` +
          `returned by getWeights(), got ${Array.isArray(weightValues) ? weightValues.length : 'no'} entries.`,
      );
    }
    const [iter, origin, probe, ...rest] = weightValues;
    const iterations = iter?.tensor?.size === 1 ? iter.tensor.dataSync()[0] : NaN;
    if (!Number.isInteger(iterations) || iterations < 0) {
      throw new InvalidArgumentError(`${this.where}: the saved iteration count ${iterations} is invalid.`);
    }
    checkOrigin(this.where, origin.tensor as tf.Tensor1D, this.layout.size);
    checkBasisProbe(this.where, probe, this.probe as tf.Tensor1D, this.basis);
    this.checkOwnWeights(rest.slice(0, own));
    return [iterations, origin.tensor as tf.Tensor1D, rest.slice(0, own), rest.slice(own)];
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
    this.disposeOwn();
    this.inner.dispose();
    for (const value of Object.values(this.inner)) {
      if (value instanceof tf.Tensor && !value.isDisposed) value.dispose();
    }
    super.dispose();
  }
  protected disposeOwn(): void {}

  protected alive(where: string): tf.Tensor1D {
    if (this.originT === null) {
      throw new DisposedError(`${this.where}.${where}: the optimizer was disposed; create a new one.`);
    }
    return this.originT;
  }
}

// tf.Optimizer answers `instanceof` by duck typing (any object with minimize/applyGradients), and
// subclasses inherit that static: without this, `tf.train.adam() instanceof SubspaceOptimizer` is true.
Object.defineProperty(SubspaceOptimizer, Symbol.hasInstance, {
  value: function (this: object, instance: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  },
});
