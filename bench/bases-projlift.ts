/**
 * project + lift of every basis kind at the MLP's D = 199,210 (d = 750 and 10,000) on the cpu and
 * wasm backends, then dense project + lift at 10⁵×1000 against numpy + OpenBLAS (bases-numpy.ts).
 * Part `projlift` of bench/bases.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { simdWorkspaceBytes } from '../src/linalg/wasm/simd';
import '@tensorflow/tfjs-backend-wasm';
import { Basis, blockBasis, DenseBasis, DenseStorage, hashedBasis, srhtBasis, trajectoryBasis } from '../src';
import { ms, printTable, timeOnce, uniformFloat32 } from './common';
import { compareNumpy } from './bases-numpy';
import { BenchSummary } from './bases-summary';
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

const dense = (D: number, d: number, storage: DenseStorage, keepTranspose: boolean, q: () => Float32Array): Case => ({
  basis: 'dense',
  options: storage === 'tensor' ? `storage 'tensor'${keepTranspose ? ', keepTranspose' : ', no transpose'}` : `storage '${storage}'`,
  D,
  d,
  jsBytes: storage === 'array' ? D * d * 4 : 0,
  build: () => new DenseBasis({ values: q(), shape: [D, d] }, 'dense', { storage, keepTranspose }),
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
  for (const [storage, keepTranspose] of [['wasm', true], ['tensor', true], ['tensor', false], ['array', true]] as const) {
    out.push(dense(D_MLP, 750, storage, keepTranspose, () => q(D_MLP, 750)));
  }
  for (const d of [750, 10_000]) {
    out.push({ basis: 'hashed', options: '', D: D_MLP, d, jsBytes: 0, build: () => hashedBasis(D_MLP, d, { seed: 1 }) });
    for (const compute of ['arrays', 'tf'] as const) {
      out.push({ basis: 'srht', options: `compute '${compute}'`, D: D_MLP, d, jsBytes: compute === 'tf' ? 8 * D_MLP : 0, build: () => srhtBasis(D_MLP, d, { seed: 1, compute }) });
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
  // A trajectory basis is a DenseBasis (storage 'auto'): its build is what differs (41 snapshots → d = 40).
  out.push({
    basis: 'trajectory',
    options: '41 random snapshots',
    D: D_MLP,
    d: 40,
    jsBytes: 0,
    build: () => trajectoryBasis(Array.from({ length: 41 }, (_, i) => uniformFloat32(D_MLP, 500 + i)), 40),
  });
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
  arenaBytes: number;
  note: string;
}

export async function benchProjLift(summary?: BenchSummary): Promise<void> {
  console.log('## project + lift per basis at D = 199,210, cpu and wasm backends\n');
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
      const arenaBefore = simdWorkspaceBytes();
      let basis: Basis | null = null;
      const build = timeOnce(() => (basis = c.build()));
      const arenaBytes = simdWorkspaceBytes() - arenaBefore;
      const b = basis as unknown as Basis;
      const both = timeTensorOp(() => b.lift(b.project(g)));
      const skip = both.note !== undefined;
      const project = skip ? { median: NaN } : timeTensorOp(() => b.project(g));
      const lift = skip ? { median: NaN } : timeTensorOp(() => b.lift(z));
      const tfBytes = tf.memory().numBytes - before;
      b.dispose();
      tf.dispose([g, z]);
      const m: Measured = { c, backend, build, project: project.median, lift: lift.median, both: both.median, first: both.first, runs: both.runs, tfBytes, arenaBytes, note: both.note ?? '' };
      results.push(m);
      summary?.add({ basis: c.basis, options: c.options, D: c.D, d: c.d, backend, projectLift: m.both, held: Math.max(0, tfBytes) + c.jsBytes + arenaBytes });
      console.log(`  ${backend} ${c.basis} ${c.options} ${c.D}×${c.d}: project+lift ${ms(m.both)} ms (first ${ms(m.first)} ms), build ${ms(build)} ms`);
    }
  }
  console.log('');
  matrices.clear();

  printTable(
    ['basis', 'options', 'D×d', 'backend', 'build ms', 'project ms', 'lift ms', 'project+lift ms', 'first p+l ms', 'runs', 'tf MB held', 'JS MB held', 'SIMD arena MB', 'note'],
    results.map((r) => [
      r.c.basis, r.c.options, `${r.c.D}×${r.c.d}`, r.backend, ms(r.build), ms(r.project), ms(r.lift), ms(r.both), ms(r.first),
      String(r.runs), mb(r.tfBytes), mb(r.c.jsBytes), mb(r.arenaBytes), r.note,
    ]),
  );
  console.log('project = Qᵀg, lift = Q·c, project+lift = Q·(Qᵀg), each followed by dataSync of the result; medians.');
  console.log('Dense bases wrap a D×d matrix already in memory (an exactly orthonormal hashed pattern written as a');
  console.log('dense array, untimed): "build" is the upload (+ transpose with keepTranspose), not a QR. Dense 199210×10000');
  console.log('(8 GB float32, 16 GB with keepTranspose) is not measured: beyond the wasm heap, ≈ 10 s per typed-array product.');
  console.log('tf MB held = tf.memory().numBytes kept by the basis after the timed calls; JS MB = typed arrays it holds;\nSIMD arena MB = WebAssembly memory of its typed arrays (made at build: state, work array, staging).\n');

  await compareNumpy(summary);
}
