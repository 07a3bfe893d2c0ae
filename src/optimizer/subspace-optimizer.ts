import * as tf from '@tensorflow/tfjs-core';
import { GradientInput } from '../layout';
import { nonFiniteNames } from './checks';
import { freeTapeOnThrow } from './loss-guard';
import { SubspaceResidual } from './options';
import { restoredOptimizer, WrapperClass } from './restore';
import { COORDINATES_WEIGHT } from './rules/rule';
import { SavedConfig } from './saved-config';
import { WrapperState } from './wrapper-state';

export type { NonFinitePolicy, SubspaceOptimizerOptions, SubspaceResidual } from './options';

/**
 * A tf.Optimizer that trains its variables in the affine subspace θ0 + span(Q) by the update rule
 * it was given (src/optimizer/rules/: 'coordinates', 'ambient', 'parameters'). The rule makes the
 * step from the flat gradient; everything around it is the same for every rule and composed here:
 * validating and routing the gradients (free and frozen variables, VariableSelection), the
 * non-finite policy (NonFiniteGuard, non-finite.ts), writes from outside and the rest of the bound
 * state (BoundState, bound-state.ts), saving, restoring and disposal (WrapperState, wrapper-state.ts,
 * the half of this class that is not stepping) and, for an optimizer restored by tf.loadLayersModel,
 * binding to the model's variables on first use (SavedOptimizer, restore.ts).
 *
 * `projectGradients` and `projectParameters` build it with a registered rule; the constructor
 * (`where`: the factory's name for messages, `inner`, `basis`, the rule, the options) takes any
 * {@link RuleDefinition} (docs/contributing.md, "Adding an update rule").
 */
export class SubspaceOptimizer<Mode extends string = string> extends WrapperState<Mode> {
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
}
