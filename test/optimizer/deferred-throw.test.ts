import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, NonFiniteError, SubspaceOptimizer } from '../../src';
import { checksOnHost } from '../../src/optimizer/deferred-check';
import { batchNormModel, MODES, uniformArray, useBackend, wrap } from '../helpers';
import { bitsOf, readFlat } from '../reliability/cases';

/**
 * The default nonFinite: 'throw' on a backend where a read is a device sync (deferred-check.ts). Node
 * has no GPU: a cpu backend registered as 'syncgpu' stands in for one — its kernels are the cpu ones,
 * and its asynchronous `read` answers one timer tick later, as a GPU read answers after the queue.
 * A step reads nothing synchronously (the backend's readSync is spied: dataSync and every sync read
 * go through it), a non-finite step changes no variable or slot bit, and the error arrives by the
 * next call once the flag is read, or by `await checkNonFinite()`.
 */
const NAME = 'syncgpu';

beforeAll(async () => {
  const cpu = tf.findBackend('cpu') as tf.KernelBackend;
  const Cpu = cpu.constructor as new () => tf.KernelBackend;
  const readSync = Cpu.prototype.readSync;
  tf.registerBackend(NAME, () => {
    const b = new Cpu();
    b.read = (id: object) => {
      const v = readSync.call(b, id) as tf.backend_util.BackendValues;
      return new Promise((r) => setTimeout(() => r(v), 1));
    };
    return b;
  });
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: NAME });
  await useBackend(NAME as 'cpu');
});
afterAll(async () => {
  await useBackend('cpu');
  tf.removeBackend(NAME);
});

const tick = () => new Promise((r) => setTimeout(r, 10));

function make(): tf.Variable[] {
  return [
    tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(12, 1, 0.5), [4, 3]))),
    tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(3, 2, 0.5)))),
  ];
}

/**
 * The bits of the variables and of every slot of the inner optimizer (read outside the wrapper),
 * without the inner iteration count: a host number that counts calls, as the wrapper's iterations do.
 */
async function state(opt: SubspaceOptimizer, vars: tf.Variable[]): Promise<number[][]> {
  const ws = await opt.inner.getWeights();
  const out = [bitsOf(readFlat(vars)), ...ws.slice(1).map((w) => bitsOf(w.tensor.dataSync() as Float32Array))];
  ws[0].tensor.dispose();
  return out;
}

test('cpu and wasm keep the synchronous check; other backends defer it', () => {
  expect([checksOnHost('cpu'), checksOnHost('wasm'), checksOnHost('webgl'), checksOnHost('webgpu')]).toEqual([true, true, false, false]);
  expect(checksOnHost()).toBe(false);
});

