import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { CheckpointError, compactCheckpoint, CompactCheckpoint, compressionOf, hashedBasis, loadCompactCheckpoint, projectGradients } from '../../src';
import { SEEDED_BASIS_KINDS, SEEDED_KINDS } from '../../src/basis/kinds';
import { digits, oneHot } from '../../src/data';
import { BACKENDS, useBackend } from '../helpers';

const mlp = (seed: number) =>
  tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7 }) }),
    ],
  });

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

describe.each(BACKENDS)('compact checkpoints (%s)', (backend) => {
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;
  beforeAll(async () => {
    await useBackend(backend);
    const data = digits();
    x = tf.tensor2d(data.x.subarray(0, 256 * 64), [256, 64]);
    y = oneHot(data.y.subarray(0, 256), 10);
  });
  afterAll(() => tf.dispose([x, y]));

  // Every seeded kind of the registry.
  it.each(SEEDED_BASIS_KINDS.map((kind) => [kind, (D: number) => SEEDED_KINDS[kind].create(D, 60, 2)] as const))('%s: load into a fresh model gives bit-identical predictions (stored and seeded origin)', async (_kind, make) => {
    const start = tf.memory().numTensors;
    const model = mlp(5);
    const basis = make(model.countParams());
    const opt = projectGradients(tf.train.adam(0.05), basis, { variables: model });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    for (let i = 0; i < 5; i++) await model.trainOnBatch(x, y);
    const stored = JSON.parse(JSON.stringify(compactCheckpoint(opt))) as CompactCheckpoint;
    const seeded = JSON.parse(JSON.stringify(compactCheckpoint(opt, { seededOrigin: { model: 'mlp', seed: 5 } }))) as CompactCheckpoint;
    const expected = model.predict(x) as tf.Tensor;
    for (const c of [stored, seeded]) {
      const fresh = mlp(5);
      loadCompactCheckpoint(c, fresh);
      const got = fresh.predict(x) as tf.Tensor;
      // Coordinates mode computes θ = θ0 + Q·z the same way loading does: bit-identical, no tolerance.
      expect(bits(got)).toEqual(bits(expected));
      got.dispose();
      fresh.dispose();
    }
    // Compression: D = 2,410 floats (9,640 B) against d = 60 floats plus the spec.
    const { ratio, bytes } = compressionOf(seeded);
    expect(bytes).toBeLessThan(700);
    expect(ratio).toBeGreaterThan(14);
    expect(compressionOf(stored).ratio).toBeLessThan(1); // a stored origin costs D floats (base64)
    expected.dispose();
    opt.dispose();
    basis.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('damaged or mismatched compact checkpoints are rejected and leave the model untouched', () => {
  let checkpoint: CompactCheckpoint;
  beforeAll(async () => {
    await useBackend('cpu');
    const model = mlp(5);
    const basis = hashedBasis(model.countParams(), 40, { seed: 9 });
    const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: model });
    const data = digits();
    const [x, y] = [tf.tensor2d(data.x.subarray(0, 64 * 64), [64, 64]), oneHot(data.y.subarray(0, 64), 10)];
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await model.trainOnBatch(x, y);
    checkpoint = compactCheckpoint(opt, { seededOrigin: { model: 'mlp', seed: 5 } });
    tf.dispose([x, y]);
    opt.dispose();
    basis.dispose();
    model.dispose();
  });

  const corrupt: Array<[string, (c: CompactCheckpoint) => unknown, RegExp]> = [
    ['wrong format', (c) => ({ ...c, format: 'other' }), /not a tfjs-subspace\/compact checkpoint/],
    ['newer version', (c) => ({ ...c, version: 3 }), /unsupported checkpoint version 3; this library reads versions 1 and 2/],
    ['wrong D', (c) => ({ ...c, basis: { ...c.basis, D: c.basis.D + 1 } }), /D = 2411 parameters, but the model has 2410/],
    ['unknown basis kind', (c) => ({ ...c, basis: { ...c.basis, kind: 'fourier' } }), /unknown basis kind 'fourier'/],
    ['other basis kind', (c) => ({ ...c, basis: { ...c.basis, kind: 'srht' } }), /srht basis rebuilt from seed 9 .* is not the one/],
    ['other seed', (c) => ({ ...c, basis: { ...c.basis, seed: 10 } }), /rebuilt from seed 10/],
    ['truncated z', (c) => ({ ...c, z: c.z.slice(0, 40) }), /'z' holds 30 bytes, expected 160/],
    ['NaN in z', (c) => ({ ...c, z: btoa(String.fromCharCode(...new Uint8Array(new Float32Array(40).fill(NaN).buffer))) }), /NaN or Infinity \(at index 0\)/],
    ['not base64', (c) => ({ ...c, z: '%%%' }), /not valid base64/],
    ['other origin', (c) => ({ ...c, origin: { ...c.origin, fingerprint: '00000000' } }), /not the origin of the checkpoint/],
    ['other shapes', (c) => ({ ...c, shapes: [[32, 64], [32], [32, 10], [10]] }), /projected variables have shapes \[\[32,64\]/],
  ];

  it.each(corrupt)('%s', (_label, damage, message) => {
    const model = mlp(5);
    const before = model.getWeights().map(bits);
    const start = tf.memory().numTensors;
    let error: unknown;
    try {
      loadCompactCheckpoint(damage(checkpoint) as CompactCheckpoint, model);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(message);
    expect(tf.memory().numTensors).toBe(start);
    expect(model.getWeights().map(bits)).toEqual(before);
    model.dispose();
  });

  it('a seeded origin needs the same fresh model: loading into a trained or differently seeded one is refused', () => {
    const other = mlp(6);
    expect(() => loadCompactCheckpoint(checkpoint, other)).toThrow(/build a fresh 'mlp' model with seed 5/);
    other.dispose();
  });
});
