/**
 * The working copy of E for the Gram-based thin QR (src/linalg/qr.ts) and its two products: the
 * Gram matrix WᵀW in float64, and W ← W·M in place for an upper-triangular M. W is float32, so that
 * the copy costs no more than E itself, and it ends as the returned Q.
 *
 * Where WebAssembly SIMD runs (the 'simd' engine), W lives in a WebAssembly memory and the products
 * run the float64 f64x2 functions of qr.wat, split by rows across the calling thread and the helper threads registered
 * by `useWorkerThreads()` ('tfjs-subspace/node'); elsewhere (or past the 4 GiB of a wasm memory) the
 * same products run as plain JavaScript loops (the 'loops' engine: src/linalg/qr-loops.ts).
 */
import { Engine } from './engine';
import { gramUpper, Matrix, multiplyTransposed, pad4 } from './qr-loops';
import { bumpPlacer } from './wasm/place';
import { compileModule, trackWorkspace } from './wasm/simd';
import { QR_SHARED_WASM_BASE64, QR_WASM_BASE64 } from './wasm/bytes';
import { helperThreads, HelperThreads, QrFunctionName } from './wasm/threads';

/** A D×k working matrix (row-major float32) with the two products the thin QR needs. */
export interface QrWorkspace {
  readonly rows: number;
  readonly cols: number;
  /** 'simd': qr.wat (with `threads` threads); 'loops': plain JavaScript loops. */
  readonly engine: Engine;
  readonly threads: number;
  /** WᵀW in float64, p×p row-major with p = pad4(cols); only the upper triangle is meaningful. */
  gram(): Float64Array;
  /** W ← W·M, rounded to float32, for M upper triangular (p×p row-major, zero past `cols`). */
  apply(M: Float64Array): void;
  /** W as a row-major D×k Float32Array (a copy). */
  result(): Float32Array;
  /** Frees the memory (helpers drop it too). */
  dispose(): void;
}

/** A helper failed in the middle of a product: the working copy is unusable (the caller starts over). */
export class HelperFailure extends Error {}

/**
 * A workspace holding the columns `columns` of E (D×n row-major): the WebAssembly one where it runs
 * and fits (with the registered helper threads for 'auto', on the calling thread alone for
 * 'single'), else plain loops ('loops' forces those).
 */
export function qrWorkspace(E: Matrix, D: number, n: number, columns: number[], choice: QrEngineChoice = 'auto'): QrWorkspace {
  return (choice !== 'loops' && WasmWorkspace.create(E, D, n, columns, choice === 'auto')) || new LoopsWorkspace(E, D, n, columns);
}

/** Which engine a workspace runs: see {@link qrWorkspace} ('single': 'simd' on the calling thread alone). */
export type QrEngineChoice = 'auto' | 'single' | 'loops';

/** Multiply–adds per helper job (≈ 0.1–0.3 s), so a join never waits long and the work stays balanced. */
const JOB_MADDS = 4e8;
/** Below this many multiply–adds a product is not split between threads. */
const THREADED_MIN = 5e7;
const PAGE = 65536;
const MAX_PAGES = 65536;
const MAX_THREADS = 8;

let modules: { plain: WebAssembly.Module | null; shared: WebAssembly.Module | null } | undefined;
function qrModules() {
  modules ??= { plain: compileModule(QR_WASM_BASE64), shared: compileModule(QR_SHARED_WASM_BASE64) };
  return modules;
}

interface QrExports {
  gram(e: number, sp: number, r0: number, r1: number, tp: number, t: number, g: number): void;
  trmm(e: number, sp: number, r0: number, r1: number, tp: number, op: number, t: number, m: number): void;
}

/**
 * The rows are cut into this many fixed parts, each with its own Gram accumulator, summed in order at
 * the end: the rounding of G (and so Q's bits) does not depend on how many threads ran. Fewer parts
 * when d is large against D, so the accumulators stay ≤ a quarter of W.
 */
function gramParts(D: number, sp: number): number {
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(D / (16 * sp))));
}

/** Tile rows: the float64 tile (sp × t) takes ≈ 256 kB, so it stays in the L2 cache. */
function tileRows(sp: number): number {
  return Math.max(16, Math.min(256, Math.floor(32768 / sp) & ~3));
}

class WasmWorkspace implements QrWorkspace {
  readonly engine = 'simd';
  readonly threads: number;
  private readonly sp: number;
  private readonly t: number;
  private readonly k: QrExports;
  private readonly at: { w: number; m: number; tile: number[]; out: number[]; g: number[] };

