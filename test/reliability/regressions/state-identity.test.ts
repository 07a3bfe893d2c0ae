import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, hashedBasis, SubspaceError } from '../../../src';
import { batches, convDenseModel, flatWeights, maxAbsDiff, Mode, MODES, useBackend, wrap } from '../../helpers';

/**
 * Regressions (gaps in setWeights validation found by the reliability work, fixed: inner-state.ts
 * requires every slot once the optimizer has stepped; the saved 'subspace/basis' probe identifies the basis).
 * 1. A saved list with one slot entry missing (e.g. Adam's 'inner/accumulatedSecondMoment/0') is
 *    accepted: the slot is dropped and recreated as zeros at the next step while the β-powers are
 *    restored, so Adam's bias-corrected second moment starts over too small and the next step is
 *    another one — silently (measured after 3 steps of Adam(0.01): the next θ differs from the source's
 *    by up to 0.12 per entry in coordinates mode).
 * 2. State saved with one basis is accepted by an optimizer built with another basis of the same D and
 *    d (another seed, another kind): nothing in getWeights records the basis, so z (coordinates mode)
 *    or the D-sized slots (ambient mode: momentum then carries directions outside span(Q)) are applied
 *    to the wrong subspace without a word.
 * Expected here: each is rejected with a SubspaceError and the optimizer left unchanged.
 */
function trained(mode: Mode, seed: number, basisOf: (D: number) => { dispose(): void } & Parameters<typeof wrap>[2]) {
  const data = batches(2, 3);
  const model = convDenseModel(seed);
  const basis = basisOf(model.countParams());
  const opt = wrap(mode, tf.train.adam(0.01), basis, model);
  const loss = (s: number) => () =>
    tf.mean(tf.metrics.categoricalCrossentropy(data[s % 2].y, model.apply(data[s % 2].x) as tf.Tensor)) as tf.Scalar;
  for (let s = 0; s < 3; s++) opt.minimize(loss(s));
  const dispose = () => {
    [opt, basis, model].forEach((x) => x.dispose());
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
  };
  return { opt, model, loss, dispose };
}

describe('setWeights identity checks (cpu)', () => {
  beforeAll(() => useBackend('cpu'));

  test.each(MODES)('%s: a list missing one slot entry is rejected', async (mode) => {
    const source = trained(mode, 2, (D) => gaussianBasis(D, 8, { seed: 1 }));
    const victim = trained(mode, 2, (D) => gaussianBasis(D, 8, { seed: 1 }));
    const saved = await source.opt.getWeights();
    const cut = saved.filter((w) => w.name !== 'inner/accumulatedSecondMoment/0');
    expect(cut.length).toBe(saved.length - 1);
    const outcome = await victim.opt.setWeights(cut).then(() => 'accepted', (e) => e);
    if (outcome === 'accepted') {
      // Show the consequence: the restored optimizer's next step is far from the source's.
      source.opt.minimize(source.loss(3));
      victim.opt.minimize(victim.loss(3));
      const [a, b] = [flatWeights(source.model), flatWeights(victim.model)];
      process.stdout.write(`${mode}: after the accepted restore, one step differs by ${maxAbsDiff(a, b)}\n`);
      tf.dispose([a, b]);
    }
    expect(outcome).toBeInstanceOf(SubspaceError);
    saved[0].tensor.dispose();
    source.dispose();
    victim.dispose();
  });

  test.each(MODES)('%s: state saved with another basis of the same D and d is rejected', async (mode) => {
    const source = trained(mode, 2, (D) => gaussianBasis(D, 8, { seed: 1 }));
    for (const other of [(D: number) => gaussianBasis(D, 8, { seed: 2 }), (D: number) => hashedBasis(D, 8, { seed: 1 })]) {
      const victim = trained(mode, 2, other);
      const saved = await source.opt.getWeights();
      await expect(victim.opt.setWeights(saved)).rejects.toThrow(SubspaceError);
      saved[0].tensor.dispose();
      victim.dispose();
    }
    source.dispose();
  });
});
