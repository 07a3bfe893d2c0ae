import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { lengthProblem, precisionProblem, tensorPrecision, TensorPrecision, useTfOps } from '../../src/backends/precision';

/**
 * The precision rules of src/backends/precision.ts as logic (the webgl cases on the real backend,
 * flags forced, are in test/browser/precision.test.ts).
 */
const WEBGL32: TensorPrecision = { backend: 'webgl', floatBits: 32, exactIntegers: 2 ** 24 };
const WEBGL16: TensorPrecision = { backend: 'webgl', floatBits: 16, exactIntegers: 2048 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('the boundary is where float32 stops holding integers: 2²⁴ is one, 2²⁴ + 1 is not', () => {
  expect(Math.fround(2 ** 24)).toBe(2 ** 24);
  expect(Math.fround(2 ** 24 + 1)).not.toBe(2 ** 24 + 1);
  expect(Math.fround(2 ** 24 - 1)).toBe(2 ** 24 - 1);
});

test('cpu keeps int32 and float32 as such: no problem at any D', () => {
  expect(tensorPrecision()).toEqual({ backend: 'cpu', floatBits: 32, exactIntegers: 2 ** 31 - 1 });
  expect(precisionProblem(tensorPrecision(), 2 ** 31 - 1)).toBeNull();
  expect(lengthProblem(tensorPrecision(), 2 ** 31 - 1)).toBeNull();
});

test('webgl with float32 textures: indices and lengths are fine up to D − 1 = 2²⁴, not one past', () => {
  for (const problem of [precisionProblem, lengthProblem]) {
    expect(problem(WEBGL32, 2 ** 24 + 1)).toBeNull();
    expect(problem(WEBGL32, 2 ** 24 + 2)).toMatch(/2\^24 = 16777216.*D − 1 = 16777217/);
  }
});

test('webgl with float16 textures: the tf path is never exact, whatever D', () => {
  for (const D of [2, 2048, 2049, 10 ** 6]) {
    expect(precisionProblem(WEBGL16, D)).toMatch(/keeps tensors in float16 here .* exact only up to 2048, so Q would not be orthonormal/);
  }
  // Vector lengths are a matter of shader positions, not of the texture format.
  expect(lengthProblem(WEBGL16, 2 ** 24 + 1)).toBeNull();
});

test("on cpu useTfOps follows compute: 'tf' takes the tf path, 'auto' and 'arrays' the typed arrays, even past 2²⁴", () => {
  expect(useTfOps('hashedBasis', 'tf', 2 ** 24 + 2)).toBe(true);
  expect(useTfOps('hashedBasis', 'auto', 2 ** 24 + 2)).toBe(false);
  expect(useTfOps('hashedBasis', 'arrays', 2 ** 24 + 2)).toBe(false);
});
