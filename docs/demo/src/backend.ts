/**
 * Backend choice: webgl first, then wasm, then cpu; `?backend=wasm` (or cpu, webgl) puts that one
 * first. The .wasm binaries are served next to the page (the build copies them), so the wasm
 * fallback works offline.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from 'tfjs-subspace';

export const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendChoice {
  /** The backend in use. */
  name: string;
  /** Each backend tried before it, with why it was not used. */
  skipped: Array<{ name: string; reason: string }>;
}

export function backendOrder(requested: string | null): BackendName[] {
  const first = BACKENDS.find((b) => b === requested);
  return first ? [first, ...BACKENDS.filter((b) => b !== first)] : [...BACKENDS];
}

export async function chooseBackend(requested: string | null): Promise<BackendChoice> {
  setWasmPaths(new URL('./', document.baseURI).href);
  // tfjs-backend-wasm 4.22 lacks some training kernels and ships some wrong ones; the library supplies them.
  registerWasmTrainingKernels();
  const skipped: BackendChoice['skipped'] = [];
  for (const name of backendOrder(requested)) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name: tf.getBackend(), skipped };
      }
      skipped.push({ name, reason: 'failed to initialize' });
    } catch (e) {
      skipped.push({ name, reason: (e as Error).message });
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`);
}
