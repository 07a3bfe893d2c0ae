import * as tf from '@tensorflow/tfjs';
import { Basis, DimensionMismatchError, DisposedError } from '../../src';
import { arrayOperator } from '../../src/tools';
import { uniformArray } from '../helpers';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * What every Basis must satisfy, checked against its materialized Q in float64 (an independent
 * computation: plain loops over Q's values, not the basis' own ops):
 * QᵀQ = I (≤ 1e-6), project = Qᵀv and lift = Q·c (≤ 1e-5 for unit-scale inputs, float32 sums),
 * lift∘project idempotent, shapes checked, no tensor left behind, use after dispose rejected.
 */
export function checkBasisContract(make: () => Basis, D: number, d: number): void {
  const start = tf.memory().numTensors;
  const basis = make();
  expect([basis.ambientDim, basis.dim]).toEqual([D, d]);
  const qT = basis.materialize();
  expect(qT.shape).toEqual([D, d]);
  const q = qT.dataSync();
  const G = new Float64Array(d * d);
  for (let i = 0; i < D; i++) {
    for (let a = 0; a < d; a++) {
      const x = q[i * d + a];
      if (x !== 0) for (let b = 0; b < d; b++) G[a * d + b] += x * q[i * d + b];
    }
  }
  let orth = 0;
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) orth = Math.max(orth, Math.abs(G[a * d + b] - (a === b ? 1 : 0)));
  expect(orth).toBeLessThanOrEqual(1e-6);

  const vArr = uniformArray(D, 11);
  const cArr = uniformArray(d, 12);
  const proj = new Float64Array(d);
  const lift = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < d; j++) {
      proj[j] += q[i * d + j] * vArr[i];
      lift[i] += q[i * d + j] * cArr[j];
    }
  }
  const v = tf.tensor1d(vArr);
  const c = tf.tensor1d(cArr);
  const p = basis.project(v);
  const l = basis.lift(c);
  expect(p.shape).toEqual([d]);
  expect(l.shape).toEqual([D]);
  const tol = 1e-5 * Math.max(1, Math.sqrt(D / d));
  expect(maxDiff(p.dataSync(), proj)).toBeLessThanOrEqual(tol);
  expect(maxDiff(l.dataSync(), lift)).toBeLessThanOrEqual(tol);
  const pv = tf.tidy(() => basis.lift(basis.project(v)));
  const ppv = tf.tidy(() => basis.lift(basis.project(pv)));
  expect(maxDiff(ppv.dataSync(), pv.dataSync())).toBeLessThanOrEqual(1e-5);

  // The array operator (typed-array bases on cpu/wasm) must give the tensor methods' bits exactly,
  // the origin fused in as tf.add(θ0, Q·c) rounds it: the optimizer's step uses one or the other.
  const arrays = arrayOperator(basis);
  if (arrays) {
    const base = uniformArray(D, 13);
    const viaTensors = tf.tidy(() => tf.add(tf.tensor1d(base), basis.lift(c)).dataSync());
    expect(Array.from(arrays.project(vArr))).toEqual(Array.from(p.dataSync()));
    expect(Array.from(arrays.lift(cArr))).toEqual(Array.from(l.dataSync()));
    expect(Array.from(arrays.lift(cArr, base))).toEqual(Array.from(viaTensors));
    // Into a reused array with stale contents: the same bits, the same array back.
    const out = new Float32Array(D).fill(Number.NaN);
    expect(arrays.lift(cArr, base, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(viaTensors));
    const wrongOut = new Float32Array(D + 1).fill(7);
    expect(() => arrays.lift(cArr, base, wrongOut)).toThrow(DimensionMismatchError);
    expect(() => arrays.lift(cArr, base, wrongOut)).toThrow(`out must have length D = ${D}, got ${D + 1}`);
    expect(wrongOut.every((x) => x === 7)).toBe(true); // rejected before anything was written
  }

  const wrong = tf.zeros([D + 1]) as tf.Tensor1D;
  expect(() => basis.project(wrong)).toThrow(DimensionMismatchError);
  expect(() => basis.lift(wrong)).toThrow(DimensionMismatchError);
  tf.dispose([qT, v, c, p, l, pv, ppv, wrong]);
  basis.dispose();
  basis.dispose();
  expect(basis.isDisposed).toBe(true);
  expect(tf.memory().numTensors).toBe(start);
  const again = tf.zeros([D]) as tf.Tensor1D;
  expect(() => basis.project(again)).toThrow(DisposedError);
  again.dispose();
}

/** The bits of a basis' materialized Q (for "identical on every backend"). */
export function basisBits(basis: Basis): number[] {
  const q = basis.materialize();
  const bits = Array.from(new Uint32Array((q.dataSync() as Float32Array).slice().buffer));
  q.dispose();
  return bits;
}
