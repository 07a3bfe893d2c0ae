import * as tf from '@tensorflow/tfjs';
import { digits } from '../../src/data';
import { oneHot } from '../../src/data/digits';
import { CheckpointError, InvalidArgumentError } from '../../src/errors';
import { EvolvingSubspaceOptimizer, galore, GaloreOptions } from '../../src/evolving/galore';
import { BACKENDS, useBackend } from '../helpers';

/** A 64-32-10 Dense model, seeded; two calls build identical models. */
const denseModel = (seed: number): tf.Sequential =>
  tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });

/** `count` fixed batches of 32 of the embedded digits. */
function digitBatches(count: number): Array<{ x: tf.Tensor2D; y: tf.Tensor2D }> {
  const { x, y } = digits();
  return Array.from({ length: count }, (_, b) => ({
    x: tf.tensor2d(x.subarray(b * 32 * 64, (b + 1) * 32 * 64), [32, 64]),
    y: oneHot(y.subarray(b * 32, (b + 1) * 32), 10),
  }));
}

const info = { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } };

async function saveArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), info)), { includeOptimizer: true });
  return saved as unknown as tf.io.ModelArtifacts;
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
const weightBits = (m: tf.LayersModel) => m.getWeights().map(bits);

/** The optimizer's state as names and bits (the iteration tensor getWeights makes is disposed). */
async function stateBits(opt: tf.Optimizer): Promise<Array<[string, number[]]>> {
  const w = await opt.getWeights();
  const out = w.map((x): [string, number[]] => [x.name, bits(x.tensor)]);
  w[0].tensor.dispose();
  return out;
}

type Case = [string, (m: tf.LayersModel) => GaloreOptions];
const CASES: Case[] = [
  ['svd', () => ({ rank: 4, updateEvery: 3, projection: 'svd', seed: 2, moments: 'project' })],
  ['random, scale 0.5, head kernel full', (m) => ({ rank: 4, updateEvery: 3, projection: 'random', seed: 7, scale: 0.5, moments: 'project', full: [m.layers[1].trainableWeights[0]] })],
];

describe.each(BACKENDS)('galore: model.save({includeOptimizer}) → tf.loadLayersModel resumes bit for bit across re-basings (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('%s', async (_label, options) => {
    const data = digitBatches(10);
    const start = tf.memory().numTensors;
    const model = denseModel(1);
    const opt = galore(tf.train.adam(0.01), options(model));
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    for (let t = 0; t < 4; t++) await model.trainOnBatch(data[t].x, data[t].y); // steps 0 … 3 (bases at 0 and 3)
    const artifacts = await saveArtifacts(model);
    // The optimizer's weights are saved under the names getWeights gives, in its order.
    const specs = artifacts.weightSpecs!.filter((s) => s.group === 'optimizer').map((s) => s.name);
    expect(specs).toEqual((await stateBits(opt)).map(([n]) => n));
    expect(specs.slice(0, 3)).toEqual(['iter', 'evolving/P/0', _label.includes('full') ? 'inner/accBeta1' : 'evolving/P/2']);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const back = loaded.optimizer as EvolvingSubspaceOptimizer;
    expect(back).toBeInstanceOf(EvolvingSubspaceOptimizer);
    expect(back).not.toBe(opt);
    expect(back.getClassName()).toBe('EvolvingSubspaceOptimizer');
    expect(back.iterations).toBe(4);
    expect(back.inner.getClassName()).toBe('Adam');
    expect(back.getConfig()).toEqual(opt.getConfig());
    expect(opt.getConfig()).toMatchObject({ innerClassName: 'Adam', rank: 4, updateEvery: 3, variables: 4, full: _label.includes('full') ? [2] : [] });
    // Before its first step it answers with the state it was given.
    expect(await stateBits(back)).toEqual(await stateBits(opt));
    // Steps 4 … 9: the re-basings at 6 and 9 included; the same weights after every step.
    for (let t = 4; t < 10; t++) {
      await model.trainOnBatch(data[t].x, data[t].y);
      await loaded.trainOnBatch(data[t].x, data[t].y);
      expect(weightBits(loaded)).toEqual(weightBits(model));
    }
    expect(back.iterations).toBe(10);
    expect(back.matrices.map((m) => m !== null)).toEqual(opt.matrices.map((m) => m !== null));
    expect(back.matrices.map((m) => m !== null)).toEqual(_label.includes('full') ? [true, false, false, false] : [true, false, true, false]);
    expect(await stateBits(back)).toEqual(await stateBits(opt));
    for (const m of [model, loaded]) {
      m.optimizer.dispose();
      m.dispose();
    }
    // tfjs-layers' model.save never disposes the iteration tensor Optimizer.getWeights returns first
    // (as with a bare tf.train optimizer; test/optimizer/save-load.test.ts): one tensor, one save.
    expect(tf.memory().numTensors).toBe(start + 1);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
  });

  it('saved before any step, the loaded optimizer trains as a fresh one does', async () => {
    const data = digitBatches(2);
    const [a, b] = [denseModel(3), denseModel(3)];
    a.compile({ optimizer: galore(tf.train.adam(0.01), { rank: 4, updateEvery: 3 }), loss: 'categoricalCrossentropy' });
    b.compile({ optimizer: galore(tf.train.adam(0.01), { rank: 4, updateEvery: 3 }), loss: 'categoricalCrossentropy' });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveArtifacts(a)));
    for (const t of [0, 1]) {
      await b.trainOnBatch(data[t].x, data[t].y);
      await loaded.trainOnBatch(data[t].x, data[t].y);
    }
    expect(weightBits(loaded)).toEqual(weightBits(b));
    for (const m of [a, b, loaded]) {
      m.optimizer.dispose();
      m.dispose();
    }
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
  });
});

