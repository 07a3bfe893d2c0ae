import * as tf from '@tensorflow/tfjs';
import { uniformArray, useBackend } from '../../helpers'; // helpers registers the wasm training kernels

/** The values `f` computes on one backend (each output as a plain array). */
export async function valuesOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const r = f();
    return (Array.isArray(r) ? r : [r]).map((t) => Float32Array.from(t.dataSync()));
  });
  if (tf.memory().numTensors !== before) throw new Error(`${backend}: the computation leaked tensors`);
  return out;
}

/**
 * Asserts |a − b| ≤ tol · max(1, |b|) elementwise for every output. The default 1e-5: sums of at most
 * a few hundred float32 products of numbers in [−1, 1], added in a different order on each backend.
 */
export function expectClose(a: Float32Array[], b: Float32Array[], tol = 1e-5): void {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  a.forEach((x, k) => {
    let worst = 0;
    x.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - b[k][i]) / Math.max(1, Math.abs(b[k][i])));
    });
    expect(worst).toBeLessThanOrEqual(tol);
  });
}

/** The same computation on wasm and on cpu agree (see {@link expectClose}). */
export async function expectWasmMatchesCpu(f: () => tf.Tensor | tf.Tensor[], tol = 1e-5): Promise<void> {
  const cpu = await valuesOn('cpu', f);
  const wasm = await valuesOn('wasm', f);
  expectClose(wasm, cpu, tol);
}

/** A seeded tensor with entries uniform in [−1, 1). */
export function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(uniformArray(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/**
 * Central finite differences of L(x) = Σ f(x)·r at x0, on the cpu forward pass, in float64 sums of
 * float32 losses. For f linear in x (convolutions) they are exact for any step h, so a large h
 * (0.5) keeps float32 rounding of L, ≈ 1e-7·|L| / h, far below the tolerance used with them.
 */
export async function finiteDifferences(f: (x: tf.Tensor) => tf.Tensor, x0: tf.Tensor, h = 0.5): Promise<Float32Array> {
  await useBackend('cpu');
  const base = x0.dataSync();
  const loss = (values: Float32Array) => tf.tidy(() => tf.sum(f(tf.tensor(values, x0.shape))).dataSync()[0]);
  return Float32Array.from(base, (_, i) => {
    const plus = base.slice() as Float32Array;
    const minus = base.slice() as Float32Array;
    plus[i] += h;
    minus[i] -= h;
    return (loss(plus) - loss(minus)) / (2 * h);
  });
}
