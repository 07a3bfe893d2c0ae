import * as tf from '@tensorflow/tfjs';
import { hashedBasis, InvalidDimensionError } from '../../src';
import { hashedLayout } from '../../src/basis/hashed';
import { BACKENDS, useBackend } from '../helpers';
import { basisBits, checkBasisContract } from './contract';

describe.each(BACKENDS)('hashedBasis on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each([
    [1, 1],
    [7, 7],
    [10, 3],
    [257, 16],
    [1000, 1],
  ])('the Basis contract at D = %i, d = %i', (D, d) => {
    checkBasisContract(() => hashedBasis(D, d, { seed: D + d }), D, d);
  });

  test('columns are balanced and every coordinate belongs to exactly one column', () => {
    const D = 1003;
    const d = 10;
    const { order, inverse, weights } = hashedLayout(D, d, 3);
    const sizes = new Array(d).fill(0);
    order.forEach((i, k) => {
      sizes[k % d]++;
      expect(inverse[i]).toBe(k);
    });
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(new Set(order).size).toBe(D);
    order.forEach((i, k) => expect(Math.abs(weights[i])).toBeCloseTo(1 / Math.sqrt(sizes[k % d]), 7));
  });

  test('seeded: identical bits on cpu and wasm, different for another seed', async () => {
    const here = hashedBasis(300, 7, { seed: 5 });
    const a = basisBits(here);
    await useBackend(backend === 'cpu' ? 'wasm' : 'cpu');
    const there = hashedBasis(300, 7, { seed: 5 });
    const b = basisBits(there);
    await useBackend(backend);
    const other = hashedBasis(300, 7, { seed: 6 });
    expect(b).toEqual(a);
    expect(basisBits(other)).not.toEqual(a);
    [here, there, other].forEach((x) => x.dispose());
  });

  test('bad sizes', () => {
    const n = tf.memory().numTensors;
    expect(() => hashedBasis(5, 6)).toThrow(InvalidDimensionError);
    expect(() => hashedBasis(5, 0)).toThrow(/1 ≤ d ≤ D = 5/);
    expect(() => hashedBasis(5, 2, { seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(tf.memory().numTensors).toBe(n);
  });
});
