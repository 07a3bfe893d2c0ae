import { ambientRule } from './ambient';
import { coordinatesRule } from './coordinates';
import { parametersRule } from './parameters';
import { RuleDefinition, SavedClassName } from './rule';

/**
 * Every mode the wrappers offer and can save and load (docs/contributing.md, "Adding an update
 * rule"). `projectGradients` accepts as `mode` each rule saved as 'ProjectedGradient', in this order
 * (its error message lists them); `projectParameters` uses the one saved as 'ProjectedParameter'; a
 * saved config's `mode` is looked up here when it loads.
 */
export const UPDATE_RULES = [coordinatesRule, ambientRule, parametersRule] as const;

/** Every registered mode: 'coordinates' | 'ambient' | 'parameters'. */
export type RuleMode = (typeof UPDATE_RULES)[number]['mode'];

/** The modes saved under `saved` (for 'ProjectedGradient': the modes of `projectGradients`). */
export type ModeOf<Saved extends SavedClassName> = Extract<(typeof UPDATE_RULES)[number], { savedAs: Saved }>['mode'];

/** The registered modes saved under `saved`, in registry order. */
export function modesOf(saved: SavedClassName): string[] {
  return UPDATE_RULES.filter((r) => r.savedAs === saved).map((r) => r.mode);
}

/** The registered rule of `mode` saved under `saved`, or undefined. */
export function findRule(saved: SavedClassName, mode: unknown): RuleDefinition | undefined {
  return UPDATE_RULES.find((r) => r.savedAs === saved && r.mode === mode);
}

/** Whether `rule` is the registered rule of its mode (only those can be saved and loaded again). */
export function isRegistered(rule: RuleDefinition): boolean {
  return UPDATE_RULES.some((r) => r === rule);
}
