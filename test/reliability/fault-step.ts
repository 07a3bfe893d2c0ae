import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, NonFiniteError } from '../../src';
import { batches, convDenseModel, Mode, snapshot, uniformArray, wrap } from '../helpers';
import { bitsOf, readFlat } from './cases';

/**
 * Faults during a step. In each, the failed step must change nothing (variables, optimizer state,
 * iteration count), the run must then continue bit for bit like a twin that never saw the fault,
 * and the wrapper must not leak a tensor of its own.
 */

type Loss = (m: tf.LayersModel, s: number) => () => tf.Scalar;

function twins(mode: Mode, seed: number) {
  const data = batches(4, seed);
  const [a, b] = [convDenseModel(seed), convDenseModel(seed)];
  const basis = gaussianBasis(a.countParams(), 8, { seed });
  const [optA, optB] = [a, b].map((m) => wrap(mode, tf.train.adam(0.02), basis, m));
  const loss: Loss = (m, s) => () =>
    tf.mean(tf.metrics.categoricalCrossentropy(data[s % 4].y, m.apply(data[s % 4].x) as tf.Tensor)) as tf.Scalar;
  const same = () => expect(bitsOf(readFlat(optB.variables))).toEqual(bitsOf(readFlat(optA.variables)));
  const dispose = () => {
    [optA, optB, basis, a, b].forEach((x) => x.dispose());
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
  };
  return { data, a, b, optA, optB, loss, same, dispose };
}

/**
 * `minimize(f)` where f runs part of the forward pass and throws: the caller gets f's own error and
 * no tensor is left behind — not even those tfjs-core's tape saved for a backward pass that never
 * ran, which `tf.variableGrads` on the same f (and every tf.train optimizer) leaves (loss-guard.ts).
 */
