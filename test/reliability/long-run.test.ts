import { equalTolerance } from '../helpers';
import { runChild } from './child';

/**
 * The long run: 10⁴ steps in each mode on a real model (an MLP on the embedded digits, D = 610,
 * gaussian basis d = 40, on wasm), each in a plain Node child process (see long-run.ts); two children
 * run at once (coordinates with its reparameterized twin; ambient then parameters). Steps can be
 * changed with SUBSPACE_LONG_STEPS (CI: 10⁴).
 *
 * Claims, checked after every step in float64 from Q's values:
 * - ‖(I − P)(θ − θ0)‖ ≤ 1e-5·‖θ − θ0‖ + EPS32·‖θ‖: the relative bound of the issue plus the float32
 *   representation floor (storing θ rounds each entry by ≤ ½ ulp, ‖·‖ ≤ 2⁻²⁴‖θ‖; this term only
 *   matters in the first steps, while ‖θ − θ0‖ ≲ 1e-2), and DESIGN §3's ≤ 1e-5·max(1, ‖θ − θ0‖);
 * - coordinates mode ends where the reparameterized model θ0 + Q·z (autodiff, Adam on z) ends, within
 *   equalTolerance(steps, |θ|∞) = steps·4·EPS32·max(1, |θ|∞): each step rounds a few float32
 *   operations (the order of the Qᵀg sum differs between the two paths) by ≈ 4 ulp of |θ|, and the
 *   difference can at worst add up linearly. It is the worst case: the differences measured are far
 *   smaller (docs/reliability.md).
 */
const STEPS = Number(process.env.SUBSPACE_LONG_STEPS ?? 10_000);

interface LongRun {
  mode: string;
  optimizer: string;
  steps: number;
  worst: { ratio: number; step: number; distance: number; displacement: number };
  worstGuarded: number;
  worstBudget: number;
  worstLate: number;
  final: { distance: number; displacement: number };
  checkpoints: Array<{ step: number; maxDiff: number; thetaScale: number; loss: number; ratio: number }>;
  msPerStep: number;
}

describe(`${STEPS} steps per mode on the digits MLP (wasm, child processes)`, () => {
  let runs: LongRun[] = [];

  beforeAll(async () => {
    const [coordinates, others] = await Promise.all([
      runChild<LongRun>('long-run.ts', ['coordinates', `${STEPS}`]),
      (async () => [
        ...(await runChild<LongRun>('long-run.ts', ['ambient', `${STEPS}`])),
        ...(await runChild<LongRun>('long-run.ts', ['parameters', `${STEPS}`])),
      ])(),
    ]);
    runs = [...coordinates, ...others];
    // The measured figures, for docs/reliability.md.
    for (const r of runs) {
      const last = r.checkpoints[r.checkpoints.length - 1];
      process.stdout.write(
        `long run ${r.mode} (${r.optimizer}): worst ratio ${r.worst.ratio.toExponential(2)} at step ${r.worst.step}, ` +
          `after 1% ${r.worstLate.toExponential(2)}, guarded ${r.worstGuarded.toExponential(2)}, ` +
          `final ${(r.final.distance / r.final.displacement).toExponential(2)}, loss ${last.loss.toFixed(3)}, ` +
          `θ − θ_rep ${last.maxDiff}, ${r.msPerStep.toFixed(2)} ms/step\n`,
      );
    }
  }, 600_000);

  test.each(['coordinates', 'ambient', 'parameters'])('%s: θ stays in θ0 + span(Q) at every step', (mode) => {
    const r = runs.find((x) => x.mode === mode) as LongRun;
    expect(r.steps).toBe(STEPS);
    expect(r.worstBudget).toBeLessThanOrEqual(1);
    expect(r.worstGuarded).toBeLessThanOrEqual(1e-5);
    expect(r.final.displacement).toBeGreaterThan(1); // it really trained
    const [first, last] = [r.checkpoints[0], r.checkpoints[r.checkpoints.length - 1]];
    expect(last.loss).toBeLessThan(first.loss);
  });

  test('coordinates mode still equals the reparameterized model at the end', () => {
    const r = runs.find((x) => x.mode === 'coordinates') as LongRun;
    for (const c of r.checkpoints) {
      expect(c.maxDiff).toBeLessThanOrEqual(equalTolerance(c.step, c.thetaScale));
    }
  });
});
