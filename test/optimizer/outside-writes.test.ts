import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { compactCheckpoint, gaussianBasis, loadCompactCheckpoint, OutsideWriteError, SubspaceOptimizer } from '../../src';
import { BACKENDS, keepsSubspace, Mode, MODES, snapshot, useBackend, wrap } from '../helpers';
import { bitsOf, difference, hostQ, hostResidual, readFlat } from '../reliability/cases';

/**
 * Writes from outside (docs/reliability.md, "Writes from outside"): after any write into a live
 * optimizer's variables the next step never silently undoes it. A write that lands in θ0 + span(Q)
 * is taken in (coordinates mode: z follows it); one off the subspace throws an OutsideWriteError at
 * the next step, keeps the written values and changes nothing, and `rebase()` trains from there.
 * In ambient mode with an adaptive inner optimizer (which leaves the subspace by design) every write
 * is simply trained from, as with tf.train. Each write below on cpu and wasm, with tensor counts.
 */

const D = 3 * 4 + 4 + 4 * 2 + 2; // dense(3→4) + dense(4→2)
const d = 5;

function denseModel(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: s });
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [3], activation: 'tanh', kernelInitializer: init(seed), biasInitializer: init(seed + 1) }),
      tf.layers.dense({ units: 2, kernelInitializer: init(seed + 2), biasInitializer: init(seed + 3) }),
    ],
  });
}

function seeded(n: number, seed: number, scale: number): Float64Array {
  const rng = seedrandom.alea(`w${seed}`);
  return Float64Array.from({ length: n }, () => (2 * rng() - 1) * scale);
}

/** The flat θ split into tensors shaped like the model's trainable weights (new tensors). */
function shaped(model: tf.LayersModel, flat: ArrayLike<number>): tf.Tensor[] {
  let offset = 0;
  return model.trainableWeights.map((w) => {
    const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
    const t = tf.tensor(Array.from(flat).slice(offset, offset + n), w.shape as number[]);
    offset += n;
    return t;
  });
}

/** Each way TF.js code writes a model's weights, as (model, flat θ) → void. */
const WRITES: Array<[string, (m: tf.LayersModel, flat: ArrayLike<number>) => void]> = [
  ['model.setWeights', (m, flat) => { const t = shaped(m, flat); m.setWeights(t); tf.dispose(t); }],
  ['model.loadWeights', (m, flat) => {
    const t = shaped(m, flat);
    m.loadWeights(Object.fromEntries(m.trainableWeights.map((w, i) => [w.originalName, t[i]])));
    tf.dispose(t);
  }],
  ['layer.setWeights (each layer)', (m, flat) => {
    const t = shaped(m, flat);
    m.layers[0].setWeights(t.slice(0, 2));
    m.layers[1].setWeights(t.slice(2, 4));
    tf.dispose(t);
  }],
  ['variable.assign', (m, flat) => {
    const t = shaped(m, flat);
    m.trainableWeights.forEach((w, i) => (w.read() as tf.Variable).assign(t[i]));
    tf.dispose(t);
  }],
];

/**
 * The inner optimizers a mode is tracked with: the first with which the rule's steps keep θ in the
 * subspace (its keepsSubspace), so that an off-subspace write must not pass — Adam for coordinates
 * and parameters, momentum for ambient.
 */
const INNERS: Array<[string, () => tf.Optimizer]> = [
  ['adam', () => tf.train.adam(0.01)],
  ['momentum', () => tf.train.momentum(0.05, 0.9)],
];

function setup(mode: Mode, inner: tf.Optimizer, seed = 1) {
  const model = denseModel(seed);
  const basis = gaussianBasis(D, d, { seed: 11 });
  const opt = wrap(mode, inner, basis, model);
  model.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const x = tf.tensor2d(Float32Array.from(seeded(24, 5, 1)), [8, 3]);
  const y = tf.tensor2d(Float32Array.from(seeded(16, 6, 1)), [8, 2]);
  const loss = () => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const q = hostQ(basis);
  const theta0 = Array.from(opt.origin.dataSync());
  const dispose = () => {
    opt.dispose();
    basis.dispose();
    model.dispose();
    tf.dispose([x, y]);
  };
  return { model, basis, opt, x, y, loss, q, theta0, dispose };
}

/** θ0 + Q·z in float64 on the host, from Q's materialized values. */
function hostPoint(q: Float64Array, theta0: number[], z: ArrayLike<number>): Float64Array {
  return Float64Array.from(theta0, (t, i) => {
    let s = t;
    for (let j = 0; j < d; j++) s += q[i * d + j] * z[j];
    return s;
  });
}

function norm(a: ArrayLike<number>): number {
  return Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0));
}

/** "In the subspace" (docs/reliability.md), computed in float64 from Q's values. */
function expectInSubspace(q: Float64Array, theta: Float32Array, theta0: ArrayLike<number>): void {
  const r = hostResidual(q, D, d, difference(theta, theta0));
  expect(r.distance).toBeLessThanOrEqual(1e-5 * Math.max(1, r.displacement));
}

