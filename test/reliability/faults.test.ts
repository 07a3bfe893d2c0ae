import { SEEDED_BASIS_KINDS } from '../../src/basis/kinds';
import { BACKENDS, MODES, useBackend } from '../helpers';
import { BasisKind } from './cases';
import { disposeTwice, modelGainsLayer, sharedBasis, useAfterDispose, variableDisposedUnder } from './fault-lifecycle';
import { lossThrowsInFit, lossThrowsInMinimize, nanAfterGoodSteps } from './fault-step';

/**
 * Faults (issue 4): each gives a typed error or a documented, tested behaviour, never a silent wrong
 * update or a half-applied step. The scenarios are in fault-step.ts and fault-lifecycle.ts; every mode,
 * cpu and wasm. A NaN arrives after 10³ good steps on wasm (the fast Node backend) and 10² on cpu
 * (the same code path, 4–10× slower).
 */
/**
 * Basis kinds for the shared-basis case: every kind in coordinates mode on wasm (where the typed-array
 * kinds use their host path, which keeps per-call buffers), a tensor-stored and a tf-op basis
 * otherwise.
 */
const sharedKinds = (backend: string, mode: string): BasisKind[] =>
  backend === 'wasm' && mode === 'coordinates'
    ? [...SEEDED_BASIS_KINDS, 'gaussian-array', 'srht-tf', 'block', 'per-variable+scales', 'trajectory']
    : ['gaussian', 'srht-tf'];

describe.each(BACKENDS)('faults on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const good = backend === 'wasm' ? 1000 : 100;

  describe.each(MODES)('%s mode', (mode) => {
    test('the loss throws inside minimize: its error, nothing changed, the run continues like a twin', () =>
      lossThrowsInMinimize(mode));
    test('the loss throws at batch 2 of a fit: two steps applied, then the run continues like a twin', () =>
      lossThrowsInFit(mode));
    test(`a NaN after ${good} good steps: NonFiniteError and nothing changed ('skip': dropped); same continuation`, () =>
      nanAfterGoodSteps(mode, good));
    test('dispose() twice, for every tf.train optimizer: the second is a no-op, nothing leaks', () => disposeTwice(mode));
    test('use after dispose: DisposedError from every entry point, fit included', () => useAfterDispose(mode));
    test('a variable disposed under the optimizer: DisposedError naming it, the others untouched', () =>
      variableDisposedUnder(mode));
    test.each(sharedKinds(backend, mode))('one %s basis shared by two optimizers: each runs as if alone', (kind) => sharedBasis(mode, kind));
    test('the model gains a layer between steps: θ trained as before; fit after compile: UnknownVariableError', () =>
      modelGainsLayer(mode));
  });
});
