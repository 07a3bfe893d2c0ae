/**
 * Runs in headless Chromium (bundled by webgl.test.ts): checks every basis kind and the coordinates
 * wrapper on the webgl backend, and counts device→host reads; and a dense basis in WebAssembly memory on the cpu
 * backend. Exposes `runChecks()` and `runWasmDenseCheck()` on window.
 */
import * as tf from '@tensorflow/tfjs';
import {
  Basis,
  blockBasis,
  gaussianBasis,
  hashedBasis,
  projectGradients,
  reparameterize,
  srhtBasis,
} from '../../src';

function orthonormality(b: Basis): number {
  const q = b.materialize();
  const Q = q.dataSync();
  q.dispose();
  const [D, d] = [b.ambientDim, b.dim];
  let worst = 0;
  for (let a = 0; a < d; a++) {
    for (let c = a; c < d; c++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += Q[i * d + a] * Q[i * d + c];
      worst = Math.max(worst, Math.abs(s - (a === c ? 1 : 0)));
    }
  }
  return worst;
}

/** Wraps the backend's read methods to count device→host downloads. */
function countReads(): { reads: () => number } {
  const backend = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  let n = 0;
  for (const name of ['readSync', 'read', 'readToGPU']) {
    const original = backend[name];
    if (typeof original !== 'function') continue;
    backend[name] = function (this: unknown, ...args: unknown[]) {
      n++;
      return original.apply(this, args);
    };
  }
  return { reads: () => n };
}

function model(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 6, activation: 'tanh', inputShape: [5], kernelInitializer: tf.initializers.glorotNormal({ seed }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }) }),
    ],
  });
}

async function runChecks() {
  await tf.setBackend('webgl');
  await tf.ready();
  // tfjs-webgl runs ops on tensors under 128 elements on the CPU (downloading them); our test model
  // is that small, so turn the heuristic off: every download counted below is then one we caused.
  tf.env().set('WEBGL_CPU_FORWARD', false);
  const counter = countReads();
  const kinds: Array<[string, (D: number, d: number) => Basis]> = [
    ['gaussian', (D, d) => gaussianBasis(D, d, { seed: 1 })],
    ['hashed', (D, d) => hashedBasis(D, d, { seed: 1 })],
    ['srht', (D, d) => srhtBasis(D, d, { seed: 1 })],
    ['block', (D, d) => blockBasis([hashedBasis(20, 3, { seed: 2 }), srhtBasis(D - 20, d - 3, { seed: 3 })])],
  ];
  const x = tf.randomUniform([8, 5], -1, 1, 'float32', 4);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat());
  const results = [];
  for (const [kind, make] of kinds) {
    const m = model(1);
    const ref = model(1);
    const D = m.countParams(); // 5·6 + 6 + 6·3 + 3 = 57
    const basis = make(D, 7);
    const orth = orthonormality(basis);
    // project/lift stay on the device: no download. The first call uploads what the basis creates
    // lazily; the counted call works on a vector that already lives on the GPU.
    const v0 = tf.randomNormal([D], 0, 1, 'float32', 5) as tf.Tensor1D;
    const v = tf.tidy(() => tf.add(basis.lift(basis.project(v0)), v0) as tf.Tensor1D);
    const before = counter.reads();
    const pl = tf.tidy(() => basis.lift(basis.project(v)));
    const projectLiftReads = counter.reads() - before;
    v0.dispose();
    const opt = projectGradients(tf.train.adam(0.05), basis, { variables: m, nonFinite: 'unchecked' });
    const rep = reparameterize(ref, basis);
    const refOpt = tf.train.adam(0.05);
    const loss = (net: tf.LayersModel | typeof rep) => () =>
      tf.mean(tf.metrics.categoricalCrossentropy(y, net.apply(x) as tf.Tensor)) as tf.Scalar;
    opt.minimize(loss(m)); // the first step creates the slots
    const stepStart = counter.reads();
    for (let s = 1; s < 10; s++) opt.minimize(loss(m));
    const stepReads = counter.reads() - stepStart;
    // The reference on the same backend (reads allowed here).
    for (let s = 0; s < 10; s++) refOpt.minimize(loss(rep), false, [rep.z]);
    const a = tf.tidy(() => tf.concat(m.trainableWeights.map((w) => tf.reshape(w.read(), [-1]))));
    const b = rep.theta();
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
    const maxDiff = gap.dataSync()[0];
    gap.dispose();
    const residual = opt.residual();
    results.push({ kind, orth, projectLiftReads, stepReads, maxDiff, displacement: residual.displacement, distance: residual.distance });
    tf.dispose([v, pl, a, b]);
    [opt, refOpt].forEach((o) => o.dispose());
    rep.dispose();
    basis.dispose();
    m.dispose();
    ref.dispose();
  }
  tf.dispose([x, y]);
  return { backend: tf.getBackend(), results, numTensors: tf.memory().numTensors };
}

/**
 * A dense basis on the cpu backend in a page: 'auto' storage takes 'wasm' (WebAssembly SIMD, on the page's
 * thread: browsers get no helper threads).
 * Returns the storage and the largest difference from float64 loops over the materialized Q.
 */
async function runWasmDenseCheck() {
  await tf.setBackend('cpu');
  await tf.ready();
  const [D, d] = [2053, 37];
  const basis = gaussianBasis(D, d, { seed: 3 });
  const q = basis.materialize();
  const Q = q.dataSync();
  const v = tf.randomUniform([D], -1, 1, 'float32', 6) as tf.Tensor1D;
  const c = tf.randomUniform([d], -1, 1, 'float32', 7) as tf.Tensor1D;
  const [p, l] = [basis.project(v), basis.lift(c)];
  const [V, C, P, L] = [v.dataSync(), c.dataSync(), p.dataSync(), l.dataSync()];
  let worst = 0;
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += Q[i * d + j] * V[i];
    worst = Math.max(worst, Math.abs(s - P[j]));
  }
  for (let i = 0; i < D; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += Q[i * d + j] * C[j];
    worst = Math.max(worst, Math.abs(s - L[i]));
  }
  const storage = basis.storage;
  tf.dispose([q, v, c, p, l]);
  basis.dispose();
  return { backend: tf.getBackend(), storage, worst, numTensors: tf.memory().numTensors };
}

Object.assign(window, { runChecks, runWasmDenseCheck });
