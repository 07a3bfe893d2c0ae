import * as tf from '@tensorflow/tfjs-core';
import { checkAlive } from '../basis/basis';
import { CheckpointError } from '../errors';
import { GradientInput, NamedTensor, ParameterLayout } from '../layout';
import { VariableSelection } from '../selection';
import { coordinatesOf, pointAt, projectPoint, residualOf } from '../subspace';
import { checkCoordinates } from './checks';
import { nonFiniteNames } from './finite';
import { ForwardWrite } from './forward-writes';
import { innerStateVariables, innerWeights, restoreInnerWeights, setInnerWeights, supportsExactState } from './inner-state';
import { StepOutcome } from './non-finite';
import { SubspaceResidual } from './options';
import { followWrites, WriteWatch } from './outside-writes';
import { UpdateRule } from './rules/rule';
import { checkSavable, configOf, SavedConfig } from './saved-config';
import { decodeWeights, encodeWeights, SavedWeights } from './saved-weights';
import { BoundStateLike, WrapperCore } from './state';

/** A model as far as the bound state keeps it: its non-trainable weights (compact checkpoints store them). */
export interface ModelSource {
  nonTrainableWeights: Array<{ read(): tf.Tensor }>;
}

/**
 * A {@link SubspaceOptimizer} that knows its variables (state.ts): the selection (projected, free,
 * frozen), the layout of θ, the origin θ0, the write watch and the update rule's state, and what
 * acts on them whatever the rule: a step, coordinates, setCoordinates, rebase, residual, writes
 * from outside, saving and taking back saved state.
 */
export class BoundState implements BoundStateLike {
  readonly isBound = true;
  readonly layout: ParameterLayout;
  readonly rule: UpdateRule;
  readonly watch: WriteWatch;
  /** The model the optimizer was built from (`variables: model`), else null. */
  readonly model: ModelSource | null;
  private originT: tf.Tensor1D;

  /**
   * Creates the origin (a copy of `origin`, else θ's values now), moves θ onto θ0 + P(θ − θ0) when an
   * origin is given, then the rule's state. `source`: the `variables` option (a model is watched for
   * frozen layers, and kept for its non-trainable weights).
   */
  constructor(
    private readonly core: WrapperCore,
    private readonly chosen: VariableSelection,
    options: { origin?: tf.Tensor1D; source?: unknown },
  ) {
    const { basis } = core;
    const layout = chosen.projected;
    this.layout = layout;
    const origin = options.origin;
    this.originT = tf.keep(tf.tidy(() => (origin != null ? tf.clone(origin) : layout.read())));
    if (origin != null) {
      const theta0 = this.originT;
      tf.tidy(() => layout.assign(projectPoint(basis, theta0, layout.read())));
    }
    try {
      const ctx = { where: core.where, inner: core.inner, basis, layout, origin: () => this.originT, iterations: core.iterations };
      this.rule = core.rule.create(ctx);
    } catch (e) {
      this.originT.dispose();
      throw e;
    }
    this.watch = new WriteWatch(layout, options.source);
    const model = options.source as Partial<ModelSource> | undefined;
    this.model = Array.isArray(model?.nonTrainableWeights) ? (model as ModelSource) : null;
  }

  get name(): string {
    return this.core.where;
  }
  requireBound(): void {}
  disposedMessage(what: string): string {
    return `${this.core.where}.${what}: the optimizer was disposed; create a new one.`;
  }
  origin(): tf.Tensor1D {
    return this.originT;
  }
  selection(): VariableSelection {
    return this.chosen;
  }
  bind(variables: tf.Variable[], where: string): BoundState {
    const all = this.chosen.all;
    if (variables.length === all.length && variables.every((v, i) => v === all[i])) return this;
    throw new CheckpointError(`${where}: the optimizer is already bound to other variables; use it with the model it was loaded with.`);
  }

  /** Names and shapes of the inner optimizer's gradient list: the rule's part, then the free variables. */
  private innerNames(): readonly string[] {
    return [...this.rule.slotNames, ...(this.chosen.free?.names ?? [])];
  }
  private innerShapes(): ReadonlyArray<readonly number[]> {
    return [...this.rule.slotShapes, ...(this.chosen.free?.shapes ?? [])];
  }

  /** Throws unless the basis and every variable are alive. */
  checkAlive(where: string): void {
    checkAlive(where, this.core.basis);
    this.layout.checkAlive(where);
    this.chosen.free?.checkAlive(where);
  }

  /**
   * Takes in a write from outside since the last step (outside-writes.ts): nothing to do when no
   * variable's data changed; else θ is read once and, when it lies in θ0 + span(Q), the rule's own
   * z follows it; off the subspace (for a rule that keeps θ there), an OutsideWriteError and nothing
   * changes.
   */
  follow(where: string): void {
    checkAlive(this.core.where, this.core.basis);
    this.layout.checkAlive(this.core.where);
    followWrites(where, this.watch, this.rule.keepsSubspace, this.core.basis, this.originT, this.layout, this.rule.coordinates);
  }

