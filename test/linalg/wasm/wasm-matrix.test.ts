import { WasmMatrix } from '../../../src/linalg/wasm/wasm-matrix';
import { DenseFunctionName, HelperThreads, setHelperThreads } from '../../../src/linalg/wasm/threads';
import { uniformArray } from '../../helpers';

/**
 * WasmMatrix (dense.wat) against plain float64 loops over the same matrix (an independent computation).
 * Error bounds (u = 2⁻²⁴, float32 unit roundoff): a projection sums blocks of 64·4 products in
 * float32 and the blocks in float64, so |c − Qᵀx| ≤ (256 + 4)·u·Σ|x_i·Q_ij|; a lift row is a float32
 * dot product of ⌈d/4⌉ four-lane steps and a final pairwise lane sum: |out − Qz| ≤ (d/4 + 4)·u·Σ|Q_ij·z_j|.
 */
const U = 2 ** -24;

function reference(q: Float32Array, D: number, d: number, x: Float32Array, z: Float32Array) {
  const c = new Float64Array(d);
  const cAbs = new Float64Array(d);
  const out = new Float64Array(D);
  const outAbs = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < d; j++) {
      const a = q[i * d + j];
      c[j] += a * x[i];
      cAbs[j] += Math.abs(a * x[i]);
      out[i] += a * z[j];
      outAbs[i] += Math.abs(a * z[j]);
    }
  }
  return { c, cAbs, out, outAbs };
}

/** The largest |error| / bound over the entries (≤ 1 passes). */
function worst(got: ArrayLike<number>, want: Float64Array, bound: (i: number) => number): number {
  let w = 0;
  for (let i = 0; i < want.length; i++) w = Math.max(w, Math.abs(got[i] - want[i]) / (bound(i) + 1e-30));
  return w;
}

function expectClose(D: number, d: number, matrix: WasmMatrix, q: Float32Array, seed: number) {
  const x = uniformArray(D, seed);
  const z = uniformArray(d, seed + 1);
  const ref = reference(q, D, d, x, z);
  const c = matrix.project(x);
  expect(c).toHaveLength(d);
  expect(worst(c, ref.c, (j) => 260 * U * ref.cAbs[j])).toBeLessThanOrEqual(1);
  const out = new Float32Array(D).fill(NaN);
  matrix.liftInto(z, out);
  expect(worst(out, ref.out, (i) => (d / 4 + 4) * U * ref.outAbs[i])).toBeLessThanOrEqual(1);
  // With an origin: base + Q·z rounded once more, as tf.add rounds it.
  const base = uniformArray(D, seed + 2);
  const withBase = new Float32Array(D);
  matrix.liftInto(z, withBase, base);
  expect(withBase).toEqual(base.map((b, i) => Math.fround(b + out[i])));
  return { c, out };
}

function matrixOf(D: number, d: number, seed: number) {
  const q = uniformArray(D * d, seed);
  const matrix = WasmMatrix.create(D, d) as WasmMatrix;
  expect(matrix).not.toBeNull();
  matrix.setRows(q);
  return { q, matrix };
}

