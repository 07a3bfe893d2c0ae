import * as tf from '@tensorflow/tfjs';
import { galore } from '../../src/evolving/galore';
import { BACKENDS, EPS32, useBackend } from '../helpers';
import { Mat, ProblemVariable, ReferenceSettings, rng, runReference, withSpectrum } from './galore-reference';

/**
 * The wrapper against the independent float64 GaLore of galore-reference.ts on a least-squares
 * problem L = ½ Σ s_j (W − A)²: three projected variables (6×10: left side; 12×5: right side;
 * [2, 3, 7]: a conv-like kernel, 2-D view 6×7) and two stepped in full (4×2, whose smaller side 2 is
 * ≤ r; and a bias). r = 2, T = 5, 20 steps: re-basings at steps 0, 5, 10, 15. The targets' singular
 * values fall by ≥ 2.5× from one to the next, so the gradient's top r + 1 singular values stay well
 * separated at every re-basing (asserted below, σ_j/σ_{j+1} ≥ 1.5): float32 and float64 SVDs then
 * pick the same vectors, and the comparison is about rounding only.
 */
function problem(): ProblemVariable[] {
  const make = (shape: number[], sigma: number[] | null, seed: number): ProblemVariable => {
    const n = shape[shape.length - 1];
    const size = shape.reduce((a, b) => a * b, 1);
    const next = rng(seed);
    const target = sigma ? Float32Array.from(withSpectrum(size / n, n, sigma, seed)) : Float32Array.from({ length: size }, () => next());
    return {
      shape,
      init: Float32Array.from({ length: size }, () => 0.05 * next()),
      target,
      weights: Float32Array.from({ length: n }, () => 1 + 0.4 * next()),
    };
  };
  return [
    make([6, 10], [8, 3, 1, 0.3, 0.1, 0.03], 1),
    make([12, 5], [6, 2.5, 0.8, 0.2, 0.05], 2),
    make([2, 3, 7], [5, 2, 0.7, 0.2, 0.06, 0.02], 3),
    make([4, 2], null, 4),
    make([4], null, 5),
  ];
}

const STEPS = 20;
/**
 * |W| ≤ 10 here. Each step rounds a few float32 operations on W (≈ 4 ulp of 10 = 4e-6 at most); the
 * float32 SVD adds ≈ ε₃₂·σ₁²/gap² ≈ 1e-6 to P, which a step scales by lr·α = 0.0125; Adam's
 * normalization m̂/√v̂ amplifies relative errors of small moments by a few. 20 steps · 8 · ε₃₂ · 10
 * = 1.9e-4 bounds that with room. Measured on cpu and wasm: 5.1e-6 (the two plain-Adam variables;
 * ≤ 2.0e-6 on the projected ones), and max |P − P_ref| ≤ 4.1e-7.
 */
const TOL = STEPS * 8 * EPS32 * 10;
const CFG: Omit<ReferenceSettings, 'moments'> = { rank: 2, updateEvery: 5, scale: 0.25, lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

test('the three moment rules give trajectories far apart (so that matching the right one means something)', () => {
  const runs = (['project', 'keep', 'reset'] as const).map((moments) => {
    let last: Float64Array[] = [];
    runReference(problem(), { ...CFG, moments }, STEPS, (_t, w) => (last = w));
    return last.flatMap((w) => Array.from(w));
  });
  const gap = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) expect(gap(runs[a], runs[b])).toBeGreaterThan(50 * TOL);
});

describe.each(BACKENDS)('galore vs a float64 GaLore reference (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(['project', 'keep', 'reset'] as const)("moments '%s': every step equal to float32 rounding, bases equal at every re-basing", (moments) => {
    const vars = problem();
    const expected: Float64Array[][] = [];
    const bases: Array<Array<Mat | null>> = [];
    runReference(vars, { ...CFG, moments }, STEPS, (t, weights, info) => {
      expected.push(weights);
      bases.push(info.bases.map((b) => (b ? b.map((row) => row.slice()) : null)));
      info.spectra.forEach((s) => {
        // The premise of the comparison: the top r + 1 singular values well separated at every re-basing.
        if (s) for (let j = 0; j < CFG.rank; j++) expect(s[j] / s[j + 1]).toBeGreaterThanOrEqual(1.5);
      });
    });

    const variables = vars.map((v) => tf.variable(tf.tensor(v.init, v.shape)));
    const targets = vars.map((v) => tf.tensor(v.target, v.shape));
    const weights = vars.map((v) => tf.tensor1d(v.weights));
    const loss = () => tf.addN(variables.map((w, k) => tf.mul(0.5, tf.sum(tf.mul(tf.square(tf.sub(w, targets[k])), weights[k]))))) as tf.Scalar;
    const opt = galore(tf.train.adam(CFG.lr, CFG.beta1, CFG.beta2, CFG.epsilon), { rank: CFG.rank, updateEvery: CFG.updateEvery, scale: CFG.scale, moments });
    let worst = 0;
    let worstBasis = 0;
    for (let t = 1; t <= STEPS; t++) {
      opt.minimize(loss, false, variables);
      if (t === 1) expect(opt.matrices.map((m) => m?.side ?? 'full')).toEqual(['left', 'right', 'left', 'full', 'full']);
      variables.forEach((v, k) => {
        const got = v.dataSync();
        expected[t - 1][k].forEach((x, i) => (worst = Math.max(worst, Math.abs(got[i] - x))));
      });
      if ((t - 1) % CFG.updateEvery === 0) {
        opt.matrices.forEach((m, k) => {
          if (!m) return;
          const P = m.P.dataSync();
          (bases[t - 1][k] as Mat).flat().forEach((x, i) => (worstBasis = Math.max(worstBasis, Math.abs(P[i] - x))));
        });
      }
    }
    const tol = TOL;
    // Singular vectors of the float32 gradient vs the float64 one: ε₃₂·κ with κ = σ₁²/min gap² ≤ 10 here: 1e-5.
    expect(worstBasis).toBeLessThanOrEqual(1e-5);
    expect(worst).toBeLessThanOrEqual(tol);
    // eslint-disable-next-line no-console
    console.log(`${backend} ${moments}: max |W − W_ref| = ${worst.toExponential(2)}, max |P − P_ref| = ${worstBasis.toExponential(2)}`);
    opt.dispose();
    tf.dispose([variables, targets, weights]);
  });
});
