/**
 * Thin QR benchmark: `orthonormalize` (and `thinQr`) against numpy + OpenBLAS `np.linalg.qr` in the
 * same run (the numpy child process runs right after ours, size by size, on the same bytes), plus
 * tf.linalg.qr, tf.linalg.gramSchmidt and mathjs at the small sizes. Float32 Gaussian D×d inputs at
 * 1000×100, 10⁴×100, 10⁵×100, 199210×200 and 199210×750 (D of the MNIST MLP 784-200-200-10, d of
 * Li et al.'s protocol). Ours runs with `useWorkerThreads()` (one thread per core, as OpenBLAS).
 *
 *   npx ts-node --transpile-only bench/qr.ts
 *
 * Env: BENCH_QR_SIZES=100000x100,199210x750 picks sizes; BENCH_SLOW=1 also tries tf.linalg.qr on the
 * cpu backend (≈ 100 s for one 1000×100 run); BENCH_NO_MATHJS=1 leaves mathjs out (≈ 28 s);
 * BENCH_QR_THREADS=1 runs ours on the calling thread only; BENCH_NO_TF=1 leaves the tf.js methods out.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as math from 'mathjs';
import { orthonormalize, thinQr } from '../src';
import { useWorkerThreads } from '../src/node/worker-threads';
import { gaussianFloat32, median, ms, printMachine, printTable, ratio, runIfMain, timeOnce, timeRuns } from './common';

const ALL_SIZES = [
  { D: 1000, d: 100, runs: 7 },
  { D: 10_000, d: 100, runs: 5 },
  { D: 100_000, d: 100, runs: 3 },
  { D: 199_210, d: 200, runs: 3 },
  { D: 199_210, d: 750, runs: 1 },
];
const SIZES = process.env.BENCH_QR_SIZES
  ? ALL_SIZES.filter((s) => process.env.BENCH_QR_SIZES!.split(',').includes(`${s.D}x${s.d}`))
  : ALL_SIZES;
/** Past this many entries a size gets no untimed warm-up run (the JIT is warm from the smaller ones). */
const WARMUP_MAX = 2e7;
/** The tf.js methods and mathjs run only at d = 100, D ≤ 10⁵ (they are 5–1700× slower). */
const slowBaselines = (D: number, d: number) => d === 100 && D <= 100_000;
/** A method whose single run would exceed this is skipped (seconds); 30 s on the slow cpu backend. */
const SINGLE_RUN_LIMIT_S = { wasm: 60, cpu: 30 };
/** A method whose first run exceeds this is not repeated (milliseconds). */
const REPEAT_LIMIT_MS = 5000;

interface Row {
  size: string;
  method: string;
  runs: number;
  median: number;
  /** max |QᵀQ − I| in float64, NaN when not measured. */
  orth: number;
  note?: string;
}

/** max |QᵀQ − I| (entrywise) and ‖QᵀQ − I‖∞ (largest absolute row sum) in float64. */
export function orthonormality(q: ArrayLike<number>, D: number, k: number, rowsAreVectors = false) {
  const G = new Float64Array(k * k);
  if (rowsAreVectors) {
    // q is k×D: G[a, b] = ⟨row a, row b⟩.
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let s = 0;
        for (let i = 0, oa = a * D, ob = b * D; i < D; i++) s += q[oa + i] * q[ob + i];
        G[a * k + b] = s;
      }
    }
  } else {
    // q is D×k: accumulate the upper triangle of Σ_i q_i q_iᵀ row by row.
    const row = new Float64Array(k);
    for (let i = 0; i < D; i++) {
      for (let a = 0; a < k; a++) row[a] = q[i * k + a];
      for (let a = 0; a < k; a++) {
        const x = row[a];
        const o = a * k;
        for (let b = a; b < k; b++) G[o + b] += x * row[b];
      }
    }
  }
  let maxAbs = 0;
  let inf = 0;
  for (let a = 0; a < k; a++) {
    let rowSum = 0;
    for (let b = 0; b < k; b++) {
      const g = a <= b ? G[a * k + b] : G[b * k + a];
      const e = Math.abs(g - (a === b ? 1 : 0));
      maxAbs = Math.max(maxAbs, e);
      rowSum += e;
    }
    inf = Math.max(inf, rowSum);
  }
  return { maxAbs, inf };
}

