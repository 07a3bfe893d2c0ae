/**
 * Structured orthonormal bases: the Walsh–Hadamard transform, project + lift of every basis kind, the
 * training step with hashed/SRHT bases, and scale (D = 10⁷). One Markdown table per part, then one
 * summary table of basis × (D, d) × backend over what the parts measured (bases-summary.ts).
 *
 *   npx ts-node --transpile-only bench/bases.ts
 *   BENCH_PARTS=fwht,projlift npx ts-node --transpile-only bench/bases.ts
 *
 * Env: BENCH_PARTS=fwht,projlift,step,scale (default all, in that order); BENCH_STEPS=N timed
 * rounds of the step part; BENCH_SCALE_CASES=hashed,srht-arrays,srht-tf,dense-array.
 */
import { fwht, fwhtPlain } from '../src/linalg/fwht';
import { fwhtWorkspace } from '../src/linalg/wasm/simd';
import { ms, printMachine, printTable, ratio, runIfMain, uniformFloat32 } from './common';
import { timeWithSetup } from './bases-util';
import { benchProjLift } from './bases-projlift';
import { benchBasesStep } from './bases-step';
import { benchScale } from './bases-scale';
import { BenchSummary } from './bases-summary';

export const PARTS = ['fwht', 'projlift', 'step', 'scale'] as const;

/**
 * fwht (cache-blocked radix-4, JavaScript) and the WebAssembly SIMD transform against fwhtPlain (one
 * butterfly pass per stage) on float32 arrays; all three must give the same bits.
 */
export function benchFwht(): void {
  console.log('## Walsh–Hadamard transform, float32: fwhtPlain vs fwht (blocked radix-4, JS) vs the SIMD transform\n');
  const rows: string[][] = [];
  for (const log of [13, 16, 17, 20, 23]) {
    const n = 2 ** log;
    const runs = log === 23 ? 7 : log === 20 ? 11 : 31;
    const src = uniformFloat32(n, log);
    const x = new Float32Array(n);
    const simd = fwhtWorkspace(n, 'simd');
    const reset = () => x.set(src); // each transform starts from the same values (no overflow)
    const tPlain = timeWithSetup(reset, () => fwhtPlain(x, 0, n), runs, 2);
    const plainOut = x.slice();
    const tBlocked = timeWithSetup(reset, () => fwht(x, 0, n), runs, 2);
    const blockedSame = sameBits(x, plainOut);
    const tSimd = timeWithSetup(() => simd.array.set(src), () => simd.transform(0, n), runs, 2);
    const simdSame = sameBits(simd.array, plainOut);
    const gbs = (t: number) => ((log * n * 4 * 2) / 1e6 / t).toFixed(1); // stage-equivalent bytes moved
    rows.push([
      `2^${log} = ${n}`, String(runs), ms(tPlain), ms(tBlocked), ms(tSimd), ratio(tPlain / tBlocked), ratio(tPlain / tSimd),
      ratio(tBlocked / tSimd), gbs(tSimd), blockedSame && simdSame ? 'yes' : 'NO',
    ]);
  }
  printTable(['n', 'runs', 'fwhtPlain ms', 'fwht ms', 'SIMD ms', 'plain ÷ fwht', 'plain ÷ SIMD', 'fwht ÷ SIMD', 'SIMD GB/s*', 'same bits'], rows);
  console.log('Medians after 2 warm-ups; the array is reset (untimed) before each run. *GB/s counts log2(n) full');
  console.log('read+write passes (what the plain loop does), so it is a nominal rate for the blocked ones.');
  console.log('same bits: fwht and the SIMD transform give the plain loop\'s float32 output exactly.\n');
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const [x, y] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export async function benchBases(parts: string[] = selectedParts()): Promise<void> {
  const summary = new BenchSummary();
  for (const part of parts) {
    const t0 = Date.now();
    if (part === 'fwht') benchFwht();
    else if (part === 'projlift') await benchProjLift(summary);
    else if (part === 'step') await benchBasesStep(summary);
    else if (part === 'scale') await benchScale(summary);
    console.log(`(part ${part}: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  if (summary.size) summary.print();
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
