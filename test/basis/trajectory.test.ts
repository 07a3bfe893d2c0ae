import * as tf from '@tensorflow/tfjs';
import * as math from 'mathjs';
import { Basis, gaussianBasis, DimensionMismatchError, InvalidArgumentError, projectGradients, RankDeficientError, recordTrajectory, trajectoryBasis } from '../../src';
import { digits } from '../../src/data';
import { oneHot } from '../../src/data/digits';
import { BACKENDS, uniformArray, useBackend } from '../helpers';

/** Snapshots near a few hidden directions, plus small noise. */
function syntheticSnapshots(t: number, D: number): Float32Array[] {
  const dirs = [uniformArray(D, 1), uniformArray(D, 2), uniformArray(D, 3)];
  return Array.from({ length: t }, (_, a) => {
    const coef = uniformArray(3, 10 + a, 2);
    const noise = uniformArray(D, 100 + a, 1e-3);
    return Float32Array.from({ length: D }, (_, i) => 5 + dirs.reduce((s, dir, k) => s + coef[k] * dir[i], 0) + noise[i]);
  });
}

describe('trajectoryBasis', () => {
  beforeAll(() => useBackend('cpu'));

  test('spans the top principal directions: same projector as the D×D covariance eigenvectors (mathjs)', () => {
    const D = 24;
    const t = 9;
    const snaps = syntheticSnapshots(t, D);
    const basis = trajectoryBasis(snaps, 3);
    const Q = basis.materialize().arraySync() as number[][];
    // Reference: eigenvectors of the centered covariance XᵀX (D×D), computed independently by mathjs.
    const mean = Array.from({ length: D }, (_, i) => snaps.reduce((s, x) => s + x[i], 0) / t);
    const X = snaps.map((x) => Array.from(x, (v, i) => v - mean[i]));
    const C = math.multiply(math.transpose(X), X) as number[][];
    const ev = (math.eigs(C).eigenvectors as Array<{ value: number; vector: math.Matrix | number[] }>)
      .map((e) => ({ value: e.value, v: Array.isArray(e.vector) ? e.vector : (e.vector.toArray() as number[]) }))
      .sort((a, b) => b.value - a.value)
      .slice(0, 3);
    // P = QQᵀ vs P_ref = VVᵀ: equal when the top-3 eigenvalues are well separated from the rest.
    let worst = 0;
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < D; j++) {
        const p = Q[i].reduce((s, q, k) => s + q * Q[j][k], 0);
        const pr = ev.reduce((s, e) => s + e.v[i] * e.v[j], 0);
        worst = Math.max(worst, Math.abs(p - pr));
      }
    }
    // float32 Q (rounding 6e-8 per entry) and noise-level eigen-gap effects: 1e-5.
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(basis.kind).toBe('trajectory');
    basis.dispose();
  });

  test('bad input', () => {
    const snaps = syntheticSnapshots(5, 10);
    expect(() => trajectoryBasis(snaps.slice(0, 1), 1)).toThrow(InvalidArgumentError);
    expect(() => trajectoryBasis([snaps[0], snaps[1].subarray(0, 9)], 1)).toThrow(DimensionMismatchError);
    // 5 snapshots near 3 directions: rank of the centered set is 4 (noise), not 5.
    expect(() => trajectoryBasis(snaps, 5)).toThrow(RankDeficientError);
    expect(() => trajectoryBasis(snaps, 5)).toThrow(/span only 4 direction\(s\)/);
    expect(() => trajectoryBasis([snaps[0], snaps[0]], 1)).toThrow(/span only 0 direction/);
    expect(() => recordTrajectory([], {})).toThrow(/no variables to train/);
  });
});

describe.each(BACKENDS)('recordTrajectory + trajectoryBasis with model.fit on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('records one snapshot per epoch, and a 10-d trajectory subspace trains to high accuracy', async () => {
    const data = digits();
    const n = 800;
    const xs = tf.tensor2d(data.x.subarray(0, n * 64), [n, 64]);
    const ys = oneHot(data.y.subarray(0, n), 10);
    const make = () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 16, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
          tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
        ],
      });
    const warm = make();
    warm.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const rec = recordTrajectory(warm);
    await warm.fit(xs, ys, { epochs: 12, batchSize: 64, verbose: 0, callbacks: rec.callbacks });
    expect(rec.snapshots).toHaveLength(13);
    const basis = trajectoryBasis(rec, 10);

    // Train a fresh copy (same initialization) only along those 10 directions, and along 10 random ones.
    const accuracyIn = async (b: Basis) => {
      const model = make();
      const start = tf.memory().numTensors;
      const opt = projectGradients(tf.train.adam(0.05), b, { variables: model });
      model.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const h = await model.fit(xs, ys, { epochs: 12, batchSize: 64, verbose: 0 });
      opt.dispose();
      expect(tf.memory().numTensors).toBe(start);
      model.dispose();
      const acc = h.history.acc as number[];
      return acc[acc.length - 1];
    };
    const random = gaussianBasis(basis.ambientDim, 10, { seed: 1 });
    const inTrajectory = await accuracyIn(basis);
    const inRandom = await accuracyIn(random);
    expect(inTrajectory).toBeGreaterThan(0.8); // chance is 0.1
    expect(inTrajectory).toBeGreaterThan(inRandom + 0.2); // the trajectory directions are the useful ones
    random.dispose();
    basis.dispose();
    tf.dispose([xs, ys]);
    warm.dispose();
  });
});
