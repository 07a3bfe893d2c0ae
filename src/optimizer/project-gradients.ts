import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { InvalidArgumentError } from '../errors';
import { findRule, ModeOf, modesOf } from './rules/registry';
import { RuleDefinition } from './rules/rule';
import { SubspaceOptimizer, SubspaceOptimizerOptions } from './subspace-optimizer';

/** How {@link projectGradients} hands the projected gradient to the inner optimizer: a registered rule saved as 'ProjectedGradient'. */
export type GradientMode = ModeOf<'ProjectedGradient'>;

/** Options of {@link projectGradients}. */
export interface ProjectGradientsOptions extends SubspaceOptimizerOptions {
  /** Default 'coordinates'. See {@link ProjectedGradientOptimizer}. */
  mode?: GradientMode;
}

/** The registered rule of `mode` (default 'coordinates'), or an InvalidArgumentError listing the modes. */
function gradientRule(mode: unknown = 'coordinates'): RuleDefinition<GradientMode> {
  const rule = findRule('ProjectedGradient', mode);
  if (!rule) {
    const modes = modesOf('ProjectedGradient').map((m) => `'${m}'`);
    throw new InvalidArgumentError(
      `projectGradients: mode must be ${modes.slice(0, -1).join(', ')} or ${modes[modes.length - 1]}, got '${String(mode)}'.`,
    );
  }
  return rule as RuleDefinition<GradientMode>;
}

/**
 * Gradient projection (docs/concepts.md, "The three training paths", path 2), saved as
 * 'ProjectedGradient'. Its update rule is the `mode` it was made with (src/optimizer/rules/):
 *
 * - `coordinates`: c = Qᵀg; the inner optimizer steps an internal d-vector z with gradient c (its
 *   slots are d-dimensional), then θ ← θ0 + Q·z. Since ∂L/∂z = Qᵀ∇L(θ0 + Qz), this is exactly the
 *   reparameterized model for every optimizer, and θ is recomputed from z each step (no drift).
 * - `ambient`: the inner optimizer receives g̃ = QQᵀg per variable and keeps D-sized slots. Equal to
 *   the reparameterized model for SGD and momentum; element-wise adaptive optimizers (Adam, Adagrad,
 *   …) rescale g̃ coordinate by coordinate, so their steps leave span(Q). A variable whose gradient
 *   is null/undefined is handed to the inner optimizer as null, as tf.train does: it and its slots
 *   are not touched in that step.
 *
 * A name and a rule only: it has no state of its own (tf.loadLayersModel builds it with
 * SubspaceOptimizer's constructor: SubspaceOptimizer.fromConfig). Registered with tf.serialization
 * on import, so that `model.save({includeOptimizer: true})` and `tf.loadLayersModel` round-trip it.
 */
export class ProjectedGradientOptimizer extends SubspaceOptimizer<GradientMode> {
  static override readonly className = 'ProjectedGradient';

  constructor(inner: tf.Optimizer, basis: Basis, opts: ProjectGradientsOptions) {
    super('projectGradients', inner, basis, gradientRule(opts?.mode), opts);
  }
}
tf.serialization.registerClass(ProjectedGradientOptimizer);

/**
 * Wraps `inner` so that every step moves the variables only within θ0 + span(Q): the full gradient g
 * is projected onto span(Q) before the inner optimizer sees it.
 *
 * @example
 * const basis = gaussianBasis(trainableParameterCount(model), 100, {seed: 1});
 * model.compile({optimizer: projectGradients(tf.train.adam(1e-2), basis, {variables: model}),
 *                loss: 'categoricalCrossentropy'});
 * await model.fit(xs, ys, {epochs: 5});
 *
 * Reference: Li, Farkhoor, Liu, Yosinski (2018), "Measuring the Intrinsic Dimension of Objective
 * Landscapes" (training in a random subspace θ0 + P·z).
 */
export function projectGradients(
  inner: tf.Optimizer,
  basis: Basis,
  opts: ProjectGradientsOptions,
): ProjectedGradientOptimizer {
  return new ProjectedGradientOptimizer(inner, basis, opts);
}
