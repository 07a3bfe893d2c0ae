import * as tf from '@tensorflow/tfjs';
import { DimensionMismatchError, gaussianBasis, InvalidArgumentError, SubspaceOptimizer } from '../../src';
import { BACKENDS, batches, convDenseModel, Mode, MODES, OPTIMIZERS, ruleOf, snapshot, useBackend, wrap } from '../helpers';
import { corruptionsOf, NamedTensor } from './corruptions';

/**
 * Corrupted optimizer state (getWeights → setWeights), for every mode and tf.train optimizer (on wasm;
 * Adam on cpu): every entry NaN-filled or truncated, impossible
 * iteration counts, a cut list, another D, another d, another inner optimizer, another dtype. Each is
 * rejected with a typed error whose message names the entry that does not match, and the optimizer
 * that refused it (already trained, so it has state to lose) and its model are left untouched: same
 * state and variable values, same tensor count. Compact checkpoints (issue 5) are not covered yet.
 * A dropped slot entry and another basis of the same D and d: regressions/state-identity.test.ts.
 */

function trained(mode: Mode, make: () => tf.Optimizer, seed: number, d = 8) {
  const data = batches(2, seed);
  const model = convDenseModel(seed);
  const basis = gaussianBasis(model.countParams(), d, { seed: 1 });
  const opt = wrap(mode, make(), basis, model);
  for (let s = 0; s < 3; s++) {
    opt.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(data[s % 2].y, model.apply(data[s % 2].x) as tf.Tensor)) as tf.Scalar);
  }
  const dispose = () => {
    opt.dispose();
    basis.dispose();
    model.dispose();
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
  };
  return { opt, model, dispose };
}

/** Each attempt must reject with its error and message and leave `victim` exactly as it was. */
async function expectAllRejected(
  victim: SubspaceOptimizer,
  attempts: Array<{ what: string; weights: NamedTensor[]; error: new (...args: never[]) => Error; message: string | RegExp }>,
): Promise<void> {
  const before = await snapshot(victim, victim.variables);
  const count = tf.memory().numTensors;
  for (const a of attempts) {
    const outcome = await victim.setWeights(a.weights).then(
      () => `accepted`,
      (e: Error) => (e instanceof a.error && (typeof a.message === 'string' ? e.message.includes(a.message) : a.message.test(e.message)) ? 'ok' : `${e.name}: ${e.message}`),
    );
    expect({ what: a.what, outcome }).toEqual({ what: a.what, outcome: 'ok' });
  }
  expect(tf.memory().numTensors).toBe(count);
  expect(await snapshot(victim, victim.variables)).toEqual(before);
}

describe.each(BACKENDS)('corrupted optimizer state on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(MODES)('%s mode', (mode) => {
    // Validation is the same JavaScript on every backend (only the NaN check runs a kernel): every
    // optimizer on wasm, Adam (the most state) on cpu.
    const optimizers = OPTIMIZERS.filter(([name]) => backend === 'wasm' || name === 'adam');
    test.each(optimizers.map(([name, make]) => [name, make] as const))(
      '%s: NaN-filled or truncated entries, bad iteration counts, a cut list: rejected, nothing changed',
      async (_name, make) => {
        const source = trained(mode, make, 2);
        const victim = trained(mode, make, 3);
        const saved = await source.opt.getWeights();
        const { list, made } = corruptionsOf(saved, ruleOf(mode).savedWeights.length); // the rule's own entries (z in coordinates mode)
        const start = tf.memory().numTensors;
        await expectAllRejected(victim.opt, list);
        // The intact list is accepted (the checks above rejected the corruption, not the source).
        await victim.opt.setWeights(saved);
        expect(tf.memory().numTensors).toBe(start);
        tf.dispose([saved[0].tensor, ...made]);
        source.dispose();
        victim.dispose();
      },
    );

    test('another D, another d, another inner optimizer, another dtype: rejected, nothing changed', async () => {
      const victim = trained(mode, () => tf.train.adam(0.01), 3);
      const otherModel = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
      const otherBasis = gaussianBasis(otherModel.countParams(), 5, { seed: 1 });
      const otherD = wrap(mode, tf.train.adam(0.01), otherBasis, otherModel);
      const otherSmallD = trained(mode, () => tf.train.adam(0.01), 2, 5);
      const momentum = trained(mode, () => tf.train.momentum(0.05, 0.9), 2);
      const [wD, wd, wInner, good] = await Promise.all([otherD, otherSmallD.opt, momentum.opt, victim.opt].map((o) => o.getWeights()));
      const last = good.length - 1;
      const asInt = tf.cast(good[last].tensor, 'int32');
      const attempts = [
        { what: 'another D', weights: wD, error: DimensionMismatchError, message: 'origin must be a vector of length 119, got shape [8]' },
        { what: 'an int32 entry', weights: good.map((w, i) => (i === last ? { name: w.name, tensor: asInt } : w)), error: InvalidArgumentError, message: `optimizer weight '${good[last].name}' must be float32, got int32` },
        { what: 'another inner optimizer', weights: wInner, error: InvalidArgumentError, message: "unexpected optimizer weight 'inner/accumulations/0' for a Adam inner optimizer" },
      ];
      // The basis probe (Qᵀv for a fixed v) comes right after the origin: another d is caught there.
      attempts.push({ what: 'another d', weights: wd, error: DimensionMismatchError, message: "'subspace/basis' has shape [5], expected [8]" });
      await expectAllRejected(victim.opt, attempts);
      tf.dispose([asInt, ...[wD, wd, wInner, good].map((w) => w[0].tensor)]);
      [victim, otherSmallD, momentum].forEach((t) => t.dispose());
      [otherD, otherBasis, otherModel].forEach((x) => x.dispose());
    });
  });
});
