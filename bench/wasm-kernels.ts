/**
 * Cost of the wasm training kernels (registerWasmTrainingKernels): one trainOnBatch (SGD) per
 * model, median of repeats, on wasm with the library's kernels against (a) the native wasm kernel
 * they replace (wrong results, see docs/api.md#training-on-wasm; timed only as a speed baseline) and
 * (b) the cpu backend. `npx ts-node --transpile-only bench/wasm-kernels.ts`
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/backends/wasm-training';
import { nativeKernel } from '../src/backends/wasm/kernel-util';
import { median, printMachine } from './common';

const L = tf.layers;
const REPEATS = 5;

interface Model {
  name: string;
  build(): tf.LayersModel;
  x(): tf.Tensor;
  /** The replaced native kernel this model's step uses, if any (timed as a baseline). */
  native?: string;
}

const MODELS: Model[] = [
  {
    name: 'LeNet-5 style, 32 × 28×28×1 (Conv2D, MaxPooling2D)',
    build: () => tf.sequential({ layers: [L.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }), L.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }), L.flatten(), L.dense({ units: 10 })] }),
    x: () => tf.randomUniform([32, 28, 28, 1]),
    native: 'MaxPoolGrad',
  },
  {
    name: 'depthwise-separable block, 16 × 16×16×8 (DepthwiseConv2D m=2, SeparableConv2D)',
    build: () => tf.sequential({ layers: [L.depthwiseConv2d({ inputShape: [16, 16, 8], kernelSize: 3, padding: 'same', depthMultiplier: 2 }), L.separableConv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' }), L.globalAveragePooling2d({}), L.dense({ units: 10 })] }),
    x: () => tf.randomUniform([16, 16, 16, 8]),
  },
  {
    name: 'Embedding(1000, 16) → GlobalAveragePooling1D, 32 × 50 tokens',
    build: () => tf.sequential({ layers: [L.embedding({ inputDim: 1000, outputDim: 16, inputLength: 50 }), L.globalAveragePooling1d(), L.dense({ units: 10 })] }),
    x: () => tf.floor(tf.randomUniform([32, 50], 0, 1000)),
  },
];

/** Median ms of one trainOnBatch on the current backend (2 warm-up steps). */
async function stepMs(m: Model): Promise<number> {
  const model = m.build();
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  const x = m.x();
  const y = tf.zeros([x.shape[0], 10]);
  const times: number[] = [];
  for (let i = 0; i < REPEATS + 2; i++) {
    const t0 = process.hrtime.bigint();
    await model.trainOnBatch(x, y);
    if (i >= 2) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  model.dispose();
  tf.dispose([x, y]);
  return median(times);
}

/** Runs `f` with the native wasm kernel `name` registered instead of the library's. */
async function withNative<T>(name: string, f: () => Promise<T>): Promise<T> {
  const ours = tf.getKernel(name, 'wasm')!;
  const native = nativeKernel(name)!;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: native });
  try {
    return await f();
  } finally {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(ours);
  }
}

async function main(): Promise<void> {
  printMachine('bench/wasm-kernels.ts: one trainOnBatch (SGD), median of 5');
  registerWasmTrainingKernels();
  console.log('| model | wasm, library kernels (ms) | wasm, native kernel replaced (ms) | cpu (ms) | cpu ÷ wasm |');
  console.log('|---|---|---|---|---|');
  for (const m of MODELS) {
    await tf.setBackend('wasm');
    const ours = await stepMs(m);
    const native = m.native ? await withNative(m.native, () => stepMs(m)) : NaN;
    await tf.setBackend('cpu');
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
    const cpu = await stepMs(m);
    const nat = m.native ? `${native.toFixed(1)} (${m.native})` : '— (kernel missing)';
    console.log(`| ${m.name} | ${ours.toFixed(1)} | ${nat} | ${cpu.toFixed(1)} | ${(cpu / ours).toFixed(1)}× |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
