import { InvalidArgumentError } from '../errors';
import { checkSeed } from '../random';
import { Basis, checkDims } from './basis';
import { isSeededKind, SEEDED_KINDS, seededKindList } from './kinds';
import { BasisSpec } from './spec';

/** Throws unless `spec` is a well-formed {@link BasisSpec}. */
export function checkBasisSpec(where: string, spec: unknown): asserts spec is BasisSpec {
  const s = spec as Partial<BasisSpec> | null;
  if (s == null || typeof s !== 'object') {
    throw new InvalidArgumentError(`${where}: the basis spec is missing; expected {kind, D, d, seed}.`);
  }
  if (!isSeededKind(s.kind)) {
    throw new InvalidArgumentError(`${where}: unknown basis kind '${String(s.kind)}'; a seeded basis is ${seededKindList()}.`);
  }
  checkDims(where, s.D as number, s.d as number);
  if (s.seed === undefined) throw new InvalidArgumentError(`${where}: the basis spec has no seed; expected {kind, D, d, seed}.`);
  checkSeed(where, s.seed);
}

/** Rebuilds the seeded basis a spec describes (bit-identical to the one that produced the spec). */
export function basisFromSpec(spec: BasisSpec): Basis {
  checkBasisSpec('basisFromSpec', spec);
  const { kind, D, d, seed } = spec;
  return SEEDED_KINDS[kind].create(D, d, seed);
}