describe.each(MODES)("default nonFinite 'throw' on a syncing backend, %s", (mode) => {
  test('no sync per step; a NaN step changes nothing; the next call or checkNonFinite throws', async () => {
    const start = tf.memory().numTensors;
    const [va, vb] = [make(), make()];
    const basis = gaussianBasis(15, 4, { seed: 9, storage: 'tensor' });
    const opt = wrap(mode, tf.train.adam(0.02), basis, va);
    const twin = wrap(mode, tf.train.adam(0.02), basis, vb, { nonFinite: 'skip' });
    const grads = Array.from({ length: 4 }, (_, i) => [tf.tensor2d(uniformArray(12, 200 + i), [4, 3]), tf.tensor1d(uniformArray(3, 300 + i))]);
    const nan = [tf.fill([4, 3], NaN), tf.tensor1d([0, Infinity, 0])];
    const named = (v: tf.Variable[], g: tf.Tensor[]) => v.map((x, i) => ({ name: x.name, tensor: g[i] }));
    const both = (g: tf.Tensor[]) => [[opt, va], [twin, vb]].forEach(([o, v]) => (o as SubspaceOptimizer).applyGradients(named(v as tf.Variable[], g)));
    const spy = jest.spyOn(tf.backend(), 'readSync');
    const syncsDuring = (f: () => void) => {
      spy.mockClear();
      f();
      return spy.mock.calls.length;
    };
    both(grads[0]); // creates the slots: this first step still checks on the host
    expect(syncsDuring(() => opt.applyGradients(named(va, grads[1])))).toBe(0);
    twin.applyGradients(named(vb, grads[1]));
    await opt.checkNonFinite();
    const count = tf.memory().numTensors;
    const before = await state(opt, va);
    const iterations = opt.iterations;

    // A NaN step: no sync, no throw yet (its flag is in flight), nothing changes.
    expect(syncsDuring(() => opt.applyGradients(named(va, nan)))).toBe(0);
    expect(opt.origin).toBeDefined(); // flag not read yet: calls pass
    await tick();
    const grab = (f: () => unknown) => { try { f(); } catch (e) { return e as Error; } return null; };
    const err = grab(() => opt.applyGradients(named(va, grads[2])));
    expect(err).toBeInstanceOf(NonFiniteError);
    expect(err?.message).toMatch(/step 3 had a non-finite gradient and was not applied; nothing was updated.*nonFinite: 'skip'/);
    expect(await state(opt, va)).toEqual(before);
    expect(opt.iterations).toBe(iterations + 1); // counted as a call, as 'skip' counts it
    expect(tf.memory().numTensors).toBe(count);
    twin.applyGradients(named(vb, nan));

    // Several steps in flight, a fault in the middle; the explicit wait names it, once.
    both(grads[2]);
    expect(syncsDuring(() => opt.applyGradients(named(va, nan)))).toBe(0);
    twin.applyGradients(named(vb, nan));
    both(grads[3]);
    await expect(opt.checkNonFinite()).rejects.toThrow(/step 5 had a non-finite gradient and was not applied/);
    await expect(opt.checkNonFinite()).resolves.toBeUndefined();
    expect(await state(opt, va)).toEqual(await state(twin, vb)); // the other steps applied, like 'skip'
    expect(opt.iterations).toBe(twin.iterations);
    expect(tf.memory().numTensors).toBe(count);

    // Flags still in flight at dispose are freed.
    opt.applyGradients(named(va, nan));
    opt.applyGradients(named(va, grads[0]));
    spy.mockRestore();
    opt.dispose();
    twin.dispose();
    await tick();
    basis.dispose();
    tf.dispose([...va, ...vb, ...grads.flat(), ...nan]);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe.each(MODES)("the deferred 'throw' puts back what the loss wrote, %s", (mode) => {
  test('a NaN batch through minimize on a BatchNorm model: moving statistics restored on the device, the error at the next call', async () => {
    const start = tf.memory().numTensors;
    const model = batchNormModel(4);
    const x = tf.tensor2d(uniformArray(6 * 8, 41), [6, 8]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3).toFloat());
    const bad = tf.tidy(() => tf.concat([tf.fill([1, 8], NaN), x.slice([1, 0], [5, 8])]));
    const D = model.trainableWeights.reduce((n, w) => n + w.read().size, 0);
    const basis = gaussianBasis(D, 6, { seed: 2, storage: 'tensor' });
    const opt = wrap(mode, tf.train.adam(0.01), basis, model);
    const loss = (input: tf.Tensor) => () => tf.losses.softmaxCrossEntropy(y, model.apply(input, { training: true }) as tf.Tensor) as tf.Scalar;
    const bitsOfModel = () => model.getWeights().map((w) => bitsOf(w.dataSync() as Float32Array));
    for (let s = 0; s < 2; s++) opt.minimize(loss(x)); // the first creates the slots
    await opt.checkNonFinite();
    const count = tf.memory().numTensors;
    const before = bitsOfModel();
    // A cpu kernel reads its own input through readSync (Tile's bufferSync, in BatchNorm's gradient): on a
    // GPU that read stays on the device, so only reads made outside a kernel count as host syncs.
    const orig = tf.backend().readSync.bind(tf.backend());
    let hostReads = 0;
    const spy = jest.spyOn(tf.backend(), 'readSync').mockImplementation((id: object) => {
      if (!/kernelFunc/.test(new Error().stack ?? '')) hostReads++;
      return orig(id);
    });
    opt.minimize(loss(bad)); // writes NaN moving statistics in its forward pass
    expect(spy).toHaveBeenCalled(); // the spy is live
    expect(hostReads).toBe(0); // deferred: no host sync in the step
    spy.mockRestore();
    await expect(opt.checkNonFinite()).rejects.toThrow(/step 3 had a non-finite gradient and was not applied/);
    expect(bitsOfModel()).toEqual(before); // trainable and moving statistics, bit for bit
    expect(tf.memory().numTensors).toBe(count);
    opt.minimize(loss(x)); // training goes on, finite
    await opt.checkNonFinite();
    const out = model.predict(x) as tf.Tensor;
    expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
    out.dispose();
    opt.dispose();
    basis.dispose();
    model.dispose();
    tf.dispose([x, y, bad]);
    expect(tf.memory().numTensors).toBe(start);
  });
});
