/**
 * Scale: D = 10⁷, d = 10⁴ with hashed and SRHT bases on wasm (build time, project + lift time, extra
 * memory), and a dense basis beyond the 4 GB wasm heap with storage 'array' (D = 1.1·10⁶, d = 1000:
 * 4.4 GB float32). Part `scale` of bench/bases.ts.
 *
 * Every case runs in its own fresh node process (started with --expose-gc), so that its memory is
 * measured from a clean baseline: the wasm heap only grows, and a previous case would have left it
 * large. Env: BENCH_SCALE_CASES=hashed,srht-arrays,srht-tf,dense-array (default all).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Basis, DenseBasis, hashedBasis, srhtBasis } from '../src';
import { median, ms, printTable, runIfMain, timeOnce, uniformFloat32 } from './common';
import { BenchSummary } from './bases-summary';
import { collect, hashedMatrix, mb, memDiff, memMax, MemSnapshot, memSnapshot, useBackend } from './bases-util';

const D = 10_000_000;
const d = 10_000;
const RUNS = 5;
const ALL = ['hashed', 'srht-arrays', 'srht-tf', 'dense-array'];
const DENSE_ARRAY_D = 1_100_000;
const DENSE_ARRAY_d = 1000;
/** The cases as the projlift part names them (basis, options), for the summary. */
const SUMMARY_KEYS: Record<string, [string, string]> = {
  hashed: ['hashed', ''],
  'srht-arrays': ['srht', "compute 'arrays'"],
  'srht-tf': ['srht', "compute 'tf'"],
  'dense-array': ['dense', "storage 'array'"],
};
const MARK = '@@SCALE ';

const BREAKDOWN: Record<string, string> = {
  hashed: 'held: col (int32) and weights (float32) in the SIMD arena = 8·D B (+ 128 kB staging); per call: v read in place from the wasm heap and streamed through the staging array (project), Q·c written through it straight into the output tensor (lift)',
  'srht-arrays': 'held: the permutation and its inverse with the signs folded in (int32) and the D-float work array, in the SIMD arena = 12·D B (+ 64 kB staging); per call: v read in place and streamed in, Q·c scattered from JavaScript straight into the output tensor (D > 2²²)',
  'srht-tf': "held: 8·D B in JS, plus order, inverse, signs and spread tensors (≈ 16·D B) made on first use; per call: gathers and log2(n) reshape/concat stages per block",
};

interface ScaleResult {
  name: string;
  build: number;
  first: number;
  times: number[];
  held: MemSnapshot;
  /** Right after the build, before any GC: the builder's garbage included. */
  buildPeak?: MemSnapshot;
  peak: MemSnapshot;
  tfPeak: number;
  note?: string;
}

async function structuredCase(name: string): Promise<ScaleResult> {
  const make = (): Basis =>
    name === 'hashed' ? hashedBasis(D, d, { seed: 1 }) : srhtBasis(D, d, { seed: 1, compute: name === 'srht-tf' ? 'tf' : 'arrays' });
  const g = tf.tensor1d(uniformFloat32(D, 3));
  await collect();
  const base = memSnapshot();
  let basis: Basis | null = null;
  const build = timeOnce(() => (basis = make()));
  const b = basis as unknown as Basis;
  const buildPeak = memDiff(memSnapshot(), base);
  await collect();
  let peak = memSnapshot();
  const held = memDiff(peak, base);
  const sample = () => (peak = memMax(peak, memSnapshot()));
  const once = () => {
    const c = b.project(g);
    sample();
    const v = b.lift(c);
    // wasm runs kernels synchronously; read one number (not all of v: a D-float copy would count as memory)
    tf.tidy(() => tf.slice(v, 0, 1).dataSync());
    sample();
    tf.dispose([c, v]);
  };
  const first = timeOnce(once);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(timeOnce(once));
  const start = tf.memory().numBytes;
  const prof = await tf.profile(() => {
    const c = b.project(g);
    const v = b.lift(c);
    c.dispose();
    return v;
  });
  (prof.result as tf.Tensor).dispose();
  b.dispose();
  g.dispose();
  return { name, build, first, times, held, buildPeak, peak: memDiff(peak, base), tfPeak: prof.peakBytes - start };
}

