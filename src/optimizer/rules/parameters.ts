import * as tf from '@tensorflow/tfjs-core';
import { NamedTensor } from '../../layout';
import { projectPoint } from '../../subspace';
import { perVariableDefinition, PerVariableRule, stepEachVariable } from './rule';

/**
 * Parameter projection (docs/concepts.md, "The three training paths", path 3): the inner optimizer
 * takes its ordinary step with the full gradient, then θ ← θ0 + QQᵀ(θ − θ0). For SGD and momentum
 * this equals the reparameterized model (P is linear and θ − θ0 already lies in span(Q)); for
 * adaptive optimizers θ stays in the subspace but follows a different trajectory. The inner
 * optimizer keeps D-sized slots.
 */
class ParametersRule extends PerVariableRule {
  /** Every step projects θ onto θ0 + span(Q). */
  readonly keepsSubspace = true;

  step(g: tf.Tensor1D, present: readonly boolean[], free: NamedTensor[]): void {
    const { basis, layout } = this.ctx;
    // A variable without a gradient is left alone by the inner optimizer; the projection below still
    // acts on all of θ.
    stepEachVariable(this.ctx, g, present, free);
    layout.assign(projectPoint(basis, this.ctx.origin(), layout.read()));
  }
}

export const parametersRule = perVariableDefinition('parameters', 'ProjectedParameter', (ctx) => new ParametersRule(ctx));
