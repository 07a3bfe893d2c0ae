import { InvalidArgumentError } from '../../errors';
import { ambientRule } from './ambient';
import { coordinatesRule } from './coordinates';
import { parametersRule } from './parameters';
import { AdaptiveStep, FACTORIES, RuleDefinition, SavedClassName } from './rule';

export type { AdaptiveStep } from './rule';

/**
 * Every mode the wrappers offer and can save and load (docs/contributing.md, "Adding an update
 * rule"). `projectGradients` accepts as `mode` each rule saved as 'ProjectedGradient', in this order
 * (its error message lists them); `projectParameters` uses the one saved as 'ProjectedParameter'; a
 * saved config's `mode` is looked up here when it loads; `subspaceLearningRate` accepts every mode.
 */
export const UPDATE_RULES = [coordinatesRule, ambientRule, parametersRule] as const;

/** Every registered mode: 'coordinates' | 'ambient' | 'parameters'. */
export type RuleMode = (typeof UPDATE_RULES)[number]['mode'];

/** The modes saved under `saved` (for 'ProjectedGradient': the modes of `projectGradients`). */
export type ModeOf<Saved extends SavedClassName> = Extract<(typeof UPDATE_RULES)[number], { savedAs: Saved }>['mode'];

/** The registry as a list of definitions, read at each call (so a rule registered at run time counts). */
const rules = UPDATE_RULES as unknown as RuleDefinition[];

/** The registered modes saved under `saved`, in registry order. */
export function modesOf(saved: SavedClassName): string[] {
  return rules.filter((r) => r.savedAs === saved).map((r) => r.mode);
}

/** Every registered mode, in registry order. */
export function registeredModes(): string[] {
  return rules.map((r) => r.mode);
}

/** The registered rule of `mode` saved under `saved`, or undefined. */
export function findRule(saved: SavedClassName, mode: unknown): RuleDefinition | undefined {
  return rules.find((r) => r.savedAs === saved && r.mode === mode);
}

/** The registered rule of `mode` (whatever class it saves under), or undefined. */
export function ruleOfMode(mode: unknown): RuleDefinition | undefined {
  return rules.find((r) => r.mode === mode);
}

/** Whether `rule` is the registered rule of its mode (only those can be saved and loaded again). */
export function isRegistered(rule: RuleDefinition): boolean {
  return rules.some((r) => r === rule);
}

/** How a registered rule's step scales with an adaptive inner optimizer ({@link AdaptiveStep}). */
export function adaptiveStepOf(rule: RuleDefinition): AdaptiveStep {
  return rule.adaptiveStep ?? 'subspace';
}

/**
 * Registers an update rule at run time, as one more entry in {@link UPDATE_RULES} would: for a plugin,
 * or a test of the recipe (test/recipes.test.ts). From then on `projectGradients({ mode })` builds it
 * (a rule saved as 'ProjectedGradient'), its error lists it, `model.save({ includeOptimizer: true })`
 * saves it and `tf.loadLayersModel` restores it, and `subspaceLearningRate` accepts its mode
 * (the definition's `adaptiveStep`, default 'subspace', says how it scales). A list copied from the registry before
 * (test/helpers.ts' `MODES`, read at import) does not see it, so register before importing such a
 * reader. The compiler does not know the mode: pass it as `mode as GradientMode`. Throws for a mode
 * already registered, an unknown `savedAs` or `adaptiveStep`; returns the function that unregisters it (a test calls
 * it in `afterAll`). A rule of the library itself is an entry in `UPDATE_RULES` instead
 * (docs/contributing.md, "Adding an update rule").
 */
export function registerUpdateRule(rule: RuleDefinition): () => void {
  if (typeof rule?.mode !== 'string' || rule.mode === '' || ruleOfMode(rule.mode)) {
    throw new InvalidArgumentError(`registerUpdateRule: '${String(rule?.mode)}' is not a new mode (registered: ${registeredModes().join(', ')}).`);
  }
  if (!Object.prototype.hasOwnProperty.call(FACTORIES, rule.savedAs)) {
    throw new InvalidArgumentError(`registerUpdateRule: savedAs must be one of ${Object.keys(FACTORIES).join(', ')}, got '${String(rule.savedAs)}'.`);
  }
  const step = rule.adaptiveStep ?? 'subspace';
  if (step !== 'subspace' && step !== 'ambient') throw new InvalidArgumentError(`registerUpdateRule: adaptiveStep must be 'subspace' or 'ambient' (or left out), got '${String(step)}'.`);
  rules.push(rule);
  return () => {
    const at = rules.indexOf(rule);
    if (at < 0) return; // unregistered already
    rules.splice(at, 1);
  };
}
