import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { gaussianBasis } from '../src';
import { timeOnce, uniformFloat32, median } from './common';
(async () => {
  await tf.setBackend('wasm'); await tf.ready();
  const D = 199210, d = 100;
  const b = gaussianBasis(D, d, { seed: 1 });
  const g = tf.tensor1d(uniformFloat32(D, 3));
  const c0 = tf.tensor1d(uniformFloat32(d, 4));
  const t = (name: string, f: () => tf.Tensor) => {
    const ts: number[] = [];
    for (let r = 0; r < 10; r++) ts.push(timeOnce(() => tf.tidy(() => { f().dataSync(); })));
    console.log(name, ts.map((x) => x.toFixed(0)).join(' '), 'median', median(ts).toFixed(1));
  };
  t('lift only', () => b.lift(c0));
  t('project only', () => b.project(g));
  t('lift only again', () => b.lift(c0));
  t('project then lift(c0)', () => { b.project(g).dataSync(); return b.lift(c0); });
  t('lift(project(g))', () => b.lift(b.project(g)));
  t('lift(project(g)) no inner sync', () => b.lift(b.project(g)));
  t('lift only again', () => b.lift(c0));
  t('project only again', () => b.project(g));
})();
