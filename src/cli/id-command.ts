import type { SeededBasisKind } from '../basis/kinds';
import { ChildProcess } from 'child_process';
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { SubspaceError } from '../errors';
import { intrinsicDimension } from '../intrinsic/dimension';
import type { OptimizerName } from '../intrinsic/optimizers';
import type { IntrinsicDimensionProgress, IntrinsicDimensionResult, RunResult } from '../intrinsic/options';
import { ModelName, models } from '../models/registry';
import { setupBackend } from './backend';
import { DataName, describeSplit, disposeData, loadData } from './data';
import { plotCurve } from './plot';
import { logGrid } from '../intrinsic/interpolate';
import { progressReporter, runLine } from './progress';
import { SharedSweep } from './jobs';
import { finishedRuns, settingsHash, SweepSettings, writeResult } from './resume';
import { table } from './table';
import { budgetOf, defaultModel } from './defaults';

export interface IdArgs {
  data: DataName;
  model?: ModelName;
  dims?: number[];
  search?: { min: number; max: number; points?: number; refine?: number };
  basis: SeededBasisKind;
  seeds: number;
  optimizer: OptimizerName;
  /** The full model's learning rate: the baseline's search centre; each d's is subspaceLearningRate of it. */
  lr: number;
  maxEpochs?: number;
  patience?: number;
  pilotEpochs?: number;
  /** false (--no-lr-search): train at the centre only. */
  lrSearch: boolean;
  /** Widening steps of the lr search beyond the first three candidates. */
  lrExpand: number;
  validationFraction: number;
  batchSize?: number;
  threshold: number;
  shufflePixels: boolean;
  trainLimit?: number;
  testLimit?: number;
  backend: 'wasm' | 'cpu';
  /** Threads for the dense basis passes (useWorkerThreads); default one per core. */
  threads?: number;
  out: string;
  quiet: boolean;
  /** Processes sharing the sweep (this one and jobs − 1 helpers); default 1. */
  jobs?: number;
  /** Set in a helper process started by `--jobs`: the lead's pid. */
  helper?: number;
}

