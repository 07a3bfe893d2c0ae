/**
 * Thin QR benchmark: our CholQR2 (`orthonormalize`, `thinQr`) against numpy + OpenBLAS, tf.linalg.qr,
 * tf.linalg.gramSchmidt and mathjs, on float32 gaussian D×d inputs (d = 100).
 *
 *   npx ts-node --transpile-only bench/qr.ts
 *
 * Env: BENCH_SLOW=1 also tries tf.linalg.qr on the cpu backend (≈ 100 s for one 1000×100 run);
 * BENCH_NO_MATHJS=1 leaves mathjs out (≈ 28 s).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as math from 'mathjs';
import { orthonormalize, thinQr } from '../src';
import { gaussianFloat32, median, ms, printMachine, printTable, ratio, runIfMain, timeOnce, timeRuns } from './common';

const SIZES = [
  { D: 1000, d: 100, runs: 7 },
  { D: 10_000, d: 100, runs: 5 },
  { D: 100_000, d: 100, runs: 5 },
];
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
for job in json.loads(sys.argv[1]):
    E = np.fromfile(job["file"], dtype=np.float32).reshape(job["D"], job["d"])
    for label, A in (("float32", E), ("float64", E.astype(np.float64))):
        np.linalg.qr(A, mode="reduced")  # warm-up
        ts = []
        for _ in range(job["runs"]):
            t0 = time.perf_counter()
            Q, R = np.linalg.qr(A, mode="reduced")
            ts.append((time.perf_counter() - t0) * 1e3)
        Q64 = Q.astype(np.float64)
        orth = float(np.abs(Q64.T @ Q64 - np.eye(job["d"])).max())
        print(json.dumps({"D": job["D"], "d": job["d"], "input": label, "times": ts, "orth": orth}), flush=True)
`;

interface NumpyResult {
  info: unknown;
  envNote: string;
  results: Array<{ D: number; d: number; input: string; times: number[]; orth: number }>;
  error?: string;
}

/** Runs numpy's thin QR in a /usr/bin/python3 child on the same matrices (written to temp files). */
function runNumpy(inputs: Array<{ D: number; d: number; runs: number; E: Float32Array }>): NumpyResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-qr-'));
  const jobs = inputs.map(({ D, d, runs, E }) => {
    const file = path.join(dir, `E_${D}x${d}.f32`);
    fs.writeFileSync(file, Buffer.from(E.buffer, E.byteOffset, E.byteLength));
    return { file, D, d, runs };
  });
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
    return { info: lines[0].info, envNote, results: lines.slice(1) };
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
  console.log('## Thin QR of a float32 gaussian D×d matrix (d = 100)\n');
  await tf.setBackend('wasm');
  await tf.ready();
  const inputs = SIZES.map((s, i) => ({ ...s, E: gaussianFloat32(s.D * s.d, 100 + i) }));
  const rows: Row[] = [];
  const ours = new Map<string, number>();
  const orthRows: string[][] = [];
  const label = (D: number, d: number) => `${D}×${d}`;

  // Ours: one untimed warm-up (JIT), then the median of `runs`.
  for (const { D, d, runs, E } of inputs) {
    const Et = tf.tensor2d(E, [D, d]);
    orthonormalize(Et).dispose();
    const tOrth = timeRuns(() => orthonormalize(Et).dispose(), runs);
    const tQr = timeRuns(() => thinQr(E, D, d), runs);
    const q = thinQr(E, D, d).q;
    const o = orthonormality(q, D, d);
    Et.dispose();
    ours.set(label(D, d), median(tOrth));
    rows.push({ size: label(D, d), method: 'ours: orthonormalize (tensor in/out, wasm)', runs, median: median(tOrth), orth: o.maxAbs });
    rows.push({ size: label(D, d), method: 'ours: thinQr (typed arrays)', runs, median: median(tQr), orth: o.maxAbs });
    orthRows.push([label(D, d), o.maxAbs.toExponential(2), o.inf.toExponential(2)]);
  }

  // numpy + OpenBLAS in a child process, same matrices, warm-up + the same number of runs.
  const np = runNumpy(inputs);
  if (np.error) console.log(`numpy child failed: ${np.error}\n`);
  for (const r of np.results) {
    rows.push({
      size: label(r.D, r.d),
      method: `numpy.linalg.qr reduced (${r.input} input)`,
      runs: r.times.length,
      median: median(r.times),
      orth: r.orth,
    });
  }

  // tf.js methods: one run first; skipped when the prediction from the last size exceeds the limit.
  for (const m of TF_METHODS) {
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
  if (!process.env.BENCH_NO_MATHJS) {
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

  console.log('Orthonormality of our float32 Q, computed in float64:\n');
  printTable(['size', 'max |QᵀQ − I|', '‖QᵀQ − I‖∞ (max row sum)'], orthRows);

  console.log('ours / numpy (orthonormalize median ÷ numpy float32-input median; design target ≤ 2 at 10⁴×100 and 10⁵×100):');
  for (const { D, d } of inputs) {
    const n = np.results.find((r) => r.D === D && r.input === 'float32');
    const n64 = np.results.find((r) => r.D === D && r.input === 'float64');
    if (!n) continue;
    const o = ours.get(label(D, d)) as number;
    const rr = o / median(n.times);
    const target = D >= 10_000 ? (rr <= 2 ? ' — target met' : ' — target NOT met') : '';
    console.log(`  ${label(D, d)}: ${ratio(rr)} (vs float64 input: ${n64 ? ratio(o / median(n64.times)) : '–'})${target}`);
  }
  console.log(`numpy child: ${np.envNote}`);
  console.log(`numpy child BLAS: ${JSON.stringify(np.info)}\n`);
}

runIfMain(module, async () => {
  printMachine('bench/qr.ts');
  await benchQr();
});
