import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../../basis/basis';
import { NamedTensor, ParameterLayout } from '../../layout';

/**
 * An update rule: how one step of a {@link SubspaceOptimizer} turns the flat gradient g ∈ R^D into a
 * new θ in (or near) θ0 + span(Q) — the optimizer's "mode" (docs/concepts.md, "The three training
 * paths"). The wrapper does everything else around the rule: validating and routing gradients, the
 * free and frozen variables, the non-finite policy, writes from outside, saving and loading.
 *
 * A rule comes in two parts: a {@link RuleDefinition}, known before the optimizer has variables (a
 * restored optimizer checks its saved weights with it before it binds), and the {@link UpdateRule}
 * it creates for the bound optimizer, which owns the mode's state.
 */

/** The tf.serialization class names the wrappers save under (each is one thin class of its own). */
export type SavedClassName = 'ProjectedGradient' | 'ProjectedParameter';

/** The public factory of each saved class: the prefix of its optimizers' messages. */
export const FACTORIES: Record<SavedClassName, string> = { ProjectedGradient: 'projectGradients', ProjectedParameter: 'projectParameters' };

/** The name under which a rule that keeps its own coordinates saves them. */
export const COORDINATES_WEIGHT = 'subspace/z';

/** What a rule works with, given once the optimizer knows its variables. */
export interface RuleContext {
  /** The factory's name, for error messages ('projectGradients'). */
  readonly where: string;
  /** The wrapped optimizer: the rule hands it the gradient list (projected part first, then `free`). */
  readonly inner: tf.Optimizer;
  readonly basis: Basis;
  /** The projected variables, flattened into θ ∈ R^D. */
  readonly layout: ParameterLayout;
  /** θ0 now: `rebase()` and `setWeights()` replace it, so read it at each step. Owned by the wrapper. */
  origin(): tf.Tensor1D;
  /** The number of steps taken before the one running (the optimizer's `iterations`). */
  iterations(): number;
}

/** One mode's state and step, for one bound optimizer. */
export interface UpdateRule {
  /**
   * True when every step puts θ back into θ0 + span(Q): then a write from outside that leaves the
   * subspace is refused (outside-writes.ts) instead of being taken as the new θ.
   */
  readonly keepsSubspace: boolean;
  /**
   * The rule's own coordinates z (θ = θ0 + Q·z), a variable the rule owns, or null when θ itself is
   * the state. The wrapper keeps z in step with `setCoordinates`, `rebase` and writes from outside,
   * and restores it with the rest of the state when a step is dropped.
   */
  readonly coordinates: tf.Variable | null;
  /** Names of the projected part of the gradient list the rule hands the inner optimizer. */
  readonly slotNames: readonly string[];
  /** Their shapes: the shapes of the inner optimizer's slots for them. */
  readonly slotShapes: ReadonlyArray<readonly number[]>;
  /**
   * One step, run inside a tf.tidy. `g` is the flat gradient (zeros for variable i where
   * `present[i]` is false: no gradient came for it); `free` are the free variables' gradients, to be
   * appended to the list given to the inner optimizer. A step may change only the projected
   * variables, `coordinates` and the inner optimizer's state (a dropped step restores just those).
   */
  step(g: tf.Tensor1D, present: readonly boolean[], free: NamedTensor[]): void;
  /** The rule's own saved weights, named and ordered as its definition's `savedWeights` (its tensors, not copies). */
  weights(): NamedTensor[];
  /** Takes back weights its definition's `checkSaved` accepted (copies them: the caller keeps its tensors). */
  restoreWeights(weights: NamedTensor[]): void;
  /** Frees the rule's tensors (called once, when the optimizer is disposed). */
  dispose(): void;
}

/**
 * How a rule's step scales with an element-wise adaptive inner optimizer (Adam, RMSprop, …), which
 * moves every coordinate it steps by about lr: 'subspace' when θ's step is confined to θ0 + span(Q)
 * (the rule's `keepsSubspace` is true with such an optimizer: ‖Δθ‖ ≈ lr·√d), 'ambient' when the inner
 * optimizer's step on all D coordinates is kept (‖Δθ‖ ≈ lr·√D, and θ leaves the subspace).
 * `subspaceLearningRate` scales the full model's lr by √(D/d) for 'subspace' only.
 */
export type AdaptiveStep = 'subspace' | 'ambient';

/** A mode: its name, how it saves, and how it starts. One per file in src/optimizer/rules/. */
export interface RuleDefinition<Mode extends string = string, Saved extends SavedClassName = SavedClassName> {
  /** What the optimizer's `mode` answers, and what a saved config records. */
  readonly mode: Mode;
  /** The class it saves under: 'ProjectedGradient' makes it a `mode` of `projectGradients`. */
  readonly savedAs: Saved;
  /** Names of its own saved weights, which follow [iterations, origin, basis probe] in getWeights. */
  readonly savedWeights: readonly string[];
  /** How its step scales with an adaptive inner optimizer ({@link AdaptiveStep}); absent means 'subspace'. */
  readonly adaptiveStep?: AdaptiveStep;
  /**
   * Throws a typed error unless `weights` (one per `savedWeights` name) fit `basis`; runs before
   * anything changes, also for a restored optimizer that has not bound to its variables yet.
   */
  checkSaved(where: string, weights: NamedTensor[], basis: Basis): void;
  /** The rule's state for an optimizer bound to `ctx.layout` (θ is at its starting point already). */
  create(ctx: RuleContext): UpdateRule;
}

/**
 * Hands `ctx.inner` one gradient per projected variable — `flat` split along θ's layout, null for
 * a variable that got no gradient (`present[i]` false: as in tf.train, the inner optimizer then
 * leaves it and its slots alone) — followed by the free variables' gradients.
 */
export function stepEachVariable(ctx: RuleContext, flat: tf.Tensor1D, present: readonly boolean[], free: NamedTensor[]): void {
  const parts = ctx.layout.split(flat);
  const named = ctx.layout.names.map((name, i) => ({ name, tensor: present[i] ? parts[i] : null }));
  ctx.inner.applyGradients([...(named as NamedTensor[]), ...free]);
}

/**
 * A rule whose only state is θ itself (ambient, parameters): the inner optimizer steps the projected
 * variables (its slots are theirs), and the rule has no coordinates and no saved weights of its own.
 * A subclass gives `keepsSubspace` and `step`.
 */
export abstract class PerVariableRule implements UpdateRule {
  abstract readonly keepsSubspace: boolean;
  readonly coordinates = null;
  readonly slotNames: readonly string[];
  readonly slotShapes: ReadonlyArray<readonly number[]>;

  constructor(protected readonly ctx: RuleContext) {
    this.slotNames = ctx.layout.names;
    this.slotShapes = ctx.layout.shapes;
  }

  abstract step(g: tf.Tensor1D, present: readonly boolean[], free: NamedTensor[]): void;
  weights(): NamedTensor[] {
    return [];
  }
  restoreWeights(): void {}
  dispose(): void {}
}

/** The definition of a {@link PerVariableRule}: nothing of its own to save or check. */
export function perVariableDefinition<Mode extends string, Saved extends SavedClassName>(
  mode: Mode,
  savedAs: Saved,
  create: (ctx: RuleContext) => PerVariableRule,
  adaptiveStep: AdaptiveStep = 'subspace',
): RuleDefinition<Mode, Saved> {
  return { mode, savedAs, savedWeights: [], adaptiveStep, checkSaved: () => {}, create };
}
