import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  CheckpointError,
  compactCheckpoint,
  CompactCheckpoint,
  compressionOf,
  hashedBasis,
  InvalidArgumentError,
  loadCompactCheckpoint,
  srhtBasis,
  SubspaceOptimizer,
  trainableParameterCount,
} from '../../src';
import { BACKENDS, batchNormModel, MODES, ownsCoordinates, uniformArray, useBackend, wrap } from '../helpers';

const bnModel = batchNormModel;

/** The selection of the tests: head bias free (trained in full), first-layer bias frozen. */
const selection = (m: tf.LayersModel) => ({ free: [m.layers[2].trainableWeights[1]], frozen: [m.layers[0].trainableWeights[1]] });

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
const json = (c: CompactCheckpoint) => JSON.parse(JSON.stringify(c)) as CompactCheckpoint;

describe.each(BACKENDS)('compact checkpoints of a Dense + BatchNorm model trained with model.fit (%s)', (backend) => {
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;
  beforeAll(async () => {
    await useBackend(backend);
    x = tf.tensor2d(uniformArray(64 * 8, 1, 2), [64, 8]);
    y = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => (i * 7) % 3), 'int32'), 3).toFloat() as tf.Tensor2D;
  });
  afterAll(() => tf.dispose([x, y]));

  it.each(MODES)('%s: the loaded model predicts as the trained one (moving statistics, free and frozen variables carried)', async (mode) => {
    const start = tf.memory().numTensors;
    const model = bnModel(3);
    const D = trainableParameterCount(model, selection(model));
    const basis = hashedBasis(D, 24, { seed: 5 });
    // The frozen bias starts away from its initial zeros, so a stored origin has something to carry.
    tf.tidy(() => (model.layers[0].trainableWeights[1].read() as tf.Variable).assign(tf.fill([16], 0.25)));
    const opt = wrap(mode, tf.train.adam(0.05), basis, model, selection(model)) as SubspaceOptimizer;
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const movingMean = () => (model.layers[1] as unknown as { movingMean: { read(): tf.Tensor } }).movingMean.read();
    const before = bits(movingMean());
    await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
    expect(bits(movingMean())).not.toEqual(before); // fit moved the moving statistics
    const stored = json(compactCheckpoint(opt, { model }));
    const expected = model.predict(x) as tf.Tensor;
    const fresh = bnModel(3);
    loadCompactCheckpoint(stored, fresh);
    const got = fresh.predict(x) as tf.Tensor;
    if (ownsCoordinates(mode)) {
      // The rule's own z: θ = θ0 + Q·z computed as the optimizer's step computes it; the other weights copied: bit for bit.
      expect(bits(got)).toEqual(bits(expected));
    } else {
      // z = Qᵀ(θ − θ0) and θ0 + Q·z again: float32 rounding of two length-≤211 sums per entry (≈1e-6 on
      // weights ≤ 1), through three layers onto softmax outputs ≤ 1: 1e-5.
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]);
      expect(diff).toBeLessThanOrEqual(1e-5);
    }
    // Everything outside θ is copied exactly.
    for (let i = 0; i < fresh.weights.length; i++) {
      const [a, b] = [fresh.weights[i].read(), model.weights[i].read()];
      const projected = opt.variables.includes(model.weights[i].read() as tf.Variable);
      if (!projected || ownsCoordinates(mode)) expect(bits(a)).toEqual(bits(b));
    }
    // Honest sizes: bytes is the JSON's length; the full side is every weight model.save() stores (259 floats).
    const c = compressionOf(stored);
    expect(c.bytes).toBe(new TextEncoder().encode(JSON.stringify(stored)).length);
    expect(c.fullBytes).toBe(4 * model.countParams());
    expect(c.fullBytes).toBe(4 * 259);
    expect(c.parts.nonTrainable).toBe(Math.ceil((4 * 32) / 3) * 4); // base64 of 32 floats
    expect(c.parts.free).toBe(Math.ceil((4 * 3) / 3) * 4);
    expect(c.parts.frozen).toBe(Math.ceil((4 * 16) / 3) * 4);
    expect(c.parts.origin).toBe(Math.ceil((4 * D) / 3) * 4);
    expect(c.ratio).toBeCloseTo(c.fullBytes / c.bytes, 12);
    tf.dispose([expected, got]);
    fresh.dispose();
    opt.dispose();
    basis.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('seeded origin: only the moving statistics and the free head travel; the frozen bias is checked by fingerprint', async () => {
    const model = bnModel(4);
    const basis = srhtBasis(trainableParameterCount(model, selection(model)), 20, { seed: 6 });
    const opt = wrap('coordinates', tf.train.adam(0.05), basis, model, selection(model));
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
    const seeded = json(compactCheckpoint(opt, { model, seededOrigin: { model: 'bn', seed: 4 } }));
    expect(seeded.frozenValues).toEqual({ shapes: [[16]], fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/) });
    const expected = model.predict(x) as tf.Tensor;
    const fresh = bnModel(4);
    loadCompactCheckpoint(seeded, fresh);
    const got = fresh.predict(x) as tf.Tensor;
    expect(bits(got)).toEqual(bits(expected));
    const { bytes, fullBytes, parts } = compressionOf(seeded);
    expect(parts.origin).toBe(0);
    // 259 floats is a tiny model: the JSON's fixed part (spec, fingerprints, shapes) is most of the 0.7 kB.
    expect(bytes).toBeLessThan(fullBytes);
    // A fresh model whose frozen bias differs is refused, untouched.
    const other = bnModel(4);
    tf.tidy(() => (other.layers[0].trainableWeights[1].read() as tf.Variable).assign(tf.fill([16], 1)));
    const untouched = other.getWeights().map(bits);
    expect(() => loadCompactCheckpoint(seeded, other)).toThrow(/frozen variables \(fingerprint [0-9a-f]+\) are not those of the checkpoint/);
    expect(other.getWeights().map(bits)).toEqual(untouched);
    tf.dispose([expected, got]);
    for (const m of [fresh, other, model]) m.dispose();
    opt.dispose();
    basis.dispose();
  });
});

