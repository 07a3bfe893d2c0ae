/**
 * Per-step cost of the subspace wrappers against the bare inner optimizer, on an MLP 784-200-200-10
 * (D = 199,210), batch 128, wasm backend, dense gaussian bases at d = 100 and d = 750.
 *
 *   npx ts-node --transpile-only bench/step.ts
 *
 * Env: BENCH_DIMS=100 (comma-separated) to measure fewer subspace dimensions; BENCH_STEPS=N timed steps.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Basis, gaussianBasis, projectGradients, projectParameters } from '../src';
import { median, mlp784Size, mlpCopy, ms, printMachine, printTable, ratio, roundRobin, runIfMain, timeOnce, uniformFloat32 } from './common';

const BATCH = 128;
const WARMUP = 5;
const STEPS = Number(process.env.BENCH_STEPS ?? 25);
const DIMS = (process.env.BENCH_DIMS ?? '100,750').split(',').map(Number);

interface Config {
  mode: string;
  inner: 'adam' | 'sgd';
  /** null: the bare inner optimizer (the baseline). */
  wrap: ((inner: tf.Optimizer, basis: Basis, variables: tf.Variable[]) => tf.Optimizer) | null;
}

const CONFIGS: Config[] = [
  { mode: 'bare', inner: 'adam', wrap: null },
  { mode: 'projectGradients coordinates', inner: 'adam', wrap: (o, b, v) => projectGradients(o, b, { variables: v }) },
  { mode: 'projectGradients ambient', inner: 'adam', wrap: (o, b, v) => projectGradients(o, b, { variables: v, mode: 'ambient' }) },
  { mode: 'projectParameters', inner: 'adam', wrap: (o, b, v) => projectParameters(o, b, { variables: v }) },
  { mode: 'bare', inner: 'sgd', wrap: null },
  { mode: 'projectGradients coordinates', inner: 'sgd', wrap: (o, b, v) => projectGradients(o, b, { variables: v }) },
];

const makeInner = (name: 'adam' | 'sgd'): tf.Optimizer => (name === 'adam' ? tf.train.adam(1e-3) : tf.train.sgd(1e-2));

export async function benchStep(): Promise<void> {
  console.log('## Per-step time: MLP 784-200-200-10, batch 128, wasm backend\n');
  await tf.setBackend('wasm');
  await tf.ready();
  const D = mlp784Size();
  const x = tf.tensor2d(uniformFloat32(BATCH * 784, 1), [BATCH, 784]);
  const labels = tf.tensor1d(Array.from(uniformFloat32(BATCH, 2), (u) => Math.floor((u + 1) * 5)), 'int32');
  const y = tf.oneHot(labels, 10).toFloat();
  console.log(`D = ${D}; ${WARMUP} warm-up rounds, then the median of ${STEPS} timed steps per row. The modes run`);
  console.log('round-robin, one step each per round; a step is optimizer.minimize(loss, true, variables)');
  console.log('followed by reading the loss (dataSync).\n');

  const rows: string[][] = [];
  const builds: string[][] = [];
  const notes: string[] = [];
  for (const d of DIMS) {
    let basis: Basis | null = null;
    const tBuild = timeOnce(() => (basis = gaussianBasis(D, d, { seed: 1 })));
    const b = basis as unknown as Basis;
    builds.push([`${D}×${d}`, (tBuild / 1000).toFixed(1), ((D * d * 4) / 2 ** 20).toFixed(0)]);
    console.log(`gaussianBasis(${D}, ${d}): ${(tBuild / 1000).toFixed(1)} s (seeded gaussians + thin QR in float64 + storage)`);

    // The projection alone: c = Qᵀg (project) and Q·c (lift), which every wrapper step does once each.
    const g = tf.tensor1d(uniformFloat32(D, 3));
    const c = tf.tensor1d(uniformFloat32(d, 4));
    const timeOp = (f: () => tf.Tensor): number => {
      const ts: number[] = [];
      for (let s = 0; s < WARMUP + STEPS; s++) {
        const t = timeOnce(() => {
          const out = tf.tidy(f); // keep typed arrays out of tidy: it would walk them entry by entry
          out.dataSync();
          out.dispose();
        });
        if (s >= WARMUP) ts.push(t);
      }
      return median(ts);
    };
    const tProject = timeOp(() => b.project(g));
    const tLift = timeOp(() => b.lift(c));
    const tBoth = timeOp(() => b.lift(b.project(g)));
    g.dispose();
    c.dispose();

    // All modes run round-robin (one step of each per round) so that the machine's drift hits them
    // alike; each trains its own copy of the model from the same seeded weights.
    const copies = CONFIGS.map(() => mlpCopy(x, y));
    const trainees = CONFIGS.map((c, i) => {
      const { variables, loss } = copies[i];
      return { opt: c.wrap ? c.wrap(makeInner(c.inner), b, variables) : makeInner(c.inner), loss, variables };
    });
    const { times, leaked } = roundRobin(trainees, WARMUP, STEPS);
    trainees.forEach((t) => t.opt.dispose());
    copies.forEach((c) => c.model.dispose());
    const bare = new Map<string, number>();
    CONFIGS.forEach((c, i) => !c.wrap && bare.set(c.inner, median(times[i])));
    CONFIGS.forEach((c, i) => {
      const m = median(times[i]);
      const base = bare.get(c.inner) as number;
      rows.push([String(d), c.mode, c.inner, ms(m), ratio(m / base), ms(m - base)]);
      if (leaked[i] !== 0) notes.push(`d = ${d}, ${c.mode} ${c.inner}: ${leaked[i]} tensors leaked over ${STEPS} steps`);
    });
    const gbs = (t: number, reads: number) => `${((reads * D * d * 4) / 1e6 / t).toFixed(1)} GB/s`;
    rows.push([String(d), 'Qᵀg alone (basis.project)', '–', ms(tProject), '–', gbs(tProject, 1)]);
    rows.push([String(d), 'Q·c alone (basis.lift)', '–', ms(tLift), '–', gbs(tLift, 1)]);
    rows.push([String(d), 'Q·(Qᵀg) (lift ∘ project)', '–', ms(tBoth), '–', gbs(tBoth, 2)]);
    b.dispose();
  }
  printTable(['d', 'mode', 'inner', 'median ms/step', '÷ bare inner', 'extra ms (or Q read rate)'], rows);
  console.log('"÷ bare inner" = median step of the mode / median step of the bare inner optimizer, same d block, same process.\n');
  printTable(['basis D×d', 'gaussianBasis build s', 'Q size MiB (float32)'], builds);
  if (notes.length) for (const n of notes) console.log(`note: ${n}`);
  else console.log('no tensor leaked during the timed steps of any mode.');
  console.log('');
  x.dispose();
  y.dispose();
  labels.dispose();
}

runIfMain(module, async () => {
  printMachine('bench/step.ts');
  await benchStep();
});
