import * as tf from '@tensorflow/tfjs';
import { measureNonFinite, NonFiniteReport } from './nonfinite-core';

/** The webgl side of bench/nonfinite.ts, bundled into a page by it. */
(window as unknown as { benchNonFinite: (o: Parameters<typeof measureNonFinite>[0]) => Promise<NonFiniteReport> }).benchNonFinite = async (o) => {
  await tf.setBackend('webgl');
  await tf.ready();
  return measureNonFinite(o);
};
