import { DENSE_SHARED_WASM_BASE64, DENSE_WASM_BASE64 } from './bytes';
import { bumpPlacer } from './place';
import { compileModule, trackWorkspace } from './simd';
import { DenseFunctionName, helperThreads, HelperThreads } from './threads';

/** The exports of dense.wat (byte addresses into the imported memory; rb = row bytes). */
interface DenseExports {
  project1(q: number, v: number, cb: number, acc: number, r0: number, r1: number, rb: number, block: number): void;
  project4(q: number, v: number, cb: number, acc: number, r0: number, r1: number, rb: number, block: number, seg: number): void;
  lift1(q: number, c: number, out: number, r0: number, r1: number, rb: number): void;
  lift4(q: number, c: number, out: number, r0: number, r1: number, rb: number, seg: number): void;
}

const PAGE = 65536;
const MAX_PAGES = 65536; // wasm32: 4 GiB
/** Threads (the caller and its helpers) a matrix keeps partial sums for. */
const MAX_THREADS = 8;
/** Rows per float32 partial sum of the projection before it is folded into float64. */
const BLOCK = 64;
/** Below this many matrix floats a pass takes well under a millisecond: helpers would cost more than they save. */
const THREADED_MIN = 1 << 20;

let modules: { plain: WebAssembly.Module | null; shared: WebAssembly.Module | null } | undefined;
function denseModules() {
  modules ??= { plain: compileModule(DENSE_WASM_BASE64), shared: compileModule(DENSE_SHARED_WASM_BASE64) };
  return modules;
}

/** A shared memory where the runtime allows one (Node; cross-origin-isolated pages), else null. */
function sharedMemory(pages: number): WebAssembly.Memory | null {
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true } as WebAssembly.MemoryDescriptor);
  } catch {
    return null;
  }
}

const detachLater =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<{ threads: HelperThreads; handle: number }>(({ threads, handle }) => threads.detach(handle))
    : null;

/**
 * A row-major float32 D×d matrix in its own WebAssembly memory (rows padded to dp = d rounded up to
 * 4, the padding zero) with c = Qᵀx and Q·z by the SIMD functions of dense.wat: four row streams at
 * once, and on helper threads too when `setHelperThreads` registered some (the memory is then
 * shared). The storage of a dense basis with `storage: 'wasm'`. Vectors are copied in and out (D floats: small beside the D·d the pass reads).
 * The projection sums blocks of 64 rows in float32 and the blocks in float64; a lift row is a
 * float32 dot product.
 */
