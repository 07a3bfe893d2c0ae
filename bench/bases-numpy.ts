/**
 * Dense project + lift at 10⁵×1000 float32 on wasm against numpy + OpenBLAS on the same matrix, run
 * round-robin with a long-lived /usr/bin/python3 child (one call of each per round), so that the
 * shared machine's drift hits both alike. Part of `projlift` in bench/bases.ts.
 * BENCH_NUMPY_ROWS=wasm keeps only the storage 'wasm' rows (with `npx ts-node --transpile-only
 * bench/bases-numpy.ts`, which runs this part alone).
 */
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Basis, DenseBasis } from '../src';
import { helperThreads, HelperThreads, setHelperThreads } from '../src/linalg/wasm/threads';
import { stopWorkerThreads, useWorkerThreads } from '../src/node';
import { median, ms, printTable, ratio, timeOnce, uniformFloat32 } from './common';
import { hashedMatrix, useBackend } from './bases-util';
import { BenchSummary } from './bases-summary';

const D = 100_000;
const d = 1000;
const WARMUP = 2;
const ROUNDS = 11;

const SERVER = `
import json, sys, time
import numpy as np
try:
    from threadpoolctl import threadpool_info, threadpool_limits
except Exception:
    threadpool_limits = None
job = json.loads(sys.argv[1])
info = "numpy " + np.__version__
if threadpool_limits:
    info += ", " + "; ".join("%s %s %s, %s threads" % (p.get("internal_api"), p.get("version"), p.get("architecture"), p.get("num_threads")) for p in threadpool_info())
Q = np.fromfile(job["file"], dtype=np.float32).reshape(job["D"], job["d"])
rng = np.random.default_rng(0)
v = rng.uniform(-1, 1, job["D"]).astype(np.float32)
c = rng.uniform(-1, 1, job["d"]).astype(np.float32)
print(json.dumps({"info": info, "limits": threadpool_limits is not None}), flush=True)
def once(f):
    t0 = time.perf_counter(); f(); return (time.perf_counter() - t0) * 1e3
for line in sys.stdin:
    cmd = json.loads(line)
    def run():
        return {"project": once(lambda: Q.T @ v), "lift": once(lambda: Q @ c), "both": once(lambda: Q @ (Q.T @ v))}
    if threadpool_limits:
        with threadpool_limits(limits=cmd["threads"]):
            out = run()
    else:
        out = run()
    print(json.dumps(out), flush=True)
`;

/** A line-oriented request/response wrapper around the python child. */
class NumpyServer {
  private readonly lines: AsyncIterableIterator<string>;
  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }
  async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error('numpy child exited');
    return JSON.parse(r.value);
  }
  async ask(threads: number): Promise<{ project: number; lift: number; both: number }> {
    this.proc.stdin.write(`${JSON.stringify({ threads })}\n`);
    return (await this.next()) as { project: number; lift: number; both: number };
  }
  close(): void {
    this.proc.stdin.end();
  }
}

type Times = { project: number[]; lift: number[]; both: number[] };
const empty = (): Times => ({ project: [], lift: [], both: [] });

