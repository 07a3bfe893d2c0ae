/**
 * Measures subspaceLearningRate (src/intrinsic/learning-rate.ts) across d and optimizers:
 * `npx ts-node --transpile-only bench/subspace-lr.ts` (BENCH_LR_EPOCHS, default 5).
 *
 * On the embedded digits (fc-digits, D = 3,466; 1,294 training / 144 validation examples, never the
 * test split), for each optimizer: the full model's best lr on the grid default·3^k (k = −2…2), then
 * for each d the subspace (SRHT, coordinates mode) at rule(best full lr)·3^k (k = −2…2). The table gives
 * the best k per d: 0 means the rule hit the grid's best point; each step is a factor 3.
 */
import { printMachine } from './common';
import { setupBackend } from '../src/cli/backend';
import { loadData, disposeData } from '../src/cli/data';
import { holdOut } from '../src/intrinsic/protocol';
import { accuracy, SeededEpochs } from '../src/intrinsic/train';
import { subspaceLearningRate } from '../src/intrinsic/learning-rate';
import { models } from '../src/models/registry';
import { projectGradients } from '../src/optimizer/project-gradients';
import { srhtBasis } from '../src/basis/srht';

const EPOCHS = Number(process.env.BENCH_LR_EPOCHS ?? 5);
const DIMS = [32, 256];
const KS = [-2, -1, 0, 1, 2];

async function main(): Promise<void> {
  const tf = await setupBackend('wasm', 1);
  printMachine(`bench/subspace-lr.ts (${EPOCHS} epochs per run, batch 32)`);
  const make = models['fc-digits'];
  const data = loadData('digits', make.inputShape);
  const split = holdOut(data.train, 0.1);
  const D = make.parameters;
  const optimizers: Record<string, { make: (lr: number) => import('@tensorflow/tfjs').Optimizer; base: number }> = {
    adam: { make: (lr) => tf.train.adam(lr), base: 1e-3 },
    rmsprop: { make: (lr) => tf.train.rmsprop(lr), base: 1e-3 },
    adagrad: { make: (lr) => tf.train.adagrad(lr), base: 1e-2 },
    sgd: { make: (lr) => tf.train.sgd(lr), base: 0.1 },
  };
  /** Best validation accuracy over the epochs of one run. */
  const run = async (opt: string, lr: number, d: number | null): Promise<number> => {
    const model = make({ seed: 0 });
    const basis = d === null ? null : srhtBasis(D, d, { seed: 0 });
    const optimizer = basis ? projectGradients(optimizers[opt].make(lr), basis, { variables: model }) : optimizers[opt].make(lr);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const epochs = new SeededEpochs(split.fit, 32, 0);
    let best = 0;
    for (let e = 0; e < EPOCHS; e++) {
      const loss = await epochs.epoch(model, EPOCHS);
      if (!Number.isFinite(loss)) break;
      best = Math.max(best, accuracy(model, split.validation));
    }
    optimizer.dispose();
    basis?.dispose();
    model.dispose();
    return best;
  };
  const rows: string[] = [];
  for (const opt of Object.keys(optimizers)) {
    const fullAcc: number[] = [];
    for (const k of KS) fullAcc.push(await run(opt, optimizers[opt].base * 3 ** k, null));
    const kFull = KS[fullAcc.indexOf(Math.max(...fullAcc))];
    const lrFull = optimizers[opt].base * 3 ** kFull;
    for (const d of DIMS) {
      const centre = subspaceLearningRate(lrFull, { D, d, optimizer: opt });
      const acc: number[] = [];
      for (const k of KS) acc.push(await run(opt, centre * 3 ** k, d));
      const best = Math.max(...acc);
      const kBest = KS[acc.indexOf(best)];
      const fmt = (x: number) => `${(100 * x).toFixed(1)} %`;
      rows.push(`| ${opt} | ${lrFull.toPrecision(2)} (${fmt(Math.max(...fullAcc))}) | ${d} | ${centre.toPrecision(2)} | ${acc.map(fmt).join(' / ')} | ${kBest > 0 ? '+' : ''}${kBest} | ${fmt(acc[KS.indexOf(0)])} vs ${fmt(best)} |`);
      console.error(rows[rows.length - 1]);
    }
  }
  console.log(`\n| optimizer | full model: best lr (val. acc.) | d | rule's lr | val. acc. at rule·3^k, k = ${KS.join(', ')} | best k | at the rule vs best |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  tf.dispose([split.fit.x, split.fit.y, split.validation.x, split.validation.y]);
  disposeData(data);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
