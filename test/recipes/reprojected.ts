import * as tf from '@tensorflow/tfjs-core';
import { NamedTensor } from '../../src/layout';
import { perVariableDefinition, PerVariableRule, stepEachVariable } from '../../src/optimizer/rules/rule';
import { projectDirection, projectPoint } from '../../src/subspace';

/**
 * A throwaway update rule for test/recipes.test.ts, written as docs/contributing.md, "Adding an
 * update rule", step 1 says for a rule whose only state is θ (the one file; it would be
 * src/optimizer/rules/reprojected.ts): the inner optimizer gets g̃ = QQᵀg per variable, as in
 * ambient mode, and θ is then put back onto θ0 + span(Q), as in parameters mode — so every step
 * keeps the subspace, whatever the inner optimizer.
 */
class ReprojectedRule extends PerVariableRule {
  readonly keepsSubspace = true;

  step(g: tf.Tensor1D, present: readonly boolean[], free: NamedTensor[]): void {
    const { basis, layout } = this.ctx;
    stepEachVariable(this.ctx, projectDirection(basis, g), present, free);
    layout.assign(projectPoint(basis, this.ctx.origin(), layout.read()));
  }
}

export const reprojectedRule = perVariableDefinition('reprojected', 'ProjectedGradient', (ctx) => new ReprojectedRule(ctx));