describe('WasmMatrix: the dense SIMD passes (four row streams, float64 block sums)', () => {
  afterEach(() => setHelperThreads(null));

  // D < 4 (no four-stream rows at all), D mod 4 = 1, 2, 3 (leftover rows), d not a multiple of 4
  // (padded rows), d = 1, and D/4 past one 64-row block (several float64 folds).
  test.each([
    [1, 1],
    [3, 2],
    [5, 3],
    [6, 4],
    [7, 5],
    [64, 1],
    [257, 9],
    [1030, 17],
    [2051, 40],
  ])('D = %i, d = %i: Qᵀx and Q·z within the float32 error bounds', (D, d) => {
    const { q, matrix } = matrixOf(D, d, D + d);
    expectClose(D, d, matrix, q, 7);
    expect(matrix.getRows()).toEqual(q); // the padding never shows
    matrix.dispose();
  });

  test('the padding columns stay zero and never reach the results', () => {
    const { q, matrix } = matrixOf(9, 3, 1);
    expect(matrix.stride).toBe(4);
    for (let i = 0; i < 9; i++) expect(matrix.q[i * 4 + 3]).toBe(0);
    // z with garbage past d: only its first d entries count.
    const z = Float32Array.from([1, 2, 3, 1e30]);
    const out = new Float32Array(9);
    matrix.liftInto(z, out);
    for (let i = 0; i < 9; i++) expect(out[i]).toBeCloseTo(q[i * 3] + 2 * q[i * 3 + 1] + 3 * q[i * 3 + 2], 5);
    matrix.dispose();
  });

  test('past the 4 GiB of a wasm memory there is no WasmMatrix (the basis then uses another storage)', () => {
    expect(WasmMatrix.create(1 << 20, 1100)).toBeNull();
    expect(WasmMatrix.bytes(1 << 20, 1100)).toBeGreaterThan(2 ** 32);
  });

  /** Helpers simulated on the calling thread: each started job runs at join, or fails as told. */
  class FakeThreads implements HelperThreads {
    readonly started: string[] = [];
    readonly detached: number[] = [];
    private pending: Array<() => void> = [];
    private readonly instances = new Map<number, Record<string, (...a: number[]) => void>>();
    constructor(
      readonly helpers: number,
      private readonly behaviour: 'run' | 'refuse' | 'fail',
    ) {}
    attach(memory: WebAssembly.Memory, module: WebAssembly.Module): number {
      const handle = this.instances.size + 1;
      this.instances.set(handle, new WebAssembly.Instance(module, { env: { memory } }).exports as never);
      return handle;
    }
    detach(handle: number): void {
      this.detached.push(handle);
    }
    start(h: number, handle: number, fn: DenseFunctionName, args: number[]): boolean {
      if (this.behaviour === 'refuse') return false;
      this.started.push(fn);
      const k = this.instances.get(handle) as Record<string, (...a: number[]) => void>;
      // 'fail' leaves wrong values in its share (a projection counted twice, rows dotted with the
      // wrong vector): the caller must clear it and redo it.
      const wrong = fn.startsWith('project') ? () => (k[fn](...args), k[fn](...args)) : () => k[fn](args[0], args[0], ...args.slice(2));
      this.pending[h] = this.behaviour === 'run' ? () => k[fn](...args) : wrong;
      return true;
    }
    join(h: number): boolean {
      this.pending[h]();
      return this.behaviour === 'run';
    }
  }

  // 40,001 × 27 = 1.08·10⁶ floats, past the size where helpers are used.
  const [BIG_D, BIG_d] = [40_001, 27];

  test.each(['run', 'refuse', 'fail'] as const)(
    'with 3 helpers that %s, the results are the same (lift bits included) and every share is done once',
    (behaviour) => {
      const { q, matrix } = matrixOf(BIG_D, BIG_d, 3);
      const alone = expectClose(BIG_D, BIG_d, matrix, q, 21);
      const fake = new FakeThreads(3, behaviour);
      setHelperThreads(fake);
      const shared = expectClose(BIG_D, BIG_d, matrix, q, 21);
      expect(shared.out).toEqual(alone.out); // each row is the same dot product, wherever it runs
      const close = Array.from(alone.c, (a, j) => Math.abs(shared.c[j] - a) <= 1e-5 * (1 + Math.abs(a)));
      expect(close.every(Boolean)).toBe(true);
      expect(fake.started.length).toBe(behaviour === 'refuse' ? 0 : 9); // 3 helpers × (project, lift, lift with base)
      matrix.dispose();
      expect(fake.detached).toEqual([1]);
    },
  );

  test('small matrices never wake the helpers (the hand-off would cost more than the pass)', () => {
    const { q, matrix } = matrixOf(2051, 40, 5);
    const fake = new FakeThreads(1, 'run');
    setHelperThreads(fake);
    expectClose(2051, 40, matrix, q, 3);
    expect(fake.started).toEqual([]);
    matrix.dispose();
  });
});