/** `tfjs-subspace id`: measure d_int, print a table, write result.json (run by run) and curve.svg under --out. */
export async function runId(args: IdArgs): Promise<IntrinsicDimensionResult> {
  const modelName = args.model ?? defaultModel(args.data);
  const factory = models[modelName];
  const budget = { ...budgetOf(args.data).budget };
  for (const k of ['maxEpochs', 'patience', 'pilotEpochs', 'batchSize'] as const) if (args[k] !== undefined) budget[k] = args[k]!;
  const seeds = Array.from({ length: args.seeds }, (_, i) => i);
  const settings: SweepSettings = {
    version: 3, data: args.data, model: modelName, dims: args.dims ?? null, search: args.search ?? null, basis: args.basis, seeds,
    optimizer: args.optimizer, lr: args.lr, lrSearch: args.lrSearch, lrExpand: args.lrExpand, validationFraction: args.validationFraction, ...budget,
    threshold: args.threshold, shufflePixels: args.shufflePixels, trainLimit: args.trainLimit ?? null, testLimit: args.testLimit ?? null, backend: args.backend,
  };
  if (args.helper === undefined && !existsSync(join(args.out, 'result.json'))) SharedSweep.clear(args.out);
  const resume = unique([...finishedRuns(args.out, settings), ...SharedSweep.finished(args.out)]); // before any work: a mismatch changes nothing
  await setupBackend(args.backend, args.threads);
  const data = loadData(args.data, factory.inputShape, { train: args.trainLimit, test: args.testLimit, shufflePixels: args.shufflePixels });
  const log = (s: string) => args.quiet || console.error(s);
  log(`${describeSplit(data, args.validationFraction)}; model ${modelName} (D = ${factory.parameters.toLocaleString('en')}); backend ${args.backend}` + (resume.length ? `; resuming ${resume.length} finished runs from ${join(args.out, 'result.json')}` : ''));
  mkdirSync(args.out, { recursive: true });
  const head = { command: process.argv.slice(2).join(' '), data: args.data, model: modelName, settingsHash: settingsHash(settings), settings };
  const done = { baselines: resume.filter((r) => r.d === null), runs: resume.filter((r) => r.d !== null) };
  const lead = args.helper === undefined;
  const progress = progressReporter(args.quiet);
  // Runs planned (the baselines and every d, per seed); the sweep's own count replaces it once it reports progress.
  let planned = seeds.length * (1 + (args.dims?.length ?? logGrid(args.search!.min, args.search!.max, args.search!.points ?? 6).length + (args.search!.refine ?? 2)));
  const save = (run: RunResult, note = '') => {
    (run.d === null ? done.baselines : done.runs).push(run);
    if (lead) writeResult(args.out, { ...head, sweep: 'partial', ...done });
    progress.finished(runLine(done.baselines.length + done.runs.length, planned, run, note));
  };
  const controller = new AbortController();
  let helpers: ChildProcess[] = [];
  const onSigint = () => {
    controller.abort();
    helpers.forEach((h) => h.kill('SIGINT'));
  };
  process.once('SIGINT', onSigint);
  let shared: SharedSweep | null = null;
  if ((args.jobs ?? 1) > 1 || !lead) {
    if (lead) {
      SharedSweep.reset(args.out);
      helpers = SharedSweep.startHelpers(args.jobs!, process.argv.slice(2));
    }
    const othersAlive = lead ? () => helpers.some((h) => h.exitCode === null && h.signalCode === null) : () => SharedSweep.alive(args.helper!);
    shared = new SharedSweep(args.out, controller.signal, othersAlive);
  }
  const delegate = shared && ((d: number | null, seed: number) => shared!.delegate(d, seed)?.then((r) => (save(r, ', by another process'), r)) ?? null);
  let result: IntrinsicDimensionResult;
  try {
    result = await intrinsicDimension({
      createModel: (seed) => factory({ seed }),
      train: data.train,
      test: data.test,
      dims: args.dims,
      search: args.search,
      basis: args.basis,
      seeds,
      optimizer: args.optimizer,
      learningRate: args.lr,
      lrStep: args.lrSearch ? 3 : 1,
      lrExpand: args.lrExpand,
      validationFraction: args.validationFraction,
      ...budget,
      threshold: args.threshold,
      resume,
      delegate: delegate ?? undefined,
      onRun: (run) => (shared?.publish(run), save(run)),
      onProgress: yieldingEvery(100, (e: IntrinsicDimensionProgress) => ((planned = e.runs), progress.onProgress(e))),
      signal: controller.signal,
    });
  } catch (e) {
    helpers.forEach((h) => h.kill('SIGINT'));
    if (e instanceof SubspaceError && e.code === 'CANCELLED' && lead) {
      progress.stop();
      console.error(`interrupted: ${done.baselines.length + done.runs.length} finished runs are in ${join(args.out, 'result.json')}; rerun the same command to resume.`);
    }
    throw e;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    disposeData(data);
  }
  if (!lead) return result; // the lead writes the result
  await Promise.all(helpers.map((h) => (h.exitCode === null && h.signalCode === null ? new Promise((ok) => h.once('exit', ok)) : null)));
  writeResult(args.out, { ...head, sweep: 'complete', ...result });
  const title = `Intrinsic dimension: ${args.data}${args.shufflePixels ? ' (shuffled pixels)' : ''}, ${modelName}`;
  writeFileSync(join(args.out, 'curve.svg'), await plotCurve(result, title));
  console.log(table(result));
  const resumed = result.resumed ? ` (${result.resumed} runs resumed from an earlier invocation)` : '';
  console.log(`\nwrote ${join(args.out, 'result.json')} and ${join(args.out, 'curve.svg')} (${result.wallSeconds.toFixed(1)} s${resumed})`);
  return result;
}

/**
 * trainOnBatch's await resolves without a macrotask on wasm and cpu, so without a break the event
 * loop would never run during a sweep: no SIGINT handler (Ctrl-C), no timers, no helper-process
 * events. This lets the loop turn once (setImmediate) every `ms` milliseconds of training.
 */
function yieldingEvery<T>(ms: number, report: (p: T) => void): (p: T) => Promise<void> | void {
  let last = performance.now();
  return (p) => {
    report(p);
    if (performance.now() - last < ms) return;
    last = performance.now();
    return new Promise((resolve) => setImmediate(resolve));
  };
}

/** One run per (d, seed): the first one given wins. */
function unique(runs: RunResult[]): RunResult[] {
  const seen = new Map<string, RunResult>();
  for (const r of runs) if (!seen.has(`${r.d}:${r.seed}`)) seen.set(`${r.d}:${r.seed}`, r);
  return [...seen.values()];
}
