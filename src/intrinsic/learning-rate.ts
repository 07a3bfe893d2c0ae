import { InvalidArgumentError } from '../errors';
import { adaptiveStepOf, registeredModes, ruleOfMode, RuleMode } from '../optimizer/rules/registry';

/** Element-wise adaptive optimizers: each coordinate moves by about lr per step, whatever its gradient's scale. */
const ADAPTIVE = new Set(['adagrad', 'adam', 'adamax', 'rmsprop']);
/** Linear optimizers (and tfjs 4.22's Adadelta, whose ratio of running averages is exactly 1: it steps like SGD). */
const LINEAR = new Set(['sgd', 'momentum', 'adadelta']);

/** Options of {@link subspaceLearningRate}. */
export interface SubspaceLearningRateOptions {
  /** The model's number of trainable parameters. */
  D: number;
  /** The subspace dimension. */
  d: number;
  /** The inner optimizer: a name ('adam', 'rmsprop', …) or its class name ('Adam', 'RMSProp', 'SGD', …). */
  optimizer: string;
  /**
   * How the subspace is trained: a registered mode (src/optimizer/rules/registry.ts) — 'coordinates'
   * (default; `projectGradients`' default, and `reparameterize`), 'ambient' (`projectGradients` mode
   * 'ambient'), 'parameters' (`projectParameters`) or another registered rule's.
   */
  mode?: RuleMode;
}

/**
 * Turns the learning rate that suits the full model into a starting learning rate for training the
 * same model in a d-dimensional subspace of its D parameters (docs/intrinsic-dimension.md, "A
 * learning-rate rule").
 *
 * With an element-wise adaptive optimizer (Adam, Adamax, RMSprop, Adagrad) every trained coordinate
 * moves by about lr per step: the full model's step has ‖Δθ‖ ≈ lr·√D, a subspace step in coordinates
 * ‖Δθ‖ = ‖Q·Δz‖ = ‖Δz‖ ≈ lr·√d (Q has orthonormal columns). The rule matches the two step lengths:
 * lr_sub = lr·√(D/d). `projectParameters` takes the full step and projects it, which keeps about
 * √(d/D) of its length: the same factor. In 'ambient' mode (any rule whose adaptive step is 'ambient'
 * in the registry: its steps leave span(Q)) the inner optimizer already steps all D coordinates by
 * ≈ lr, and with linear optimizers (SGD, momentum, Adadelta in tfjs 4.22) the step is
 * the projection of the full step, whose stability limit (2/λ_max of QᵀHQ ≤ 2/λ_max of H) is never
 * tighter than the full model's: in those cases the full model's lr is returned unchanged.
 *
 * It is a centre for a search, not an optimum: measured over d and optimizers in
 * docs/intrinsic-dimension.md (where it fails: very small d, where the rule's steps become large
 * against the weights' scale, and SGD, where larger steps than the full model's often work).
 *
 * @example
 * const lr = subspaceLearningRate(1e-3, { D: trainableParameterCount(model), d: 1000, optimizer: 'adam' }); // ≈ 0.014 for D = 199,210
 * const optimizer = projectGradients(tf.train.adam(lr), srhtBasis(trainableParameterCount(model), 1000, { seed: 1 }), { variables: model });
 */
export function subspaceLearningRate(fullLearningRate: number, options: SubspaceLearningRateOptions): number {
  const bad = (msg: string) => new InvalidArgumentError(`subspaceLearningRate: ${msg}`);
  if (!(Number.isFinite(fullLearningRate) && fullLearningRate > 0)) throw bad(`the full model's learning rate must be a positive number, got ${fullLearningRate}.`);
  const { D, d } = options ?? ({} as SubspaceLearningRateOptions);
  if (!Number.isInteger(D) || D < 1 || !Number.isInteger(d) || d < 1 || d > D) {
    throw bad(`need integers 1 ≤ d ≤ D, got D = ${D}, d = ${d}.`);
  }
  const name = String(options.optimizer ?? '').toLowerCase();
  const mode = options.mode ?? 'coordinates';
  const rule = ruleOfMode(mode);
  if (!rule) throw bad(`mode must be a registered mode (${registeredModes().map((m) => `'${m}'`).join(', ')}), got '${String(mode)}'.`);
  if (!ADAPTIVE.has(name) && !LINEAR.has(name)) {
    throw bad(`unknown optimizer '${options.optimizer}'; use one of ${[...ADAPTIVE, ...LINEAR].sort().join(', ')} (a tf.train optimizer's name or class name).`);
  }
  if (LINEAR.has(name) || adaptiveStepOf(rule) === 'ambient') return fullLearningRate;
  return fullLearningRate * Math.sqrt(D / d);
}