  private attached: { pool: HelperThreads; handle: number } | null = null;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    readonly rows: number,
    readonly cols: number,
    threads: number,
  ) {
    const sp = (this.sp = pad4(cols));
    const t = (this.t = tileRows(sp));
    this.threads = threads;
    this.k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as QrExports;
    const place = bumpPlacer();
    const w = place(4 * rows * sp);
    const m = place(8 * sp * sp);
    const each = (bytes: number) => Array.from({ length: threads }, () => place(bytes));
    const g = Array.from({ length: gramParts(rows, sp) }, () => place(8 * sp * sp));
    this.at = { w, m, tile: each(8 * sp * t), out: each(8 * sp * t), g };
  }

  static bytes(D: number, n: number, threads: number): number {
    const sp = pad4(n);
    const parts = gramParts(D, sp);
    return 4 * D * sp + 8 * sp * sp + threads * 16 * sp * tileRows(sp) + parts * 8 * sp * sp + 16 * (2 + 2 * threads + parts);
  }

  static create(E: Matrix, D: number, n: number, columns: number[], useHelpers: boolean): WasmWorkspace | null {
    const { plain, shared } = qrModules();
    if (!plain) return null;
    const k = columns.length;
    const sp = pad4(k);
    const pool = useHelpers && shared && D * sp * sp >= THREADED_MIN ? helperThreads() : null;
    const threads = pool ? Math.min(MAX_THREADS, 1 + pool.helpers) : 1;
    const pages = Math.ceil(WasmWorkspace.bytes(D, k, threads) / PAGE);
    if (pages > MAX_PAGES) return null;
    let ws: WasmWorkspace;
    try {
      if (threads > 1) {
        const mem = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true } as WebAssembly.MemoryDescriptor);
        ws = new WasmWorkspace(mem, shared as WebAssembly.Module, D, k, threads);
      } else {
        ws = new WasmWorkspace(new WebAssembly.Memory({ initial: pages }), plain, D, k, 1);
      }
    } catch {
      return null; // the engine refused that much memory (or a shared one)
    }
    trackWorkspace(ws, pages * PAGE);
    ws.fill(E, n, columns);
    if (pool) ws.attached = { pool, handle: pool.attach(ws.memory, ws.module) };
    return ws;
  }

  private fill(E: Matrix, n: number, columns: number[]): void {
    const { rows: D, sp } = this;
    const W = new Float32Array(this.memory.buffer, this.at.w, D * sp);
    const all = columns.length === n && columns.every((c, j) => c === j);
    if (all && sp === n && E instanceof Float32Array) W.set(E);
    else if (all) for (let i = 0; i < D; i++) W.set(E.subarray(i * n, (i + 1) * n), i * sp);
    else {
      for (let i = 0; i < D; i++) {
        const o = i * n;
        const r = i * sp;
        for (let j = 0; j < columns.length; j++) W[r + j] = E[o + columns[j]];
      }
    }
  }

  /**
   * Runs the jobs: each is [rows r0, r1, what it works on], and jobs of one lane run in order on one
   * thread; in every round each thread takes the next job of one of its lanes (lane l → thread
   * l mod threads).
   */
  private run(fn: QrFunctionName, lanes: Array<Array<[number, number, number]>>, args: (th: number, job: [number, number, number]) => number[]): void {
    const n = this.threads;
    const queues: Array<Array<[number, number, number]>> = Array.from({ length: n }, () => []);
    lanes.forEach((jobs, l) => queues[l % n].push(...jobs));
    const call = this.k[fn] as (...a: number[]) => void;
    const pool = this.attached?.pool;
    for (let round = 0; queues.some((q) => round < q.length); round++) {
      const started: boolean[] = [];
      for (let th = 1; th < n; th++) {
        const job = queues[th][round];
        started[th] = !!job && !!pool?.start(th - 1, this.attached!.handle, fn, args(th, job));
      }
      if (queues[0][round]) call(...args(0, queues[0][round]));
      for (let th = 1; th < n; th++) {
        const job = queues[th][round];
        if (!job) continue;
        if (!started[th]) call(...args(th, job));
        else if (!pool!.join(th - 1)) throw new HelperFailure(`thin QR: helper thread ${th - 1} failed during ${fn}`);
      }
    }
  }

  /** The rows [lo, hi) in jobs of ≈ JOB_MADDS multiply–adds, cut at multiples of the tile height. */
  private jobs(lo: number, hi: number, tag: number): Array<[number, number, number]> {
    const per = Math.max(this.t, Math.floor(JOB_MADDS / ((this.sp * this.sp) / 2) / this.t) * this.t);
    const out: Array<[number, number, number]> = [];
    for (let r = lo; r < hi; r += per) out.push([r, Math.min(hi, r + per), tag]);
    return out;
  }

  gram(): Float64Array {
    const { rows: D, sp, t, at } = this;
    const parts = at.g.length;
    for (const g of at.g) new Float64Array(this.memory.buffer, g, sp * sp).fill(0);
    // Part boundaries at multiples of t: the tiles, and so the sums, are the same for any thread count.
    const bound = (p: number) => Math.min(D, Math.ceil(Math.floor((D * p) / parts) / t) * t);
    const lanes = Array.from({ length: parts }, (_, p) => this.jobs(bound(p), bound(p + 1), p));
    this.run('gram', lanes, (th, [r0, r1, p]) => [at.w, sp, r0, r1, at.tile[th], t, at.g[p]]);
    const G = new Float64Array(this.memory.buffer.slice(at.g[0], at.g[0] + 8 * sp * sp));
    for (let p = 1; p < parts; p++) {
      const part = new Float64Array(this.memory.buffer, at.g[p], sp * sp);
      for (let i = 0; i < G.length; i++) G[i] += part[i];
    }
    return G;
  }

  apply(M: Float64Array): void {
    const { sp, t, at } = this;
    // Packed by groups of four columns: (a, 4q + c) at (q·sp + a)·4 + c (see qr.wat).
    const P = new Float64Array(this.memory.buffer, at.m, sp * sp);
    for (let q = 0; q < sp / 4; q++) {
      for (let a = 0; a < sp; a++) {
        const o = (q * sp + a) * 4;
        for (let c = 0; c < 4; c++) P[o + c] = M[a * sp + 4 * q + c];
      }
    }
    const D = this.rows;
    const lanes = Array.from({ length: this.threads }, (_, l) => this.jobs(Math.floor((D * l) / this.threads), Math.floor((D * (l + 1)) / this.threads), 0));
    this.run('trmm', lanes, (th, [r0, r1]) => [at.w, sp, r0, r1, at.tile[th], at.out[th], t, at.m]);
  }

  result(): Float32Array {
    const { rows: D, cols: k, sp } = this;
    const W = new Float32Array(this.memory.buffer, this.at.w, D * sp);
    if (sp === k) return W.slice();
    const out = new Float32Array(D * k);
    for (let i = 0; i < D; i++) out.set(W.subarray(i * sp, i * sp + k), i * k);
    return out;
  }

  dispose(): void {
    if (this.attached) this.attached.pool.detach(this.attached.handle);
    this.attached = null;
  }
}

