import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, InvalidDimensionError, srhtBasis } from '../../src';
import { fwht, fwhtPlain } from '../../src/linalg/fwht';
import { BACKENDS, uniformArray, useBackend } from '../helpers';
import { basisBits, checkBasisContract } from './contract';

describe('fwht', () => {
  test.each([1, 2, 8, 1 << 13, 1 << 16])('cache-blocked radix-4 equals the plain butterfly and H·x at n = %i', (n) => {
    const x = Float64Array.from(uniformArray(n, n));
    const a = x.slice();
    const b = x.slice();
    fwht(a, 0, n);
    fwhtPlain(b, 0, n);
    expect(maxGap(a, b)).toBeLessThanOrEqual(1e-9 * Math.sqrt(n));
    if (n <= 256) {
      // Against the definition H[i, j] = (−1)^popcount(i & j), summed in float64.
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += (bitParity(i & j) ? -1 : 1) * x[j];
        expect(Math.abs(a[i] - s)).toBeLessThanOrEqual(1e-12 * n);
      }
    }
    // Applying it twice gives n·x (H² = nI).
    fwht(a, 0, n);
    expect(maxGap(a.map((v) => v / n), x)).toBeLessThanOrEqual(1e-12);
  });

  test('works on a segment in the middle of an array, leaving the rest alone', () => {
    const x = Float32Array.from([9, 1, 2, 3, 4, 9]);
    fwht(x, 1, 4);
    expect(Array.from(x)).toEqual([9, 10, -2, -4, 0, 9]);
  });
});

function maxGap(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function bitParity(v: number): boolean {
  let p = false;
  for (; v; v &= v - 1) p = !p;
  return p;
}

describe.each(BACKENDS)('srhtBasis on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each([
    [1, 1, 'js'],
    [8, 8, 'js'],
    [119, 12, 'js'],
    [300, 37, 'js'],
    [1000, 3, 'js'],
    [119, 12, 'tf'],
    [300, 37, 'tf'],
  ] as const)('the Basis contract at D = %i, d = %i (%s transform)', (D, d, impl) => {
    checkBasisContract(() => srhtBasis(D, d, { seed: D, impl }), D, d);
  });

  test('the js and tf transforms agree, and columns are split in proportion to the blocks', () => {
    const D = 1000; // blocks 512, 256, 128, 64, 32, 8
    const start = tf.memory().numTensors;
    const js = srhtBasis(D, 100, { seed: 2, impl: 'js' });
    const viaTf = srhtBasis(D, 100, { seed: 2, impl: 'tf' });
    expect(js.blocks.map((b) => [b.size, b.cols.length])).toEqual([
      [512, 51], [256, 26], [128, 13], [64, 6], [32, 3], [8, 1],
    ]);
    const v = tf.tensor1d(uniformArray(D, 3));
    const [a, b] = [js.project(v), viaTf.project(v)];
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    expect(diff).toBeLessThanOrEqual(1e-5);
    tf.dispose([v, a, b]);
    js.dispose();
    viaTf.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  test('seeded: identical Q on cpu and wasm', async () => {
    const bitsOf = (seed: number) => {
      const b = srhtBasis(200, 9, { seed });
      const bits = basisBits(b);
      b.dispose();
      return bits;
    };
    const here = bitsOf(4);
    await useBackend(backend === 'cpu' ? 'wasm' : 'cpu');
    const there = bitsOf(4);
    await useBackend(backend);
    expect(there).toEqual(here);
    expect(bitsOf(5)).not.toEqual(here);
  });

  test('gradients flow through lift (reparameterized path) on every backend', () => {
    const start = tf.memory().numTensors;
    const basis = srhtBasis(64, 5, { seed: 1 });
    const g = tf.tidy(() => tf.grad((c: tf.Tensor) => tf.sum(tf.square(basis.lift(c as tf.Tensor1D))))(tf.ones([5])));
    // d/dc ‖Qc‖² = 2QᵀQc = 2c.
    g.dataSync().forEach((v) => expect(v).toBeCloseTo(2, 5));
    g.dispose();
    basis.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  test('bad input', () => {
    expect(() => srhtBasis(4, 5)).toThrow(InvalidDimensionError);
    expect(() => srhtBasis(4, 2, { impl: 'gpu' as never })).toThrow(InvalidArgumentError);
    expect(() => srhtBasis(4, 2, { seed: NaN })).toThrow(/seed must be an integer/);
  });
});
