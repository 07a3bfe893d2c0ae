import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { CancelledError, DimensionMismatchError, InvalidArgumentError } from '../../src';
import { accuracy, intrinsicDimension, subspaceLearningRate } from '../../src/intrinsic';
import { digits, oneHot } from '../../src/data';
import type { IntrinsicDimensionProgress, LabelledTensors } from '../../src/intrinsic';
import { seededKindList } from '../../src/basis/kinds';
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
const D = 64 * 32 + 32 + 32 * 10 + 10;

describe('intrinsicDimension on the embedded digits (small budget)', () => {
  let data: ReturnType<typeof digitsSplit>;
  beforeAll(async () => {
    await useBackend('wasm');
    data = digitsSplit();
  });
  afterAll(() => tf.dispose([data.train.x, data.train.y, data.test.x, data.test.y]));
  const budget = { maxEpochs: 6, patience: 2, pilotEpochs: 1, batchSize: 64, basis: 'hashed' as const };

  it('chooses each run\'s lr on validation around the rule, stops on a plateau, measures test once per run, reproducibly, without leaking', async () => {
    const start = tf.memory().numTensors;
    const events: IntrinsicDimensionProgress[] = [];
    let testCalls = 0;
    const metric = (model: Parameters<typeof accuracy>[0], d: LabelledTensors) => ((testCalls += d.x === data.test.x ? 1 : 0), accuracy(model, d));
    const opts = { createModel: mlp, ...data, ...budget, search: { min: 8, max: 512, points: 4, refine: 1 }, seeds: [0], learningRate: 3e-3, metric };
    const r = await intrinsicDimension({ ...opts, onProgress: (e) => void events.push(e) });
    expect(tf.memory().numTensors).toBe(start);
    expect(r.D).toBe(D);
    // 10 % of the 1,400 training examples are held out; the test split is measured once per run only.
    expect(r.config).toMatchObject({ trainExamples: 1260, validationExamples: 140, testExamples: data.test.x.shape[0], maxEpochs: 6, patience: 2 });
    expect(testCalls).toBe(1 + r.runs.length);
    expect(r.baseline.accuracy).toBeGreaterThan(0.85);
    expect(r.target).toBeCloseTo(0.9 * r.baselineAccuracy, 12);
    expect(r.status).toBe('crossed');
    const [lo, hi] = r.bracket as [number, number];
    const at = (d: number) => r.curve.find((p) => p.d === d)!.mean;
    expect(at(lo)).toBeLessThan(r.target);
    expect(at(hi)).toBeGreaterThanOrEqual(r.target);
    expect(r.firstReaching).toBe(hi);
    expect(r.runs.length).toBe(5);
    for (const run of [r.baseline, ...r.runs]) {
      // The centre is the rule's (the full model's lr for the baseline); pilots lie on centre·3^k with
      // k = 0, −1, 1 first; the chosen lr is the best pilot on validation.
      const centre = run.d === null ? 3e-3 : subspaceLearningRate(3e-3, { D, d: run.d, optimizer: 'adam' });
      expect(run.learningRateCentre).toBeCloseTo(centre, 12);
      expect(run.pilots.slice(0, 3).map((p) => p.learningRate / centre)).toEqual([1, 1 / 3, 3].map((f) => expect.closeTo(f, 10)));
      for (const p of run.pilots) expect(Math.log(p.learningRate / centre) / Math.log(3)).toBeCloseTo(Math.round(Math.log(p.learningRate / centre) / Math.log(3)), 9);
      const best = Math.max(...run.pilots.map((p) => p.validation).filter(Number.isFinite));
      expect(run.pilots.find((p) => p.learningRate === run.learningRate)!.validation).toBe(best);
      expect(run.validation).toBeGreaterThanOrEqual(best);
      // Stopped by patience (2 epochs without gain after the best) or at the budget of 6 epochs.
      expect(['plateau', 'max-epochs']).toContain(run.stopReason);
      if (run.stopReason === 'plateau') expect(run.epochs - run.bestEpoch).toBe(2);
      else expect(run.epochs).toBe(6);
      expect(run.epochs).toBeLessThanOrEqual(6);
    }
    // Progress: one event per batch of every epoch trained, pilots included (20 batches per epoch).
    const epochsTrained = [r.baseline, ...r.runs].reduce((a, x) => a + x.pilots.length - 1 + x.epochs, 0);
    expect(events.length).toBe(20 * epochsTrained);
    expect(events[0]).toMatchObject({ d: null, epoch: 0, batch: 0, batches: 20, epochs: 6, run: 0, learningRate: 3e-3 });
    // Same seeds ⇒ the same accuracies (seeded init, basis, batch order and validation split).
    const again = await intrinsicDimension({ ...opts, search: undefined, dims: [r.curve[1].d], baseline: r.baseline.accuracy });
    expect(again.runs[0]).toEqual({ ...r.runs.find((x) => x.d === r.curve[1].d)!, seconds: again.runs[0].seconds });
  }, 300_000);

  it('resumes finished runs instead of training them, and records divergence and the budget as stop reasons', async () => {
    const start = tf.memory().numTensors;
    const base = { createModel: mlp, ...data, ...budget, dims: [16, 64], seeds: [1, 2], lrStep: 1, learningRate: 0.01 };
    const first = await intrinsicDimension(base);
    expect(first.baselines.map((b) => b.seed)).toEqual([1, 2]);
    expect(first.interval).not.toBeNull();
    let batches = 0;
    const resumed = await intrinsicDimension({ ...base, resume: [...first.baselines, ...first.runs], onProgress: () => void batches++ });
    expect(batches).toBe(0);
    expect(resumed.resumed).toBe(6);
    expect(resumed.runs).toEqual(first.runs);
    expect(resumed.interval).toEqual(first.interval);
    // Half finished: only the missing runs train, and the result is the same as in one go.
    const onRun: unknown[] = [];
    const half = await intrinsicDimension({ ...base, resume: [...first.baselines, first.runs[0]], onRun: (x) => void onRun.push(x) });
    expect(onRun.length).toBe(3);
    expect(half.runs.map((x) => x.accuracy)).toEqual(first.runs.map((x) => x.accuracy));
    // SGD at lr 1e30 overflows float32 in the first epoch (NaN loss): 'diverged'; one epoch of budget: 'max-epochs'.
    const wild = await intrinsicDimension({ ...base, seeds: [0], dims: [16], optimizer: 'sgd', learningRate: 1e30, baseline: 0.9 });
    expect(wild.runs[0]).toMatchObject({ stopReason: 'diverged', epochs: 1 });
    const short = await intrinsicDimension({ ...base, seeds: [0], dims: [16], maxEpochs: 1, baseline: 0.9 });
    expect(short.runs[0]).toMatchObject({ stopReason: 'max-epochs', epochs: 1, bestEpoch: 1 });
    expect(tf.memory().numTensors).toBe(start);
  }, 300_000);

  it('cancels between batches through an AbortSignal, leaving no tensor behind', async () => {
    const start = tf.memory().numTensors;
    const controller = new AbortController();
    const run = intrinsicDimension({
      createModel: mlp, ...data, ...budget, dims: [16, 32],
      onProgress: (e) => { if (e.batch === 3 && e.d === 16) controller.abort(); },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow(CancelledError);
    expect(tf.memory().numTensors).toBe(start);
  }, 120_000);

  it('sizes the basis by the trainable parameters: a model with BatchNormalization trains (countParams() would add its 64 moving statistics)', async () => {
    const bnMlp = (seed: number) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
          tf.layers.batchNormalization(),
          tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7 }) }),
        ],
      });
    const probe = bnMlp(0);
    expect(probe.countParams()).toBe(D + 4 * 32);
    probe.dispose();
    const start = tf.memory().numTensors;
    const r = await intrinsicDimension({ createModel: bnMlp, ...data, ...budget, maxEpochs: 2, patience: 1, dims: [16], seeds: [0], learningRate: 3e-3 });
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0].accuracy).toBeGreaterThan(0.1);
    // The D check uses the trainable count too: D + 2·32 (gamma, beta) is accepted, one more is not.
    await expect(intrinsicDimension({ createModel: bnMlp, ...data, dims: [D + 2 * 32 + 1] })).rejects.toThrow(`exceeds the model's D = ${D + 2 * 32}`);
    expect(tf.memory().numTensors).toBe(start);
  }, 120_000);

  it('rejects bad options with typed errors before training anything', async () => {
    const base = { createModel: mlp, ...data };
    const start = tf.memory().numTensors;
    await expect(intrinsicDimension({ ...base })).rejects.toThrow(/exactly one of 'dims'/);
    await expect(intrinsicDimension({ ...base, dims: [0, 5] })).rejects.toThrow(InvalidArgumentError);
    await expect(intrinsicDimension({ ...base, dims: [5], threshold: 1.5 })).rejects.toThrow(/threshold/);
    await expect(intrinsicDimension({ ...base, dims: [5], basis: 'nope' as never })).rejects.toThrow(`basis must be ${seededKindList()} or a function`);
    await expect(intrinsicDimension({ ...base, dims: [5], optimizer: 'lion' as never })).rejects.toThrow(/'optimizer' must be one of adam, .*sgd.* or a function/);
    await expect(intrinsicDimension({ ...base, dims: [5], validationFraction: 1 })).rejects.toThrow(/'validationFraction' must be in \(0, 1\)/);
    await expect(intrinsicDimension({ ...base, dims: [5], patience: 0 })).rejects.toThrow(/'patience' must be a positive integer/);
    await expect(intrinsicDimension({ ...base, dims: [5], lrStep: 0.5 })).rejects.toThrow(/'lrStep' must be a number ≥ 1/);
    await expect(intrinsicDimension({ ...base, dims: [5], seeds: [1, 1] })).rejects.toThrow(/distinct seeds/);
    // The library's one seed rule (src/random.ts): a safe integer, negative allowed.
    await expect(intrinsicDimension({ ...base, dims: [5], seeds: [0, 1.5] })).rejects.toThrow(/'seeds': seed must be a safe integer.*got 1.5/);
    await expect(intrinsicDimension({ ...base, dims: [5], resume: [{ d: 'x' } as never] })).rejects.toThrow(/not a RunResult/);
    await expect(intrinsicDimension({ ...base, dims: [5], search: { min: 1, max: 2 } })).rejects.toThrow(InvalidArgumentError);
    await expect(intrinsicDimension({ ...base, dims: [5000] })).rejects.toThrow(/exceeds the model's D = 2410/);
    await expect(intrinsicDimension({ ...base, dims: [5], test: { x: data.test.x, y: data.train.y } })).rejects.toThrow(DimensionMismatchError);
    expect(tf.memory().numTensors).toBe(start);
  });
});
