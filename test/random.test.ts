import * as tf from '@tensorflow/tfjs';
import { basisFromSpec, gaussianBasis, hashedBasis, InvalidArgumentError, srhtBasis } from '../src';
import { HashedBasis } from '../src/basis/hashed';
import { SrhtBasis } from '../src/basis/srht';
import { fcDigits } from '../src/models';
import { checkSeed } from '../src/random';
import { useBackend } from './helpers';

/**
 * One seed rule (src/random.ts, checkSeed): a safe integer, negative allowed, 0 when unset. Every
 * seeded entry point — the dense Gaussian factory, the structured bases, basisFromSpec and the model
 * factories — applies it with the same message, prefixed by the function the user called.
 */
describe('checkSeed: the one seed rule', () => {
  beforeAll(() => useBackend('cpu'));

  test('a safe integer passes unchanged (negative and the largest included); unset is 0', () => {
    for (const seed of [0, 7, -5, 2 ** 53 - 1, -(2 ** 53 - 1)]) expect(checkSeed('f', seed)).toBe(seed);
    expect(checkSeed('f', undefined)).toBe(0);
  });

  test('anything else is an InvalidArgumentError naming the caller, the rule and the value', () => {
    for (const seed of [1.5, NaN, Infinity, -Infinity, 2 ** 53, '3', true]) {
      expect(() => checkSeed('f', seed)).toThrow(new InvalidArgumentError(`f: seed must be a safe integer (|seed| ≤ 2^53 − 1), got ${String(seed)}.`));
    }
  });

  test('every seeded entry point refuses a bad seed with the same message, naming itself, and leaves no tensor', () => {
    const start = tf.memory().numTensors;
    const spec = (seed: number) => ({ kind: 'hashed' as const, D: 10, d: 2, seed });
    const entries: Array<[string, (seed: number) => unknown]> = [
      ['gaussianBasis', (seed) => gaussianBasis(10, 2, { seed })],
      ['hashedBasis', (seed) => hashedBasis(10, 2, { seed })],
      ['HashedBasis', (seed) => new HashedBasis(10, 2, { seed })],
      ['srhtBasis', (seed) => srhtBasis(10, 2, { seed })],
      ['SrhtBasis', (seed) => new SrhtBasis(10, 2, { seed })],
      ['basisFromSpec', (seed) => basisFromSpec(spec(seed))],
      ['model options', (seed) => fcDigits({ seed })],
    ];
    for (const [where, make] of entries) {
      for (const seed of [0.5, 2 ** 53]) {
        expect(() => make(seed)).toThrow(new InvalidArgumentError(`${where}: seed must be a safe integer (|seed| ≤ 2^53 − 1), got ${seed}.`));
      }
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  test('negative seeds work everywhere and differ from their absolute value (bases and models alike)', () => {
    const q = (b: { materialize(): tf.Tensor2D; dispose(): void }) => {
      const m = b.materialize();
      const out = Array.from(m.dataSync());
      m.dispose();
      b.dispose();
      return out;
    };
    for (const make of [(s: number) => gaussianBasis(12, 3, { seed: s }), (s: number) => hashedBasis(12, 3, { seed: s }), (s: number) => srhtBasis(12, 3, { seed: s })]) {
      const neg = q(make(-4));
      expect(q(make(-4))).toEqual(neg); // reproducible
      expect(q(make(4))).not.toEqual(neg);
    }
    const weights = (seed: number) => {
      const m = fcDigits({ seed, hidden: [3] });
      const w = Array.from(m.getWeights()[0].dataSync());
      m.dispose();
      return w;
    };
    expect(weights(-2)).toEqual(weights(-2));
    expect(weights(-2)).not.toEqual(weights(2));
  });
});
