import * as tf from '@tensorflow/tfjs';
import {
  Basis,
  gaussianBasis,
  projectGradients,
  projectParameters,
  reparameterize,
} from '../../src';
import {
  BACKENDS,
  BASES,
  batches,
  convDenseModel,
  equalTolerance,
  flatWeights,
  keepsSubspace,
  maxAbs,
  maxAbsDiff,
  Mode,
  MODES,
  OPTIMIZERS,
  ownsCoordinates,
  useBackend,
  wrap,
} from '../helpers';

/**
 * The equivalence table: every wrapper mode against the reparameterized model θ0 + Q·z (autodiff
 * through the basis), for all seven tf.train optimizers, over 20 steps, on a Conv2D + Dense model, on
 * cpu and wasm. Coordinates mode and reparameterize run the same basis code (project/lift), so their
 * difference is exactly 0 on most bases: the comparison with a reference that shares no basis code
 * (Q materialized once, plain tf ops) is in plain-equivalence-{cpu,wasm}.test.ts.
 */
const STEPS = 20;
const D_SUB = 12;

interface Trace {
  /** max over steps of max |θ_wrapper − θ_reparameterized|. */
  maxDiff: number;
  /** max over steps of |θ|∞ (sets the rounding scale). */
  thetaScale: number;
  /** max over steps of ‖(I − P)(θ − θ0)‖ / max(1, ‖θ − θ0‖). */
  maxResidual: number;
  /** ‖θ − θ0‖ at the end: the run really moved. */
  displacement: number;
}

function run(mode: Mode, makeInner: () => tf.Optimizer, makeBasis: (D: number, d: number, seed: number) => Basis): Trace {
  const data = batches(4);
  const model = convDenseModel(1);
  const refModel = convDenseModel(1);
  const basis = makeBasis(model.countParams(), D_SUB, 11);
  const start = tf.memory().numTensors;
  const opt = wrap(mode, makeInner(), basis, model);
  const rep = reparameterize(refModel, basis);
  const refOpt = makeInner();
  const trace: Trace = { maxDiff: 0, thetaScale: 0, maxResidual: 0, displacement: 0 };
  for (let s = 0; s < STEPS; s++) {
    const { x, y } = data[s % data.length];
    opt.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, model.apply(x) as tf.Tensor)) as tf.Scalar);
    refOpt.minimize(
      () => tf.mean(tf.metrics.categoricalCrossentropy(y, rep.apply(x) as tf.Tensor)) as tf.Scalar,
      false,
      [rep.z],
    );
    const ours = flatWeights(model);
    const ref = rep.theta();
    trace.maxDiff = Math.max(trace.maxDiff, maxAbsDiff(ours, ref));
    trace.thetaScale = Math.max(trace.thetaScale, maxAbs(ref));
    tf.dispose([ours, ref]);
    const r = opt.residual();
    trace.maxResidual = Math.max(trace.maxResidual, r.distance / Math.max(1, r.displacement));
    trace.displacement = r.displacement;
  }
  opt.dispose();
  refOpt.dispose();
  rep.dispose();
  // Momentum's own dispose leaks a scalar (tfjs#4647); the wrapper's dispose frees it, the bare one not.
  tf.dispose(Object.values(refOpt).filter((v) => v instanceof tf.Tensor && !v.isDisposed));
  expect(tf.memory().numTensors).toBe(start);
  basis.dispose();
  tf.dispose(data.flatMap((b) => [b.x, b.y]));
  model.dispose();
  refModel.dispose();
  return trace;
}

describe.each(BACKENDS)('equivalence table on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(BASES)('%s basis', (basisName, makeBasis) => {
  describe.each(OPTIMIZERS)('%s', (_name, makeInner, kind) => {
    test.each(MODES)('%s mode', (mode) => {
      // What each cell must show comes from the rule: one that owns z steps the reparameterized model
      // for every optimizer; keepsSubspace (with this inner optimizer) says whether θ must stay in θ0 + span(Q).
      const keeps = keepsSubspace(mode, makeInner);
      const t = run(mode, makeInner, makeBasis);
      const tol = equalTolerance(STEPS, t.thetaScale);
      expect(t.displacement).toBeGreaterThan(1e-2); // the run really trained
      const equal = ownsCoordinates(mode) || kind === 'linear';
      if (equal) {
        expect(t.maxDiff).toBeLessThanOrEqual(tol);
      } else {
        // Element-wise adaptive optimizers follow another trajectory: far beyond rounding.
        expect(t.maxDiff).toBeGreaterThan(100 * tol);
      }
      if (!keeps && basisName !== 'hashed') {
        // ... and where the rule does not keep θ in the subspace (ambient mode), their steps leave span(Q) (10× the "stays" threshold at least). Not with a
        // hashed basis: all coordinates of a column share |w|, so an element-wise scaling is constant
        // on each column's support and maps span(Q) into itself (the steps still differ: column j's
        // step is √n_j times the reference's).
        expect(t.maxResidual).toBeGreaterThan(1e-4);
      } else {
        // Every other cell stays in θ0 + span(Q) after every step (docs/concepts.md, "The equivalence table": *stays in the subspace*).
        expect(t.maxResidual).toBeLessThanOrEqual(1e-5);
      }
    });
  });
  });

  test("KFrank's footnote: for SGD, gradient projection and parameter projection take the same steps", () => {
    const data = batches(3);
    const a = convDenseModel(5);
    const b = convDenseModel(5);
    const basis = gaussianBasis(a.countParams(), 7, { seed: 2 });
    const byGradient = projectGradients(tf.train.sgd(0.2), basis, { variables: a, mode: 'ambient' });
    const byParameter = projectParameters(tf.train.sgd(0.2), basis, { variables: b });
    let worst = 0;
    let scale = 0;
    for (let s = 0; s < STEPS; s++) {
      const { x, y } = data[s % data.length];
      byGradient.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, a.apply(x) as tf.Tensor)) as tf.Scalar);
      byParameter.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, b.apply(x) as tf.Tensor)) as tf.Scalar);
      const [ta, tb] = [flatWeights(a), flatWeights(b)];
      worst = Math.max(worst, maxAbsDiff(ta, tb));
      scale = Math.max(scale, maxAbs(ta));
      tf.dispose([ta, tb]);
    }
    expect(worst).toBeLessThanOrEqual(equalTolerance(STEPS, scale));
    expect(byGradient.residual().displacement).toBeGreaterThan(1e-2);
    byGradient.dispose();
    byParameter.dispose();
    basis.dispose();
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
    a.dispose();
    b.dispose();
  });
});
