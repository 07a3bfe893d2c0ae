import * as tf from '@tensorflow/tfjs';
import { RuleContext, RuleDefinition, stepEachVariable, UpdateRule } from '../../src/optimizer/rules/rule';

/** The inner optimizer rules.test.ts runs the test-only rule with: momentum(LR, MOMENTUM). */
export const LR = 0.05;
export const MOMENTUM = 0.9;

/**
 * Test-only rule, "projected step": the inner optimizer takes its ordinary step on θ, then only the
 * step's component in span(Q) is kept, θ ← θ_before + P(θ_after − θ_before). Nothing in the
 * wrappers knows it. It implements UpdateRule from scratch (not PerVariableRule, which ambient and
 * parameters extend) to show that the interface alone is enough.
 */
class ProjectedStep implements UpdateRule {
  readonly keepsSubspace = true;
  readonly coordinates = null;
  readonly slotNames: readonly string[];
  readonly slotShapes: ReadonlyArray<readonly number[]>;

  constructor(private readonly ctx: RuleContext) {
    this.slotNames = ctx.layout.names;
    this.slotShapes = ctx.layout.shapes;
  }

  step(g: tf.Tensor1D, present: readonly boolean[], free: Array<{ name: string; tensor: tf.Tensor }>): void {
    const { basis, layout } = this.ctx;
    const before = layout.read();
    stepEachVariable(this.ctx, g, present, free);
    const moved = tf.sub(layout.read(), before) as tf.Tensor1D;
    layout.assign(tf.add(before, basis.lift(basis.project(moved))) as tf.Tensor1D);
  }

  weights(): Array<{ name: string; tensor: tf.Tensor }> {
    return [];
  }
  restoreWeights(): void {}
  dispose(): void {}
}

export const projectedStep: RuleDefinition<'projected-step', 'ProjectedGradient'> = {
  mode: 'projected-step',
  savedAs: 'ProjectedGradient',
  savedWeights: [],
  checkSaved: () => {},
  create: (ctx) => new ProjectedStep(ctx),
};
