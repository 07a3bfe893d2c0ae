/**
 * project + lift of every basis kind at the MLP's D = 199,210 (d = 750 and 10,000) on the cpu and
 * wasm backends, and dense project + lift at 10⁵×1000 against numpy + OpenBLAS (a /usr/bin/python3
 * child on the same matrix). Part `projlift` of bench/bases.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Basis, blockBasis, DenseBasis, hashedBasis, srhtBasis, trajectoryBasis } from '../src';
import { median, ms, printTable, ratio, timeOnce, uniformFloat32 } from './common';
import { hashedMatrix, mb, timeTensorOp, useBackend } from './bases-util';

const D_MLP = 199_210;
/** The MLP 784-200-200-10's variables, in order (kernel, bias, …): a block basis gets one part each. */
const MLP_SIZES = [784 * 200, 200, 200 * 200, 200, 200 * 10, 10];

interface Case {
  basis: string;
  options: string;
  D: number;
  d: number;
  /** Bytes kept in plain JavaScript arrays by construction (not visible to tf.memory). */
  jsBytes: number;
  build: () => Basis;
  /** Dense cases: the matrix the basis wraps, made (untimed) before the build. */
  matrix?: { D: number; d: number };
}

const dense = (D: number, d: number, storage: 'tensor' | 'host', layout: 'both' | 'single', q: () => Float32Array): Case => ({
  basis: 'dense',
  options: storage === 'host' ? "storage 'host'" : `storage 'tensor', layout '${layout}'`,
  D,
  d,
  jsBytes: storage === 'host' ? D * d * 4 : 0,
  build: () => new DenseBasis({ values: q(), shape: [D, d] }, 'dense', { storage, layout }),
  matrix: { D, d },
});

/** d split over the parts in proportion to their sizes (at least 1 each), summing to d. */
function splitDims(sizes: number[], d: number): number[] {
  const D = sizes.reduce((a, b) => a + b, 0);
  const dims = sizes.map((n) => Math.max(1, Math.floor((d * n) / D)));
  dims[0] += d - dims.reduce((a, b) => a + b, 0);
  return dims;
}

function cases(q: (D: number, d: number) => Float32Array): Case[] {
  const out: Case[] = [];
  for (const [storage, layout] of [['tensor', 'both'], ['tensor', 'single'], ['host', 'both']] as const) {
    out.push(dense(D_MLP, 750, storage, layout, () => q(D_MLP, 750)));
  }
  for (const d of [750, 10_000]) {
    out.push({ basis: 'hashed', options: '', D: D_MLP, d, jsBytes: 0, build: () => hashedBasis(D_MLP, d, { seed: 1 }) });
    for (const impl of ['js', 'tf'] as const) {
      out.push({ basis: 'srht', options: `impl '${impl}'`, D: D_MLP, d, jsBytes: 8 * D_MLP, build: () => srhtBasis(D_MLP, d, { seed: 1, impl }) });
    }
    out.push({
      basis: 'block',
      options: '6 hashed parts (one per MLP variable)',
      D: D_MLP,
      d,
      jsBytes: 0,
      build: () => blockBasis(splitDims(MLP_SIZES, d).map((k, i) => hashedBasis(MLP_SIZES[i], k, { seed: i }))),
    });
  }
  // A trajectory basis is a DenseBasis (tensor, both): its build is what differs (41 snapshots → d = 40).
  out.push({
    basis: 'trajectory',
    options: '41 random snapshots',
    D: D_MLP,
    d: 40,
    jsBytes: 0,
    build: () => trajectoryBasis(Array.from({ length: 41 }, (_, i) => uniformFloat32(D_MLP, 500 + i)), 40),
  });
  for (const [storage, layout] of [['tensor', 'both'], ['tensor', 'single'], ['host', 'both']] as const) {
    out.push(dense(100_000, 1000, storage, layout, () => q(100_000, 1000)));
  }
  return out;
}

interface Measured {
  c: Case;
  backend: string;
  build: number;
  project: number;
  lift: number;
  both: number;
  first: number;
  runs: number;
  tfBytes: number;
  note: string;
}

