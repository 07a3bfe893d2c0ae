import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { NamedTensor } from '../layout';
import { projectPoint } from '../subspace';
import { SubspaceOptimizer, SubspaceOptimizerOptions } from './subspace-optimizer';

/**
 * Parameter projection (docs/concepts.md, "The three training paths", path 3): the inner optimizer takes its ordinary step with the
 * full gradient, then θ ← θ0 + QQᵀ(θ − θ0). For SGD and momentum this equals the reparameterized
 * model (P is linear and θ − θ0 already lies in span(Q)); for adaptive optimizers θ stays in the
 * subspace but follows a different trajectory. The inner optimizer keeps D-sized slots.
 */
export class ProjectedParameterOptimizer extends SubspaceOptimizer {
  static readonly className = 'ProjectedParameter';

  constructor(inner: tf.Optimizer, basis: Basis, opts: SubspaceOptimizerOptions) {
    super('projectParameters', inner, basis, opts);
  }

  get mode(): 'parameters' {
    return 'parameters';
  }

  /** Every step projects θ onto θ0 + span(Q). */
  protected get keepsSubspace(): boolean {
    return true;
  }

  protected step(g: tf.Tensor1D, present: boolean[], free: NamedTensor[]): void {
    const origin = this.alive('step');
    const parts = this.layout.split(g);
    // A null/undefined gradient stays null, as in tf.train: the inner optimizer leaves that variable
    // and its slots alone (the projection below still acts on all of θ).
    const named = this.layout.names.map((name, i) => ({ name, tensor: present[i] ? parts[i] : null }));
    this.inner.applyGradients([...(named as NamedTensor[]), ...free]);
    this.layout.assign(projectPoint(this.basis, origin, this.layout.read()));
  }

  protected projectedShapes(): ReadonlyArray<readonly number[]> {
    return this.layout.shapes;
  }
  protected projectedNames(): readonly string[] {
    return this.layout.names;
  }
}

/**
 * Wraps `inner` so that after each ordinary step the variables are projected back onto
 * θ0 + span(Q) (the variant suggested on the PyTorch forum by KFrank; for SGD it takes the same
 * steps as {@link projectGradients}).
 *
 * @example
 * const opt = projectParameters(tf.train.sgd(0.1), gaussianBasis(D, 50), {variables: model});
 * model.compile({optimizer: opt, loss: 'meanSquaredError'});
 */
export function projectParameters(
  inner: tf.Optimizer,
  basis: Basis,
  opts: SubspaceOptimizerOptions,
): ProjectedParameterOptimizer {
  return new ProjectedParameterOptimizer(inner, basis, opts);
}
