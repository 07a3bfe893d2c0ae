import { InvalidArgumentError } from '../errors';
import { Basis } from './basis';
import { gaussianBasis } from './dense';
import { hashedBasis } from './hashed';
import { srhtBasis } from './srht';

/** One seeded basis kind: rebuilt bit for bit from (D, d, seed) alone. */
export interface SeededKind {
  /** Builds the basis (the factory a user would call with `{ seed }`). */
  create(D: number, d: number, seed: number): Basis;
  /** The public factory that builds it, as messages name it ('gaussianBasis'). */
  factory: string;
  /** One line for help texts and error messages. */
  summary: string;
}

/**
 * The registry of seeded basis kinds: the one table that spec parsing, `basisFromSpec`, the CLI's
 * `--basis` choices, `intrinsicDimension({ basis })`, error messages and the test matrices read.
 * Adding a kind is one file plus one entry here (docs/contributing.md, "Adding a basis kind").
 */
export const SEEDED_KINDS = {
  gaussian: { create: (D, d, seed) => gaussianBasis(D, d, { seed }), factory: 'gaussianBasis', summary: 'dense Gaussian, orthonormalized by QR (D·d floats)' },
  hashed: { create: (D, d, seed) => hashedBasis(D, d, { seed }), factory: 'hashedBasis', summary: 'one signed nonzero per row (O(D) memory and time)' },
  srht: { create: (D, d, seed) => srhtBasis(D, d, { seed }), factory: 'srhtBasis', summary: 'subsampled randomized Hadamard transform (O(D log D) time)' },
} as const satisfies Record<string, SeededKind>;

/** The name of a seeded basis kind. */
export type SeededBasisKind = keyof typeof SEEDED_KINDS;

/** The kinds' names, in registry order (kept in step by {@link registerSeededKind}). */
const kindNames = Object.keys(SEEDED_KINDS) as SeededBasisKind[];
export const SEEDED_BASIS_KINDS: readonly SeededBasisKind[] = kindNames;

/**
 * Registers a seeded kind at run time, as one more entry in {@link SEEDED_KINDS} would: for a plugin,
 * or a test of the recipe (test/recipes.test.ts). Everything that reads the registry when it runs
 * (`basisFromSpec`, the spec check and its messages, the CLI's `--basis` choices, `intrinsicDimension`)
 * sees it from then on; a list copied from the registry before (test/helpers.ts' `BASES`, read at
 * import) does not, so register before importing such a reader. The compiler does not know the name:
 * `SeededBasisKind` is the keys written in `SEEDED_KINDS`, so pass the name where a kind is typed as
 * `name as SeededBasisKind`. Throws for a name already registered; returns the function that
 * unregisters it (a test calls it in `afterAll`). A kind of the library itself is an entry in
 * `SEEDED_KINDS` instead (docs/contributing.md, "Adding a basis kind").
 */
export function registerSeededKind(kind: string, entry: SeededKind): () => void {
  if (typeof kind !== 'string' || kind === '' || isSeededKind(kind) || kind in Object.prototype) {
    throw new InvalidArgumentError(`registerSeededKind: '${String(kind)}' is not a new kind name (registered: ${seededKindList()}).`);
  }
  const table = SEEDED_KINDS as Record<string, SeededKind>;
  table[kind] = entry;
  kindNames.push(kind as SeededBasisKind);
  return () => {
    if (table[kind] !== entry) return; // unregistered already
    delete table[kind];
    kindNames.splice(kindNames.indexOf(kind as SeededBasisKind), 1);
  };
}

/** Whether `kind` names a registered seeded kind. */
export function isSeededKind(kind: unknown): kind is SeededBasisKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(SEEDED_KINDS, kind);
}

/** "a, b or c" (or "a, b and c"). */
function listOf(items: string[], last: 'or' | 'and'): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}` : items.join('');
}

/** "'gaussian', 'hashed' or 'srht'": the kinds as error messages list them. */
export function seededKindList(): string {
  return listOf(SEEDED_BASIS_KINDS.map((k) => `'${k}'`), 'or');
}

/** "gaussianBasis, hashedBasis or srhtBasis" ('and' with `last`): the seeded factories as messages name them. */
export function seededFactoryList(last: 'or' | 'and' = 'or'): string {
  return listOf(SEEDED_BASIS_KINDS.map((k) => SEEDED_KINDS[k].factory), last);
}