  /**
   * One step under the non-finite policy: routes and checks the gradients, takes in writes from
   * outside, then runs the rule. `written`: variables the loss function wrote (BatchNormalization's
   * moving statistics) with their values before it, put back on the device when the step is dropped
   * there. Returns 'skipped' when the step was dropped on the host (the caller undoes `written`).
   */
  step(grads: GradientInput, written: readonly ForwardWrite[]): StepOutcome {
    const { where, guard } = this.core;
    this.checkAlive(where);
    const { projected: parts, free } = this.chosen.route(where, grads);
    this.follow(`${where}.applyGradients`);
    const present = parts.map((p) => p != null);
    const freeNames = this.chosen.free?.names ?? [];
    const freeList = freeNames.map((name, i) => ({ name, tensor: free[i] as tf.Tensor }));
    const g = tf.tidy(() => this.layout.flatten(parts));
    try {
      const outcome = guard.run({
        gradients: [g, ...free],
        culprits: () => nonFiniteNames([...parts, ...free], [...this.layout.names, ...freeNames]),
        state: () => this.stepState(),
        written,
        stepNumber: this.core.iterations() + 1,
        step: () => this.rule.step(g, present, freeList),
      });
      if (outcome === 'stepped') this.watch.record();
      return outcome;
    } finally {
      g.dispose();
    }
  }

  /** Every variable a step can change (for a step dropped on the device), or null while the inner optimizer's are not all known. */
  private stepState(): tf.Variable[] | null {
    const slots = innerStateVariables(this.core.inner, this.innerNames().length);
    const own = this.rule.coordinates;
    return slots && [...this.layout.variables, ...(this.chosen.free?.variables ?? []), ...(own ? [own] : []), ...slots];
  }

  /** z: the rule's own coordinates (a copy), else Qᵀ(θ − θ0); a new tensor. A write from outside is taken in first. */
  coordinates(what: string): tf.Tensor1D {
    this.follow(`${this.core.where}.${what}`);
    const own = this.rule.coordinates;
    return own ? (tf.clone(own) as tf.Tensor1D) : tf.tidy(() => coordinatesOf(this.core.basis, this.originT, this.layout.read()));
  }

  /** θ ← θ0 + Q·z (and the rule's own z ← z), validated first. */
  setCoordinates(where: string, z: tf.Tensor1D): void {
    checkAlive(where, this.core.basis);
    this.layout.checkAlive(where);
    checkCoordinates(where, z, this.core.basis.dim);
    tf.tidy(() => this.layout.assign(pointAt(this.core.basis, this.originT, z)));
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
    checkAlive(this.core.where, this.core.basis);
    const both = tf.tidy(() => {
      const r = residualOf(this.core.basis, this.originT, this.layout.read());
      return tf.stack([r.distance, r.displacement]);
    });
    const [distance, displacement] = both.dataSync();
    both.dispose();
    return { distance, displacement };
  }

  async weights(iterations: () => Promise<NamedTensor>): Promise<NamedTensor[]> {
    this.follow(`${this.core.where}.getWeights`);
    return encodeWeights(await iterations(), this.originT, this.core.probe, this.rule.weights(), await innerWeights(this.core.inner));
  }

  restore(where: string, weights: NamedTensor[]): number {
    const saved = this.decode(where, weights);
    restoreInnerWeights(where, this.core.inner, saved.inner, this.innerShapes(), saved.iterations, this.innerNames());
    this.take(saved);
    return saved.iterations;
  }

  async restoreAsync(where: string, weights: NamedTensor[]): Promise<number> {
    if (supportsExactState(this.core.inner)) return this.restore(where, weights);
    const saved = this.decode(where, weights);
    await setInnerWeights(where, this.core.inner, saved.inner, this.innerShapes(), saved.iterations, this.innerNames());
    this.take(saved);
    return saved.iterations;
  }

  private decode(where: string, weights: NamedTensor[]): SavedWeights {
    return decodeWeights(where, weights, { rule: this.core.rule, basis: this.core.basis, probe: this.core.probe });
  }

  /** Takes back a checked origin and the rule's checked weights (copies both); θ is checked at the next step. */
  private take(saved: SavedWeights): void {
    this.originT.dispose();
    this.originT = tf.keep(tf.clone(saved.origin));
    this.rule.restoreWeights(saved.own);
    // The variables are checked against the restored θ0 (+ Q·z) at the next step (see follow).
    this.watch.forget();
  }

  config(className: string): SavedConfig {
    const { inner, basis, rule, guard } = this.core;
    checkSavable(`${className}.getConfig (model.save with includeOptimizer)`, className, basis, inner, rule);
    return configOf(inner, basis, rule, guard.policy, this.chosen);
  }

  /** Frees the origin and the rule's state (not the variables, the basis or the inner optimizer). */
  dispose(): void {
    this.originT.dispose();
    this.rule.dispose();
  }
}
