/**
 * Step time of the non-finite policies ('unchecked', 'throw': one flag read per step on cpu/wasm,
 * deferred on a GPU, plus 'throw (read per step)' there, 'skip': the state selected on the device,
 * no read) against a bare tf.train.adam, in one process per backend
 * (bench/nonfinite-core.ts). Figures: docs/benchmarks.md, "Non-finite check".
 *
 *   npx ts-node --transpile-only bench/nonfinite.ts                       # wasm and cpu
 *   BENCH_BACKENDS=webgl npx ts-node --transpile-only bench/nonfinite.ts  # headless Chromium (SwiftShader)
 *
 * Env: BENCH_WIDTH (hidden width, default 128), BENCH_D (d, 50), BENCH_ROUNDS (timed rounds, 15),
 * BENCH_BLOCK (steps per timed block, 5).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { build } from 'esbuild';
import * as path from 'path';
import { launchChromium } from '../test/browser/chromium';
import { printMachine, runIfMain } from './common';
import { measureNonFinite, NonFiniteReport, nonFiniteTable } from './nonfinite-core';

const opts = {
  width: Number(process.env.BENCH_WIDTH ?? 128),
  d: Number(process.env.BENCH_D ?? 50),
  rounds: Number(process.env.BENCH_ROUNDS ?? 15),
  block: Number(process.env.BENCH_BLOCK ?? 5),
  warmup: 2,
};

async function inChromium(): Promise<NonFiniteReport> {
  // Bundled as test/browser/webgl.test.ts bundles its page (a shared helper would serve both).
  const entry = path.join(__dirname, 'nonfinite-page.ts');
  const bundle = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', platform: 'browser', logLevel: 'silent' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    return await page.evaluate(
      (o) => (window as unknown as { benchNonFinite: (x: typeof o) => Promise<NonFiniteReport> }).benchNonFinite(o),
      opts,
    );
  } finally {
    await browser.close();
  }
}

export async function benchNonFinite(): Promise<void> {
  const backends = (process.env.BENCH_BACKENDS ?? 'wasm,cpu').split(',');
  for (const backend of backends) {
    let report: NonFiniteReport;
    if (backend === 'webgl') {
      report = await inChromium();
    } else {
      await tf.setBackend(backend);
      await tf.ready();
      report = await measureNonFinite(opts);
    }
    console.log(nonFiniteTable(report));
    console.log(`(median of ${opts.rounds} rounds of ${opts.block} steps, after ${opts.warmup} warm-up rounds)\n`);
  }
}

runIfMain(module, async () => {
  printMachine('bench/nonfinite.ts');
  await benchNonFinite();
});
