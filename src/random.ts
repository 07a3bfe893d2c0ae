import seedrandom from 'seedrandom';
import { InvalidArgumentError } from './errors';

/**
 * The library's one seed rule, for bases, models and saved specs alike: a safe integer (negative
 * allowed; |seed| ≤ 2^53 − 1, so that it prints and parses back exactly). Returns the seed, 0 when
 * unset; throws an {@link InvalidArgumentError} that starts with `where` (the function the user called).
 */
export function checkSeed(where: string, seed: unknown): number {
  const s = seed ?? 0;
  if (typeof s !== 'number' || !Number.isSafeInteger(s)) {
    throw new InvalidArgumentError(`${where}: seed must be a safe integer (|seed| ≤ 2^53 − 1), got ${String(seed)}.`);
  }
  return s;
}

/**
 * A seeded source of standard normal float64 numbers (Box–Muller over seedrandom's Alea generator).
 * The same seed gives the same sequence on every platform and backend: no tf op is involved.
 */
export function normalSource(seed: number): () => number {
  const uniform = seedrandom.alea(String(seed));
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** Fills a new Float32Array of length n with seeded standard normal numbers. */
export function gaussianArray(n: number, seed: number): Float32Array {
  const next = normalSource(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next();
  return out;
}

/** A uniformly random permutation of 0 … n−1 (Fisher–Yates, driven by `rng`). */
export function shuffled(n: number, rng: () => number, into: Int32Array = new Int32Array(n)): Int32Array {
  const p = into;
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
