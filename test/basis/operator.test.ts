import * as tf from '@tensorflow/tfjs';
import { Basis, hashedBasis, InvalidArgumentError, srhtBasis } from '../../src';
import { arrayOperator } from '../../src/tools';
import { HashedBasis } from '../../src/basis/hashed';
import { SrhtBasis } from '../../src/basis/srht';
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

/**
 * The structured bases' arguments, checked in one place (checkStructuredOptions in
 * src/basis/operator.ts): `new HashedBasis(D, d, opts)` and `new SrhtBasis(D, d, opts)` take the same
 * options as their factories; the old spellings throw naming the new one.
 */
describe('structured basis options: one shape, old spellings refused', () => {
  beforeAll(() => useBackend('cpu'));

  test.each([
    ['hashed', hashedBasis, HashedBasis],
    ['srht', srhtBasis, SrhtBasis],
  ] as const)("%s: the constructor takes the factory's options and gives the same Q on either compute", (_, factory, Ctor) => {
    const start = tf.memory().numTensors;
    const bases = [factory(50, 6, { seed: 3 }), new Ctor(50, 6, { seed: 3 }), new Ctor(50, 6, { seed: 3, compute: 'arrays' }), new Ctor(50, 6, { seed: 3, compute: 'tf' })];
    const qs = bases.map((b) => {
      const m = b.materialize();
      const q = Array.from(m.dataSync());
      m.dispose();
      return q;
    });
    qs.slice(1).forEach((q) => expect(q).toEqual(qs[0]));
    expect(arrayOperator(bases[2])).not.toBeNull();
    expect(arrayOperator(bases[3])).toBeNull(); // compute 'tf': tf ops only
    expect(bases[2].engine).toBe('simd');
    bases.forEach((b) => b.dispose());
    expect(tf.memory().numTensors).toBe(start);
  });

  test.each([
    ['new HashedBasis(D, d, 5)', 'HashedBasis', () => new HashedBasis(20, 4, 5 as never), "the seed now goes in the options object: pass { seed: 5 } as the third argument (and { compute } instead of a fourth 'impl' argument)."],
    ['new SrhtBasis(D, d, 5)', 'SrhtBasis', () => new SrhtBasis(20, 4, 5 as never), 'the seed now goes in the options object: pass { seed: 5 }'],
    ["hashedBasis impl 'js'", 'hashedBasis', () => hashedBasis(20, 4, { impl: 'js' } as never), "option 'impl' is now called 'compute' (impl 'js' is now compute 'arrays'); pass { compute: 'auto' | 'arrays' | 'tf' }."],
    ["srhtBasis impl 'tf'", 'srhtBasis', () => srhtBasis(20, 4, { impl: 'tf' } as never), "option 'impl' is now called 'compute'"],
    ["new SrhtBasis impl 'auto'", 'SrhtBasis', () => new SrhtBasis(20, 4, { impl: 'auto' } as never), "option 'impl' is now called 'compute'"],
    ["hashedBasis compute 'js'", 'hashedBasis', () => hashedBasis(20, 4, { compute: 'js' } as never), `compute must be 'auto', 'arrays' or 'tf', got "js" (compute 'js' is now called 'arrays').`],
    ["srhtBasis compute 'gpu'", 'srhtBasis', () => srhtBasis(20, 4, { compute: 'gpu' } as never), `compute must be 'auto', 'arrays' or 'tf', got "gpu".`],
    ['hashedBasis null options', 'hashedBasis', () => hashedBasis(20, 4, null as never), 'the options must be an object { seed, compute }, got null.'],
  ])('%s: an InvalidArgumentError naming the function and the new spelling; nothing left', (_, where, make, message) => {
    const start = tf.memory().numTensors;
    expect(make).toThrow(InvalidArgumentError);
    expect(make).toThrow(`${where}: ${message}`);
    expect(tf.memory().numTensors).toBe(start);
  });
});
