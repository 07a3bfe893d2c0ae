/**
 * Runs in headless Chromium (bundled by file-system-load.test.ts): loads a model folder that Node
 * saved with fileSystem, through tfjs's own http handler, on the cpu backend; predicts, binds the
 * restored subspace optimizer and takes one more training step. Exposes `loadAndResume()` on window.
 */
import * as tf from '@tensorflow/tfjs';
import { bindRestoredOptimizer } from '../../src';

export interface Batch {
  x: number[];
  y: number[];
  rows: number;
}

export interface PageResult {
  backend: string;
  handler: string;
  prediction: number[];
  optimizerBefore: number[][];
  weightsAfter: number[][];
  optimizerAfter: number[][];
  numTensors: number;
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

async function optimizerBits(o: tf.Optimizer): Promise<number[][]> {
  const weights = await o.getWeights();
  const out = weights.map((w) => bits(w.tensor));
  weights[0].tensor.dispose(); // the new iteration-count scalar; the rest is the optimizer's live state
  return out;
}

async function loadAndResume(url: string, probe: Batch, step: Batch): Promise<PageResult> {
  await tf.setBackend('cpu');
  await tf.ready();
  const handler = tf.io.getLoadHandlers(url)[0]?.constructor.name ?? 'none';
  const model = await tf.loadLayersModel(url);
  const cols = probe.x.length / probe.rows;
  const x = tf.tensor2d(probe.x, [probe.rows, cols]);
  const p = model.predict(x) as tf.Tensor;
  const prediction = bits(p);
  const opt = bindRestoredOptimizer(model.optimizer, model);
  const optimizerBefore = await optimizerBits(opt);
  const sx = tf.tensor2d(step.x, [step.rows, cols]);
  const sy = tf.tensor2d(step.y, [step.rows, step.y.length / step.rows]);
  await model.trainOnBatch(sx, sy);
  const weightsAfter = model.getWeights().map(bits);
  const optimizerAfter = await optimizerBits(opt);
  tf.dispose([x, p, sx, sy]);
  opt.dispose();
  model.dispose();
  return { backend: tf.getBackend(), handler, prediction, optimizerBefore, weightsAfter, optimizerAfter, numTensors: tf.memory().numTensors };
}

Object.assign(window, { loadAndResume });
