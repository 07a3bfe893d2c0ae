import { blockBasis, gaussianBasis, hashedBasis, InvalidArgumentError, perVariableBasis, srhtBasis } from '../../src';
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
    model.dispose();
  });

  test('bad input', () => {
    expect(() => blockBasis([])).toThrow(InvalidArgumentError);
    expect(() => blockBasis([{} as never])).toThrow(/parts\[0\] is not a Basis/);
    const dead = hashedBasis(4, 2);
    dead.dispose();
    expect(() => blockBasis([dead])).toThrow(/was disposed/);
  });
});
