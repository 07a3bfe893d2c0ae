import * as tf from '@tensorflow/tfjs';
import {
  DenseBasis,
  denseBasis,
  DimensionMismatchError,
  DisposedError,
  DtypeError,
  gaussianBasis,
  InvalidArgumentError,
  InvalidDimensionError,
  NonFiniteError,
  orthonormalize,
  RankDeficientError,
} from '../../src';
import { BACKENDS, useBackend, uniformArray } from '../helpers';
import { checkBasisContract } from './contract';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(BACKENDS)('dense bases on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('gaussianBasis is seeded: same seed ⇒ same bits on every backend; other seed ⇒ other Q', async () => {
    const a = gaussianBasis(64, 5, { seed: 42 });
    const qa = a.materialize();
    const bitsHere = Array.from(new Uint32Array((qa.dataSync() as Float32Array).buffer.slice(0)));
    await useBackend(backend === 'cpu' ? 'wasm' : 'cpu');
    const b = gaussianBasis(64, 5, { seed: 42 });
    const qb = b.materialize();
    const bitsThere = Array.from(new Uint32Array((qb.dataSync() as Float32Array).buffer.slice(0)));
    await useBackend(backend);
    expect(bitsThere).toEqual(bitsHere);
    const c = gaussianBasis(64, 5, { seed: 43 });
    const qc = c.materialize();
    expect(maxDiff(qc.dataSync(), qa.dataSync())).toBeGreaterThan(0.1);
    tf.dispose([qa, qb, qc]);
    [a, b, c].forEach((x) => x.dispose());
  });

  test('denseBasis orthonormalizes its input and keeps its span', () => {
    const E = tf.tensor2d(uniformArray(40 * 3, 8), [40, 3]);
    const start = tf.memory().numTensors;
    const basis = denseBasis(E);
    const q = orthonormalize(E);
    const again = basis.materialize();
    expect(maxDiff(q.dataSync(), again.dataSync())).toBe(0);
    // Each column of E is reproduced by projecting onto span(Q): P·e_j = e_j.
    for (let j = 0; j < 3; j++) {
      const e = tf.tidy(() => tf.squeeze(tf.slice(E, [0, j], [40, 1])) as tf.Tensor1D);
      const pe = tf.tidy(() => basis.lift(basis.project(e)));
      expect(maxDiff(pe.dataSync(), e.dataSync())).toBeLessThanOrEqual(1e-5);
      tf.dispose([e, pe]);
    }
    tf.dispose([q, again]);
    basis.dispose();
    expect(tf.memory().numTensors).toBe(start);
    E.dispose();
  });

  test('bad input: typed errors that name the problem', () => {
    const start = tf.memory().numTensors;
    expect(() => gaussianBasis(10, 11)).toThrow(InvalidDimensionError);
    expect(() => gaussianBasis(10, 11)).toThrow(/1 ≤ d ≤ D = 10, got d = 11/);
    expect(() => gaussianBasis(10, 0)).toThrow(InvalidDimensionError);
    expect(() => gaussianBasis(10, 2, { seed: 0.5 })).toThrow(/seed must be a safe integer/);
    const dup = tf.tensor2d([1, 1, 2, 2, 3, 3], [3, 2]);
    expect(() => denseBasis(dup)).toThrow(RankDeficientError);
    expect(() => denseBasis(dup)).toThrow(/column\(s\) 1/);
    const nan = tf.tensor2d([1, NaN, 2, 2, 3, 3], [3, 2]);
    expect(() => denseBasis(nan)).toThrow(NonFiniteError);
    const ints = tf.tensor2d([1, 0, 0, 1], [2, 2], 'int32');
    expect(() => denseBasis(ints)).toThrow(DtypeError);
    tf.dispose([dup, nan, ints]);
    const basis = gaussianBasis(8, 2);
    const wrong = tf.zeros([7]) as tf.Tensor1D;
    expect(() => basis.project(wrong)).toThrow(DimensionMismatchError);
    expect(() => basis.project(wrong)).toThrow(/length 8, got shape \[7\]/);
    expect(() => basis.lift(wrong)).toThrow(/length 2/);
    wrong.dispose();
    basis.dispose();
    basis.dispose(); // twice is harmless
    const v = tf.zeros([8]) as tf.Tensor1D;
    expect(() => basis.project(v)).toThrow(DisposedError);
    expect(basis.isDisposed).toBe(true);
    v.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  test.each([
    ['wasm', true],
    ['tensor', true],
    ['tensor', false],
    ['array', true],
  ] as const)('the Basis contract with storage %s, keepTranspose %s', (storage, keepTranspose) => {
    checkBasisContract(() => gaussianBasis(230, 19, { seed: 2, storage, keepTranspose }), 230, 19);
    const b = gaussianBasis(30, 3, { storage, keepTranspose });
    expect(b.storage).toBe(storage);
    b.dispose();
  });

  test.each(['array', 'wasm'] as const)(
    '%s storage gives the products of tensor storage, and autodiff goes through it',
    (storage) => {
      const start = tf.memory().numTensors;
      const onArrays = gaussianBasis(300, 7, { seed: 9, storage });
      const dev = gaussianBasis(300, 7, { seed: 9, storage: 'tensor' });
      const v = tf.tensor1d(uniformArray(300, 5));
      const c = tf.tensor1d(uniformArray(7, 6));
      const [a, b] = [onArrays.project(v), dev.project(v)];
      expect(maxDiff(a.dataSync(), b.dataSync())).toBeLessThanOrEqual(1e-5);
      const [la, lb] = [onArrays.lift(c), dev.lift(c)];
      expect(maxDiff(la.dataSync(), lb.dataSync())).toBeLessThanOrEqual(1e-6);
      // d/dc Σ (Q·c)_i² = 2QᵀQc = 2c.
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(onArrays.lift(x as tf.Tensor1D))))(tf.ones([7])));
      g.dataSync().forEach((x) => expect(x).toBeCloseTo(2, 5));
      tf.dispose([v, c, a, b, la, lb, g]);
      onArrays.dispose();
      dev.dispose();
      expect(tf.memory().numTensors).toBe(start);
    },
  );

  test("'auto' storage: 'wasm' on cpu and wasm; 'wasm' past 4 GiB and wrong shapes are refused with the fix", () => {
    const b = gaussianBasis(50, 3);
    expect(b.storage).toBe('wasm');
    b.dispose();
    // Only the length of the values is read before the refusal: no 4.6 GB array is needed.
    const tooBig = { values: { length: (1 << 20) * 1100 } as unknown as Float32Array, shape: [1 << 20, 1100] as [number, number] };
    expect(() => new DenseBasis(tooBig, 'dense', { storage: 'wasm' })).toThrow(InvalidArgumentError);
    expect(() => new DenseBasis(tooBig, 'dense', { storage: 'wasm' })).toThrow(/at most 4 GiB.*use storage 'tensor' or 'array'/);
    expect(() => new DenseBasis(tooBig, 'dense', { storage: 'fast' as never })).toThrow(/'auto', 'wasm', 'tensor' or 'array'/);
    const start = tf.memory().numTensors;
    for (const storage of ['wasm', 'tensor', 'array'] as const) {
      const short = () => new DenseBasis({ values: new Float32Array(11), shape: [4, 3] }, 'dense', { storage });
      expect(short).toThrow(DimensionMismatchError);
      expect(short).toThrow(/values has 11 numbers, but shape \[4, 3\] needs 12/);
      expect(() => new DenseBasis({ values: new Float32Array(12), shape: [3, 4] }, 'dense', { storage })).toThrow(/1 ≤ d ≤ D = 3/);
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  test('DenseBasis reports its kind and sizes', () => {
    const b = gaussianBasis(20, 4, { seed: 1 });
    expect([b.kind, b.ambientDim, b.dim]).toEqual(['gaussian', 20, 4]);
    expect(b).toBeInstanceOf(DenseBasis);
    b.dispose();
  });
});