const PYTHON = `
import json, sys, time
import numpy as np
info = {"numpy": np.__version__}
try:
    import threadpoolctl
    info["blas"] = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
                    for p in threadpoolctl.threadpool_info()]
except Exception as e:
    info["blas"] = "threadpoolctl unavailable: %s" % e
print(json.dumps({"info": info}), flush=True)
def orth(Q):
    Q64 = Q.astype(np.float64)
    A = np.abs(Q64.T @ Q64 - np.eye(Q.shape[1]))
    return float(A.max()), float(A.sum(axis=1).max())
for job in json.loads(sys.argv[1]):
    E = np.fromfile(job["file"], dtype=np.float32).reshape(job["D"], job["d"])
    if job.get("ours"):
        ours = np.fromfile(job["ours"], dtype=np.float32).reshape(job["D"], job["d"])
        m, inf = orth(ours)
        print(json.dumps({"D": job["D"], "d": job["d"], "oursOrth": m, "oursInf": inf}), flush=True)
        del ours
    inputs = (("float32", E), ("float64", E.astype(np.float64))) if job["small"] else (("float32", E),)
    for label, A in inputs:
        if job["small"]:
            np.linalg.qr(A, mode="reduced")  # warm-up
        ts = []
        for _ in range(job["runs"]):
            t0 = time.perf_counter()
            Q, R = np.linalg.qr(A, mode="reduced")
            ts.append((time.perf_counter() - t0) * 1e3)
        m, inf = orth(Q)
        del Q, R
        print(json.dumps({"D": job["D"], "d": job["d"], "input": label, "times": ts, "orth": m}), flush=True)
`;

interface NumpyResult {
  info: unknown;
  envNote: string;
  results: Array<{ D: number; d: number; input: string; times: number[]; orth: number }>;
  /** max |QᵀQ − I| and ‖QᵀQ − I‖∞ of our Q, computed by numpy in float64 (independent of our code). */
  ours?: { oursOrth: number; oursInf: number };
  error?: string;
}

/**
 * Runs numpy's thin QR in a /usr/bin/python3 child on the same matrix (written to a temp file), and
 * measures the orthonormality of our Q there.
 */
