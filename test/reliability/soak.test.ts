import { registeredModes } from '../../src/optimizer/rules/registry';
import { runChild } from './child';

/**
 * Soak: optimizer steps through `fit`, `trainOnBatch`, `fitDataset` and `minimize`, in every mode, on
 * the digits MLP (wasm), in a plain Node child process with --expose-gc (see soak.ts). CI runs a short
 * version (160 steps per API, coordinates mode; test/optimizer/memory.test.ts covers every mode and
 * optimizer over a few steps); SUBSPACE_SOAK=1 runs 10⁴ steps per API in every mode.
 *
 * Flat means: the live tensor count and the backend's bytes are the same at every sample (after a
 * warm-up), and the JS heap, read after a forced collection, rises by at most HEAP_BOUND bytes per
 * step. V8 keeps compiling and caching for thousands of steps and then levels off (measured: up to
 * ≈ 0.8 MB over the first 5·10³ steps of trainOnBatch), and a sample after gc still varies by ≈ ±60 kB,
 * so the short run can only bound the slope over the whole run loosely, 4 kB/step over 160 steps; the
 * soak bounds the slope over its later half (5·10³ steps, after the warm-up growth) by 64 B/step —
 * any object retained per step would exceed it.
 */
const FULL = process.env.SUBSPACE_SOAK === '1';
const STEPS = FULL ? 10_000 : 160;
const SAMPLES = FULL ? 12 : 4;
const MODES = FULL ? registeredModes() : ['coordinates'];
const HEAP_BOUND = FULL ? 64 : 4096;
const APIS = ['fit', 'trainOnBatch', 'fitDataset', 'minimize'];

interface Soak {
  api: string;
  mode: string;
  steps: number;
  iterations: number;
  tensorRange: [number, number];
  backendBytesRange: [number, number];
  tensorsPerStep: number;
  heapBytesPerStep: number;
  heapBytesPerStepLate: number;
  rssBytesPerStep: number;
  msPerStep: number;
}

describe(`soak: ${STEPS} steps per API in ${MODES.join(', ')} mode (wasm, child process${FULL ? '' : '; SUBSPACE_SOAK=1: 10⁴, every mode'})`, () => {
  let runs: Soak[] = [];

  beforeAll(async () => {
    runs = await runChild<Soak>('soak.ts', [`${STEPS}`, `${SAMPLES}`, 'wasm', APIS.join(','), MODES.join(',')], { gc: true, timeoutMs: FULL ? 7_200_000 : 600_000 });
    for (const r of runs) {
      process.stdout.write(
        `soak ${r.api} ${r.mode}: ${r.steps} steps, tensors ${r.tensorRange.join('–')} ` +
          `(${r.tensorsPerStep}/step), heap ${r.heapBytesPerStep.toFixed(1)} B/step ` +
          `(later half ${r.heapBytesPerStepLate.toFixed(1)}), rss ${r.rssBytesPerStep.toFixed(1)} B/step, ` +
          `${r.msPerStep.toFixed(2)} ms/step\n`,
      );
    }
  }, FULL ? 7_200_000 : 600_000);

  test.each(APIS)('%s: tensor count and backend bytes flat, heap slope bounded', (api) => {
    const mine = runs.filter((r) => r.api === api);
    expect(mine.map((r) => r.mode)).toEqual(MODES);
    for (const r of mine) {
      expect(r.steps).toBeGreaterThanOrEqual(STEPS);
      expect(r.iterations).toBe(r.steps); // every step went through the optimizer
      expect(r.tensorRange[1]).toBe(r.tensorRange[0]);
      expect(r.backendBytesRange[1]).toBe(r.backendBytesRange[0]);
      expect(FULL ? r.heapBytesPerStepLate : r.heapBytesPerStep).toBeLessThanOrEqual(HEAP_BOUND);
    }
  });
});
