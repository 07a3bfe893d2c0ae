import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, InvalidArgumentError } from '../../src';
import { stopWorkerThreads, useWorkerThreads } from '../../src/node';
import { DenseFunctionName, helperThreads, HelperThreads, setHelperThreads } from '../../src/linalg/wasm/threads';
import { DENSE_SHARED_WASM_BASE64 } from '../../src/linalg/wasm/bytes';
import { uniformArray, useBackend } from '../helpers';

/** The real pool, wrapped to count what its helpers did. */
function spy(inner: HelperThreads) {
  const log = { started: 0, joined: 0, failed: 0, detached: [] as number[] };
  const threads: HelperThreads = {
    helpers: inner.helpers,
    attach: (memory, module) => inner.attach(memory, module),
    detach: (handle) => (log.detached.push(handle), inner.detach(handle)),
    start: (h: number, handle: number, fn: DenseFunctionName, args: number[]) => {
      const ok = inner.start(h, handle, fn, args);
      if (ok) log.started++;
      return ok;
    },
    join: (h) => {
      const ok = inner.join(h);
      if (ok) log.joined++;
      else log.failed++;
      return ok;
    },
  };
  return { threads, log };
}

describe('useWorkerThreads: dense passes on worker_threads helpers', () => {
  beforeAll(() => useBackend('wasm'));
  afterAll(() => stopWorkerThreads());

  test('bad thread counts are rejected and change nothing', () => {
    stopWorkerThreads();
    for (const n of [0, 9, 1.5, NaN]) {
      expect(() => useWorkerThreads(n)).toThrow(InvalidArgumentError);
      expect(() => useWorkerThreads(n)).toThrow(/integer from 1 to 8/);
    }
    expect(helperThreads()).toBeNull();
    expect(useWorkerThreads(1)).toBe(0); // the caller alone: no pool
    expect(helperThreads()).toBeNull();
  });

  test('the helpers share the passes: same lift bits and projections as one thread, no tensor left', async () => {
    stopWorkerThreads();
    const [D, d] = [50_001, 24]; // 1.2·10⁶ floats: past the size where helpers are used
    const basis = gaussianBasis(D, d, { seed: 4 });
    expect(basis.storage).toBe('wasm');
    const v = tf.tensor1d(uniformArray(D, 1));
    const c = tf.tensor1d(uniformArray(d, 2));
    const start = tf.memory().numTensors;
    const alone = { p: basis.project(v), l: basis.lift(c) };

    expect(useWorkerThreads(3)).toBe(2);
    const pool = helperThreads() as HelperThreads;
    expect(useWorkerThreads(3)).toBe(2); // idempotent: the same pool
    expect(helperThreads()).toBe(pool);
    const { threads, log } = spy(pool);
    setHelperThreads(threads);
    // The helpers start asynchronously; until they run, the caller does their shares.
    for (let i = 0; i < 200 && log.started < 4; i++) {
      tf.dispose([basis.project(v), basis.lift(c)]);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(log.started).toBeGreaterThanOrEqual(4);
    const shared = { p: basis.project(v), l: basis.lift(c) };
    expect(log.failed).toBe(0);
    expect(log.joined).toBe(log.started);
    expect(shared.l.dataSync()).toEqual(alone.l.dataSync());
    const pa = alone.p.dataSync();
    const ps = shared.p.dataSync();
    pa.forEach((x, j) => expect(Math.abs(ps[j] - x)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(x))));
    tf.dispose([alone.p, alone.l, shared.p, shared.l]);
    expect(tf.memory().numTensors).toBe(start);

    basis.dispose();
    expect(log.detached).toHaveLength(1);
    stopWorkerThreads();
    expect(helperThreads()).toBeNull();
    tf.dispose([v, c]);
  });

  test('a job the helper cannot run (unknown memory) fails cleanly, and the helper stays usable', async () => {
    stopWorkerThreads();
    useWorkerThreads(2);
    const pool = helperThreads() as HelperThreads;
    const startWhenReady = async (handle: number, fn: DenseFunctionName, args: number[]) => {
      for (let i = 0; i < 400; i++) {
        if (pool.start(0, handle, fn, args)) return true;
        await new Promise((r) => setTimeout(r, 25));
      }
      return false;
    };
    expect(await startWhenReady(12345, 'lift1', [0, 0, 0, 0, 0, 4])).toBe(true);
    expect(pool.join(0)).toBe(false);
    // A real job afterwards: out = Q·c for a 3×4 Q of ones and c = (1, 2, 3, 4): every row 10.
    const module = new WebAssembly.Module(Uint8Array.from(atob(DENSE_SHARED_WASM_BASE64), (ch) => ch.charCodeAt(0)));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    const f = new Float32Array(memory.buffer);
    f.fill(1, 0, 12);
    f.set([1, 2, 3, 4], 12);
    const handle = pool.attach(memory, module);
    expect(await startWhenReady(handle, 'lift1', [0, 48, 64, 0, 3, 16])).toBe(true);
    expect(pool.join(0)).toBe(true);
    expect(Array.from(f.subarray(16, 19))).toEqual([10, 10, 10]);
    pool.detach(handle);
    stopWorkerThreads();
  });

  test('after stopWorkerThreads a basis goes on alone with the same results', () => {
    useWorkerThreads(2);
    const basis = gaussianBasis(40_000, 30, { seed: 5 });
    const v = tf.tensor1d(uniformArray(40_000, 3));
    const before = basis.project(v);
    stopWorkerThreads();
    const after = basis.project(v);
    const [a, b] = [before.dataSync(), after.dataSync()];
    a.forEach((x, j) => expect(Math.abs(b[j] - x)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(x))));
    tf.dispose([v, before, after]);
    basis.dispose();
  });
});
