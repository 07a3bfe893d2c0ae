import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, reparameterize } from '../../src';
import { BACKENDS, flatWeights, keepsSubspace, Mode, MODES, useBackend, wrap } from '../helpers';
import { PUBLISHED_ZOO, ZooEntry } from './published-zoo';

/**
 * The inner optimizer per mode: Adam where the rule keeps θ in span(Q) with it (keepsSubspace), else
 * momentum (ambient mode stays in span(Q) only with a linear update rule).
 */
function innerFor(mode: Mode): () => tf.Optimizer {
  const adam = () => tf.train.adam(0.03);
  return keepsSubspace(mode, adam) ? adam : () => tf.train.momentum(0.05, 0.9);
}

/** ‖(I − QQᵀ)Δ‖ and ‖Δ‖ for Δ = θ − θ0, in float64 on the host from the materialized Q. */
function residual64(Q: Float32Array, D: number, d: number, theta: Float32Array, theta0: Float32Array) {
  const delta = Float64Array.from(theta, (v, i) => v - theta0[i]);
  const c = new Float64Array(d);
  for (let i = 0; i < D; i++) for (let j = 0; j < d; j++) c[j] += Q[i * d + j] * delta[i];
  let r2 = 0;
  let n2 = 0;
  for (let i = 0; i < D; i++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += Q[i * d + j] * c[j];
    r2 += (delta[i] - q) ** 2;
    n2 += delta[i] ** 2;
  }
  return { distance: Math.sqrt(r2), displacement: Math.sqrt(n2) };
}

const asList = (t: tf.Tensor | tf.Tensor[]) => (Array.isArray(t) ? t : [t]);

/** Tensors one fit + dispose leaves behind with a plain tf.train.sgd (see ZooEntry.tfjsLeak). */
async function tfjsFitLeak(entry: ZooEntry): Promise<number> {
  const key = `${tf.getBackend()}:${entry.name}`;
  const known = measuredLeaks.get(key);
  if (known !== undefined) return known;
  const start = tf.memory().numTensors;
  const model = entry.build();
  const { x, y } = entry.data();
  const sgd = tf.train.sgd(0.01);
  model.compile({ optimizer: sgd, loss: entry.loss });
  await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
  tf.dispose([...asList(x), ...asList(y)]);
  model.dispose();
  sgd.dispose();
  measuredLeaks.set(key, tf.memory().numTensors - start);
  return tf.memory().numTensors - start;
}
const measuredLeaks = new Map<string, number>();

async function trainOne(entry: ZooEntry, mode: Mode): Promise<void> {
  const fitLeak = await tfjsFitLeak(entry);
  expect(fitLeak).toBe(entry.tfjsLeak); // tfjs-layers' own; the wrappers must add none (end of this function)
  const makeInner = innerFor(mode);
  const start = tf.memory().numTensors;
  const model = entry.build();
  const { x, y } = entry.data();
  const D = model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  const d = Math.min(24, D);
  const basis = gaussianBasis(D, d, { seed: 5 });
  const theta0 = flatWeights(model);
  const optimizer = wrap(mode, makeInner(), basis, model);
  model.compile({ optimizer, loss: entry.loss });
  const counts: number[] = [];
  const history = await model.fit(x, y, {
    epochs: 4,
    batchSize: 8,
    shuffle: false,
    verbose: 0,
    callbacks: { onEpochEnd: async () => void counts.push(tf.memory().numTensors) },
  });

  // The loss falls.
  const losses = history.history.loss as number[];
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  // No tensor accumulates from epoch to epoch (the inner optimizer's slots exist after epoch 1).
  expect(counts.slice(1)).toEqual(counts.slice(1).map(() => counts[1]));

  // θ − θ0 stays in span(Q) (the tolerance of docs/concepts.md, "The equivalence table"), checked in float64 independently of the library.
  const q = basis.materialize();
  const theta = flatWeights(model);
  const r = residual64(q.dataSync() as Float32Array, D, d, theta.dataSync() as Float32Array, theta0.dataSync() as Float32Array);
  expect(r.displacement).toBeGreaterThan(0);
  expect(r.distance).toBeLessThanOrEqual(1e-5 * Math.max(1, r.displacement));

  // reparameterize at the trained coordinates: its forward pass is the model's forward pass at θ.
  const rep = reparameterize(model, basis, { origin: theta0 });
  const z = optimizer.coordinates();
  rep.z.assign(z);
  const viaRep = tf.tidy(() => asList(rep.apply(x, { training: false })).map((t) => t.dataSync()));
  const viaModel = tf.tidy(() => asList(model.predict(x) as tf.Tensor | tf.Tensor[]).map((t) => t.dataSync()));
  // θ0 + Qz (rep, tf matMul) and θ (the optimizer's own write) differ by float32 rounding and the
  // ≤ 1e-5 residual above; outputs of these small nets (Lipschitz ≲ 10, |y| ≲ 5) agree within 1e-4.
  viaModel.forEach((m, k) => m.forEach((v, i) => expect(Math.abs(viaRep[k][i] - v)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)))));

  tf.dispose([q, theta, theta0, z, ...asList(x), ...asList(y)]);
  rep.dispose();
  model.dispose();
  optimizer.dispose();
  basis.dispose();
  expect(tf.memory().numTensors).toBe(start + fitLeak);
}

describe.each(BACKENDS)('published architectures train in a subspace with model.fit on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const cases = PUBLISHED_ZOO.flatMap((entry) => MODES.map((mode) => [entry.name, mode, entry] as const));
  test.each(cases)('%s, %s: loss falls, θ − θ0 in span(Q), no leak, reparameterize agrees', async (_name, mode, entry) => {
    await trainOne(entry, mode);
  });
});
