import * as tf from '@tensorflow/tfjs-core';
import { checkAlive } from '../basis/basis';
import { NonFiniteError } from '../errors';
import { GradientInput, NamedTensor } from '../layout';
import { coordinatesOf, pointAt, residualOf } from '../subspace';
import { allFinite, checkCoordinates, nonFiniteNames } from './checks';
import { freeTapeOnThrow } from './loss-guard';
import { stepOrKeep } from './step-or-keep';
import { checksOnHost } from './deferred-check';
import { followWrites } from './outside-writes';
import { SubspaceResidual } from './options';
import { innerStateVariables } from './inner-state';
import { WrapperState } from './wrapper-state';

export type { NonFinitePolicy, SubspaceOptimizerOptions, SubspaceResidual } from './options';


/**
 * What both wrappers share when they step: validation of every gradient before any state changes,
 * the non-finite policy, writes from outside (outside-writes.ts), `setCoordinates`/`rebase`, and the
 * leak-free `minimize`. The state it steps is {@link WrapperState}'s; subclasses implement
 * {@link SubspaceOptimizer.step} on the flat gradient g ∈ R^D.
 */
export abstract class SubspaceOptimizer extends WrapperState {
  /**
   * One update from the flat gradient g ∈ R^D (zeros where `present[i]` is false: no gradient came for
   * variable i); append `free` to the inner list. In a tidy.
   */
  protected abstract step(g: tf.Tensor1D, present: boolean[], free: NamedTensor[]): void;

  /** Whether a step moves θ back into θ0 + span(Q), so that a write off it must not pass unnoticed. */
  protected abstract get keepsSubspace(): boolean;

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
  protected follow(where: string): void {
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
      const deferred = this.nonFinite === 'skip' || (this.nonFinite === 'throw' && !checksOnHost());
      const state = deferred ? this.stepState() : null;
      if (state) {
        const ok = stepOrKeep(state, [g, ...free], this.skippedOnDevice, () => this.step(g, present, freeList));
        if (this.nonFinite === 'skip') ok.dispose();
        else this.deferredCheck.add(this.iterations + 1, ok);
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
    const inner = innerStateVariables(this.inner, this.innerNames().length);
    return inner && [...this.layout.variables, ...this.freeVariables, ...[this.ownCoordinates()].filter((z): z is tf.Variable => !!z), ...inner];
  }
}