async function denseArrayCase(): Promise<ScaleResult & { lines: string[] }> {
  const [DD, dd] = [DENSE_ARRAY_D, DENSE_ARRAY_d];
  const bytes = DD * dd * 4;
  const avail = memAvailable();
  const name = 'dense-array';
  const empty = { name, build: NaN, first: NaN, times: [], held: memSnapshot(), peak: memSnapshot(), tfPeak: NaN };
  if (avail < 1.5 * bytes) {
    return { ...empty, lines: [], note: `skipped: ${mb(avail)} MB available, needs ≈ ${mb(1.5 * bytes)} MB` };
  }
  await collect();
  const base = memSnapshot();
  let q: Float32Array | null = null;
  const tMatrix = timeOnce(() => (q = hashedMatrix(DD, dd)));
  const values = q as unknown as Float32Array;
  let basis: DenseBasis | null = null;
  const build = timeOnce(() => (basis = new DenseBasis({ values, shape: [DD, dd] }, 'dense', { storage: 'array' })));
  const b = basis as unknown as DenseBasis;
  const auto = new DenseBasis({ values, shape: [DD, dd] }); // storage 'auto' (no copy): which does it pick?
  const g = tf.tensor1d(uniformFloat32(DD, 3));
  const e = (j: number) => tf.oneHot(tf.tensor1d([j], 'int32'), dd).reshape([dd]).toFloat() as tf.Tensor1D;
  const tProject = timeOnce(() => b.project(g).dispose());
  const lines = [`matrix written in ${ms(tMatrix)} ms (${mb(bytes)} MB float32); DenseBasis storage 'auto' picks '${auto.storage}'`];
  let tLift = NaN;
  for (const j of [0, dd - 1]) {
    const ej = e(j);
    let col: tf.Tensor1D | null = null;
    const t = timeOnce(() => (col = b.lift(ej)));
    tLift = Number.isNaN(tLift) ? t : tLift;
    const c = col as unknown as tf.Tensor1D;
    const norm = tf.norm(c).dataSync()[0];
    const back = tf.tidy(() => tf.norm(tf.sub(b.project(c), ej)).dataSync()[0]);
    lines.push(`column ${j}: ‖Q·e_${j}‖ = ${norm.toFixed(7)}, ‖Qᵀ(Q·e_${j}) − e_${j}‖ = ${back.toExponential(1)} (lift ${ms(t)} ms)`);
    tf.dispose([ej, c]);
  }
  const peak = memDiff(memSnapshot(), base);
  lines.push(`one project (Qᵀg) ${ms(tProject)} ms, one lift (Q·c) ${ms(tLift)} ms; rss grew ${mb(peak.rss)} MB, arrayBuffers ${mb(peak.arrayBuffers)} MB`);
  // What the tensor storage does with the same matrix (the wasm heap holds 4 GB in all):
  try {
    new DenseBasis({ values, shape: [DD, dd] }, 'dense', { storage: 'tensor', keepTranspose: false }).dispose();
    lines.push("storage 'tensor' with the same matrix: worked");
  } catch (err) {
    lines.push(`storage 'tensor' with the same matrix fails: ${String((err as Error).message ?? err).slice(0, 160)}`);
  }
  b.dispose();
  g.dispose();
  return { name, build, first: tProject + tLift, times: [tProject + tLift], held: peak, peak, tfPeak: 0, lines };
}

/** MemAvailable from /proc/meminfo (bytes), or os-free-memory when that cannot be read. */
function memAvailable(): number {
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* fall through */
  }
  return os.freemem();
}

async function child(name: string): Promise<void> {
  if (!(await useBackend('wasm'))) throw new Error('wasm backend unavailable');
  const r = name === 'dense-array' ? await denseArrayCase() : await structuredCase(name);
  console.log(MARK + JSON.stringify(r));
}

