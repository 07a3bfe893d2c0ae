/**
 * Cost of tracking what the loss writes (src/optimizer/forward-writes.ts): before each step the
 * wrapper takes a second tensor on every registered variable outside the trained ones (a reshape:
 * no data copied), so that a
 * dropped step can put BatchNormalization's moving statistics back. Timed alone and against the
 * step it belongs to, with more and more variables registered in the engine (other models in memory).
 *
 *   npx ts-node --transpile-only bench/forward-writes.ts
 *
 * Env: BENCH_STEPS=N timed steps per row (default 25).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { hashedBasis, projectGradients, trainableParameterCount } from '../src';
import { ForwardWrites } from '../src/optimizer/forward-writes';
import { median, ms, printMachine, printTable, runIfMain, timeOnce, uniformFloat32 } from './common';

const BATCH = 128;
const WARMUP = 5;
const STEPS = Number(process.env.BENCH_STEPS ?? 25);
/** Other small models kept in memory (two variables each) before each row. */
const EXTRA_MODELS = [0, 100, 1000];

/** MLP 784-200-200-10 with BatchNormalization after each hidden layer (4 moving-statistics variables). */
function bnMlp(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotNormal({ seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 200, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 200, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 10, kernelInitializer: init(3) }),
    ],
  });
}

export async function benchForwardWrites(): Promise<void> {
  console.log('## Tracking the loss\'s writes: MLP 784-200-BN-200-BN-10, batch 128, wasm\n');
  await tf.setBackend('wasm');
  await tf.ready();
  const x = tf.tensor2d(uniformFloat32(BATCH * 784, 1), [BATCH, 784]);
  const labels = tf.tensor1d(Array.from(uniformFloat32(BATCH, 2), (u) => Math.floor((u + 1) * 5)), 'int32');
  const y = tf.oneHot(labels, 10).toFloat();
  const model = bnMlp();
  const trained = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const D = trainableParameterCount(model);
  const opt = projectGradients(tf.train.adam(1e-3), hashedBasis(D, 100, { seed: 1 }), { variables: model });
  const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  console.log(`D = ${D} (trained: ${trained.length} variables), hashedBasis d = 100, adam. Per row: ${WARMUP} warm-up`);
  console.log(`rounds, then the median of ${STEPS}; a round is one snapshot + settle + dispose alone, then one`);
  console.log('optimizer.minimize(loss, true) with its loss read (which takes one snapshot itself).\n');

  const extras: tf.LayersModel[] = [];
  const rows: string[][] = [];
  for (const count of EXTRA_MODELS) {
    while (extras.length < count) extras.push(tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4 })] }));
    const registered = Object.keys(tf.engine().registeredVariables).length;
    const snap: number[] = [];
    const step: number[] = [];
    let before = 0;
    for (let s = 0; s < WARMUP + STEPS; s++) {
      if (s === WARMUP) before = tf.memory().numTensors;
      const tSnap = timeOnce(() => {
        const w = new ForwardWrites(trained);
        w.settle();
        w.dispose();
      });
      const tStep = timeOnce(() => {
        const cost = opt.minimize(loss, true) as tf.Scalar;
        cost.dataSync();
        cost.dispose();
      });
      if (s >= WARMUP) (snap.push(tSnap), step.push(tStep));
    }
    const leaked = tf.memory().numTensors - before;
    const [a, b] = [median(snap), median(step)];
    rows.push([String(count), String(registered), ms(a), ms(b), `${((100 * a) / b).toFixed(2)} %`, String(leaked)]);
  }
  printTable(['other models', 'registered variables', 'snapshot ms', 'step ms', 'snapshot / step', 'tensors gained'], rows);
  extras.forEach((m) => m.dispose());
  opt.dispose();
  model.dispose();
  [x, y, labels].forEach((t) => t.dispose());
}

runIfMain(module, async () => {
  printMachine('bench/forward-writes.ts');
  await benchForwardWrites();
});
