/**
 * Runs in headless Chromium (bundled by precision.test.ts): the bases on webgl where tensors live in
 * float16 textures (flags forced before the backend starts) and past 2²⁴ coordinates on float32
 * textures. Exposes `runHalfFloat(flag)` and `runPast2to24()` on window; one call per fresh page.
 */
import * as tf from '@tensorflow/tfjs';
import { Basis, blockBasis, gaussianBasis, hashedBasis, srhtBasis, tensorPrecision, withScaleDirection } from '../../src';
import { arrayOperator } from '../../src/tools';

interface Caught {
  name: string;
  message: string;
  /** tf.memory().numTensors after the throw minus before the call. */
  tensorsLeft: number;
}

function caught(make: () => unknown): Caught | null {
  const before = tf.memory().numTensors;
  try {
    (make() as Basis | null)?.dispose();
    return null;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message, tensorsLeft: tf.memory().numTensors - before };
  }
}

/** v on the GPU (a shader wrote it) and its values as the GPU holds them. */
function onGpu(values: Float32Array): { v: tf.Tensor1D; held: Float32Array } {
  const v = tf.tidy(() => tf.add(tf.tensor1d(values), 0) as tf.Tensor1D);
  return { v, held: v.dataSync() as Float32Array };
}

/**
 * Largest |Qᵀv − project(v)| and |Q·c − lift(c)| against float64 loops over the materialized Q (read
 * from the basis' own typed arrays), using v as the GPU holds it; and the worst |QᵀQ − I|.
 */
function exactness(basis: Basis, seed: number) {
  const [D, d] = [basis.ambientDim, basis.dim];
  const m = basis.materialize();
  const Q = m.dataSync();
  m.dispose();
  const { v, held } = onGpu(Float32Array.from({ length: D }, (_, i) => Math.sin(i * 0.37 + seed)));
  const cv = Float32Array.from({ length: d }, (_, j) => Math.cos(j + seed));
  const c = tf.tensor1d(cv);
  const [p, l] = [basis.project(v), basis.lift(c)];
  const [P, L] = [p.dataSync(), l.dataSync()];
  let [apply, orth] = [0, 0];
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += Q[i * d + j] * held[i];
    apply = Math.max(apply, Math.abs(s - P[j]));
    for (let k = j; k < d; k++) {
      let g = 0;
      for (let i = 0; i < D; i++) g += Q[i * d + j] * Q[i * d + k];
      orth = Math.max(orth, Math.abs(g - (j === k ? 1 : 0)));
    }
  }
  for (let i = 0; i < D; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += Q[i * d + j] * cv[j];
    apply = Math.max(apply, Math.abs(s - L[i]));
  }
  tf.dispose([v, c, p, l]);
  return { apply, orth };
}

