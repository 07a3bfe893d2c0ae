import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './dataset';
import { DIGITS_LABELS_BASE64, DIGITS_PIXELS_BASE64 } from './digits-data';

function decodeBase64(text: string): Uint8Array {
  if (typeof atob === 'function') return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/**
 * The 1797 8×8 hand-written digits embedded in the package (UCI / scikit-learn, see digits-data.ts),
 * pixels scaled from 0…16 to [0, 1]. Works offline, in Node and in the browser.
 */
export function digits(): Dataset {
  const pixels = decodeBase64(DIGITS_PIXELS_BASE64);
  const labels = decodeBase64(DIGITS_LABELS_BASE64);
  const x = Float32Array.from(pixels, (v) => v / 16);
  return { x, y: Int32Array.from(labels), n: labels.length, height: 8, width: 8, classes: 10 };
}

/** One-hot float32 labels as a tensor ([n, classes]); the caller disposes it. */
export function oneHot(y: Int32Array, classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), classes), 'float32') as tf.Tensor2D);
}
