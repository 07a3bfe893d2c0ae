/**
 * All benchmarks: `npm run bench` (ts-node --transpile-only bench/run.ts).
 * Each script also runs alone: `npx ts-node --transpile-only bench/qr.ts` (or bench/step.ts).
 */
import { printMachine } from './common';
import { benchQr } from './qr';
import { benchStep } from './step';

async function main(): Promise<void> {
  printMachine('npm run bench (bench/qr.ts, bench/step.ts)');
  const t0 = Date.now();
  await benchQr();
  await benchStep();
  console.log(`total benchmark time: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