/** Row tile of the JavaScript products. */
const TILE = 128;

class LoopsWorkspace implements QrWorkspace {
  readonly engine = 'loops';
  readonly threads = 1;
  readonly cols: number;
  private readonly w: Float32Array;

  constructor(E: Matrix, readonly rows: number, n: number, columns: number[]) {
    const k = (this.cols = columns.length);
    this.w = new Float32Array(rows * k);
    for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) this.w[i * k + j] = E[i * n + columns[j]];
  }

  gram(): Float64Array {
    const k = this.cols;
    const p = pad4(k);
    const G = new Float64Array(p * p);
    const scratch = new Float64Array(TILE * p);
    for (let i0 = 0; i0 < this.rows; i0 += TILE) gramUpper(this.w, k, i0, Math.min(this.rows, i0 + TILE), G, scratch);
    return G;
  }

  apply(M: Float64Array): void {
    const k = this.cols;
    const p = pad4(k);
    const Mt = new Float64Array(p * k);
    for (let a = 0; a < k; a++) for (let b = a; b < k; b++) Mt[b * k + a] = M[a * p + b];
    const aEnd = Int32Array.from({ length: k }, (_, b) => b + 1);
    const tile = new Float64Array(TILE * k);
    for (let i0 = 0; i0 < this.rows; i0 += TILE) {
      const i1 = Math.min(this.rows, i0 + TILE);
      tile.set(this.w.subarray(i0 * k, i1 * k));
      multiplyTransposed(tile, k, 0, i1 - i0, Mt, k, aEnd, this.w, i0);
    }
  }

  result(): Float32Array {
    return this.w;
  }

  dispose(): void {}
}
