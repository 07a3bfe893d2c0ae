import { runChild } from '../child';

/**
 * KNOWN BUG (kept out of the suite: run with
 *   npx jest --testMatch '**' + '/regressions/*.check.ts'   — see docs/reliability.md; ≈ 4 min):
 * ambient mode does not re-anchor. The inner optimizer adds the projected step to θ in float32, and
 * once the steps are small next to |θ| each addition rounds a part of the step away, off span(Q);
 * the distance keeps growing after the loss has levelled off. Measured on the long-run model (digits
 * MLP, D = 610, d = 40, momentum(0.05, 0.9), wasm): ‖(I − P)(θ − θ0)‖/‖θ − θ0‖ = 2.0e-6 after 10⁴
 * steps, 4.3e-6 after 2·10⁴, 1.8e-5 after 3·10⁴, 1.2e-4 after 10⁵: beyond the 1e-5 of docs/concepts.md, "The equivalence table", between
 * 2·10⁴ and 3·10⁴ steps.
 * Expected here: within 1e-5·max(1, ‖θ − θ0‖) at every one of 10⁵ steps.
 */
test('ambient mode stays in θ0 + span(Q) over 10⁵ steps', async () => {
  const [r] = await runChild<{ worstGuarded: number }>('long-run.ts', ['ambient', '100000'], { timeoutMs: 1_800_000 });
  expect(r.worstGuarded).toBeLessThanOrEqual(1e-5);
}, 1_800_000);
