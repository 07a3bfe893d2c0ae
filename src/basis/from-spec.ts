import { InvalidArgumentError } from '../errors';
import { Basis, checkDims } from './basis';
import { gaussianBasis } from './dense';
import { hashedBasis } from './hashed';
import { BasisSpec, SEEDED_BASIS_KINDS } from './spec';
import { srhtBasis } from './srht';

/** Throws unless `spec` is a well-formed {@link BasisSpec}. */
export function checkBasisSpec(where: string, spec: unknown): asserts spec is BasisSpec {
  const s = spec as Partial<BasisSpec> | null;
  if (s == null || typeof s !== 'object') {
    throw new InvalidArgumentError(`${where}: the basis spec is missing; expected {kind, D, d, seed}.`);
  }
  if (!SEEDED_BASIS_KINDS.includes(s.kind as BasisSpec['kind'])) {
    throw new InvalidArgumentError(
      `${where}: unknown basis kind '${String(s.kind)}'; a seeded basis is one of ` +
        `${SEEDED_BASIS_KINDS.map((k) => `'${k}'`).join(', ')}.`,
    );
  }
  checkDims(where, s.D as number, s.d as number);
  if (!Number.isInteger(s.seed)) {
    throw new InvalidArgumentError(`${where}: the basis seed must be an integer, got ${String(s.seed)}.`);
  }
}

/** Rebuilds the seeded basis a spec describes (bit-identical to the one that produced the spec). */
export function basisFromSpec(spec: BasisSpec): Basis {
  checkBasisSpec('basisFromSpec', spec);
  const { kind, D, d, seed } = spec;
  if (kind === 'gaussian') return gaussianBasis(D, d, { seed });
  if (kind === 'hashed') return hashedBasis(D, d, { seed });
  return srhtBasis(D, d, { seed });
}
