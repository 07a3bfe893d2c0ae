import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors';
import { disposeInner, supportsExactState } from '../optimizer/inner-state';
import { MomentRule } from './moments';
import { checkGaloreArguments, GaloreSettings } from './options';

/**
 * The config `model.save({includeOptimizer: true})` stores for an EvolvingSubspaceOptimizer
 * (src/evolving/galore.ts), flat as src/optimizer/saved-config.ts keeps a wrapper's: tfjs-layers
 * camel-cases the keys and string values on load (none here has an underscore) and would treat a
 * nested {className, config} pair as its own.
 */
export interface SavedGaloreConfig {
  innerClassName: string;
  innerConfig: tf.serialization.ConfigDict;
  rank: number;
  updateEvery: number;
  scale: number;
  projection: 'svd' | 'random';
  seed: number;
  moments: MomentRule;
  /** The `full` variables, by gradient position. */
  full: number[];
  /** How many variables (gradient positions) it was bound to; null when saved before its first step. */
  variables: number | null;
}

const FIELDS = ['innerClassName', 'innerConfig', 'rank', 'updateEvery', 'scale', 'projection', 'seed', 'moments', 'full', 'variables'] as const;

/**
 * Throws {@link CheckpointError} naming the field unless `config` has every field of a saved config,
 * a registered tf.train inner optimizer (restored exactly), distinct `full` positions below
 * `variables`; the option values themselves are checked by checkGaloreArguments (InvalidArgumentError
 * naming the option). Creates nothing.
 */
export function checkSavedGaloreConfig(where: string, config: unknown): SavedGaloreConfig {
  if (config == null || typeof config !== 'object' || Array.isArray(config)) {
    throw new CheckpointError(`${where}: the saved optimizer config is not an object; load the model without the optimizer and create it again.`);
  }
  const c = config as Record<string, unknown>;
  const missing = FIELDS.find((f) => !(f in c));
  if (missing) {
    throw new CheckpointError(`${where}: the saved config has no '${missing}' (saved by another version?); load the model without the optimizer and create it again.`);
  }
  const name = c.innerClassName;
  if (typeof name !== 'string' || !(name in tf.serialization.SerializationMap.getMap().classNameMap)) {
    throw new CheckpointError(`${where}: innerClassName: the inner optimizer class '${String(name)}' is not registered with tf.serialization.`);
  }
  if (!supportsExactState({ getClassName: () => name } as tf.Optimizer)) {
    throw new CheckpointError(`${where}: innerClassName: a ${name} inner optimizer cannot be restored exactly (only the seven tf.train optimizers can).`);
  }
  if (c.innerConfig == null || typeof c.innerConfig !== 'object' || Array.isArray(c.innerConfig)) {
    throw new CheckpointError(`${where}: innerConfig must be the inner optimizer's config object, got ${JSON.stringify(c.innerConfig)}.`);
  }
  const variables = c.variables;
  if (variables !== null && !(typeof variables === 'number' && Number.isInteger(variables) && variables >= 1)) {
    throw new CheckpointError(`${where}: variables must be null or an integer ≥ 1 (the number of variables saved), got ${JSON.stringify(variables)}.`);
  }
  const full = c.full;
  const okPosition = (p: unknown) => typeof p === 'number' && Number.isInteger(p) && p >= 0 && (variables === null || p < (variables as number));
  if (!Array.isArray(full) || !full.every(okPosition) || new Set(full).size !== full.length) {
    throw new CheckpointError(
      `${where}: full must list distinct gradient positions${variables === null ? '' : ` below ${variables}`}, got ${JSON.stringify(full)}.`,
    );
  }
  return c as unknown as SavedGaloreConfig;
}

/**
 * The config an optimizer of `inner` and `settings` saves (getConfig). Throws CheckpointError (so the
 * save fails, nothing written) where it could not be rebuilt and restored on load: an inner optimizer
 * other than the seven tf.train ones, or `full` variables whose positions are not known yet.
 */
export function savedConfigOf(
  where: string,
  inner: tf.Optimizer,
  settings: GaloreSettings,
  fullPositions: number[] | null,
  variables: number | null,
): SavedGaloreConfig {
  if (!supportsExactState(inner)) {
    throw new CheckpointError(
      `${where}: a ${inner.getClassName()} inner optimizer cannot be restored exactly (only the seven tf.train ` +
        `optimizers can); call model.save() without includeOptimizer and create the optimizer again after loading.`,
    );
  }
  if (fullPositions === null && settings.full.size > 0) {
    throw new CheckpointError(
      `${where}: the 'full' variables are saved by gradient position, which is known only after the first step; ` +
        `take one training step before saving, or call model.save() without includeOptimizer.`,
    );
  }
  const { rank, updateEvery, scale, projection, seed, moments } = settings;
  return {
    innerClassName: inner.getClassName(),
    innerConfig: inner.getConfig(),
    rank,
    updateEvery,
    scale,
    projection,
    seed,
    moments,
    full: (fullPositions ?? []).slice(),
    variables,
  };
}

/**
 * What fromConfig builds from a saved config: the checked config's inner optimizer (rebuilt through
 * tf.serialization), its settings (checkGaloreArguments: InvalidArgumentError naming the option;
 * the inner optimizer is disposed then) and the `full` positions and variable count to bind with.
 */
export function rebuildFromConfig(where: string, config: unknown): { inner: tf.Optimizer; settings: GaloreSettings; restoring: { full: number[]; variables: number | null } } {
  const saved = checkSavedGaloreConfig(where, config);
  const [innerCls, innerFromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[saved.innerClassName];
  const inner = innerFromConfig(innerCls, saved.innerConfig) as tf.Optimizer;
  try {
    const { rank, updateEvery, scale, projection, seed, moments } = saved;
    const settings = checkGaloreArguments(where, inner, { rank, updateEvery, scale, projection, seed, moments });
    return { inner, settings, restoring: { full: saved.full, variables: saved.variables } };
  } catch (e) {
    disposeInner(inner);
    throw e;
  }
}