export async function compareNumpy(summary?: BenchSummary): Promise<void> {
  console.log(`## Dense project + lift at ${D}×${d} float32: ours vs numpy + OpenBLAS, round-robin\n`);
  if (!(await useBackend('wasm'))) return;
  const q = hashedMatrix(D, d);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bases-'));
  const file = path.join(dir, `Q_${D}x${d}.f32`);
  fs.writeFileSync(file, Buffer.from(q.buffer, q.byteOffset, q.byteLength));
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const proc = spawn('/usr/bin/python3', ['-c', SERVER, JSON.stringify({ file, D, d })], { env });
  let stderr = '';
  proc.stderr.on('data', (b) => (stderr += String(b)));
  const np = new NumpyServer(proc);
  try {
    const hello = await np.next();
    // storage 'wasm' twice: on the calling thread alone, and with one worker_threads helper (the
    // pool is kept and switched on only for its row, so that the other rows run as users get them).
    useWorkerThreads(2);
    const pool = helperThreads() as HelperThreads;
    setHelperThreads(null);
    const wasm = new DenseBasis({ values: q, shape: [D, d] }, 'dense', { storage: 'wasm' });
    const ours: Array<{ label: string; where: string; basis: Basis; threads: HelperThreads | null; first: number }> = [
      { label: "storage 'wasm'", where: 'SIMD, 1 thread', basis: wasm, threads: null, first: NaN },
      { label: "storage 'wasm'", where: 'SIMD, 2 threads', basis: wasm, threads: pool, first: NaN },
    ];
    // BENCH_NUMPY_ROWS=wasm: only the storage 'wasm' rows (and numpy), for quick comparisons.
    const others = process.env.BENCH_NUMPY_ROWS === 'wasm' ? [] : ([['tensor', true], ['tensor', false], ['array', true]] as const);
    for (const [storage, keepTranspose] of others) {
      const basis = new DenseBasis({ values: q, shape: [D, d] }, 'dense', { storage, keepTranspose });
      const label = storage === 'array' ? "storage 'array'" : `storage 'tensor'${keepTranspose ? ', keepTranspose' : ', no transpose'}`;
      ours.push({ label, where: storage === 'array' ? 'JS loops, 1 thread' : 'wasm matMul, 1 thread', basis, threads: null, first: NaN });
    }
    const g = tf.tensor1d(uniformFloat32(D, 3));
    const c = tf.tensor1d(uniformFloat32(d, 4));
    const call = (f: () => tf.Tensor) => timeOnce(() => {
      const out = tf.tidy(f);
      out.dataSync();
      out.dispose();
    });
    const oursT = ours.map(empty);
    const npT = [empty(), empty()];
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      for (const [i, o] of ours.entries()) {
        setHelperThreads(o.threads);
        const t = { project: call(() => o.basis.project(g)), lift: call(() => o.basis.lift(c)), both: call(() => o.basis.lift(o.basis.project(g))) };
        if (r === 0) o.first = t.project + t.lift;
        if (r >= WARMUP) (['project', 'lift', 'both'] as const).forEach((k) => oursT[i][k].push(t[k]));
      }
      setHelperThreads(null);
      for (const [j, threads] of [2, 1].entries()) {
        const t = await np.ask(threads);
        if (r >= WARMUP) (['project', 'lift', 'both'] as const).forEach((k) => npT[j][k].push(t[k]));
      }
    }
    const npBoth = median(npT[0].both);
    const np1Both = median(npT[1].both);
    const rows = ours.map((o, i) => [
      `ours: dense ${o.label}`, o.where, ms(median(oursT[i].project)), ms(median(oursT[i].lift)), ms(median(oursT[i].both)),
      ms(o.first), ratio(median(oursT[i].both) / npBoth), ratio(median(oursT[i].both) / np1Both),
    ]);
    ours.forEach((o, i) => {
      const options = o.where.startsWith('SIMD') ? `${o.label.replace('storage ', "storage ")}, ${o.where.replace('SIMD, ', '')}` : o.label;
      summary?.add({ basis: 'dense', options, D, d, backend: 'wasm', projectLift: median(oursT[i].both), numpy: median(oursT[i].both) / npBoth });
    });
    [2, 1].forEach((threads, j) =>
      summary?.add({ basis: 'numpy + OpenBLAS', options: `${threads} thread${threads > 1 ? 's' : ''}`, D, d, backend: 'python', projectLift: median(npT[j].both), numpy: median(npT[j].both) / npBoth }),
    );
    const lim = hello.limits ? '' : ' (threadpoolctl missing: thread count not limited)';
    for (const [j, label] of ['OpenBLAS, 2 threads', `OpenBLAS, 1 thread${lim}`].entries()) {
      const b = median(npT[j].both);
      rows.push(['numpy Q.T@v, Q@c', label, ms(median(npT[j].project)), ms(median(npT[j].lift)), ms(b), '–', ratio(b / npBoth), ratio(b / np1Both)]);
    }
    printTable(['10⁵×1000 float32', 'where', 'project ms', 'lift ms', 'project+lift ms', 'first p+l ms', '÷ numpy 2 thr', '÷ numpy 1 thr'], rows);
    console.log(`Round-robin: ${WARMUP} warm-up rounds, then medians of ${ROUNDS} rounds; each round makes one call of every`);
    console.log('row (project, lift, project+lift), numpy in a long-lived child on the same 400 MB matrix.');
    console.log('"first p+l" = the very first project + lift on a new basis (wasm prepares the matMul operand once;');
    console.log('the wasm row with 2 threads starts after the 1-thread row). Backend: wasm (vectors in and out).');
    console.log(`numpy child: ${hello.info}\n`);
    new Set(ours.map((o) => o.basis)).forEach((b) => b.dispose());
    tf.dispose([g, c]);
  } catch (e) {
    console.log(`numpy comparison failed: ${(e as Error).message} ${stderr.slice(-400)}\n`);
  } finally {
    stopWorkerThreads();
    np.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) compareNumpy().then(() => process.exit(0));