export async function benchScale(summary?: BenchSummary): Promise<void> {
  console.log(`## Scale: D = 10⁷, d = 10⁴ (hashed, SRHT) and a 4.4 GB dense basis in a typed array, wasm backend\n`);
  const names = (process.env.BENCH_SCALE_CASES ?? ALL.join(',')).split(',').filter((n) => ALL.includes(n));
  const results: Array<ScaleResult & { lines?: string[] }> = [];
  for (const name of names) {
    const p = spawnSync(process.execPath, ['--expose-gc', require.resolve('ts-node/dist/bin.js'), '--transpile-only', __filename], {
      env: { ...process.env, BENCH_SCALE_CASE: name },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      timeout: 900_000,
    });
    const line = (p.stdout ?? '').split('\n').find((l) => l.startsWith(MARK));
    if (!line) {
      console.log(`case ${name} failed (status ${p.status}, signal ${p.signal}): ${(p.stderr ?? '').slice(-600)}\n`);
      continue;
    }
    results.push(JSON.parse(line.slice(MARK.length)));
  }
  const structured = results.filter((r) => r.name !== 'dense-array');
  for (const r of results) {
    const [basis, options] = SUMMARY_KEYS[r.name];
    const [DD, dd] = r.name === 'dense-array' ? [DENSE_ARRAY_D, DENSE_ARRAY_d] : [D, d];
    const held = r.held.tfBytes + Math.max(0, r.held.arrayBuffers) + (r.held.wasm ?? 0);
    summary?.add({ basis, options, D: DD, d: dd, backend: 'wasm', projectLift: median(r.times), held, peakRss: r.peak.rss });
  }
  printTable(
    ['basis', 'build s', 'first p+l ms', `p+l ms (median of ${RUNS})`, '≤ 1 s?'],
    structured.map((r) => {
      const m = median(r.times);
      return [r.name, (r.build / 1000).toFixed(2), ms(r.first), ms(m), m <= 1000 ? 'yes' : 'no'];
    }),
  );
  const output = D * 4;
  printTable(
    ['basis', 'held tf', 'held JS', 'held SIMD arena', 'build peak (wasm + JS + SIMD arena)', 'p+l transient tf (tf.profile)', 'peak Δ wasm heap', 'peak Δ JS arrayBuffers', 'peak Δ SIMD arena', 'peak Δ rss', 'peak Δ wasm + JS + SIMD arena', 'extra = that − output', '≤ 3·D·4 B + 1 MB?'],
    structured.map((r) => {
      const total = r.peak.wasmHeap + Math.max(0, r.peak.arrayBuffers) + (r.peak.wasm ?? 0);
      const extra = total - output;
      const bp = r.buildPeak ? mb(r.buildPeak.wasmHeap + r.buildPeak.arrayBuffers + (r.buildPeak.wasm ?? 0)) : '–';
      return [
        r.name, mb(r.held.tfBytes), mb(r.held.arrayBuffers), mb(r.held.wasm ?? 0), bp, mb(r.tfPeak), mb(r.peak.wasmHeap), mb(r.peak.arrayBuffers), mb(r.peak.wasm ?? 0),
        mb(r.peak.rss), mb(total), mb(extra), extra <= 3 * D * 4 + 1e6 ? 'yes' : 'no',
      ];
    }),
  );
  console.log('All in MB (10⁶ B). Each row is a fresh node process (wasm backend); Δ = change from just before the');
  console.log('build, with the input vector g (40 MB) already made. held = after the build and settled GCs; build peak =');
  console.log('right after the build, before GC (the builder\'s temporary arrays). peak Δ = maximum of samples taken after');
  console.log('each project and each lift (uncollected JS garbage counts: it is memory in use). The wasm heap never');
  console.log('shrinks, so its growth is the high-water mark of tensor memory. tf.profile: the peak of tensor bytes above');
  console.log('the held ones within one project + lift. SIMD arena: the WebAssembly memory of the library\'s typed arrays');
  console.log('(process.memoryUsage() does not see it; rss does). extra = peak Δ of wasm heap + JS + SIMD arena');
  console.log('minus the output vector Q·c itself (D·4 B = 40 MB, the result). Target: extra ≤ 3·D·4 B = 120 MB; the');
  console.log('verdict allows 1 MB more for what does not grow with D (64 kB staging arrays, d-sized arrays, page rounding).');
  for (const r of structured) console.log(`  ${r.name}: ${BREAKDOWN[r.name]}`);
  console.log('');
  for (const r of results.filter((x) => x.name === 'dense-array')) {
    console.log(`Dense basis beyond the wasm heap (storage 'array', D = 1.1·10⁶, d = 1000)${r.note ? `: ${r.note}` : ':'}`);
    for (const l of r.lines ?? []) console.log(`  ${l}`);
    console.log('');
  }
}

runIfMain(module, async () => {
  const name = process.env.BENCH_SCALE_CASE;
  if (name) await child(name);
  else await benchScale();
});
