import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, InvalidDimensionError, srhtBasis } from '../../src';
import { BACKENDS, uniformArray, useBackend } from '../helpers';
import { basisBits, checkBasisContract } from './contract';

describe.each(BACKENDS)('srhtBasis on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each([
    [1, 1, 'arrays'],
    [8, 8, 'arrays'],
    [119, 12, 'arrays'],
    [300, 37, 'arrays'],
    [1000, 3, 'arrays'],
    [119, 12, 'tf'],
    [300, 37, 'tf'],
  ] as const)('the Basis contract at D = %i, d = %i (%s transform)', (D, d, compute) => {
    checkBasisContract(() => srhtBasis(D, d, { seed: D, compute }), D, d);
  });

  test('the js (SIMD) and tf transforms give the same bits, and columns are split in proportion to the blocks', () => {
    const D = 1000; // blocks 512, 256, 128, 64, 32, 8
    const start = tf.memory().numTensors;
    const js = srhtBasis(D, 100, { seed: 2, compute: 'arrays' });
    const viaTf = srhtBasis(D, 100, { seed: 2, compute: 'tf' });
    expect(js.blocks.map((b) => [b.size, b.cols.length])).toEqual([
      [512, 51], [256, 26], [128, 13], [64, 6], [32, 3], [8, 1],
    ]);
    expect(js.engine).toBe('simd');
    // Both round every transform stage to float32 in the same order and scale by 1/√n_b at the same
    // point, and float32 add/sub/mul are exact IEEE operations on cpu and wasm: no tolerance needed.
    const v = tf.tensor1d(uniformArray(D, 3));
    const c = tf.tensor1d(uniformArray(100, 4));
    const outs = [js.project(v), viaTf.project(v), js.lift(c), viaTf.lift(c)];
    expect(Array.from(outs[0].dataSync())).toEqual(Array.from(outs[1].dataSync()));
    expect(Array.from(outs[2].dataSync())).toEqual(Array.from(outs[3].dataSync()));
    tf.dispose([v, c, ...outs]);
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
    expect(() => srhtBasis(4, 2, { compute: 'gpu' as never })).toThrow(InvalidArgumentError);
    expect(() => srhtBasis(4, 2, { seed: NaN })).toThrow(/seed must be a safe integer/);
  });
});