describe.each(BACKENDS)('writes from outside on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(MODES)('%s mode, with an inner optimizer its steps keep θ0 + span(Q) with', (mode) => {
    let makeInner: () => tf.Optimizer;
    beforeAll(() => {
      const tracked = INNERS.find(([, make]) => keepsSubspace(mode, make));
      if (!tracked) throw new Error(`the '${mode}' rule keeps θ in the subspace with none of ${INNERS.map(([n]) => n).join(', ')}`);
      makeInner = tracked[1];
    });

    test.each(WRITES)('%s into θ0 + span(Q): taken in, the next step starts from it', (_w, write) => {
      const t = setup(mode, makeInner());
      for (let s = 0; s < 2; s++) t.opt.minimize(t.loss);
      const old = readFlat(t.opt.variables);
      const zStar = seeded(d, 21, 1);
      const target = hostPoint(t.q, t.theta0, zStar);
      write(t.model, target);
      const count = tf.memory().numTensors;
      // z = Qᵀ(θ − θ0) of the written point: z* up to the float32 rounding of the written values
      // (|θ| ≤ 3, so ≤ 2⁻²⁴·3 per entry, summed over D = 26 entries: ≤ 1e-5).
      const z = t.opt.coordinates();
      const got = z.dataSync();
      z.dispose();
      zStar.forEach((v, j) => expect(Math.abs(got[j] - v)).toBeLessThanOrEqual(1e-5));
      t.opt.minimize(t.loss);
      const after = readFlat(t.opt.variables);
      // One step moves θ by ≤ 0.05 here; the old values are ‖θ_old − θ_written‖ ≈ 1 away.
      const fromWritten = norm(difference(after, target as unknown as Float32Array));
      const fromOld = norm(difference(old, target as unknown as Float32Array));
      expect(fromOld).toBeGreaterThan(0.5);
      expect(fromWritten).toBeLessThan(0.1 * fromOld);
      expectInSubspace(t.q, after, t.theta0);
      expect(tf.memory().numTensors).toBe(count);
      t.dispose();
    });

    test.each(WRITES)('%s off θ0 + span(Q): OutsideWriteError, the write kept, nothing changed; rebase() trains from it', async (_w, write) => {
      const t = setup(mode, makeInner());
      for (let s = 0; s < 2; s++) t.opt.minimize(t.loss);
      const old = readFlat(t.opt.variables);
      const before = await snapshot(t.opt, t.opt.variables);
      const written = Float64Array.from(old, (v, i) => v + seeded(D, 31, 0.1)[i]);
      write(t.model, written);
      const writtenBits = bitsOf(readFlat(t.opt.variables));
      const count = tf.memory().numTensors;
      let caught: unknown;
      try {
        t.opt.minimize(t.loss);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(OutsideWriteError);
      const message = (caught as Error).message;
      for (const v of t.opt.variables) expect(message).toContain(`'${v.name}'`);
      expect(message).toContain('lies off the subspace');
      expect(message).toContain('optimizer.rebase()');
      expect(message).toContain('setCoordinates(z)');
      expect(message).toContain('Nothing was changed');
      expect(tf.memory().numTensors).toBe(count);
      expect(bitsOf(readFlat(t.opt.variables))).toEqual(writtenBits);
      await expect(t.model.trainOnBatch(t.x, t.y)).rejects.toThrow(OutsideWriteError);
      expect(() => t.opt.coordinates()).toThrow(OutsideWriteError);
      await expect(t.opt.getWeights()).rejects.toThrow(OutsideWriteError);
      expect(bitsOf(readFlat(t.opt.variables))).toEqual(writtenBits);
      // Nothing changed: with the old values written back, the state is what it was, bit for bit.
      write(t.model, old);
      expect(await snapshot(t.opt, t.opt.variables)).toEqual(before);
      // rebase(): the written values become θ0 (z = 0) and training continues around them.
      write(t.model, written);
      const steady = tf.memory().numTensors;
      t.opt.rebase();
      expect(bitsOf(t.opt.origin.dataSync() as Float32Array)).toEqual(writtenBits);
      const z = t.opt.coordinates();
      expect(Array.from(z.dataSync()).every((v) => v === 0)).toBe(true);
      z.dispose();
      for (let s = 0; s < 2; s++) t.opt.minimize(t.loss);
      const after = readFlat(t.opt.variables);
      expectInSubspace(t.q, after, Array.from(new Float32Array(new Uint32Array(writtenBits).buffer)));
      expect(norm(difference(after, new Float32Array(new Uint32Array(writtenBits).buffer)))).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(steady);
      t.dispose();
    });

    test('the same values written back (model.setWeights(model.getWeights())): nothing to do, z keeps its bits', async () => {
      const t = setup(mode, makeInner());
      for (let s = 0; s < 2; s++) t.opt.minimize(t.loss);
      const before = await snapshot(t.opt, t.opt.variables);
      const copies = t.model.getWeights().map((w) => tf.add(w, 0)); // new data, same values
      t.model.setWeights(copies);
      tf.dispose(copies);
      expect(await snapshot(t.opt, t.opt.variables)).toEqual(before);
      t.dispose();
    });

    test('a compact checkpoint of this run loaded into the live model: z follows it; one of another origin: OutsideWriteError, rebase()', async () => {
      const t = setup(mode, makeInner());
      for (let s = 0; s < 2; s++) t.opt.minimize(t.loss);
      const checkpoint = compactCheckpoint(t.opt);
      const atCheckpoint = t.opt.coordinates();
      for (let s = 0; s < 3; s++) t.opt.minimize(t.loss);
      loadCompactCheckpoint(checkpoint, t.model);
      const z = t.opt.coordinates();
      // The loaded θ = θ0 + Q·z_checkpoint is the checkpoint's point to float32 rounding of θ.
      const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(z, atCheckpoint))).dataSync()[0]);
      expect(gap).toBeLessThanOrEqual(1e-5);
      tf.dispose([z, atCheckpoint]);
      // Another run (other initial values, so another origin) of the same architecture and basis.
      const other = setup(mode, makeInner(), 40);
      for (let s = 0; s < 2; s++) other.opt.minimize(other.loss);
      const foreign = compactCheckpoint(other.opt);
      loadCompactCheckpoint(foreign, t.model);
      const loaded = readFlat(t.opt.variables);
      const count = tf.memory().numTensors;
      expect(() => t.opt.minimize(t.loss)).toThrow(OutsideWriteError);
      expect(tf.memory().numTensors).toBe(count);
      t.opt.rebase();
      t.opt.minimize(t.loss);
      expectInSubspace(t.q, readFlat(t.opt.variables), loaded);
      other.dispose();
      t.dispose();
    });

    test('layer.trainable = false after the optimizer was made: OutsideWriteError naming the layer; nothing moves', async () => {
      const t = setup(mode, makeInner());
      for (let s = 0; s < 2; s++) t.opt.minimize(t.loss);
      const before = await snapshot(t.opt, t.opt.variables);
      const layer = t.model.layers[1];
      layer.trainable = false;
      const count = tf.memory().numTensors;
      expect(() => t.opt.minimize(t.loss)).toThrow(OutsideWriteError);
      expect(() => t.opt.minimize(t.loss)).toThrow(`'${layer.name}/kernel' (layer '${layer.name}'), '${layer.name}/bias' (layer '${layer.name}') were made non-trainable`);
      expect(() => t.opt.minimize(t.loss)).toThrow('Create a new optimizer after freezing');
      expect(tf.memory().numTensors).toBe(count);
      // compile sets the weights' own trainable flags back to true (the layer stays frozen and
      // tfjs-layers leaves it out of training): the layer itself is what the wrapper checks.
      t.model.compile({ optimizer: t.opt, loss: 'meanSquaredError' });
      expect(layer.weights.every((w) => w.trainable)).toBe(true);
      await expect(t.model.fit(t.x, t.y, { epochs: 1, verbose: 0 })).rejects.toThrow(OutsideWriteError);
      layer.trainable = true;
      expect(await snapshot(t.opt, t.opt.variables)).toEqual(before);
      // (The failed fit leaves tfjs-layers' own epoch tensor, as any failed fit does: faults.test.ts.)
      // The fix: a new optimizer made after freezing leaves the layer out; it keeps its bits.
      layer.trainable = false;
      const frozenBits = bitsOf(readFlat(layer.getWeights() as tf.Variable[]));
      const basis = gaussianBasis(3 * 4 + 4, 3, { seed: 2 });
      const fresh: SubspaceOptimizer = wrap(mode, makeInner(), basis, t.model);
      t.model.compile({ optimizer: fresh, loss: 'meanSquaredError' });
      await t.model.fit(t.x, t.y, { epochs: 2, batchSize: 4, verbose: 0 });
      expect(bitsOf(readFlat(layer.getWeights() as tf.Variable[]))).toEqual(frozenBits);
      expect(fresh.iterations).toBe(4);
      fresh.dispose();
      basis.dispose();
      t.dispose();
    });
  });

  test('ambient mode with Adam (which leaves the subspace by design): a write off it is trained from, as with tf.train', () => {
    const t = setup('ambient', tf.train.adam(0.01));
    for (let s = 0; s < 2; s++) t.opt.minimize(t.loss);
    const written = Float64Array.from(readFlat(t.opt.variables), (v, i) => v + seeded(D, 31, 0.1)[i]);
    WRITES[0][1](t.model, written);
    const count = tf.memory().numTensors;
    t.opt.minimize(t.loss);
    // One Adam step moves each entry by ≤ lr = 0.01 (to rounding), from the written values.
    const step = difference(readFlat(t.opt.variables), written as unknown as Float32Array);
    expect(Math.max(...Array.from(step, Math.abs))).toBeLessThanOrEqual(0.0101);
    expect(tf.memory().numTensors).toBe(count);
    t.dispose();
  });
});
