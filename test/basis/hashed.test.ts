import * as tf from '@tensorflow/tfjs';
import { hashedBasis, InvalidDimensionError } from '../../src';
import { hashedAssignment } from '../../src/basis/hashed';
import { BACKENDS, useBackend } from '../helpers';
import { basisBits, checkBasisContract } from './contract';

describe.each(BACKENDS)('hashedBasis on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each([
    [1, 1, 'arrays'],
    [7, 7, 'arrays'],
    [10, 3, 'arrays'],
    [257, 16, 'arrays'],
    [1000, 1, 'arrays'],
    [10, 3, 'tf'],
    [257, 16, 'tf'],
  ] as const)('the Basis contract at D = %i, d = %i (%s path)', (D, d, compute) => {
    checkBasisContract(() => hashedBasis(D, d, { seed: D + d, compute }), D, d);
  });

  test('the js and tf paths give the same products', () => {
    const start = tf.memory().numTensors;
    const js = hashedBasis(500, 13, { seed: 4, compute: 'arrays' });
    const viaTf = hashedBasis(500, 13, { seed: 4, compute: 'tf' });
    const v = tf.tensor1d(Array.from({ length: 500 }, (_, i) => Math.sin(i)));
    const [a, b] = [js.project(v), viaTf.project(v)];
    const [la, lb] = [js.lift(a), viaTf.lift(a)];
    const gap = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]);
    expect(gap(a, b)).toBeLessThanOrEqual(1e-5);
    expect(gap(la, lb)).toBeLessThanOrEqual(1e-6);
    tf.dispose([v, a, b, la, lb]);
    js.dispose();
    viaTf.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(() => hashedBasis(5, 2, { compute: 'gpu' as never })).toThrow(/compute must be/);
  });

  test('columns are balanced and every coordinate belongs to exactly one column', () => {
    const D = 1003;
    const d = 10;
    const { order, inverse, weights } = hashedAssignment(D, d, 3);
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
    expect(() => hashedBasis(5, 2, { seed: 1.5 })).toThrow(/seed must be a safe integer/);
    expect(tf.memory().numTensors).toBe(n);
  });
});
