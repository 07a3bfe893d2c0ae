/**
 * All benchmarks: `npm run bench` (ts-node --transpile-only bench/run.ts).
 * Each script also runs alone: `npx ts-node --transpile-only bench/qr.ts` (or bench/step.ts, bench/bases.ts).
 * BENCH_PARTS=fwht,projlift,step,scale selects parts of bench/bases.ts (default all).
 */
import { printMachine } from './common';
import { benchQr } from './qr';
import { benchStep } from './step';
import { benchBases, selectedParts } from './bases';

async function main(): Promise<void> {
  const parts = selectedParts();
  printMachine(`npm run bench (bench/qr.ts, bench/step.ts, bench/bases.ts parts: ${parts.join(', ')})`);
  const t0 = Date.now();
  await benchQr();
  await benchStep();
  await benchBases(parts);
  console.log(`total benchmark time: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
