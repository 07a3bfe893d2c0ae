/**
 * Per-step time with structured bases: MLP 784-200-200-10 (D = 199,210), batch 128, wasm backend,
 * tf.train.adam(1e-3); bare Adam against projectGradients (coordinates mode) with hashed and SRHT
 * bases at d = 750 and 10,000 and dense bases at d = 750 ('tensor' with keepTranspose; 'wasm' on one
 * thread and with a worker_threads helper), each with the default
 * non-finite check and with nonFinite: 'unchecked'. Part `step` of bench/bases.ts.
 *
 * Env: BENCH_STEPS=N timed rounds (default 25).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Basis, DenseBasis, hashedBasis, NonFinitePolicy, projectGradients, srhtBasis } from '../src';
import { median, mlp784Size, mlpCopy, ms, printTable, ratio, roundRobin, timeOnce, uniformFloat32 } from './common';
import { hashedMatrix, useBackend } from './bases-util';
import { BenchSummary } from './bases-summary';
import { helperThreads, setHelperThreads } from '../src/linalg/wasm/threads';
import { stopWorkerThreads, useWorkerThreads } from '../src/node';

const BATCH = 128;
const WARMUP = 5;
const STEPS = Number(process.env.BENCH_STEPS ?? 25);

/**
 * Q = the first d coordinate axes: exactly orthonormal, project = slice, lift = pad (≈ free). A step
 * with it measures the wrapper's own cost (flatten, the non-finite check, assign θ0 + Q·z, the
 * d-sized inner step) without any basis work: the floor that any basis adds its cost to.
 */
class AxesBasis implements Basis {
  readonly kind = 'axes';
  isDisposed = false;
  constructor(readonly ambientDim: number, readonly dim: number) {}
  project(v: tf.Tensor1D): tf.Tensor1D {
    return tf.slice(v, 0, this.dim);
  }
  lift(c: tf.Tensor1D): tf.Tensor1D {
    return tf.pad(c, [[0, this.ambientDim - this.dim]]);
  }
  materialize(): tf.Tensor2D {
    return tf.tidy(() => tf.concat([tf.eye(this.dim), tf.zeros([this.ambientDim - this.dim, this.dim])]) as tf.Tensor2D);
  }
  dispose(): void {
    this.isDisposed = true;
  }
}

/** The step rows as the projlift part names them (basis, options), so that the summary merges them. */
const SUMMARY_KEYS: Record<string, [string, string]> = {
  hashed: ['hashed', ''],
  "srht (compute 'arrays')": ['srht', "compute 'arrays'"],
  "dense (tensor, keepTranspose)": ['dense', "storage 'tensor', keepTranspose"],
  "dense (storage 'wasm')": ['dense', "storage 'wasm'"],
  "dense (storage 'wasm', 2 threads)": ['dense', "storage 'wasm', 2 threads"],
};

interface Row {
  label: string;
  d: number;
  nonFinite: NonFinitePolicy | '–';
  basis: Basis | null;
  /** Dense 'wasm' rows: run with one worker_threads helper. */
  threads?: boolean;
}

