import * as tf from '@tensorflow/tfjs';
import { AugmentedBasis, blockBasis, gaussianBasis, hashedBasis, InvalidArgumentError, perVariableBasis, srhtBasis } from '../../src';
import { BACKENDS, convDenseModel, useBackend } from '../helpers';
import { checkBasisContract } from './contract';

describe.each(BACKENDS)('blockBasis on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('the Basis contract for mixed kinds', () => {
    checkBasisContract(
      () => blockBasis([gaussianBasis(40, 5, { seed: 1 }), hashedBasis(33, 4, { seed: 2 }), srhtBasis(27, 6, { seed: 3 })]),
      100,
      15,
    );
    checkBasisContract(() => blockBasis([hashedBasis(10, 10)]), 10, 10);
  });

  test('perVariableBasis gives each variable its own block, in trainableWeights order', () => {
    const model = convDenseModel(1); // sizes 18, 2, 96, 3
    const start = tf.memory().numTensors;
    const basis = perVariableBasis(model, (size, i) => hashedBasis(size, Math.min(size, 2 + i), { seed: i }));
    expect(basis.parts.map((p) => [p.ambientDim, p.dim])).toEqual([[18, 2], [2, 2], [96, 4], [3, 3]]);
    expect([basis.ambientDim, basis.dim]).toEqual([119, 11]);
    // Block structure: Q's rows of variable 0 only touch columns 0–1, etc.
    const q = basis.materialize();
    const Q = q.arraySync();
    for (let r = 0; r < 18; r++) for (let c = 2; c < 11; c++) expect(Q[r][c]).toBe(0);
    q.dispose();
    basis.dispose();
    expect(basis.parts.every((p) => p.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  test('perVariableBasis with SAID-style scales: one extra orthonormal coordinate per nonzero variable', () => {
    const model = convDenseModel(2); // conv kernel, conv bias (random), dense kernel, dense bias (random)
    const zeroBias = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] }); // bias = 0
    const make = (size: number, i: number) => hashedBasis(size, Math.min(size - 1, 2), { seed: i });
    const start = tf.memory().numTensors;
    checkBasisContract(() => perVariableBasis(model, make, { scales: true }), 119, 2 + 1 + 1 + 1 + 2 + 1 + 2 + 1);
    const b = perVariableBasis(zeroBias, make, { scales: true });
    expect(b.parts.map((p) => p.kind)).toEqual(['hashed+scale', 'hashed']);
    // The scale coordinate of the kernel points along the kernel's values minus their part in the
    // hashed subspace (computed here in float64 from the hashed part's materialized Q).
    const w = Array.from(zeroBias.trainableWeights[0].read().dataSync());
    const qT = (b.parts[0] as AugmentedBasis).inner.materialize();
    const Q = qT.arraySync() as number[][];
    const c = [0, 1].map((j) => w.reduce((acc, wi, i) => acc + Q[i][j] * wi, 0));
    const rest = w.map((wi, i) => wi - Q[i][0] * c[0] - Q[i][1] * c[1]);
    const e = tf.tensor1d([0, 0, 1, 0, 0]); // z = (hashed kernel ×2, kernel scale, hashed bias ×2)
    const lifted = b.lift(e);
    const u = Array.from(lifted.dataSync()).slice(0, 12);
    const cos = u.reduce((acc, ui, i) => acc + ui * rest[i], 0) / Math.hypot(...u) / Math.hypot(...rest);
    expect(cos).toBeCloseTo(1, 5);
    tf.dispose([qT, e, lifted]);
    b.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
    zeroBias.dispose();
  });

  test('bad input', () => {
    expect(() => blockBasis([])).toThrow(InvalidArgumentError);
    expect(() => blockBasis([{} as never])).toThrow(/parts\[0\] is not a Basis/);
    const dead = hashedBasis(4, 2);
    dead.dispose();
    expect(() => blockBasis([dead])).toThrow(/was disposed/);
  });
});
