import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors';
import { checkSeed } from '../random';
import { VariableRef } from '../selection';
import { knowsSlots, MOMENT_RULES, MomentRule } from './moments';

/** Options of `galore` (src/evolving/galore.ts). */
export interface GaloreOptions {
  /** r: directions per projected matrix (a positive integer). */
  rank: number;
  /** T: a new basis every T steps, at steps 0, T, 2T, … (a positive integer). */
  updateEvery: number;
  /** α: the lifted step is scaled by it, W ← W + α·P·ΔR (default 0.25, GaLore's). */
  scale?: number;
  /** 'svd' (default, GaLore): P = top-r singular vectors of the gradient; 'random' (Flora): seeded Gaussian, orthonormalized. */
  projection?: 'svd' | 'random';
  /** Seeds Flora's directions and the SVD's starting block (default 0). */
  seed?: number;
  /** Variables (or layer weights, or names) the inner optimizer steps in full, unprojected. */
  full?: VariableRef[];
  /** The inner optimizer's slots at a re-basing: 'project' (default), 'keep' or 'reset' (src/evolving/moments.ts). */
  moments?: MomentRule;
}

/** The checked options, defaults filled in. */
export interface GaloreSettings {
  rank: number;
  updateEvery: number;
  scale: number;
  projection: 'svd' | 'random';
  seed: number;
  /** Names of the `full` variables. */
  full: Set<string>;
  moments: MomentRule;
}

const PROJECTIONS = ['svd', 'random'] as const;

function positiveInteger(where: string, name: string, value: unknown, example: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${where}: ${name} must be an integer ≥ 1, got ${String(value)}; pass e.g. ${name}: ${example}.`);
  }
  return value;
}

function refName(where: string, ref: VariableRef): string {
  if (typeof ref === 'string') return ref;
  if (ref instanceof tf.Variable) return ref.name;
  const read = (ref as { read?: () => tf.Tensor })?.read;
  if (typeof read === 'function') {
    const v = read.call(ref);
    if (v instanceof tf.Variable) return v.name;
  }
  throw new InvalidArgumentError(`${where}: each entry of 'full' must be a tf.Variable, a layer weight or a variable name.`);
}

/** Validates `galore`'s arguments before anything is created (a typed error, no tensor made). */
export function checkGaloreArguments(where: string, inner: unknown, opts: GaloreOptions | undefined): GaloreSettings {
  if (inner == null || typeof inner !== 'object' || !(inner instanceof tf.Optimizer) || typeof (inner as tf.Optimizer).getClassName !== 'function') {
    throw new InvalidArgumentError(`${where}: the first argument must be a tf.Optimizer (e.g. tf.train.adam(1e-3)).`);
  }
  if (opts == null || typeof opts !== 'object') {
    throw new InvalidArgumentError(`${where}: options with 'rank' and 'updateEvery' are required, e.g. { rank: 8, updateEvery: 200 }.`);
  }
  const rank = positiveInteger(where, 'rank', opts.rank, '8');
  const updateEvery = positiveInteger(where, 'updateEvery', opts.updateEvery, '200');
  const scale = opts.scale ?? 0.25;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new InvalidArgumentError(`${where}: scale must be a finite number > 0, got ${String(scale)}; GaLore uses 0.25.`);
  }
  const projection = opts.projection ?? 'svd';
  if (!PROJECTIONS.includes(projection)) {
    throw new InvalidArgumentError(`${where}: projection must be 'svd' or 'random', got '${String(projection)}'.`);
  }
  const moments = opts.moments ?? 'project';
  if (!MOMENT_RULES.includes(moments)) {
    throw new InvalidArgumentError(`${where}: moments must be one of ${MOMENT_RULES.map((m) => `'${m}'`).join(', ')}, got '${String(moments)}'.`);
  }
  if (moments !== 'keep' && !knowsSlots(inner as tf.Optimizer)) {
    throw new InvalidArgumentError(
      `${where}: moments '${moments}' needs the slots of a tf.train optimizer, and a ` +
        `${(inner as tf.Optimizer).getClassName()} is not one; pass moments: 'keep' or use a tf.train optimizer.`,
    );
  }
  const seed = checkSeed(where, opts.seed);
  if (opts.full != null && !Array.isArray(opts.full)) {
    throw new InvalidArgumentError(`${where}: 'full' must be an array of variables, layer weights or names.`);
  }
  const full = new Set((opts.full ?? []).map((ref) => refName(where, ref)));
  return { rank, updateEvery, scale, projection, seed, full, moments };
}