export class WasmMatrix {
  readonly rows: number;
  readonly cols: number;
  /** The padded row length (floats). */
  readonly stride: number;
  /** The matrix, D rows of `stride` floats. */
  readonly q: Float32Array;
  private readonly k: DenseExports;
  private readonly at: { q: number; v: number; out: number; c: number; cb: number[]; acc: number[] };
  private readonly views: { v: Float32Array; out: Float32Array; c: Float32Array; cb: Float32Array[]; acc: Float64Array[] };
  private attached: { threads: HelperThreads; handle: number } | null = null;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    readonly shared: boolean,
    D: number,
    d: number,
  ) {
    this.rows = D;
    this.cols = d;
    const dp = (this.stride = (d + 3) & ~3);
    this.k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as DenseExports;
    const place = bumpPlacer();
    const q = place(4 * D * dp);
    const v = place(4 * D);
    const out = place(4 * D);
    const c = place(4 * dp);
    const cb = Array.from({ length: MAX_THREADS }, () => place(4 * dp));
    const acc = Array.from({ length: MAX_THREADS }, () => place(8 * dp));
    this.at = { q, v, out, c, cb, acc };
    const buf = memory.buffer;
    this.q = new Float32Array(buf, q, D * dp);
    this.views = {
      v: new Float32Array(buf, v, D),
      out: new Float32Array(buf, out, D),
      c: new Float32Array(buf, c, dp),
      cb: cb.map((p) => new Float32Array(buf, p, dp)),
      acc: acc.map((p) => new Float64Array(buf, p, dp)),
    };
  }

  /** Bytes of memory a D×d matrix takes. */
  static bytes(D: number, d: number): number {
    const dp = (d + 3) & ~3;
    return 4 * D * dp + 8 * D + 4 * dp + MAX_THREADS * 12 * dp + 16 * (4 + 2 * MAX_THREADS);
  }

  /** A zero D×d matrix, or null where WebAssembly SIMD cannot run or the matrix passes the 4 GiB of a wasm memory. */
  static create(D: number, d: number): WasmMatrix | null {
    const pages = Math.ceil(WasmMatrix.bytes(D, d) / PAGE);
    if (pages > MAX_PAGES) return null;
    const { plain, shared } = denseModules();
    try {
      const mem = shared ? sharedMemory(pages) : null;
      const matrix = mem
        ? new WasmMatrix(mem, shared as WebAssembly.Module, true, D, d)
        : plain
          ? new WasmMatrix(new WebAssembly.Memory({ initial: pages }), plain, false, D, d)
          : null;
      if (matrix) trackWorkspace(matrix, pages * PAGE);
      return matrix;
    } catch {
      return null; // the engine refused that much memory
    }
  }

  /** Copies a row-major D×d matrix in. */
  setRows(values: Float32Array): void {
    const { rows: D, cols: d, stride } = this;
    if (stride === d) this.q.set(values.subarray(0, D * d));
    else for (let i = 0; i < D; i++) this.q.set(values.subarray(i * d, (i + 1) * d), i * stride);
  }

  /** The matrix as a row-major D×d array (a copy). */
  getRows(): Float32Array {
    const { rows: D, cols: d, stride } = this;
    if (stride === d) return this.q.slice(0, D * d);
    const out = new Float32Array(D * d);
    for (let i = 0; i < D; i++) out.set(this.q.subarray(i * stride, i * stride + d), i * d);
    return out;
  }

  /** Threads taking part: the caller and the helpers (up to 8 in all) when the matrix is large enough. */
  private helpers(): HelperThreads | null {
    const threads = this.shared && this.rows * this.stride >= THREADED_MIN ? helperThreads() : null;
    if (!threads || threads.helpers < 1) return null;
    if (this.attached?.threads !== threads) {
      this.detach();
      this.attached = { threads, handle: threads.attach(this.memory, this.module) };
      detachLater?.register(this, this.attached, this);
    }
    return threads;
  }

  /**
   * Runs a pass: the four-stream function `four` over [0, seg) split among the threads, the leftover
   * rows (D mod 4) on the caller (`one`). share(t, r0, r1) prepares share t (clears its outputs)
   * and returns the function's arguments; the same call runs on a helper or, when that helper cannot
   * start or fails, on the caller. Returns the number of shares.
   */
  private pass(four: DenseFunctionName, share: (t: number, r0: number, r1: number) => number[], one: (r0: number, r1: number) => void): number {
    const seg = this.rows >> 2;
    const threads = this.helpers();
    const n = threads ? Math.min(MAX_THREADS, 1 + threads.helpers) : 1;
    const bound = (t: number) => Math.floor((seg * t) / n);
    const run = (t: number) => (this.k[four] as (...args: number[]) => void)(...share(t, bound(t), bound(t + 1)));
    const started: boolean[] = [];
    for (let t = 1; t < n; t++) {
      started[t] = (threads as HelperThreads).start(t - 1, this.attached!.handle, four, share(t, bound(t), bound(t + 1)));
    }
    run(0);
    one(4 * seg, this.rows);
    for (let t = 1; t < n; t++) {
      // A helper that could not start or failed: its share runs here (its outputs are its own).
      if (!started[t] || !(threads as HelperThreads).join(t - 1)) run(t);
    }
    return n;
  }

  /** c = Qᵀx (length d). */
  project(x: Float32Array): Float32Array {
    const { at, views, k, stride } = this;
    const rb = 4 * stride;
    const seg = this.rows >> 2;
    views.v.set(x);
    const n = this.pass(
      'project4',
      (t, r0, r1) => {
        views.cb[t].fill(0);
        views.acc[t].fill(0);
        return [at.q, at.v, at.cb[t], at.acc[t], r0, r1, rb, BLOCK, seg];
      },
      (r0, r1) => k.project1(at.q, at.v, at.cb[0], at.acc[0], r0, r1, rb, BLOCK),
    );
    const c = new Float32Array(this.cols);
    for (let j = 0; j < this.cols; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += views.acc[t][j];
      c[j] = s;
    }
    return c;
  }

  /** out ← Q·z, or base + Q·z (rounded as tf.add rounds it). */
  liftInto(z: Float32Array, out: Float32Array, base?: Float32Array): void {
    const { at, views, k, stride } = this;
    const rb = 4 * stride;
    const seg = this.rows >> 2;
    views.c.set(z.subarray(0, this.cols)); // the padding stays zero
    this.pass(
      'lift4',
      (_t, r0, r1) => [at.q, at.c, at.out, r0, r1, rb, seg],
      (r0, r1) => k.lift1(at.q, at.c, at.out, r0, r1, rb),
    );
    if (!base) out.set(views.out);
    else for (let i = 0; i < out.length; i++) out[i] = base[i] + views.out[i];
  }

  private detach(): void {
    if (!this.attached) return;
    detachLater?.unregister(this);
    this.attached.threads.detach(this.attached.handle);
    this.attached = null;
  }

  /** Lets helpers drop the memory; the matrix must not be used afterwards. */
  dispose(): void {
    this.detach();
  }
}