describe('galore: saved configs that cannot be rebuilt are refused, naming the field', () => {
  let config: Record<string, unknown>;
  beforeAll(async () => {
    await useBackend('cpu');
    const data = digitBatches(1);
    const model = denseModel(1);
    const opt = galore(tf.train.adam(0.01), { rank: 4, updateEvery: 3, projection: 'random', seed: 1 });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await model.trainOnBatch(data[0].x, data[0].y);
    const artifacts = await saveArtifacts(model);
    config = JSON.parse(JSON.stringify((artifacts.trainingConfig!.optimizer_config as { config: object }).config));
    opt.dispose();
    model.dispose();
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
  });

  const fromConfig = (c: object) => EvolvingSubspaceOptimizer.fromConfig(EvolvingSubspaceOptimizer, c as tf.serialization.ConfigDict);

  const BAD: Array<[string, (c: Record<string, unknown>) => void, typeof CheckpointError | typeof InvalidArgumentError, RegExp]> = [
    ['rank 0', (c) => (c.rank = 0), InvalidArgumentError, /rank must be an integer ≥ 1, got 0/],
    ['updateEvery 1.5', (c) => (c.updateEvery = 1.5), InvalidArgumentError, /updateEvery must be an integer ≥ 1, got 1.5/],
    ['scale −1', (c) => (c.scale = -1), InvalidArgumentError, /scale must be a finite number > 0/],
    ['projection pca', (c) => (c.projection = 'pca'), InvalidArgumentError, /projection must be 'svd' or 'random', got 'pca'/],
    ['moments', (c) => (c.moments = 'average'), InvalidArgumentError, /moments must be one of/],
    ['seed', (c) => (c.seed = 0.5), InvalidArgumentError, /seed must be a safe integer/],
    ['no scale', (c) => delete c.scale, CheckpointError, /has no 'scale'/],
    ['unknown inner class', (c) => (c.innerClassName = 'Nope'), CheckpointError, /innerClassName: the inner optimizer class 'Nope' is not registered/],
    ['inner config', (c) => (c.innerConfig = 3), CheckpointError, /innerConfig must be/],
    ['full out of range', (c) => (c.full = [4]), CheckpointError, /full must list distinct gradient positions below 4, got \[4\]/],
    ['variables', (c) => (c.variables = 0), CheckpointError, /variables must be null or an integer ≥ 1/],
  ];

  it.each(BAD)('%s', (_label, spoil, type, message) => {
    const c = JSON.parse(JSON.stringify(config));
    spoil(c);
    const start = tf.memory().numTensors;
    expect(() => fromConfig(c)).toThrow(type);
    expect(() => fromConfig(c)).toThrow(message);
    expect(tf.memory().numTensors).toBe(start); // a rebuilt inner Adam is disposed again
  });

  it('through tf.loadLayersModel too', async () => {
    const data = digitBatches(1);
    const model = denseModel(1);
    const opt = galore(tf.train.adam(0.01), { rank: 4, updateEvery: 3 });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await model.trainOnBatch(data[0].x, data[0].y);
    const artifacts = await saveArtifacts(model);
    (artifacts.trainingConfig!.optimizer_config as { config: { rank: number } }).config.rank = -2;
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(/EvolvingSubspaceOptimizer\.fromConfig: rank must be an integer ≥ 1, got -2/);
    opt.dispose();
    model.dispose();
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
  });

  it('saving before the first step with full variables fails at save time (CheckpointError), nothing written', async () => {
    const model = denseModel(1);
    const opt = galore(tf.train.adam(0.01), { rank: 4, updateEvery: 3, full: [model.layers[0].trainableWeights[0]] });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    let reached = false;
    const handler = tf.io.withSaveHandler(async () => ((reached = true), info));
    await expect(model.save(handler, { includeOptimizer: true })).rejects.toThrow(CheckpointError);
    await expect(model.save(handler, { includeOptimizer: true })).rejects.toThrow(/known only after the first step/);
    expect(reached).toBe(false);
    opt.dispose();
    model.dispose();
  });
});
