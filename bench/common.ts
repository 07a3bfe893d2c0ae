/**
 * Helpers shared by the benchmark scripts: machine description, seeded data, medians and tables.
 * Nothing here is part of the library.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'os';
import seedrandom from 'seedrandom';

/** One line per fact about the machine and the software versions, printed at the top of each run. */
export function machineLines(): string[] {
  const cpus = os.cpus();
  const pkg = (name: string): string => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      return require(`${name}/package.json`).version;
    } catch {
      return 'not installed';
    }
  };
  return [
    `cpu: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} logical cores`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, os: ${os.type()} ${os.release()} ${os.arch()}`,
    `node ${process.version}, @tensorflow/tfjs ${pkg('@tensorflow/tfjs')}, ` +
      `tfjs-backend-wasm ${pkg('@tensorflow/tfjs-backend-wasm')}, mathjs ${pkg('mathjs')}`,
  ];
}

export function printMachine(title: string): void {
  console.log(`# ${title}`);
  for (const line of machineLines()) console.log(`# ${line}`);
  console.log(`# date: ${new Date().toISOString()}`);
  console.log('');
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall-clock milliseconds of one call. */
export function timeOnce(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** `runs` timings of `fn` in milliseconds (no warm-up: callers decide). */
export function timeRuns(fn: () => void, runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(timeOnce(fn));
  return out;
}

/** Seeded standard normal float32 values (Box–Muller over seedrandom's Alea). */
export function gaussianFloat32(n: number, seed: number): Float32Array {
  const rng = seedrandom.alea(`bench${seed}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    let u = 0;
    while (u === 0) u = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * rng();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** Seeded uniform float32 values in [-1, 1). */
export function uniformFloat32(n: number, seed: number): Float32Array {
  const rng = seedrandom.alea(`uniform${seed}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rng() - 1;
  return out;
}

/** Formats milliseconds with about three significant digits. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Formats a ratio such as 1.23×. */
export function ratio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : '–';
}

/** Prints a Markdown table (so that it can be pasted into docs/benchmarks.md as is). */
export function printTable(headers: string[], rowsIn: string[][]): void {
  const esc = (c: string) => (c ?? '').replace(/\|/g, '\\|');
  headers = headers.map(esc);
  const rows = rowsIn.map((r) => r.map(esc));
  const widths = headers.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, j) => (c ?? '').padEnd(widths[j])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log('');
}

/** Runs `main` when the file is executed directly (not when imported by bench/run.ts). */
export function runIfMain(mod: NodeModule, main: () => Promise<void>): void {
  if (require.main === mod) {
    main().catch((e) => {
      console.error(e);
      process.exit(1);
    });
  }
}

/** One row of {@link roundRobin}: an optimizer and the model it trains (its own copy). */
export interface Trainee {
  opt: tf.Optimizer;
  loss: () => tf.Scalar;
  variables: tf.Variable[];
}

/**
 * A copy of the benchmarks' MLP ({@link mlp784}, the same seeded weights every time) with the
 * softmax cross-entropy of (x, y) as its loss. Every optimizer timed in one process trains its own
 * copy: the wrappers treat another optimizer's steps on their variables as writes from outside
 * (OutsideWriteError when off their subspace), and a shared model would time those checks too.
 */
export function mlpCopy(x: tf.Tensor, y: tf.Tensor): { model: tf.Sequential; variables: tf.Variable[]; loss: () => tf.Scalar } {
  const model = mlp784();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return { model, variables, loss: () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar };
}

/**
 * Times `rows` round-robin (one step of each per round, the starting one rotating when `rotate`) so
 * that the machine's drift hits them alike: `warmup` untimed rounds, then `steps` timed ones. A step
 * is `opt.minimize(loss, true, variables)` and a read of the loss. Returns per row the step times
 * and the tensors gained over the timed steps.
 */
export function roundRobin(
  rows: Trainee[],
  warmup: number,
  steps: number,
  rotate = false,
  before?: (i: number) => void,
): { times: number[][]; leaked: number[] } {
  const times = rows.map(() => [] as number[]);
  const leaked = rows.map(() => 0);
  for (let s = 0; s < warmup + steps; s++) {
    rows.forEach((_, k) => {
      const i = rotate ? (k + s) % rows.length : k;
      before?.(i); // untimed set-up of row i
      const tensorsBefore = tf.memory().numTensors;
      const t = timeOnce(() => {
        const { opt, loss, variables } = rows[i];
        const cost = opt.minimize(loss, true, variables) as tf.Scalar;
        cost.dataSync();
        cost.dispose();
      });
      if (s >= warmup) {
        times[i].push(t);
        leaked[i] += tf.memory().numTensors - tensorsBefore;
      }
    });
  }
  return { times, leaked };
}

/** D of {@link mlp784}: 784·200 + 200 + 200·200 + 200 + 200·10 + 10 = 199,210. */
export function mlp784Size(): number {
  return 784 * 200 + 200 + 200 * 200 + 200 + 200 * 10 + 10;
}

/** The benchmarks' model: MLP 784-200-200-10 (D = 199,210), seeded Glorot-normal kernels, logits out. */
export function mlp784(): tf.Sequential {
  const model = tf.sequential();
  const init = (seed: number) => tf.initializers.glorotNormal({ seed });
  model.add(tf.layers.dense({ inputShape: [784], units: 200, activation: 'relu', kernelInitializer: init(1) }));
  model.add(tf.layers.dense({ units: 200, activation: 'relu', kernelInitializer: init(2) }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: init(3) }));
  return model;
}
