import { modesOf } from '../../src/optimizer/rules/registry';
import { equalTolerance, MODES } from '../helpers';
import { maxDiff } from './cases';
import { runChild } from './child';

/**
 * The long run: 10⁴ steps in each mode on a real model (an MLP on the embedded digits, D = 610,
 * gaussian basis d = 40, on wasm), in plain Node child processes (see long-run.ts); two run at once,
 * the modes of projectGradients (coordinates, ambient) in one, the reparameterized path and those of
 * projectParameters (parameters) in the other (balanced: about the same work each). Steps can be changed with SUBSPACE_LONG_STEPS (CI: 10⁴).
 *
 * Claims, checked after every step in float64 from Q's values:
 * - ‖(I − P)(θ − θ0)‖ ≤ 1e-5·‖θ − θ0‖ + EPS32·‖θ‖: the relative bound of the issue plus the float32
 *   representation floor (storing θ rounds each entry by ≤ ½ ulp, ‖·‖ ≤ 2⁻²⁴‖θ‖; this term only
 *   matters in the first steps, while ‖θ − θ0‖ ≲ 1e-2), and docs/concepts.md's "The equivalence table" bound ≤ 1e-5·max(1, ‖θ − θ0‖);
 * - coordinates mode is where the reparameterized model θ0 + Q·z (autodiff, Adam on z) is, at every
 *   tenth of the run and at the end, within equalTolerance(step, |θ|∞) = step·4·EPS32·max(1, |θ|∞):
 *   each step rounds a few float32 operations (the order of the Qᵀg sum differs between the two paths)
 *   by ≈ 4 ulp of |θ|, and the difference can at worst add up linearly. It is the worst case: the
 *   differences measured are far smaller (docs/reliability.md).
 */
const STEPS = Number(process.env.SUBSPACE_LONG_STEPS ?? 10_000);

interface LongRun {
  path: string;
  optimizer: string;
  steps: number;
  worst: { ratio: number; step: number; distance: number; displacement: number };
  worstGuarded: number;
  worstBudget: number;
  worstLate: number;
  final: { distance: number; displacement: number };
  checkpoints: Array<{ step: number; ratio: number; loss: number; thetaScale: number; theta: number[] }>;
  msPerStep: number;
}

describe(`${STEPS} steps per mode on the digits MLP (wasm, child processes)`, () => {
  const runs: Record<string, LongRun> = {};

  beforeAll(async () => {
    const found = await Promise.all([
      runChild<LongRun>('long-run.ts', [modesOf('ProjectedGradient').join(','), `${STEPS}`]),
      runChild<LongRun>('long-run.ts', [['reparameterized', ...modesOf('ProjectedParameter')].join(','), `${STEPS}`]),
    ]);
    for (const r of found.flat()) runs[r.path] = r;
    // The measured figures, for docs/reliability.md.
    for (const r of Object.values(runs)) {
      const [first, last] = [r.checkpoints[0], r.checkpoints[r.checkpoints.length - 1]];
      process.stdout.write(
        `long run ${r.path} (${r.optimizer}): worst ratio ${r.worst.ratio.toExponential(2)} at step ${r.worst.step}, ` +
          `after 1% ${r.worstLate.toExponential(2)}, guarded ${r.worstGuarded.toExponential(2)}, ` +
          `final ${(r.final.distance / r.final.displacement).toExponential(2)}, loss ${first.loss.toFixed(3)} → ` +
          `${last.loss.toFixed(3)}, ${r.msPerStep.toFixed(2)} ms/step\n`,
      );
    }
  }, 600_000);

  test.each(MODES)('%s: θ stays in θ0 + span(Q) at every step', (mode) => {
    const r = runs[mode];
    expect(r.steps).toBe(STEPS);
    expect(r.worstBudget).toBeLessThanOrEqual(1);
    expect(r.worstGuarded).toBeLessThanOrEqual(1e-5);
    expect(r.final.displacement).toBeGreaterThan(1); // it really trained
    const [first, last] = [r.checkpoints[0], r.checkpoints[r.checkpoints.length - 1]];
    expect(last.loss).toBeLessThan(first.loss);
  });

  test('coordinates mode still equals the reparameterized model, at every tenth and at the end', () => {
    const [ours, ref] = [runs.coordinates.checkpoints, runs.reparameterized.checkpoints];
    expect(ours.map((c) => c.step)).toEqual(ref.map((c) => c.step));
    const diffs = ours.map((c, i) => ({ step: c.step, diff: maxDiff(c.theta, ref[i].theta), scale: c.thetaScale }));
    const shown = diffs.map((x) => `${x.step}: ${x.diff.toExponential(1)} (|θ|∞ ${x.scale.toFixed(2)})`);
    process.stdout.write(`long run coordinates vs reparameterized: ${shown.join(', ')}\n`);
    for (const x of diffs) expect(x.diff).toBeLessThanOrEqual(equalTolerance(x.step, x.scale));
  });
});
