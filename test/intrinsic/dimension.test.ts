import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { CancelledError, digits, DimensionMismatchError, intrinsicDimension, InvalidArgumentError, oneHot } from '../../src';
import type { IntrinsicDimensionProgress } from '../../src';
import { useBackend } from '../helpers';

function digitsSplit() {
  const data = digits();
  const x = tf.tensor2d(data.x, [data.n, 64]);
  const y = oneHot(data.y, 10);
  const split = { train: { x: x.slice(0, 1400), y: y.slice(0, 1400) }, test: { x: x.slice(1400), y: y.slice(1400) } };
  tf.dispose([x, y]);
  return split;
}

const mlp = (seed: number) =>
  tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7 }) }),
    ],
  });

describe('intrinsicDimension on the embedded digits (small budget)', () => {
  let data: ReturnType<typeof digitsSplit>;
  beforeAll(async () => {
    await useBackend('wasm');
    data = digitsSplit();
  });
  afterAll(() => tf.dispose([data.train.x, data.train.y, data.test.x, data.test.y]));

  it('measures d_int90 with a log-grid search and refinement, reproducibly, without leaking', async () => {
    const start = tf.memory().numTensors;
    const events: IntrinsicDimensionProgress[] = [];
    const opts = {
      createModel: mlp,
      ...data,
      search: { min: 8, max: 512, points: 4, refine: 1 },
      basis: 'hashed' as const,
      seeds: [0],
      epochs: 6,
      batchSize: 64,
      optimizer: () => tf.train.adam(0.03),
    };
    const r = await intrinsicDimension({ ...opts, onProgress: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(start);
    expect(r.D).toBe(64 * 32 + 32 + 32 * 10 + 10);
    // A 2,410-parameter MLP reaches ≥ 85 % on held-out digits in 6 epochs; the subspace curve rises with d.
    expect(r.baseline.accuracy).toBeGreaterThan(0.85);
    expect(r.target).toBeCloseTo(0.9 * r.baseline.accuracy, 12);
    expect(r.curve[0].mean).toBeLessThan(r.curve[r.curve.length - 1].mean);
    // The grid 8, 32, 128, 512 brackets the crossing; one refinement point is added inside the bracket.
    expect(r.status).toBe('crossed');
    const [lo, hi] = r.bracket as [number, number];
    const at = (d: number) => r.curve.find((p) => p.d === d)!.mean;
    expect(at(lo)).toBeLessThan(r.target);
    expect(at(hi)).toBeGreaterThanOrEqual(r.target);
    expect(r.dInt as number).toBeGreaterThan(lo);
    expect(r.dInt as number).toBeLessThanOrEqual(hi);
    expect(r.config.dims.length).toBe(5);
    expect(r.runs.length).toBe(5);
    // Progress: one event per batch per run (22 batches × 6 epochs × 6 runs incl. the baseline).
    expect(events.length).toBe(22 * 6 * 6);
    expect(events[0]).toMatchObject({ d: null, epoch: 0, batch: 0, batches: 22, epochs: 6, run: 0 });
    expect(events.at(-1)!.run).toBe(5);
    // Same seeds ⇒ the same accuracies (seeded init, basis and batch order).
    const again = await intrinsicDimension({ ...opts, search: undefined, dims: [r.curve[1].d], baseline: r.baseline.accuracy });
    expect(again.curve[0].mean).toBe(r.curve[1].mean);
  }, 180_000);

  it('averages over seeds and cancels between batches through an AbortSignal', async () => {
    const start = tf.memory().numTensors;
    const finished: unknown[] = [];
    let pending = 0;
    let overlapped = false;
    const r = await intrinsicDimension({
      createModel: mlp, ...data, dims: [64], seeds: [1, 2], epochs: 1, baseline: 0.9, basis: 'srht', optimizer: () => tf.train.adam(0.03),
      onRun: (run) => finished.push(run),
      // A promise returned by onProgress is awaited before the next batch (a browser tab yields here).
      onProgress: () => {
        overlapped ||= pending > 0;
        pending++;
        return new Promise<void>((done) => setTimeout(() => (pending--, done()), 1));
      },
    });
    expect(overlapped).toBe(false);
    expect(finished).toEqual(r.runs);
    expect(r.curve).toHaveLength(1);
    expect(r.curve[0].runs).toBe(2);
    const accs = r.runs.map((x) => x.accuracy);
    expect(r.curve[0].mean).toBeCloseTo((accs[0] + accs[1]) / 2, 12);
    const controller = new AbortController();
    const run = intrinsicDimension({
      createModel: mlp, ...data, dims: [16, 32], epochs: 3, basis: 'hashed',
      onProgress: (e) => { if (e.batch === 3) controller.abort(); },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow(CancelledError);
    expect(tf.memory().numTensors).toBe(start);
  }, 120_000);

  it('rejects bad options with typed errors before training anything', async () => {
    const base = { createModel: mlp, ...data };
    await expect(intrinsicDimension({ ...base })).rejects.toThrow(/exactly one of 'dims'/);
    await expect(intrinsicDimension({ ...base, dims: [0, 5] })).rejects.toThrow(InvalidArgumentError);
    await expect(intrinsicDimension({ ...base, dims: [5], threshold: 1.5 })).rejects.toThrow(/threshold/);
    await expect(intrinsicDimension({ ...base, dims: [5], basis: 'nope' as never })).rejects.toThrow(/basis must be one of/);
    await expect(intrinsicDimension({ ...base, dims: [5], search: { min: 1, max: 2 } })).rejects.toThrow(InvalidArgumentError);
    await expect(intrinsicDimension({ ...base, dims: [5000] })).rejects.toThrow(/exceeds the model's D = 2410/);
    await expect(intrinsicDimension({ ...base, dims: [5], test: { x: data.test.x, y: data.train.y } })).rejects.toThrow(DimensionMismatchError);
  });
});
