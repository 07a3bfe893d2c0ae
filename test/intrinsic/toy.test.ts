import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { intrinsicDimension } from '../../src/intrinsic';
import { useBackend } from '../helpers';
import { toyData, toyMetric, toyModel } from './toy';

describe("Li et al.'s toy problem (D = 1,000, the loss depends on 10 directions): d_int = 10", () => {
  beforeAll(() => useBackend('wasm'));

  it('comes out 10 with the default protocol (lr chosen on validation per d, trained to a plateau)', async () => {
    const [train, test] = [toyData(20), toyData(4)];
    const start = tf.memory().numTensors;
    // One example (copied) per split, one batch per epoch: pilots and patience are counted in steps.
    // minDelta 0: the metric 1/(1 + MSE/0.01) creeps up by less than 0.001 per step far from a solution.
    const r = await intrinsicDimension({
      createModel: toyModel, train, test, dims: [5, 8, 9, 10, 11, 12, 16], basis: 'gaussian', seeds: [0],
      loss: 'meanSquaredError', metric: toyMetric, learningRate: 0.01, maxEpochs: 1500, patience: 50, minDelta: 0, pilotEpochs: 100, batchSize: 32,
    });
    expect(tf.memory().numTensors).toBe(start);
    expect(r.D).toBe(1000);
    // The full model solves it (MSE ≤ 1e-4 ⇒ metric ≥ 0.99); so does every d ≥ 10, and no d < 10 gets
    // within a factor 9 of the 90 % target's MSE: the 9-dimensional subspace misses by one random
    // direction of the residual (expected MSE ≈ ‖r‖²/100 ≈ 4 here).
    expect(r.baselineAccuracy).toBeGreaterThan(0.99);
    const at = (d: number) => r.curve.find((p) => p.d === d)!.mean;
    for (const d of [10, 11, 12, 16]) expect(at(d)).toBeGreaterThan(0.95);
    for (const d of [5, 8, 9]) expect(at(d)).toBeLessThan(0.1);
    expect(r.firstReaching).toBe(10);
    expect(r.bracket).toEqual([9, 10]);
    expect(Math.ceil(r.dInt as number)).toBe(10);
    // Every run stopped on its own (a plateau), not at the budget.
    expect([r.baseline, ...r.runs].map((x) => x.stopReason)).toEqual(Array(8).fill('plateau'));
    tf.dispose([train.x, train.y, test.x, test.y]);
  }, 120_000);
});