describe('checkpoints that would not reproduce the model are refused, before anything changes', () => {
  let model: tf.LayersModel;
  let opt: SubspaceOptimizer;
  let basisDispose: () => void;
  beforeAll(async () => {
    await useBackend('cpu');
    model = bnModel(7);
    const basis = hashedBasis(trainableParameterCount(model, selection(model)), 10, { seed: 1 });
    basisDispose = () => basis.dispose();
    opt = wrap('coordinates', tf.train.sgd(0.1), basis, model, selection(model));
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const [x, y] = [tf.tensor2d(uniformArray(32 * 8, 2), [32, 8]), tf.oneHot(tf.tensor1d(new Array(32).fill(1), 'int32'), 3).toFloat()];
    await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    tf.dispose([x, y]);
  });
  afterAll(() => {
    opt.dispose();
    basisDispose();
    model.dispose();
  });

  const refused = (checkpoint: unknown, target: tf.LayersModel | tf.Variable[], message: RegExp) => {
    const targetWeights = () => (Array.isArray(target) ? target : target.weights.map((w) => w.read())).map(bits);
    const before = targetWeights();
    const start = tf.memory().numTensors;
    let error: unknown;
    try {
      loadCompactCheckpoint(checkpoint as CompactCheckpoint, target);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(message);
    expect(tf.memory().numTensors).toBe(start);
    expect(targetWeights()).toEqual(before);
  };

  it('an optimizer built from the model stores its moving statistics without being told (the same checkpoint as with {model})', () => {
    expect(json(compactCheckpoint(opt))).toEqual(json(compactCheckpoint(opt, { model })));
    expect(json(compactCheckpoint(opt)).nonTrainable?.shapes).toHaveLength(2);
  });

  it('made without the model by an optimizer built from a variable list: a model with moving statistics is refused (the message names the fix)', () => {
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const listBasis = hashedBasis(trainableParameterCount(vars, selection(model)), 10, { seed: 1 });
    const listOpt = wrap('coordinates', tf.train.sgd(0.1), listBasis, vars, selection(model));
    const fresh = bnModel(7);
    refused(json(compactCheckpoint(listOpt)), fresh, /2 non-trainable weight\(s\) .* make the checkpoint with compactCheckpoint\(optimizer, \{model\}\)/);
    fresh.dispose();
    listOpt.dispose();
    listBasis.dispose();
  });

  it('moving statistics into a bare variable list, truncated statistics, another layer trainable', () => {
    const c = json(compactCheckpoint(opt, { model }));
    const fresh = bnModel(7);
    refused(c, fresh.trainableWeights.map((w) => w.read() as tf.Variable), /carries non-trainable weights .* load it into the model, not a variable list/);
    refused({ ...c, nonTrainable: { ...c.nonTrainable, values: c.nonTrainable!.values.slice(0, 40) } }, fresh, /'nonTrainable.values' holds 30 bytes, expected 128/);
    refused({ ...c, freeValues: null }, fresh, /freeValues have shapes undefined/);
    fresh.layers[1].trainable = false;
    refused(c, fresh, /made for 6 trainable variables, but the model has 4/);
    fresh.dispose();
  });

  it('compactCheckpoint with another model than the optimizer trains: InvalidArgumentError', () => {
    const other = bnModel(7);
    expect(() => compactCheckpoint(opt, { model: other })).toThrow(InvalidArgumentError);
    expect(() => compactCheckpoint(opt, { model: other })).toThrow(/'model' is not the model the optimizer trains/);
    other.dispose();
  });

  it('a version 1 checkpoint (no free/frozen/non-trainable parts) still loads into a model without moving statistics', () => {
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
    const basis = hashedBasis(8, 3, { seed: 2 });
    const o = wrap('coordinates', tf.train.sgd(0.1), basis, plain);
    const { free: _f, frozen: _z, variableCount: _n, freeValues: _fv, frozenValues: _zv, nonTrainable: _nt, ...v1 } = json(compactCheckpoint(o));
    const fresh = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) })] });
    loadCompactCheckpoint({ ...v1, version: 1 } as unknown as CompactCheckpoint, fresh);
    expect(fresh.getWeights().map(bits)).toEqual(plain.getWeights().map(bits));
    o.dispose();
    basis.dispose();
    plain.dispose();
    fresh.dispose();
  });
});