export async function benchProjLift(): Promise<void> {
  console.log('## project + lift per basis (D = 199,210 and dense 10⁵×1000), cpu and wasm backends\n');
  const matrices = new Map<string, Float32Array>();
  const q = (D: number, d: number): Float32Array => {
    const key = `${D}x${d}`;
    if (!matrices.has(key)) matrices.set(key, hashedMatrix(D, d));
    return matrices.get(key) as Float32Array;
  };
  const results: Measured[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    if (!(await useBackend(backend))) continue;
    for (const c of cases(q)) {
      if (c.matrix) q(c.matrix.D, c.matrix.d); // made before the timed build
      if (c.basis === 'trajectory' && backend === 'cpu') continue; // a DenseBasis: same products as dense
      const g = tf.tensor1d(uniformFloat32(c.D, 3));
      const z = tf.tensor1d(uniformFloat32(c.d, 4));
      const before = tf.memory().numBytes;
      let basis: Basis | null = null;
      const build = timeOnce(() => (basis = c.build()));
      const b = basis as unknown as Basis;
      const both = timeTensorOp(() => b.lift(b.project(g)));
      const skip = both.note !== undefined;
      const project = skip ? { median: NaN } : timeTensorOp(() => b.project(g));
      const lift = skip ? { median: NaN } : timeTensorOp(() => b.lift(z));
      const tfBytes = tf.memory().numBytes - before;
      b.dispose();
      tf.dispose([g, z]);
      const m: Measured = { c, backend, build, project: project.median, lift: lift.median, both: both.median, first: both.first, runs: both.runs, tfBytes, note: both.note ?? '' };
      results.push(m);
      console.log(`  ${backend} ${c.basis} ${c.options} ${c.D}×${c.d}: project+lift ${ms(m.both)} ms (first ${ms(m.first)} ms), build ${ms(build)} ms`);
    }
  }
  console.log('');
  const np = runNumpy(q(100_000, 1000), 100_000, 1000);
  matrices.clear();

  const mlp = results.filter((r) => r.c.D === D_MLP);
  printTable(
    ['basis', 'options', 'D×d', 'backend', 'build ms', 'project ms', 'lift ms', 'project+lift ms', 'first p+l ms', 'runs', 'tf MB held', 'JS MB held', 'note'],
    mlp.map((r) => [
      r.c.basis, r.c.options, `${r.c.D}×${r.c.d}`, r.backend, ms(r.build), ms(r.project), ms(r.lift), ms(r.both), ms(r.first),
      String(r.runs), mb(r.tfBytes), mb(r.c.jsBytes), r.note,
    ]),
  );
  console.log('project = Qᵀg, lift = Q·c, project+lift = Q·(Qᵀg), each followed by dataSync of the result; medians.');
  console.log('Dense bases wrap a D×d matrix already in memory (an exactly orthonormal hashed pattern written as a');
  console.log('dense array, untimed): "build" is the upload (+ transpose for layout \'both\'), not a QR. Dense 199210×10000');
  console.log('(8 GB float32, 16 GB with layout \'both\') is not measured: beyond the wasm heap, ≈ 10 s per host product.');
  console.log('tf MB held = tf.memory().numBytes kept by the basis after the timed calls; JS MB = typed arrays it holds.\n');

  const big = results.filter((r) => r.c.D === 100_000);
  const rows = big.map((r) => [`ours: dense ${r.c.options}`, r.backend, ms(r.project), ms(r.lift), ms(r.both), String(r.runs), np.both ? ratio(r.both / np.both) : '–', r.note]);
  if (np.error) console.log(`numpy child failed: ${np.error}\n`);
  else rows.push(['numpy Q.T@v, Q@c (float32, OpenBLAS)', '2 threads', ms(np.project), ms(np.lift), ms(np.both), String(np.runs), '1.00×', '']);
  printTable(['10⁵×1000 float32', 'backend', 'project ms', 'lift ms', 'project+lift ms', 'runs', '÷ numpy', 'note'], rows);
  console.log('÷ numpy = our project+lift median / numpy\'s Q@(Q.T@v) median, same matrix (400 MB), same process tree.');
  console.log(`numpy child: ${np.info}\n`);
}

const PYTHON = `
import json, sys, time
import numpy as np
job = json.loads(sys.argv[1])
info = "numpy " + np.__version__
try:
    import threadpoolctl
    info += ", " + "; ".join("%s %s %s threads=%s" % (p.get("internal_api"), p.get("version"), p.get("architecture"), p.get("num_threads")) for p in threadpoolctl.threadpool_info())
except Exception as e:
    info += " (threadpoolctl unavailable)"
Q = np.fromfile(job["file"], dtype=np.float32).reshape(job["D"], job["d"])
rng = np.random.default_rng(0)
v = rng.uniform(-1, 1, job["D"]).astype(np.float32)
c = rng.uniform(-1, 1, job["d"]).astype(np.float32)
def t(f):
    for _ in range(2): f()
    out = []
    for _ in range(job["runs"]):
        t0 = time.perf_counter(); f(); out.append((time.perf_counter() - t0) * 1e3)
    return out
res = {"info": info, "project": t(lambda: Q.T @ v), "lift": t(lambda: Q @ c), "both": t(lambda: Q @ (Q.T @ v))}
print(json.dumps(res))
`;

interface NumpyTimes {
  project: number;
  lift: number;
  both: number;
  runs: number;
  info: string;
  error?: string;
}

/** Q.T@v, Q@c and Q@(Q.T@v) in numpy (float32, OpenBLAS), medians of 9 after 2 warm-ups. */
function runNumpy(qm: Float32Array, D: number, d: number): NumpyTimes {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bases-'));
  const file = path.join(dir, `Q_${D}x${d}.f32`);
  const runs = 9;
  try {
    fs.writeFileSync(file, Buffer.from(qm.buffer, qm.byteOffset, qm.byteLength));
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const p = spawnSync('/usr/bin/python3', ['-c', PYTHON, JSON.stringify({ file, D, d, runs })], { env, encoding: 'utf8', timeout: 300_000 });
    if (p.status !== 0) return { project: NaN, lift: NaN, both: NaN, runs: 0, info: '', error: `${p.error ?? ''} ${p.stderr}`.trim() };
    const r = JSON.parse(p.stdout.trim().split('\n').pop() as string);
    return { project: median(r.project), lift: median(r.lift), both: median(r.both), runs, info: r.info };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