export async function benchBasesStep(summary?: BenchSummary): Promise<void> {
  console.log('## Per-step time with structured bases: MLP 784-200-200-10, batch 128, wasm, adam(1e-3)\n');
  if (!(await useBackend('wasm'))) return;
  const D = mlp784Size();
  const x = tf.tensor2d(uniformFloat32(BATCH * 784, 1), [BATCH, 784]);
  const labels = tf.tensor1d(Array.from(uniformFloat32(BATCH, 2), (u) => Math.floor((u + 1) * 5)), 'int32');
  const y = tf.oneHot(labels, 10).toFloat();

  const builds: string[][] = [];
  const make = (label: string, f: () => Basis): Basis => {
    let b: Basis | null = null;
    const t = timeOnce(() => (b = f()));
    builds.push([label, ms(t)]);
    return b as unknown as Basis;
  };
  const bases: Array<{ label: string; d: number; basis: Basis; threads?: boolean }> = [
    { label: 'axes (slice/pad: wrapper cost only)', d: 750, basis: new AxesBasis(D, 750) },
  ];
  for (const d of [750, 10_000]) {
    bases.push({ label: 'hashed', d, basis: make(`hashed ${D}×${d}`, () => hashedBasis(D, d, { seed: 1 })) });
    bases.push({ label: "srht (compute 'arrays')", d, basis: make(`srht arrays ${D}×${d}`, () => srhtBasis(D, d, { seed: 1, compute: 'arrays' })) });
  }
  const q = hashedMatrix(D, 750);
  bases.push({
    label: "dense (tensor, keepTranspose)",
    d: 750,
    basis: make(`dense both ${D}×750 (upload + transpose of a ready Q)`, () => new DenseBasis({ values: q, shape: [D, 750] }, 'dense', { keepTranspose: true, storage: 'tensor' })),
  });
  bases.push({
    label: "dense (storage 'wasm')",
    d: 750,
    basis: make(`dense wasm ${D}×750 (copy of a ready Q)`, () => new DenseBasis({ values: q, shape: [D, 750] }, 'dense', { storage: 'wasm' })),
  });
  // The same 'wasm' basis with a worker_threads helper: the pool is switched on for its rows only.
  bases.push({ ...bases[bases.length - 1], label: "dense (storage 'wasm', 2 threads)", threads: true });

  const rows: Row[] = [{ label: 'bare adam', d: 0, nonFinite: '–', basis: null }];
  for (const b of bases) {
    for (const nonFinite of ['throw', 'unchecked'] as const) rows.push({ label: b.label, d: b.d, nonFinite, basis: b.basis, threads: b.threads });
  }
  // Each row trains its own copy of the model (the same seeded weights): see mlpCopy.
  const copies = rows.map(() => mlpCopy(x, y));
  const trainees = rows.map((r, i) => {
    const { variables, loss } = copies[i];
    const opt = r.basis ? projectGradients(tf.train.adam(1e-3), r.basis, { variables, nonFinite: r.nonFinite as NonFinitePolicy }) : tf.train.adam(1e-3);
    return { opt, loss, variables };
  });
  console.log(`D = ${D}; ${rows.length} optimizers round-robin (one step each per round, rotating start), ${WARMUP} warm-up rounds,`);
  console.log(`then the median of ${STEPS} timed steps per row. A step is minimize(loss, true, variables) + dataSync of the loss.\n`);
  // The starting row rotates from round to round, so that no row always follows the same one.
  useWorkerThreads(2);
  const pool = helperThreads();
  const { times, leaked } = roundRobin(trainees, WARMUP, STEPS, true, (i) => setHelperThreads(rows[i].threads ? pool : null));
  stopWorkerThreads();
  trainees.forEach((t) => t.opt.dispose());
  copies.forEach((c) => c.model.dispose());
  const bare = median(times[0]);
  const target = (label: string) => (label.startsWith('hashed') ? '≤ 1.00×' : label.startsWith('srht') ? '≤ 1.05×' : '–');
  printTable(
    ['basis', 'd', 'nonFinite', 'median ms/step', 'min ms', '÷ bare', 'extra ms', 'target'],
    rows.map((r, i) => {
      const m = median(times[i]);
      return [r.label, r.d ? String(r.d) : '–', r.nonFinite, ms(m), ms(Math.min(...times[i])), ratio(m / bare), ms(m - bare), r.basis ? target(r.label) : '–'];
    }),
  );
  console.log('÷ bare = median step / median step of bare adam measured in the same rounds (medians; shared 2-core machine).\n');
  rows.forEach((r, i) => {
    const key = SUMMARY_KEYS[r.label];
    if (key && r.nonFinite === 'throw') summary?.add({ basis: key[0], options: key[1], D, d: r.d, backend: 'wasm', step: median(times[i]) / bare });
  });
  printTable(['basis', 'build ms'], builds);
  const leaks = rows.map((r, i) => (leaked[i] ? `${r.label} d=${r.d} ${r.nonFinite}: ${leaked[i]} tensors` : '')).filter(Boolean);
  console.log(leaks.length ? `tensors leaked during timed steps: ${leaks.join('; ')}\n` : 'no tensor leaked during the timed steps.\n');
  new Set(bases.map((b) => b.basis)).forEach((b) => b.dispose());
  tf.dispose([x, y, labels]);
}