/** `flag`: 'render32' sets WEBGL_RENDER_FLOAT32_ENABLED false, 'forceF16' sets WEBGL_FORCE_F16_TEXTURES. */
async function runHalfFloat(flag: 'render32' | 'forceF16') {
  if (flag === 'render32') tf.env().set('WEBGL_RENDER_FLOAT32_ENABLED', false);
  else tf.env().set('WEBGL_FORCE_F16_TEXTURES', true);
  await tf.setBackend('webgl');
  await tf.ready();
  tf.env().set('WEBGL_CPU_FORWARD', false);
  const start = tf.memory().numTensors;
  // The premise: such a backend rounds int32 indices past 2048 and float32 values to float16.
  // Values i mod 4 (exact in float16) gathered at 2047, 2049, 2051, 4097: 3, 1, 3, 1 if the indices were exact.
  const premise = tf.tidy(() => ({
    gathered: Array.from(
      tf.gather(tf.tensor1d(Float32Array.from({ length: 5000 }, (_, i) => i % 4)), tf.tensor1d([2047, 2049, 2051, 4097], 'int32')).dataSync(),
    ),
    third: tf.mul(tf.ones([4]), 1 / 3).dataSync()[0],
  }));
  const D = 5000;
  const errors = {
    hashedTf: caught(() => hashedBasis(D, 7, { seed: 1, compute: 'tf' })),
    srhtTf: caught(() => srhtBasis(D, 7, { seed: 1, compute: 'tf' })),
    denseTensor: caught(() => gaussianBasis(300, 7, { seed: 1, storage: 'tensor' })),
    scaleDirection: (() => {
      const inner = hashedBasis(300, 5, { seed: 2 });
      const w = tf.randomNormal([300], 0, 1, 'float32', 3) as tf.Tensor1D;
      const r = caught(() => withScaleDirection(inner, w));
      tf.dispose(w);
      inner.dispose();
      return r;
    })(),
  };
  // 'auto' falls back to typed arrays: exact Q, project/lift exact on the values the GPU holds.
  const fallbacks = [];
  for (const [kind, make] of [
    ['hashed', () => hashedBasis(D, 7, { seed: 1 })],
    ['srht', () => srhtBasis(D, 7, { seed: 1 })],
    ['gaussian', () => gaussianBasis(D, 7, { seed: 1 })],
  ] as Array<[string, () => Basis & { storage?: string }]>) {
    const basis = make();
    const arrayPath = arrayOperator(basis) !== null;
    fallbacks.push({ kind, arrayPath, storage: basis.storage ?? null, ...exactness(basis, fallbacks.length) });
    basis.dispose();
  }
  return { precision: tensorPrecision(), premise, errors, fallbacks, tensorsLeft: tf.memory().numTensors - start };
}

/** A stand-in part for blockBasis (it only reads the sizes): no 2²³-long arrays to build. */
function sizedPart(D: number): Basis {
  const part = { kind: 'part', ambientDim: D, dim: 1, isDisposed: false, project: (v: tf.Tensor1D) => v, lift: (c: tf.Tensor1D) => c };
  return Object.assign(part, { materialize: () => tf.zeros([D, 1]), dispose: () => undefined }) as unknown as Basis;
}

/** Float32 textures, D = 2²⁴ + 2: the last position, D − 1 = 2²⁴ + 1, is not a float32. */
async function runPast2to24() {
  await tf.setBackend('webgl');
  await tf.ready();
  const start = tf.memory().numTensors;
  const D = 2 ** 24 + 2;
  // The premise, twice: an element-wise shader misplaces elements past 2²⁴, and a gather index
  // past 2²⁴ (an int32 tensor, held as float32) does not pick the element asked for.
  const values = new Float32Array(D);
  [1, 2, 3].forEach((t, k) => (values[D - 3 + k] = t));
  const added = tf.tidy(() => Array.from(tf.add(tf.tensor1d(values), 0).dataSync().subarray(D - 3)));
  const gathered = tf.tidy(() => Array.from(tf.gather(tf.tensor1d(values), tf.tensor1d([D - 3, D - 2, D - 1], 'int32')).dataSync()));
  const errors = {
    hashedTf: caught(() => hashedBasis(D, 2, { seed: 5, compute: 'tf' })),
    hashedAuto: caught(() => hashedBasis(D, 2, { seed: 5 })),
    srhtArrays: caught(() => srhtBasis(D, 2, { seed: 5, compute: 'arrays' })),
    gaussian: caught(() => gaussianBasis(D, 1, { seed: 5 })),
    block: caught(() => blockBasis([sizedPart(2 ** 23 + 1), sizedPart(2 ** 23 + 1)])),
  };
  // The largest D that works: D − 1 = 2²⁴ (a block of stand-in parts checks only D).
  const largest = caught(() => blockBasis([sizedPart(2 ** 23), sizedPart(2 ** 23 + 1)]));
  return { precision: tensorPrecision(), added, gathered, errors, largest, tensorsLeft: tf.memory().numTensors - start };
}

Object.assign(window, { runHalfFloat, runPast2to24 });