export async function lossThrowsInMinimize(mode: Mode): Promise<void> {
  const t = twins(mode, 3);
  for (let s = 0; s < 3; s++) [t.optA, t.optB].forEach((o, i) => o.minimize(t.loss([t.a, t.b][i], s)));
  const before = await snapshot(t.optA, t.optA.variables);
  const failure = new Error('the loss failed half way');
  const throwing = () => {
    tf.sum(t.a.apply(t.data[0].x) as tf.Tensor);
    throw failure;
  };
  const count = tf.memory().numTensors;
  let caught: unknown;
  try {
    t.optA.minimize(throwing);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBe(failure);
  const leftByStep = tf.memory().numTensors - count;
  expect(() => tf.variableGrads(throwing, t.optA.variables as tf.Variable[])).toThrow(failure);
  const leftByTfjs = tf.memory().numTensors - count - leftByStep;
  expect(leftByStep).toBe(0);
  expect(leftByTfjs).toBeGreaterThan(0);
  expect(await snapshot(t.optA, t.optA.variables)).toEqual(before);
  for (let s = 3; s < 6; s++) {
    [t.optA, t.optB].forEach((o, i) => o.minimize(t.loss([t.a, t.b][i], s)));
    t.same();
  }
  expect(tf.memory().numTensors).toBe(count + leftByTfjs);
  t.dispose();
}

/**
 * `model.fit` whose loss throws at batch 2 of 4: fit rejects with that error after two applied steps;
 * the model equals a twin fitted on those two batches only; a later fit continues like the twin's.
 * With a plain tf.train.adam the same failure leaves the tape's saved tensors (counted as those
 * `tf.variableGrads` leaves on the same forward pass and loss) and tfjs-layers' own (its fit loop
 * disposes the epoch's index tensors when an epoch ends, which this one never does); with the
 * wrapper only tfjs-layers' own.
 */
export async function lossThrowsInFit(mode: Mode): Promise<void> {
  const t = twins(mode, 4);
  const xs = tf.concat(t.data.map((d) => d.x));
  const ys = tf.concat(t.data.map((d) => d.y));
  const failure = new Error('the loss failed at batch 2');
  let armed = false;
  const lossFn = (y: tf.Tensor, p: tf.Tensor) => {
    if (armed) throw failure;
    return tf.mean(tf.metrics.categoricalCrossentropy(y, p));
  };
  const plain = convDenseModel(4);
  plain.compile({ optimizer: tf.train.adam(0.02), loss: lossFn });
  [t.a, t.b].forEach((m, i) => m.compile({ optimizer: [t.optA, t.optB][i], loss: lossFn }));
  const fitOpts = { batchSize: 8, epochs: 1, verbose: 0 as const, shuffle: false };
  for (const m of [t.a, t.b, plain]) await m.fit(xs, ys, fitOpts); // slots exist from here on
  const arm = { onBatchEnd: async (batch: number) => void (armed = batch === 1) };
  const count = tf.memory().numTensors;
  await expect(plain.fit(xs, ys, { ...fitOpts, callbacks: arm })).rejects.toBe(failure);
  const leftByTfjs = tf.memory().numTensors - count;
  // Of those, the tape's: the same forward pass and throwing loss under tf.variableGrads, no fit.
  const [xb, yb] = [tf.slice(xs, 16, 8), tf.slice(ys, 16, 8)];
  const beforeTape = tf.memory().numTensors;
  expect(() => tf.variableGrads(() => lossFn(yb, plain.apply(xb) as tf.Tensor) as tf.Scalar)).toThrow(failure);
  const leftByTape = tf.memory().numTensors - beforeTape;
  expect(leftByTape).toBeGreaterThan(0);
  armed = false;
  const countA = tf.memory().numTensors;
  await expect(t.a.fit(xs, ys, { ...fitOpts, callbacks: arm })).rejects.toBe(failure);
  expect(tf.memory().numTensors - countA).toBe(leftByTfjs - leftByTape);
  tf.dispose([xb, yb]);
  armed = false;
  const [x2, y2] = [tf.slice(xs, 0, 16), tf.slice(ys, 0, 16)];
  await t.b.fit(x2, y2, fitOpts);
  expect(t.optA.iterations).toBe(t.optB.iterations);
  t.same();
  for (const m of [t.a, t.b]) await m.fit(xs, ys, fitOpts);
  t.same();
  tf.dispose([xs, ys, x2, y2]);
  plain.dispose();
  t.dispose();
}

/**
 * A NaN appears after `good` good steps (Adam, whose state is then far from its start; the good steps
 * apply seeded gradients, cycled, to keep 10³ of them cheap). A 'skip' optimizer takes them; a
 * 'throw' twin then restores its state (bit-identical continuation is proven by the state tests).
 * With the default policy the NaN step throws a NonFiniteError naming the variables and nothing
 * changes; with 'skip' it is dropped and counted. Both then continue bit for bit alike. The NaN
 * arrives as a gradient (applyGradients) and in the data (minimize).
 */
export async function nanAfterGoodSteps(mode: Mode, good: number): Promise<void> {
  const start = tf.memory().numTensors;
  const make = (): tf.Variable[] => [
    tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(12, 1, 0.5), [4, 3]))),
    tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(3, 2, 0.5)))),
  ];
  const [va, vb] = [make(), make()];
  const basis = gaussianBasis(15, 4, { seed: 9 });
  const skipping = wrap(mode, tf.train.adam(0.01), basis, vb, { nonFinite: 'skip' });
  const gradients = Array.from({ length: 8 }, (_, i) => [
    tf.tensor2d(uniformArray(12, 200 + i), [4, 3]),
    tf.tensor1d(uniformArray(3, 300 + i)),
  ]);
  const named = (v: tf.Variable[], g: tf.Tensor[]) => v.map((x, i) => ({ name: x.name, tensor: g[i] }));
  for (let s = 0; s < good; s++) skipping.applyGradients(named(vb, gradients[s % 8]));
  va.forEach((v, i) => v.assign(vb[i]));
  const throwing = wrap(mode, tf.train.adam(0.01), basis, va);
  const saved = await skipping.getWeights();
  await throwing.setWeights(saved);
  saved[0].tensor.dispose();
  const before = await snapshot(throwing, va);
  const nan = [tf.fill([4, 3], NaN), tf.tensor1d([0, Infinity, 0])];
  const count = tf.memory().numTensors;
  expect(() => throwing.applyGradients(named(va, nan))).toThrow(NonFiniteError);
  expect(() => throwing.applyGradients(named(va, nan))).toThrow(
    `the gradient of '${va[0].name}', '${va[1].name}' contains NaN or Infinity; nothing was updated`,
  );
  skipping.applyGradients(named(vb, nan));
  expect(tf.memory().numTensors).toBe(count);
  // The same through minimize, with a NaN in the data. (A rejected minimize leaves its loss value and
  // gradients behind before the fix tested in regressions/rejected-minimize.test.ts.)
  const target = tf.tensor2d(uniformArray(15, 99), [5, 3]);
  const poisoned = tf.tensor2d([...uniformArray(19, 7)].concat([NaN]), [5, 4]);
  const loss = (v: tf.Variable[]) => () => tf.losses.meanSquaredError(target, tf.add(tf.matMul(poisoned, v[0]), v[1])) as tf.Scalar;
  expect(() => throwing.minimize(loss(va))).toThrow(NonFiniteError);
  skipping.minimize(loss(vb));
  expect(skipping.skippedSteps).toBe(2);
  // The two dropped steps count in skipping's iterations (as tf.train's counter counts calls).
  expect([throwing.iterations, skipping.iterations]).toEqual([good, good + 2]);
  expect(await snapshot(throwing, va)).toEqual(before);
  const steady = tf.memory().numTensors;
  for (let s = good; s < good + 5; s++) {
    throwing.applyGradients(named(va, gradients[s % 8]));
    skipping.applyGradients(named(vb, gradients[s % 8]));
    expect(bitsOf(readFlat(vb))).toEqual(bitsOf(readFlat(va)));
  }
  expect(tf.memory().numTensors).toBe(steady);
  const leftByMinimize = steady - count - 2; // target and poisoned are 2
  throwing.dispose();
  skipping.dispose();
  basis.dispose();
  tf.dispose([...va, ...vb, ...gradients.flat(), ...nan, target, poisoned]);
  expect(tf.memory().numTensors).toBe(start + leftByMinimize);
}
