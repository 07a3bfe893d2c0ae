import * as tf from '@tensorflow/tfjs';
import { DenseBasis, denseBasis, gaussianBasis, InvalidArgumentError } from '../../src';
import { checkStorageOptions } from '../../src/basis/dense-storage';
import { useBackend } from '../helpers';

/**
 * The dense storage options, checked in one place (src/basis/dense-storage.ts) by DenseBasis,
 * denseBasis and gaussianBasis: the new names pass, the old ones (storage 'kernel' and 'host',
 * option `layout`) throw naming their new spelling, before any QR work and with no tensor left.
 */
describe('dense storage options', () => {
  beforeAll(() => useBackend('cpu'));

  test('defaults and every new spelling', () => {
    expect(checkStorageOptions('f', {})).toEqual({ storage: 'auto', keepTranspose: true });
    for (const storage of ['auto', 'wasm', 'tensor', 'array'] as const) {
      expect(checkStorageOptions('f', { storage, keepTranspose: false })).toEqual({ storage, keepTranspose: false });
    }
  });

  test("each storage is what it says: 'wasm', 'tensor' (with and without Qᵀ) and 'array' give the same products", () => {
    const start = tf.memory().numTensors;
    const v = tf.tensor1d(Array.from({ length: 40 }, (_, i) => Math.sin(i)));
    const c = tf.tensor1d([1, -2, 0.5]);
    const results = (
      [
        ['wasm', true],
        ['tensor', true],
        ['tensor', false],
        ['array', true],
      ] as const
    ).map(([storage, keepTranspose]) => {
      const b = gaussianBasis(40, 3, { seed: 1, storage, keepTranspose });
      expect(b.storage).toBe(storage);
      const [p, l] = [b.project(v), b.lift(c)];
      const out = [Array.from(p.dataSync()), Array.from(l.dataSync())];
      tf.dispose([p, l]);
      b.dispose();
      return out;
    });
    // The same float32 Q; the products differ only in summation order: |error| ≤ d·D·2⁻²⁴·max|q·x| ≪ 1e-5.
    for (const [p, l] of results.slice(1)) {
      p.forEach((x, j) => expect(Math.abs(x - results[0][0][j])).toBeLessThanOrEqual(1e-5));
      l.forEach((x, i) => expect(Math.abs(x - results[0][1][i])).toBeLessThanOrEqual(1e-5));
    }
    tf.dispose([v, c]);
    expect(tf.memory().numTensors).toBe(start);
  });

  test.each([
    [{ storage: 'kernel' }, "storage 'kernel' is now called 'wasm'."],
    [{ storage: 'host' }, "storage 'host' is now called 'array'."],
    [{ layout: 'both' }, "option 'layout' is now called 'keepTranspose' (layout 'both' is keepTranspose: true, 'single' is keepTranspose: false)."],
    [{ layout: 'single', storage: 'tensor' }, "option 'layout' is now called 'keepTranspose'"],
    [{ storage: 'gpu' }, `storage must be 'auto', 'wasm', 'tensor' or 'array', got "gpu".`],
    [{ storage: 'toString' }, `storage must be 'auto', 'wasm', 'tensor' or 'array', got "toString".`],
    [{ keepTranspose: 'yes' }, 'keepTranspose must be true or false, got "yes".'],
  ])('%j: an InvalidArgumentError from every dense factory, naming it and the fix; nothing left', (opts, message) => {
    const start = tf.memory().numTensors;
    const E = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
    const entries: Array<[string, () => unknown]> = [
      ['DenseBasis', () => new DenseBasis({ values: new Float32Array([1, 0, 0, 1, 0, 0]), shape: [3, 2] }, 'dense', opts as never)],
      ['denseBasis', () => denseBasis(E, opts as never)],
      ['gaussianBasis', () => gaussianBasis(3, 2, opts as never)],
    ];
    for (const [where, make] of entries) {
      expect(make).toThrow(InvalidArgumentError);
      expect(make).toThrow(`${where}: ${message}`);
    }
    E.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
