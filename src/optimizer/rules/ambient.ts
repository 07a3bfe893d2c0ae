import * as tf from '@tensorflow/tfjs-core';
import { NamedTensor } from '../../layout';
import { projectDirection, projectPoint } from '../../subspace';
import { keepsGradientSpan } from '../gradient-span';
import { perVariableDefinition, PerVariableRule, stepEachVariable } from './rule';

const REANCHOR_EVERY = 100;

/**
 * Ambient mode (docs/concepts.md, "The three training paths", path 2): the inner optimizer receives
 * g̃ = QQᵀg per variable and keeps D-sized slots. Equal to the reparameterized model for SGD and
 * momentum; element-wise adaptive optimizers (Adam, Adagrad, …) rescale g̃ coordinate by
 * coordinate, so their steps leave span(Q). A variable whose gradient is null/undefined is handed to
 * the inner optimizer as null, as tf.train does: it and its slots are not touched in that step.
 */
class AmbientRule extends PerVariableRule {
  /** Whether the inner optimizer keeps steps in the span of the gradients (gradient-span.ts): then θ is re-anchored. */
  readonly keepsSubspace = keepsGradientSpan(this.ctx.inner);

  step(g: tf.Tensor1D, present: readonly boolean[], free: NamedTensor[]): void {
    const { basis, layout } = this.ctx;
    stepEachVariable(this.ctx, projectDirection(basis, g), present, free);
    // Steps of an inner optimizer that keeps the gradients' span (SGD, momentum: gradient-span.ts) lie
    // in span(Q) exactly, but float32 rounding of θ accumulates (relative distance 2e-6 after 10⁴
    // steps, 1e-4 after 10⁵): re-anchor θ onto θ0 + span(Q) every 100 steps. Adaptive optimizers leave
    // the subspace by design in this mode and are left alone. Keyed to the iteration count (restored
    // by setWeights), so a resumed run re-anchors on the same steps.
    if (this.keepsSubspace && (this.ctx.iterations() + 1) % REANCHOR_EVERY === 0) {
      layout.assign(projectPoint(basis, this.ctx.origin(), layout.read()));
    }
  }
}

/** Adaptive steps are taken on all D coordinates ('ambient': `subspaceLearningRate` does not scale them). */
export const ambientRule = perVariableDefinition('ambient', 'ProjectedGradient', (ctx) => new AmbientRule(ctx), 'ambient');
