import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, SubspaceOptimizer } from '../../src';
import { BACKENDS, MODES, snapshot, uniformArray, useBackend, wrap } from '../helpers';
import { bitsOf, readFlat } from '../reliability/cases';

/**
 * nonFinite: 'skip' without a device→host read (step-or-keep.ts): once the inner optimizer's slots
 * exist, a step reads no tensor back (counted by spying on every public read; 'throw' reads one flag
 * per step, the reference that shows the spy sees reads), a NaN
 * step changes no variable or slot, and the run then continues bit for bit like a twin that never
 * saw it. A tensor-stored basis keeps coordinates mode on tf ops (the typed-array bases read g on
 * the host by design).
 */

function make(): tf.Variable[] {
  return [
    tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(12, 1, 0.5), [4, 3]))),
    tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(3, 2, 0.5)))),
  ];
}

/**
 * How many times a tensor is read back to the host during f (dataSync, data, arraySync, array,
 * bufferSync, buffer: every public read; on a GPU each is a sync). Kernels of the cpu and wasm
 * backends read their own host memory internally; that is no device read and is not counted.
 */
function readsDuring(f: () => void): number {
  const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  let reads = 0;
  const originals = ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'].map((k) => [k, proto[k]] as const);
  for (const [k, fn] of originals) {
    proto[k] = function (this: unknown, ...a: unknown[]) {
      reads++;
      return fn.apply(this, a);
    };
  }
  try {
    f();
  } finally {
    for (const [k, fn] of originals) proto[k] = fn;
  }
  return reads;
}

describe.each(BACKENDS)("nonFinite: 'skip' on the device, on %s", (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(MODES)('%s: no read per step; a NaN step changes nothing; the run continues like a twin', async (mode) => {
    const [va, vb, vc] = [make(), make(), make()];
    const basis = gaussianBasis(15, 4, { seed: 9, storage: 'tensor' });
    const [skipping, twin] = [va, vb].map((v) => wrap(mode, tf.train.adam(0.02), basis, v, { nonFinite: 'skip' }));
    const checking = wrap(mode, tf.train.adam(0.02), basis, vc);
    const gradients = Array.from({ length: 4 }, (_, i) => [
      tf.tensor2d(uniformArray(12, 200 + i), [4, 3]),
      tf.tensor1d(uniformArray(3, 300 + i)),
    ]);
    const named = (v: tf.Variable[], g: tf.Tensor[]) => v.map((x, i) => ({ name: x.name, tensor: g[i] }));
    const all = (s: number) => ([[skipping, va], [twin, vb], [checking, vc]] as Array<[SubspaceOptimizer, tf.Variable[]]>).forEach(
      ([o, v]) => o.applyGradients(named(v, gradients[s % 4])),
    );
    all(0); // creates the slots: this step still checks on the host
    expect(readsDuring(() => skipping.applyGradients(named(va, gradients[1])))).toBe(0);
    expect(readsDuring(() => checking.applyGradients(named(vc, gradients[1])))).toBeGreaterThan(0);
    twin.applyGradients(named(vb, gradients[1]));
    const before = await snapshot(skipping, va);
    const nan = [tf.fill([4, 3], NaN), tf.tensor1d([0, Infinity, 0])];
    const count = tf.memory().numTensors;
    expect(readsDuring(() => skipping.applyGradients(named(va, nan)))).toBe(0);
    expect(tf.memory().numTensors).toBe(count);
    const after = await snapshot(skipping, va);
    expect(after.variables).toEqual(before.variables);
    expect(after.weights.slice(1)).toEqual(before.weights.slice(1));
    expect(after.iterations).toBe(before.iterations + 1);
    expect(skipping.skippedSteps).toBe(1);
    for (let s = 2; s < 6; s++) {
      skipping.applyGradients(named(va, gradients[s % 4]));
      twin.applyGradients(named(vb, gradients[s % 4]));
      expect(bitsOf(readFlat(va))).toEqual(bitsOf(readFlat(vb)));
    }
    expect(tf.memory().numTensors).toBe(count);
    expect([skipping.skippedSteps, twin.skippedSteps]).toEqual([1, 0]);
    [skipping, twin, checking, basis].forEach((x) => x.dispose());
    tf.dispose([...va, ...vb, ...vc, ...gradients.flat(), ...nan]);
  });
});
