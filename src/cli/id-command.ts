import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { InvalidArgumentError } from '../errors';
import { intrinsicDimension } from '../intrinsic/dimension';
import type { IntrinsicDimensionResult } from '../intrinsic/options';
import { ModelName, models } from '../models/registry';
import { setupBackend } from './backend';
import { DataName, disposeData, loadData } from './data';
import { plotCurve } from './plot';
import { progressReporter } from './progress';

export interface IdArgs {
  data: DataName;
  model?: ModelName;
  dims?: number[];
  search?: { min: number; max: number; points?: number; refine?: number };
  basis: 'gaussian' | 'hashed' | 'srht';
  seeds: number;
  epochs: number;
  batchSize: number;
  lr: number;
  baselineLr?: number;
  threshold: number;
  trainLimit?: number;
  testLimit?: number;
  backend: 'wasm' | 'cpu';
  /** Threads for the dense basis passes (useWorkerThreads); default one per core. */
  threads?: number;
  out: string;
  quiet: boolean;
}

/** The model a data set gets when --model is not given. */
export function defaultModel(data: DataName): ModelName {
  return data === 'digits' ? 'fc-digits' : 'fc';
}

/** `tfjs-subspace id`: measure d_int, print a table, write result.json and curve.svg under --out. */
export async function runId(args: IdArgs): Promise<IntrinsicDimensionResult> {
  const tf = await setupBackend(args.backend, args.threads);
  const modelName = args.model ?? defaultModel(args.data);
  const factory = models[modelName];
  const data = loadData(args.data, factory.inputShape, { train: args.trainLimit, test: args.testLimit });
  const log = (s: string) => args.quiet || console.error(s);
  log(`${data.description}; model ${modelName} (D = ${factory.parameters.toLocaleString('en')}); backend ${args.backend}`);
  const progress = progressReporter(args.quiet);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let result: IntrinsicDimensionResult;
  try {
    result = await intrinsicDimension({
      createModel: (seed) => factory({ seed }),
      train: data.train,
      test: data.test,
      dims: args.dims,
      search: args.search,
      basis: args.basis,
      seeds: Array.from({ length: args.seeds }, (_, i) => i),
      epochs: args.epochs,
      batchSize: args.batchSize,
      threshold: args.threshold,
      optimizer: () => tf.train.adam(args.lr),
      baselineOptimizer: () => tf.train.adam(args.baselineLr ?? args.lr),
      onProgress: progress.onProgress,
      signal: controller.signal,
    });
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    disposeData(data);
  }
  mkdirSync(args.out, { recursive: true });
  const record = { command: process.argv.slice(2).join(' '), data: args.data, model: modelName, ...result };
  writeFileSync(join(args.out, 'result.json'), JSON.stringify(record, null, 2) + '\n');
  const title = `Intrinsic dimension: ${args.data}, ${modelName}`;
  writeFileSync(join(args.out, 'curve.svg'), await plotCurve(result, title));
  console.log(table(result));
  console.log(`\nwrote ${join(args.out, 'result.json')} and ${join(args.out, 'curve.svg')} (${result.wallSeconds.toFixed(1)} s)`);
  return result;
}

/** `tfjs-subspace plot`: redraws the SVG of a saved result. */
export async function runPlot(file: string, out?: string): Promise<void> {
  let record: IntrinsicDimensionResult & { data?: string; model?: string };
  try {
    record = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${file} as a result.json of \`tfjs-subspace id\`: ${(e as Error).message}`);
  }
  if (!Array.isArray(record?.curve) || !record.baseline || !record.config) {
    throw new InvalidArgumentError(`${file} is not a result.json of \`tfjs-subspace id\` (no curve, baseline or config).`);
  }
  const target = out ?? join(dirname(file), 'curve.svg');
  writeFileSync(target, await plotCurve(record, `Intrinsic dimension: ${record.data ?? '?'}, ${record.model ?? '?'}`));
  console.log(`wrote ${target}`);
}

/** The final table: one row per d, then the baseline and d_int. */
export function table(r: IntrinsicDimensionResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const rows = r.curve.map((p) => [String(p.d), pct(p.mean), p.runs > 1 ? `± ${pct(p.std)}` : '', `${pct(p.min)} – ${pct(p.max)}`, p.mean >= r.target ? 'yes' : '']);
  const head = ['d', 'accuracy (mean)', 'std', 'range', `≥ ${Math.round(100 * r.threshold)} %`];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  const dInt =
    r.dInt === null
      ? `not reached (largest d: ${pct(r.curve[r.curve.length - 1].mean)} < ${pct(r.target)})`
      : r.status === 'at-or-below-min'
        ? `≤ ${r.dInt} (the smallest d tried already reaches it)`
        : `${r.dInt.toFixed(1)} (between d = ${r.bracket![0]} and ${r.bracket![1]})`;
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `full model: ${pct(r.baseline.accuracy)} (D = ${r.D}); target ${Math.round(100 * r.threshold)} % of it: ${pct(r.target)}`,
    `d_int${Math.round(100 * r.threshold)} = ${dInt}`,
  ].join('\n');
}
