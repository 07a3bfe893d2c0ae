/**
 * The soak check, in a plain Node process started with --expose-gc: for each training API (fit,
 * trainOnBatch, fitDataset, minimize) and mode, `steps` optimizer steps on the digits MLP, sampling
 * after a forced garbage collection every `steps / samples` steps (after a warm-up) the live tensor
 * count, the backend's bytes and the process memory, and fitting a least-squares slope per step to
 * each. Prints one JSON line per run.
 * Usage: node --expose-gc -r ts-node/register/transpile-only test/reliability/soak.ts STEPS [SAMPLES]
 *   [BACKEND] [API,…] [MODE,…]   (defaults: 12 samples, wasm, every API and mode)
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianBasis } from '../../src';
import { keepsSubspace, Mode, MODES, useBackend, wrap } from '../helpers';
import { batchLoss, Batches, digitsBatches, digitsMlp } from './digits-mlp';

export const APIS = ['fit', 'trainOnBatch', 'fitDataset', 'minimize'] as const;
type Api = (typeof APIS)[number];
const BATCHES = 16;

interface Sample {
  step: number;
  tensors: number;
  backendBytes: number;
  heapUsed: number;
  external: number;
  rss: number;
}

/** Least-squares slope of y against x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function sample(step: number): Sample {
  const gc = (global as unknown as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  const m = process.memoryUsage();
  const t = tf.memory();
  return { step, tensors: t.numTensors, backendBytes: t.numBytes, heapUsed: m.heapUsed, external: m.external, rss: m.rss };
}

/** A function that takes `chunk` steps through `api` and returns how many it took. */
function stepper(api: Api, model: tf.LayersModel, opt: tf.Optimizer, data: Batches) {
  let s = 0;
  const ds = tf.data.zip({ xs: tf.data.array(data.x), ys: tf.data.array(data.y) });
  return async (): Promise<number> => {
    switch (api) {
      case 'fit':
        await model.fit(data.xs, data.ys, { batchSize: data.x[0].shape[0], epochs: 1, verbose: 0, shuffle: false });
        return BATCHES;
      case 'fitDataset':
        await model.fitDataset(ds, { epochs: 1, verbose: 0 });
        return BATCHES;
      case 'trainOnBatch':
        await model.trainOnBatch(data.x[s % BATCHES], data.y[s % BATCHES]);
        s++;
        return 1;
      case 'minimize':
        opt.minimize(batchLoss(model, data, s++));
        return 1;
    }
  };
}

async function soak(api: Api, mode: Mode, steps: number, samplesWanted: number) {
  const data = digitsBatches(BATCHES, 32);
  const model = digitsMlp(3);
  const basis = gaussianBasis(model.countParams(), 40, { seed: 2 });
  // Adam where the rule keeps θ in the subspace with it, momentum otherwise (ambient mode).
  const adam = () => tf.train.adam(0.01);
  const opt = wrap(mode, keepsSubspace(mode, adam) ? adam() : tf.train.momentum(0.05, 0.9), basis, model);
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  const step = stepper(api, model, opt, data);
  const warmup = Math.max(BATCHES, Math.floor(steps / 10));
  const every = Math.max(BATCHES, Math.floor((steps - warmup) / samplesWanted));
  let done = 0;
  while (done < warmup) done += await step();
  const samples: Sample[] = [sample(done)];
  const t0 = performance.now();
  let next = done + every;
  while (done < steps) {
    done += await step();
    if (done >= next || done >= steps) {
      samples.push(sample(done));
      next = done + every;
    }
  }
  const ms = performance.now() - t0;
  const x = samples.map((p) => p.step);
  const fitOf = (key: keyof Sample) => slope(x, samples.map((p) => p[key]));
  // V8 keeps compiling and caching for thousands of steps (the heap rises, then levels off), so the
  // heap's slope is also fitted over the later half of the samples, where a leak would still climb.
  const late = samples.slice(Math.floor(samples.length / 2));
  const heapLate = slope(late.map((p) => p.step), late.map((p) => p.heapUsed));
  const out = {
    api,
    mode,
    steps: done,
    iterations: opt.iterations,
    samples: samples.length,
    tensorsPerStep: fitOf('tensors'),
    backendBytesRange: [Math.min(...samples.map((p) => p.backendBytes)), Math.max(...samples.map((p) => p.backendBytes))],
    tensorRange: [Math.min(...samples.map((p) => p.tensors)), Math.max(...samples.map((p) => p.tensors))],
    backendBytesPerStep: fitOf('backendBytes'),
    heapBytesPerStep: fitOf('heapUsed'),
    heapBytesPerStepLate: heapLate,
    externalBytesPerStep: fitOf('external'),
    rssBytesPerStep: fitOf('rss'),
    heapRange: [Math.min(...samples.map((p) => p.heapUsed)), Math.max(...samples.map((p) => p.heapUsed))],
    msPerStep: ms / (done - samples[0].step),
    heapSeries: samples.map((p) => [p.step, p.heapUsed]),
  };
  opt.dispose();
  basis.dispose();
  model.dispose();
  data.dispose();
  return out;
}

async function main(): Promise<void> {
  const [stepsArg, samples = '12', backend = 'wasm', apis = APIS.join(','), modes = MODES.join(',')] = process.argv.slice(2);
  await useBackend(backend as 'cpu' | 'wasm');
  const chosen = APIS.filter((a) => apis.split(',').includes(a));
  // Warm-up, not reported: the first calls of each API compile code and fill tfjs' caches.
  for (const api of chosen) await soak(api, 'coordinates', Number(stepsArg) >= 1000 ? 4 * BATCHES : 2 * BATCHES, 2);
  for (const api of chosen) {
    for (const mode of MODES.filter((m) => modes.split(',').includes(m))) {
      process.stdout.write(JSON.stringify(await soak(api, mode, Number(stepsArg), Number(samples))) + '\n');
    }
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
