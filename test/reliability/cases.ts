import * as tf from '@tensorflow/tfjs';
import {
  Basis,
  blockBasis,
  denseBasis,
  gaussianBasis,
  hashedBasis,
  perVariableBasis,
  srhtBasis,
  trajectoryBasis,
} from '../../src';
import { isSeededKind, SEEDED_BASIS_KINDS, SEEDED_KINDS, SeededBasisKind } from '../../src/basis/kinds';
import { OPTIMIZERS, uniformArray } from '../helpers';

/**
 * What the reliability suites vary: every basis kind (with its storage/compute variants), built
 * over a list of variable shapes, and plain float64 host checks on a materialized Q (independent of the
 * library's own float32 ops).
 */

/** The variants of the seeded kinds and the kinds that are not seeded, by a readable name. */
const VARIANTS = [
  'gaussian-array',
  'gaussian-no-transpose',
  'dense',
  'hashed-tf',
  'srht-tf',
  'block',
  'per-variable',
  'per-variable+scales',
  'trajectory',
] as const;

/**
 * Every basis kind the library offers, by a readable name (what a shrunk counterexample prints):
 * every seeded kind of the registry (src/basis/kinds.ts) as its factory builds it, then the variants.
 */
export const BASIS_KINDS: ReadonlyArray<SeededBasisKind | (typeof VARIANTS)[number]> = [...SEEDED_BASIS_KINDS, ...VARIANTS];
export type BasisKind = (typeof BASIS_KINDS)[number];

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** D = the total size of variables of these shapes. */
export function ambientDimOf(shapes: ReadonlyArray<readonly number[]>): number {
  return shapes.reduce((a, s) => a + sizeOf(s), 0);
}

/** A per-variable split of about d columns: d_i ≥ 1, ≤ size_i, in proportion to the sizes. */
export function perVariableDims(shapes: ReadonlyArray<readonly number[]>, d: number): number[] {
  const D = ambientDimOf(shapes);
  return shapes.map((s) => Math.min(sizeOf(s), Math.max(1, Math.round((sizeOf(s) * d) / D))));
}

/**
 * The basis of kind `kind` for variables of `shapes` (D = Σ sizes) with about d columns (exactly d,
 * except per-variable kinds, which take {@link perVariableDims}, plus one scale column per nonzero
 * variable with '+scales'). `variables` are needed only by the per-variable kinds.
 */
export function makeBasis(
  kind: BasisKind,
  shapes: ReadonlyArray<readonly number[]>,
  d: number,
  seed: number,
  variables?: tf.Variable[],
): Basis {
  const D = ambientDimOf(shapes);
  if (isSeededKind(kind)) return SEEDED_KINDS[kind].create(D, d, seed);
  switch (kind) {
    case 'gaussian-array':
      return gaussianBasis(D, d, { seed, storage: 'array' });
    case 'gaussian-no-transpose':
      return gaussianBasis(D, d, { seed, keepTranspose: false });
    case 'dense': {
      const E = tf.tensor2d(uniformArray(D * d, seed), [D, d]);
      try {
        return denseBasis(E);
      } finally {
        E.dispose();
      }
    }
    case 'hashed-tf':
      return hashedBasis(D, d, { seed, compute: 'tf' });
    case 'srht-tf':
      return srhtBasis(D, d, { seed, compute: 'tf' });
    case 'block': {
      if (d < 2) return hashedBasis(D, d, { seed }); // one column cannot be split into two blocks
      const D1 = Math.floor(D / 2);
      const d1 = Math.min(D1, Math.floor(d / 2));
      return blockBasis([gaussianBasis(D1, d1, { seed }), srhtBasis(D - D1, d - d1, { seed: seed + 1 })]);
    }
    case 'per-variable':
    case 'per-variable+scales': {
      const dims = perVariableDims(shapes, d);
      const vars = variables ?? shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(uniformArray(sizeOf(s), seed + i), s as number[]))));
      try {
        // Alternating kinds: hashed parts for even variables, gaussian for odd ones.
        const part = (size: number, i: number) =>
          i % 2 === 0 ? hashedBasis(size, dims[i], { seed: seed + i }) : gaussianBasis(size, dims[i], { seed: seed + i });
        return perVariableBasis(vars, part, { scales: kind === 'per-variable+scales' });
      } finally {
        if (!variables) tf.dispose(vars);
      }
    }
    case 'trajectory': {
      // d + 1 seeded snapshots: their centered span has rank d (generically), the most d allows.
      const snapshots = Array.from({ length: d + 1 }, (_, t) => uniformArray(D, seed * 1000 + t));
      return trajectoryBasis(snapshots, d);
    }
  }
}

/** The optimizers of the equivalence matrix by name, with their class ('linear' or 'adaptive'). */
export const OPTIMIZER_NAMES = OPTIMIZERS.map(([name]) => name);
export function makeOptimizer(name: string): { inner: tf.Optimizer; kind: 'linear' | 'adaptive' } {
  const entry = OPTIMIZERS.find(([n]) => n === name);
  if (!entry) throw new Error(`no optimizer '${name}'`);
  return { inner: entry[1](), kind: entry[2] };
}

/** Q as float64 (row-major D×d), read from the basis' materialized float32 Q. */
export function hostQ(basis: Basis): Float64Array {
  const q = basis.materialize();
  const out = Float64Array.from(q.dataSync());
  q.dispose();
  return out;
}

/**
 * ‖(I − QQᵀ)δ‖ and ‖δ‖ in float64 for a row-major D×d Q: the distance of θ = θ0 + δ from θ0 + span(Q),
 * computed on the host from Q's values, not with the library's project/lift.
 */
export function hostResidual(q: Float64Array, D: number, d: number, delta: ArrayLike<number>): { distance: number; displacement: number } {
  const c = new Float64Array(d);
  for (let i = 0; i < D; i++) {
    const x = delta[i];
    if (x !== 0) for (let j = 0; j < d; j++) c[j] += q[i * d + j] * x;
  }
  let distance = 0;
  let displacement = 0;
  for (let i = 0; i < D; i++) {
    let p = 0;
    for (let j = 0; j < d; j++) p += q[i * d + j] * c[j];
    distance += (delta[i] - p) ** 2;
    displacement += delta[i] ** 2;
  }
  return { distance: Math.sqrt(distance), displacement: Math.sqrt(displacement) };
}

/** θ − θ0 in float64 from two flat float32 arrays. */
export function difference(theta: ArrayLike<number>, theta0: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: theta.length }, (_, i) => theta[i] - theta0[i]);
}

/** The flat values of a list of variables, as one float32 host array. */
export function readFlat(variables: readonly tf.Variable[]): Float32Array {
  const flat = tf.tidy(() => tf.concat(variables.map((v) => tf.reshape(v, [-1]))));
  const out = flat.dataSync() as Float32Array;
  flat.dispose();
  return out;
}

/** The bits of a float32 array, for "bit-identical" comparisons. */
export function bitsOf(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.slice().buffer));
}

/** max |a − b| over two arrays of the same length. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** max |a|. */
export function maxAbsOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Throws a readable error (what a shrunk fast-check counterexample reports) unless value ≤ bound. */
export function atMost(what: string, value: number, bound: number): void {
  if (!(value <= bound)) throw new Error(`${what} = ${value} exceeds ${bound}`);
}
