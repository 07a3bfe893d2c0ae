import fc from 'fast-check';
import { BACKENDS, useBackend } from '../helpers';
import { caseArb } from './arbitraries';
import { checkBasis } from './property-basis';
import { checkTrajectory } from './property-optimizer';
import { checkRoundTrip } from './property-state';

/**
 * Property-based tests (fast-check) over random variable shapes (scalars to 4-D kernels), D, d ≤ D,
 * every basis kind, both wrappers in every mode and all seven tf.train optimizers, on cpu and wasm.
 * A failure is shrunk to a small case printed as plain data, with the claim that broke and its
 * numbers. The runs per property and backend are modest to fit the CI budget; raise them locally
 * with SUBSPACE_PROPERTY_RUNS=… (fast-check prints the seed to replay a failure).
 */
const RUNS = Number(process.env.SUBSPACE_PROPERTY_RUNS ?? 0);
const runs = (ci: number) => (RUNS > 0 ? RUNS : ci);

describe.each(BACKENDS)('properties on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test(`every basis kind: QᵀQ = I, lift∘project idempotent, project∘lift = identity (${runs(50)} cases)`, () => {
    fc.assert(fc.property(caseArb, checkBasis), { numRuns: runs(50) });
  });

  test(`every mode and optimizer: equal cells match reparameterize; θ stays in θ0 + span(Q) where it must (${runs(30)} cases)`, () => {
    fc.assert(fc.property(caseArb, checkTrajectory), { numRuns: runs(30) });
  });

  test(`getWeights → setWeights into a fresh wrapper continues bit-identically (${runs(20)} cases)`, async () => {
    await fc.assert(fc.asyncProperty(caseArb, checkRoundTrip), { numRuns: runs(20) });
  });
});
