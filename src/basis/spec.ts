import { Basis } from './basis';

import type { SeededBasisKind } from './kinds';

/**
 * Everything needed to rebuild a seeded basis bit for bit on any backend: what checkpoints and
 * saved optimizer configs store instead of Q.
 */
export interface BasisSpec {
  kind: SeededBasisKind;
  /** D: the number of parameters. */
  D: number;
  /** d: the number of coordinates. */
  d: number;
  seed: number;
}

const specs = new WeakMap<Basis, BasisSpec>();

/** Records how a seeded factory built `basis` (called by gaussianBasis, hashedBasis, srhtBasis). */
export function rememberSpec<B extends Basis>(basis: B, spec: BasisSpec): B {
  specs.set(basis, Object.freeze({ ...spec }));
  return basis;
}

/**
 * The spec of a basis made by `gaussianBasis`, `hashedBasis` or `srhtBasis`; null for bases that
 * cannot be rebuilt from a seed (a user's matrix, a trajectory, a block basis).
 */
export function basisSpec(basis: Basis): BasisSpec | null {
  return specs.get(basis) ?? null;
}
