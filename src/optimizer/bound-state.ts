import * as tf from '@tensorflow/tfjs-core';
import { Basis, checkAlive } from '../basis/basis';
import { NamedTensor, ParameterLayout } from '../layout';
import { VariableSelection } from '../selection';
import { coordinatesOf, pointAt, projectPoint, residualOf } from '../subspace';
import { checkCoordinates } from './checks';
import { innerStateVariables } from './inner-state';
import { SubspaceResidual } from './options';
import { followWrites, WriteWatch } from './outside-writes';
import { RuleDefinition, UpdateRule } from './rules/rule';

/**
 * What a {@link SubspaceOptimizer} holds once it knows its variables: the selection (projected, free,
 * frozen), the layout of θ, the origin θ0, the write watch and the update rule's state — and what
 * acts on them whatever the rule: coordinates, setCoordinates, rebase, residual, writes from outside,
 * and taking back saved state. The rule's own state (z, …) stays the rule's; this class only passes
 * it on ({@link UpdateRule.coordinates}, weights).
 */
export class BoundState {
  readonly layout: ParameterLayout;
  readonly rule: UpdateRule;
  readonly watch: WriteWatch;
  private originT: tf.Tensor1D;

  /**
   * Creates the origin (a copy of `origin`, else θ's values now), moves θ onto θ0 + P(θ − θ0) when an
   * origin is given, then the rule's state. `source`: the `variables` option (a model is watched for
   * frozen layers); `iterations`: the optimizer's step count, read by the rule.
   */
  constructor(
    private readonly where: string,
    inner: tf.Optimizer,
    private readonly basis: Basis,
    rule: RuleDefinition,
    readonly selection: VariableSelection,
    options: { origin?: tf.Tensor1D; source?: unknown; iterations: () => number },
  ) {
    const layout = selection.projected;
    this.layout = layout;
    const origin = options.origin;
    this.originT = tf.keep(tf.tidy(() => (origin != null ? tf.clone(origin) : layout.read())));
    if (origin != null) {
      const theta0 = this.originT;
      tf.tidy(() => layout.assign(projectPoint(basis, theta0, layout.read())));
    }
    try {
      this.rule = rule.create({ where, inner, basis, layout, origin: () => this.originT, iterations: options.iterations });
    } catch (e) {
      this.originT.dispose();
      throw e;
    }
    this.watch = new WriteWatch(layout, options.source);
  }

  /** θ0 (owned: do not dispose). */
  get origin(): tf.Tensor1D {
    return this.originT;
  }

  /** Names and shapes of the inner optimizer's gradient list: the rule's part, then the free variables. */
  innerNames(): readonly string[] {
    return [...this.rule.slotNames, ...(this.selection.free?.names ?? [])];
  }
  innerShapes(): ReadonlyArray<readonly number[]> {
    return [...this.rule.slotShapes, ...(this.selection.free?.shapes ?? [])];
  }

  /** Throws unless the basis and every variable are alive. */
  checkAlive(where: string): void {
    checkAlive(where, this.basis);
    this.layout.checkAlive(where);
    this.selection.free?.checkAlive(where);
  }

  /**
   * Takes in a write from outside since the last step (outside-writes.ts): nothing to do when no
   * variable's data changed; else θ is read once and, when it lies in θ0 + span(Q), the rule's own
   * z follows it; off the subspace (for a rule that keeps θ there), an OutsideWriteError and nothing
   * changes.
   */
  follow(where: string): void {
    checkAlive(this.where, this.basis);
    this.layout.checkAlive(this.where);
    followWrites(where, this.watch, this.rule.keepsSubspace, this.basis, this.originT, this.layout, this.rule.coordinates);
  }

  /** z: the rule's own coordinates (a copy), else Qᵀ(θ − θ0); a new tensor. */
  coordinates(): tf.Tensor1D {
    const own = this.rule.coordinates;
    return own ? (tf.clone(own) as tf.Tensor1D) : tf.tidy(() => coordinatesOf(this.basis, this.originT, this.layout.read()));
  }

  /** θ ← θ0 + Q·z (and the rule's own z ← z), validated first. */
  setCoordinates(where: string, z: tf.Tensor1D): void {
    checkAlive(where, this.basis);
    this.layout.checkAlive(where);
    checkCoordinates(where, z, this.basis.dim);
    tf.tidy(() => this.layout.assign(pointAt(this.basis, this.originT, z)));
    this.rule.coordinates?.assign(z);
    this.watch.record();
  }

  /** θ0 ← θ (and the rule's own z ← 0). */
  rebase(where: string): void {
    this.layout.checkAlive(where);
    const old = this.originT;
    this.originT = tf.keep(tf.tidy(() => tf.clone(this.layout.read())));
    old.dispose();
    const own = this.rule.coordinates;
    if (own) tf.tidy(() => own.assign(tf.zerosLike(own)));
    this.watch.record();
  }

  /** How far θ is from θ0 + span(Q) (reads two numbers). */
  residual(): SubspaceResidual {
    checkAlive(this.where, this.basis);
    const both = tf.tidy(() => {
      const r = residualOf(this.basis, this.originT, this.layout.read());
      return tf.stack([r.distance, r.displacement]);
    });
    const [distance, displacement] = both.dataSync();
    both.dispose();
    return { distance, displacement };
  }

  /** Every variable a step can change (for a step dropped on the device), or null while the inner optimizer's are not all known. */
  stepState(inner: tf.Optimizer): tf.Variable[] | null {
    const slots = innerStateVariables(inner, this.innerNames().length);
    const own = this.rule.coordinates;
    return slots && [...this.layout.variables, ...(this.selection.free?.variables ?? []), ...(own ? [own] : []), ...slots];
  }

  /** The rule's own weights (saved after [iterations, origin, basis probe]). */
  ownWeights(): NamedTensor[] {
    return this.rule.weights();
  }

  /** Takes back a checked origin and the rule's checked weights (copies both); θ is checked at the next step. */
  restore(origin: tf.Tensor1D, own: NamedTensor[]): void {
    this.originT.dispose();
    this.originT = tf.keep(tf.clone(origin));
    this.rule.restoreWeights(own);
    // The variables are checked against the restored θ0 (+ Q·z) at the next step (see follow).
    this.watch.forget();
  }

  /** Frees the origin and the rule's state (not the variables, the basis or the inner optimizer). */
  dispose(): void {
    this.originT.dispose();
    this.rule.dispose();
  }
}
