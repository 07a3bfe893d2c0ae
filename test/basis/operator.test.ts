import * as tf from '@tensorflow/tfjs';
import { Basis, hashedBasis, arrayOperator, srhtBasis } from '../../src';
import { uniformArray, useBackend } from '../helpers';

/**
 * With compute 'auto', a basis built while a GPU backend is active keeps its assignment in JavaScript
 * arrays (its tf-op path needs no WebAssembly); used later on cpu or wasm it makes its WebAssembly
 * engine then. A second cpu backend registered under the name 'webgl' stands in for the GPU (only
 * the name is consulted at build time; no op runs on it).
 */
describe("operator bases with compute 'auto' across a backend switch", () => {
  beforeAll(() => {
    const CpuBackend = (tf.findBackend('cpu') as tf.KernelBackend).constructor as new () => tf.KernelBackend;
    tf.registerBackend('webgl', () => new CpuBackend());
    // A GPU with float32 render targets (Node has no WebGL context to ask; see backends/precision.ts).
    tf.env().set('WEBGL_RENDER_FLOAT32_ENABLED', true);
  });
  afterAll(async () => {
    tf.removeBackend('webgl');
    await useBackend('cpu');
  });

  test.each([
    ['hashed', (s: number) => hashedBasis(3000, 40, { seed: s })],
    ['srht', (s: number) => srhtBasis(3000, 40, { seed: s })],
  ] as const)('%s built on a GPU backend gives, on cpu and wasm, the bits of one built there', async (_, make) => {
    expect(await tf.setBackend('webgl')).toBe(true);
    const fromGpu: Basis = make(5);
    expect(tf.getBackend()).toBe('webgl');
    expect(arrayOperator(fromGpu)).toBeNull(); // the tf-op path while the GPU backend is active
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const start = tf.memory().numTensors;
      const here = make(5);
      const v = tf.tensor1d(uniformArray(3000, 1));
      const c = tf.tensor1d(uniformArray(40, 2));
      const outs = [fromGpu.project(v), here.project(v), fromGpu.lift(c), here.lift(c)];
      expect(Array.from(outs[0].dataSync())).toEqual(Array.from(outs[1].dataSync()));
      expect(Array.from(outs[2].dataSync())).toEqual(Array.from(outs[3].dataSync()));
      expect((fromGpu as unknown as { engine: string }).engine).toBe('simd');
      tf.dispose([v, c, ...outs]);
      here.dispose();
      expect(tf.memory().numTensors).toBe(start);
    }
    fromGpu.dispose();
  });
});
