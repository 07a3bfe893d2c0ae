import * as tf from '@tensorflow/tfjs';
import { DisposedError, gaussianBasis, UnknownVariableError } from '../../src';
import { batches, convDenseModel, Mode, OPTIMIZERS, snapshot, uniformArray, wrap } from '../helpers';
import { BasisKind, bitsOf, hostQ, hostResidual, makeBasis, readFlat, difference } from './cases';

/**
 * Faults in an optimizer's life: disposal, use after disposal, a variable disposed under it, one basis
 * shared by two optimizers, a model that gains a layer. Each gives a typed error or a documented
 * behaviour, and none changes a variable or the optimizer's state on the way.
 */

const CONV_SHAPES = [[3, 3, 1, 2], [2], [32, 3], [3]]; // convDenseModel's, D = 119

function problem(seed: number) {
  const data = batches(2, seed);
  const loss = (m: tf.LayersModel, s: number) => () =>
    tf.mean(tf.metrics.categoricalCrossentropy(data[s % 2].y, m.apply(data[s % 2].x) as tf.Tensor)) as tf.Scalar;
  return { data, loss, dispose: () => tf.dispose(data.flatMap((d) => [d.x, d.y])) };
}

/** For every tf.train optimizer: the first dispose() frees all the wrapper's tensors, the second is a no-op. */
export function disposeTwice(mode: Mode): void {
  const p = problem(1);
  const model = convDenseModel(1);
  const basis = gaussianBasis(model.countParams(), 6, { seed: 1 });
  for (const [, make] of OPTIMIZERS) {
    const start = tf.memory().numTensors;
    const opt = wrap(mode, make(), basis, model);
    for (let s = 0; s < 2; s++) opt.minimize(p.loss(model, s));
    opt.dispose();
    expect(opt.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
    expect(() => opt.dispose()).not.toThrow();
    expect(tf.memory().numTensors).toBe(start);
  }
  basis.dispose();
  model.dispose();
  p.dispose();
}

/** Every entry point of a disposed optimizer throws a DisposedError, and nothing moves. */
export async function useAfterDispose(mode: Mode): Promise<void> {
  const p = problem(2);
  const model = convDenseModel(2);
  const basis = gaussianBasis(model.countParams(), 6, { seed: 2 });
  const opt = wrap(mode, tf.train.adam(0.02), basis, model);
  opt.minimize(p.loss(model, 0));
  const saved = await opt.getWeights();
  const copies = saved.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
  saved[0].tensor.dispose();
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  opt.dispose();
  const theta = bitsOf(readFlat(opt.variables));
  const start = tf.memory().numTensors;
  const disposed = /optimizer was disposed; create a new one/;
  const g = model.trainableWeights.map((w) => ({ name: (w.read() as tf.Variable).name, tensor: tf.onesLike(w.read()) }));
  expect(() => opt.minimize(p.loss(model, 1))).toThrow(DisposedError);
  expect(() => opt.applyGradients(g)).toThrow(disposed);
  expect(() => opt.residual()).toThrow(disposed);
  expect(() => opt.coordinates()).toThrow(disposed);
  expect(() => opt.origin).toThrow(disposed);
  await expect(opt.getWeights()).rejects.toThrow(disposed);
  await expect(opt.setWeights(copies)).rejects.toThrow(disposed);
  tf.dispose(g.map((x) => x.tensor));
  tf.dispose(copies.map((c) => c.tensor));
  expect(tf.memory().numTensors).toBe(start - copies.length);
  // Through fit (tfjs-layers may leave its own batch tensors behind when a step throws).
  await expect(model.fit(p.data[0].x, p.data[0].y, { epochs: 1, verbose: 0 })).rejects.toThrow(DisposedError);
  expect(bitsOf(readFlat(opt.variables))).toEqual(theta);
  basis.dispose();
  model.dispose();
  p.dispose();
}

/**
 * A variable disposed under the optimizer: DisposedError naming it, from minimize and applyGradients,
 * the other variables and the iteration count untouched.
 */
export async function variableDisposedUnder(mode: Mode): Promise<void> {
  const make = (shape: number[], seed: number) =>
    tf.tidy(() => tf.variable(tf.tensor(uniformArray(shape.reduce((a, b) => a * b, 1), seed), shape)));
  const [w, b, c] = [make([2, 3], 1), make([3], 2), make([4], 3)];
  const loss = () => tf.addN([tf.sum(tf.square(w)), tf.sum(tf.square(b)), tf.sum(tf.square(c))]) as tf.Scalar;
  const basis = gaussianBasis(13, 4, { seed: 3 });
  const start = tf.memory().numTensors;
  const opt = wrap(mode, tf.train.momentum(0.1, 0.9), basis, [w, b, c]);
  opt.minimize(loss);
  const before = [w, c].map((v) => bitsOf(v.dataSync() as Float32Array));
  const iterations = opt.iterations;
  b.dispose();
  const grads = { [w.name]: tf.onesLike(w), [c.name]: tf.onesLike(c) };
  const count = tf.memory().numTensors;
  expect(() => opt.applyGradients(grads)).toThrow(DisposedError);
  expect(() => opt.applyGradients(grads)).toThrow(new RegExp(`variable '${b.name}' was disposed while the optimizer still trains it`));
  expect(tf.memory().numTensors).toBe(count);
  tf.dispose(Object.values(grads));
  // Through minimize: the same error, and its loss value and gradients are freed (they were left
  // behind before the fix tested in regressions/rejected-minimize.test.ts).
  const beforeMinimize = tf.memory().numTensors;
  expect(() => opt.minimize(() => tf.add(tf.sum(tf.square(w)), tf.sum(tf.square(c))) as tf.Scalar)).toThrow(DisposedError);
  const leftByMinimize = tf.memory().numTensors - beforeMinimize;
  expect(leftByMinimize).toBe(0);
  expect([w, c].map((v) => bitsOf(v.dataSync() as Float32Array))).toEqual(before);
  expect(opt.iterations).toBe(iterations);
  opt.dispose();
  expect(tf.memory().numTensors).toBe(start - 1 + leftByMinimize); // b itself is gone
  basis.dispose();
  tf.dispose([w, c]);
}

/**
 * One basis shared by two optimizers (on two models) and stepped in turns: each model follows, bit
 * for bit, the run of a model with a basis of its own; disposing one optimizer leaves the basis to the
 * other; disposing the basis makes the other one throw a DisposedError that names the basis.
 */
export function sharedBasis(mode: Mode, kind: BasisKind): void {
  const p = problem(3);
  const models = [1, 2, 1, 2].map((seed) => convDenseModel(seed));
  const start = tf.memory().numTensors;
  const shared = makeBasis(kind, CONV_SHAPES, 9, 5, models[0].trainableWeights.map((w) => w.read() as tf.Variable));
  const own = [0, 1].map(() => makeBasis(kind, CONV_SHAPES, 9, 5, models[0].trainableWeights.map((w) => w.read() as tf.Variable)));
  const opts = models.map((m, i) => wrap(mode, tf.train.adam(0.02), i < 2 ? shared : own[i - 2], m));
  for (let s = 0; s < 3; s++) {
    opts.forEach((o, i) => o.minimize(p.loss(models[i], s)));
    for (const i of [0, 1]) expect(bitsOf(readFlat(opts[i].variables))).toEqual(bitsOf(readFlat(opts[i + 2].variables)));
  }
  opts[0].dispose();
  expect(shared.isDisposed).toBe(false);
  opts[1].minimize(p.loss(models[1], 3));
  opts[3].minimize(p.loss(models[3], 3));
  expect(bitsOf(readFlat(opts[1].variables))).toEqual(bitsOf(readFlat(opts[3].variables)));
  shared.dispose();
  const theta = bitsOf(readFlat(opts[1].variables));
  const count = tf.memory().numTensors;
  expect(() => opts[1].minimize(p.loss(models[1], 4))).toThrow(/basis .* was disposed; create a new basis or dispose it only after/);
  const leftByMinimize = tf.memory().numTensors - count;
  expect(leftByMinimize).toBe(0); // a rejected minimize frees its loss and gradients (regressions/rejected-minimize)
  expect(bitsOf(readFlat(opts[1].variables))).toEqual(theta);
  opts.slice(1).forEach((o) => o.dispose());
  own.forEach((b) => b.dispose());
  expect(tf.memory().numTensors).toBe(start + leftByMinimize);
  models.forEach((m) => m.dispose());
  p.dispose();
}

/**
 * The model gains a layer after the optimizer was created. `minimize` keeps training θ (the variables
 * the optimizer was created with; the new layer is not part of θ and keeps its values) inside
 * θ0 + span(Q); `fit` without a new `compile` is refused by tfjs-layers; after `compile`, `fit` hands
 * the optimizer a gradient for the new kernel: UnknownVariableError naming it, nothing changed. A new
 * optimizer that lists the layer as `free` trains it.
 */
export async function modelGainsLayer(mode: Mode): Promise<void> {
  const p = problem(4);
  const model = convDenseModel(4);
  const basis = gaussianBasis(model.countParams(), 6, { seed: 4 });
  const q = hostQ(basis);
  const theta0 = readFlat(model.trainableWeights.map((w) => w.read() as tf.Variable));
  const opt = wrap(mode, tf.train.momentum(0.05, 0.9), basis, model);
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  await model.fit(p.data[0].x, p.data[0].y, { epochs: 1, verbose: 0 });
  (model as tf.Sequential).add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 9 }) }));
  const added = model.layers[model.layers.length - 1].trainableWeights.map((w) => w.read() as tf.Variable);
  const addedBits = bitsOf(readFlat(added));
  opt.minimize(p.loss(model, 1));
  expect(bitsOf(readFlat(added))).toEqual(addedBits);
  const r = hostResidual(q, basis.ambientDim, basis.dim, difference(readFlat(opt.variables), theta0));
  expect(r.distance).toBeLessThanOrEqual(1e-5 * Math.max(1, r.displacement));
  await expect(model.fit(p.data[0].x, p.data[0].y, { epochs: 1, verbose: 0 })).rejects.toThrow(/must compile a model/);
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  const before = await snapshot(opt, [...opt.variables, ...added]);
  await expect(model.fit(p.data[0].x, p.data[0].y, { epochs: 1, verbose: 0 })).rejects.toThrow(UnknownVariableError);
  await expect(model.fit(p.data[0].x, p.data[0].y, { epochs: 1, verbose: 0 })).rejects.toThrow(
    `got a gradient for variable '${added[0].name}', which is not among the variables`,
  );
  expect(await snapshot(opt, [...opt.variables, ...added])).toEqual(before);
  opt.dispose();
  const next = wrap(mode, tf.train.momentum(0.05, 0.9), basis, model, { free: added });
  model.compile({ optimizer: next, loss: 'categoricalCrossentropy' });
  await model.fit(p.data[0].x, p.data[0].y, { epochs: 1, verbose: 0 });
  expect(bitsOf(readFlat(added))).not.toEqual(addedBits);
  next.dispose();
  basis.dispose();
  model.dispose();
  p.dispose();
}
