/**
 * Structured orthonormal bases: the Walsh–Hadamard kernel, project + lift of every basis kind, the
 * training step with hashed/SRHT bases, and scale (D = 10⁷). One Markdown table per part.
 *
 *   npx ts-node --transpile-only bench/bases.ts
 *   BENCH_PARTS=fwht,projlift npx ts-node --transpile-only bench/bases.ts
 *
 * Env: BENCH_PARTS=fwht,projlift,step,scale (default all, in that order); BENCH_STEPS=N timed
 * rounds of the step part; BENCH_SCALE_CASES=hashed,srht-js,srht-tf,dense-host.
 */
import { fwht, fwhtPlain } from '../src/linalg/fwht';
import { ms, printMachine, printTable, ratio, runIfMain, uniformFloat32 } from './common';
import { timeWithSetup } from './bases-util';
import { benchProjLift } from './bases-projlift';
import { benchBasesStep } from './bases-step';
import { benchScale } from './bases-scale';

export const PARTS = ['fwht', 'projlift', 'step', 'scale'] as const;

/** fwht (cache-blocked radix-4) against fwhtPlain (one butterfly pass per stage) on Float32Array. */
export function benchFwht(): void {
  console.log('## Walsh–Hadamard transform on a Float32Array: fwht (blocked radix-4) vs fwhtPlain\n');
  const rows: string[][] = [];
  for (const log of [16, 20, 23]) {
    const n = 2 ** log;
    const runs = log === 23 ? 7 : log === 20 ? 11 : 31;
    const src = uniformFloat32(n, log);
    const x = new Float32Array(n);
    const reset = () => x.set(src); // each transform starts from the same values (no overflow)
    const tPlain = timeWithSetup(reset, () => fwhtPlain(x, 0, n), runs, 2);
    const plainOut = x.slice();
    const tBlocked = timeWithSetup(reset, () => fwht(x, 0, n), runs, 2);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < n; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(x[i] - plainOut[i]));
      maxAbs = Math.max(maxAbs, Math.abs(plainOut[i]));
    }
    const gbs = (t: number) => ((log * n * 4 * 2) / 1e6 / t).toFixed(1); // stage-equivalent bytes moved
    rows.push([`2^${log} = ${n}`, String(runs), ms(tPlain), ms(tBlocked), ratio(tPlain / tBlocked), gbs(tPlain), gbs(tBlocked), (maxDiff / maxAbs).toExponential(1)]);
  }
  printTable(['n', 'runs', 'fwhtPlain ms', 'fwht ms', 'plain ÷ blocked', 'plain GB/s*', 'blocked GB/s*', 'max |Δ| / max |y|'], rows);
  console.log('Medians after 2 warm-ups; the array is reset (untimed) before each run. *GB/s counts log2(n) full');
  console.log('read+write passes (what the plain loop does), so it is a nominal rate for the blocked one.');
  console.log('max |Δ| / max |y|: the two outputs compared (float32 sums in different orders).\n');
}

export async function benchBases(parts: string[] = selectedParts()): Promise<void> {
  for (const part of parts) {
    const t0 = Date.now();
    if (part === 'fwht') benchFwht();
    else if (part === 'projlift') await benchProjLift();
    else if (part === 'step') await benchBasesStep();
    else if (part === 'scale') await benchScale();
    console.log(`(part ${part}: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
}

/** BENCH_PARTS (comma-separated), default all; unknown names are an error. */
export function selectedParts(): string[] {
  const raw = process.env.BENCH_PARTS?.trim();
  if (!raw) return [...PARTS];
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (bad.length) throw new Error(`BENCH_PARTS: unknown part(s) ${bad.join(', ')}; choose from ${PARTS.join(', ')}`);
  return parts;
}

runIfMain(module, async () => {
  printMachine(`bench/bases.ts (parts: ${selectedParts().join(', ')})`);
  await benchBases();
});