function runNumpy(input: { D: number; d: number; runs: number; E: Float32Array }, ourQ: Float32Array): NumpyResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-qr-'));
  const write = (name: string, a: Float32Array) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    return file;
  };
  const { D, d, runs, E } = input;
  const jobs = [{ file: write('E.f32', E), ours: write('Q.f32', ourQ), D, d, runs, small: D * d <= WARMUP_MAX }];
  const env = { ...process.env };
  let envNote = 'OPENBLAS_CORETYPE not set: numpy child ran with the inherited environment';
  if (env.OPENBLAS_CORETYPE !== undefined || env.OPENBLAS_L2_SIZE !== undefined) {
    envNote =
      `unset OPENBLAS_CORETYPE=${env.OPENBLAS_CORETYPE ?? ''} and OPENBLAS_L2_SIZE=${env.OPENBLAS_L2_SIZE ?? ''} ` +
      'for the numpy child process only';
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
  }
  try {
    const p = spawnSync('/usr/bin/python3', ['-c', PYTHON, JSON.stringify(jobs)], { env, encoding: 'utf8', timeout: 600_000 });
    if (p.status !== 0) return { info: null, envNote, results: [], error: `${p.error ?? ''} ${p.stderr}`.trim() };
    const lines = p.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const ours = lines.find((l) => l.oursOrth !== undefined);
    return { info: lines[0].info, envNote, ours, results: lines.slice(1).filter((l) => l.times) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface TfMethod {
  name: string;
  backend: 'wasm' | 'cpu';
  /** Cost ∝ D^exponent at fixed d: used to predict the next size from the last measured one. */
  exponent: number;
  /** Returns Q's values and whether they are stored k×D (rows are the vectors). */
  run: (E: tf.Tensor2D, Et: tf.Tensor2D) => { q: Float32Array; rowsAreVectors: boolean };
  /** A reason to skip a size without trying (e.g. a D×D matrix that cannot fit). */
  refuse?: (D: number) => string | undefined;
}

/** Downloads Q outside any tidy: a typed array returned from tf.tidy would be walked entry by entry. */
function download(q: tf.Tensor2D, rowsAreVectors: boolean): { q: Float32Array; rowsAreVectors: boolean } {
  const data = q.dataSync() as Float32Array;
  q.dispose();
  return { q: data, rowsAreVectors };
}
const tfQr = (E: tf.Tensor2D) => download(tf.tidy(() => tf.linalg.qr(E)[0] as tf.Tensor2D), false);
const tfGs = (_E: tf.Tensor2D, Et: tf.Tensor2D) => download(tf.tidy(() => tf.linalg.gramSchmidt(Et) as tf.Tensor2D), true);
const dxd = (D: number) =>
  D * D * 4 > 2 ** 31 ? `builds a ${D}×${D} matrix (${((D * D * 4) / 2 ** 30).toFixed(0)} GiB)` : undefined;

const TF_METHODS: TfMethod[] = [
  { name: 'tf.linalg.qr (wasm)', backend: 'wasm', exponent: 2, run: tfQr, refuse: dxd },
  { name: 'tf.linalg.gramSchmidt (wasm)', backend: 'wasm', exponent: 1, run: tfGs },
  {
    name: 'tf.linalg.qr (cpu)',
    backend: 'cpu',
    exponent: 2,
    run: tfQr,
    refuse: (D) =>
      process.env.BENCH_SLOW
        ? dxd(D)
        : 'would take > 60 s: one 1000×100 run took 97 s when this script was written; BENCH_SLOW=1 tries it',
  },
  { name: 'tf.linalg.gramSchmidt (cpu)', backend: 'cpu', exponent: 1, run: tfGs },
];

export async function benchQr(): Promise<void> {
  console.log('## Thin QR of a float32 gaussian D×d matrix\n');
  const threads = process.env.BENCH_QR_THREADS ? Number(process.env.BENCH_QR_THREADS) : undefined;
  const helpers = useWorkerThreads(threads);
  console.log(`ours: useWorkerThreads(${threads ?? ''}) → ${helpers} helper thread(s) besides the caller\n`);
  await tf.setBackend('wasm');
  await tf.ready();
  const rows: Row[] = [];
  const ours = new Map<string, number>();
  const orthRows: string[][] = [];
  const label = (D: number, d: number) => `${D}×${d}`;
  const numpyRatios: string[] = [];
  let npInfo: NumpyResult | null = null;
  const inputs: Array<{ D: number; d: number; runs: number; E: Float32Array }> = [];

  // Per size: ours (an untimed warm-up at the small sizes, then the median of `runs`), then numpy.
  for (const s of SIZES) {
    const { D, d, runs } = s;
    const E = gaussianFloat32(D * d, 100 + ALL_SIZES.findIndex((a) => a.D === D && a.d === d));
    if (slowBaselines(D, d)) inputs.push({ ...s, E });
    const Et = tf.tensor2d(E, [D, d]);
    if (D * d <= WARMUP_MAX) orthonormalize(Et).dispose();
    let q: Float32Array | null = null;
    const tOrth = timeRuns(() => {
      const Q = orthonormalize(Et);
      q = Q.dataSync() as Float32Array; // the last run's Q, for the orthonormality check
      Q.dispose();
    }, runs);
    Et.dispose();
    ours.set(label(D, d), median(tOrth));
    rows.push({ size: label(D, d), method: `ours: orthonormalize (tensor in/out, wasm)`, runs, median: median(tOrth), orth: NaN });
    if (D * d <= WARMUP_MAX) {
      const tQr = timeRuns(() => thinQr(E, D, d), runs);
      const res = thinQr(E, D, d);
      rows.push({ size: label(D, d), method: `ours: thinQr (typed arrays; route ${res.method}, ${res.passes} pass)`, runs, median: median(tQr), orth: NaN });
    }
    const np = runNumpy({ ...s, E }, q as unknown as Float32Array);
    q = null;
    npInfo ??= np;
    if (np.error) console.log(`numpy child failed at ${label(D, d)}: ${np.error}\n`);
    for (const r of rows) if (r.size === label(D, d) && r.method.startsWith('ours')) r.orth = np.ours?.oursOrth ?? NaN;
    orthRows.push([label(D, d), np.ours?.oursOrth.toExponential(2) ?? '–', np.ours?.oursInf.toExponential(2) ?? '–']);
    for (const r of np.results) {
      rows.push({ size: label(r.D, r.d), method: `numpy.linalg.qr reduced (${r.input} input)`, runs: r.times.length, median: median(r.times), orth: r.orth });
    }
    const n32 = np.results.find((r) => r.input === 'float32');
    if (n32) {
      const rr = median(tOrth) / median(n32.times);
      const target = D * d >= 1e7 ? (rr <= 1 ? ' — target ≤ 1.0 met' : ' — target ≤ 1.0 NOT met') : '';
      numpyRatios.push(`  ${label(D, d)}: ours ${ms(median(tOrth))} ms, numpy ${ms(median(n32.times))} ms → ${ratio(rr)}${target}`);
      console.log(numpyRatios[numpyRatios.length - 1]);
    }
  }
  const np = npInfo ?? { info: null, envNote: '', results: [] };

  // tf.js methods: one run first; skipped when the prediction from the last size exceeds the limit.
  for (const m of process.env.BENCH_NO_TF ? [] : TF_METHODS) {
    await tf.setBackend(m.backend);
    await tf.ready();
    let last: { D: number; t: number } | null = null;
    for (const { D, d, runs, E } of inputs) {
      const size = label(D, d);
      const limit = SINGLE_RUN_LIMIT_S[m.backend];
      const refused = m.refuse?.(D);
      const predicted = last ? last.t * (D / last.D) ** m.exponent : 0;
      if (refused || predicted > limit * 1000) {
        const dd = m.exponent === 2 ? `; builds a ${D}×${D} matrix` : '';
        const why = refused ?? `would take ≈ ${(predicted / 1000).toFixed(0)} s > ${limit} s${dd}`;
        rows.push({ size, method: m.name, runs: 0, median: NaN, orth: NaN, note: `skipped (${why})` });
        continue;
      }
      const Et = tf.tensor2d(E, [D, d]);
      const EtT = tf.tidy(() => tf.transpose(Et) as tf.Tensor2D);
      let out: { q: Float32Array; rowsAreVectors: boolean } | null = null;
      const first = timeOnce(() => (out = m.run(Et, EtT)));
      const times = [first];
      if (first < REPEAT_LIMIT_MS) times.push(...timeRuns(() => m.run(Et, EtT), runs - 1));
      Et.dispose();
      EtT.dispose();
      const res = out as unknown as { q: Float32Array; rowsAreVectors: boolean };
      const o = orthonormality(res.q, D, d, res.rowsAreVectors);
      last = { D, t: median(times) };
      rows.push({ size, method: m.name, runs: times.length, median: median(times), orth: o.maxAbs, note: times.length === 1 ? 'one run (slow)' : undefined });
    }
  }
  await tf.setBackend('wasm');

  // mathjs: full QR of a 1000×100 array, one run (≈ 28 s).
  if (!process.env.BENCH_NO_MATHJS && inputs[0]?.D === 1000) {
    const { D, d, E } = inputs[0];
    const nested = Array.from({ length: D }, (_, i) => Array.from(E.subarray(i * d, (i + 1) * d)));
    let res: { Q: number[][] } | null = null;
    const t = timeOnce(() => (res = math.qr(nested) as unknown as { Q: number[][] }));
    const Q = (res as unknown as { Q: number[][] }).Q;
    const thin = new Float64Array(D * d);
    for (let i = 0; i < D; i++) for (let j = 0; j < d; j++) thin[i * d + j] = Q[i][j];
    const o = orthonormality(thin, D, d);
    rows.push({ size: label(D, d), method: 'mathjs qr (full Q, 1000×1000)', runs: 1, median: t, orth: o.maxAbs, note: 'one run only (slow)' });
    for (const { D: D2, d: d2 } of inputs.slice(1)) {
      rows.push({ size: label(D2, d2), method: 'mathjs qr', runs: 0, median: NaN, orth: NaN, note: 'skipped (1000×100 only: ≈ 28 s there, builds a D×D Q)' });
    }
  }

  const order = (r: Row) => SIZES.findIndex((s) => label(s.D, s.d) === r.size);
  rows.sort((a, b) => order(a) - order(b));
  printTable(
    ['size', 'method', 'runs', 'median ms', '÷ ours', 'max|QᵀQ−I|', 'note'],
    rows.map((r) => [
      r.size,
      r.method,
      String(r.runs),
      ms(r.median),
      ratio(r.median / (ours.get(r.size) as number)),
      Number.isFinite(r.orth) ? r.orth.toExponential(1) : '–',
      r.note ?? '',
    ]),
  );
  console.log('"÷ ours" = median of the method / median of ours (orthonormalize); > 1 means ours is faster.');
  console.log('Ours: one untimed warm-up run per size, then the median of the runs listed; numpy likewise.\n');

  console.log('Orthonormality of our float32 Q, computed by numpy in float64:\n');
  printTable(['size', 'max |QᵀQ − I|', '‖QᵀQ − I‖∞ (max row sum)'], orthRows);

  console.log('ours / numpy (orthonormalize median ÷ numpy float32-input median, same run; issue 13 target ≤ 1.0 at 10⁵×100, 199210×200, 199210×750):');
  for (const line of numpyRatios) console.log(line);
  console.log(`numpy child: ${np.envNote}`);
  console.log(`numpy child BLAS: ${JSON.stringify(np.info)}\n`);
}

runIfMain(module, async () => {
  printMachine('bench/qr.ts');
  await benchQr();
});
