import type { SeededBasisKind } from '../basis/kinds';
import { ChildProcess } from 'child_process';
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { SubspaceError } from '../errors';
import { intrinsicDimension } from '../intrinsic/dimension';
import type { OptimizerName } from '../intrinsic/optimizers';
import type { IntrinsicDimensionProgress, IntrinsicDimensionResult, RunResult } from '../intrinsic/options';
import type { ModelName } from '../models/registry';
import { setupBackend } from './backend';
import { DataName, describeSplit, disposeData, loadData } from './data';
import { plotCurve } from './plot';
import { logGrid } from '../intrinsic/interpolate';
import { progressReporter, runLine } from './progress';
import { SharedSweep } from './jobs';
import { finishedRuns, writeResult } from './resume';
import { table } from './table';
import { sweepArgv, sweepOf, sweepOptions } from './sweep';

export interface IdArgs {
  /** 'converged' (default) or 'li2018' (Li et al.'s settings: li2018Args fills the flags in). */
  protocol?: 'converged' | 'li2018';
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
  /** `--plan`: write the sweep's run list (plan.json) for a job array instead of training. */
  plan?: boolean;
  /** `--task K`: train run K of the plan alone (a job array's index). */
  task?: number;
  /** `--task-from-env`: K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX. */
  taskFromEnv?: boolean;
  /** `--merge`: the array's task files into result.json and curve.svg. */
  merge?: boolean;
  /** The command line as typed (after `tfjs-subspace`); default process.argv. */
  argv?: string[];
}

/**
 * `tfjs-subspace id`: measure d_int, print a table, write result.json (run by run) and curve.svg under --out.
 * `merged`: finished runs from elsewhere (`--merge`: the array's task files), resumed as result.json's are.
 */
export async function runId(args: IdArgs, merged?: { runs: RunResult[]; from: string }): Promise<IntrinsicDimensionResult> {
  const sweep = sweepOf(args);
  const { modelName, factory, seeds, settings, hash } = sweep;
  if (args.helper === undefined && !existsSync(join(args.out, 'result.json'))) SharedSweep.clear(args.out);
  // before any work: a mismatch changes nothing
  const resume = unique([...(merged?.runs ?? []), ...finishedRuns(args.out, settings), ...SharedSweep.finished(args.out)]);
  await setupBackend(args.backend, args.threads);
  const data = loadData(args.data, factory.inputShape, { train: args.trainLimit, test: args.testLimit, shufflePixels: args.shufflePixels });
  const log = (s: string) => args.quiet || console.error(s);
  log(`${describeSplit(data, args.validationFraction)}; model ${modelName} (D = ${factory.parameters.toLocaleString('en')}); backend ${args.backend}` + (resume.length ? `; resuming ${resume.length} finished runs from ${merged?.from ?? join(args.out, 'result.json')}` : ''));
  mkdirSync(args.out, { recursive: true });
  const head = { command: sweepArgv(args.argv ?? process.argv.slice(2)).join(' '), data: args.data, model: modelName, settingsHash: hash, settings };
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
      ...sweepOptions(args, sweep, data),
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
  const resumed = result.resumed ? ` (${result.resumed} runs ${merged ? `from ${merged.from}` : 'resumed from an earlier invocation'})` : '';
  console.log(`\nwrote ${join(args.out, 'result.json')} and ${join(args.out, 'curve.svg')} (${result.wallSeconds.toFixed(1)} s${resumed})`);
  return result;
}

/**
 * trainOnBatch's await resolves without a macrotask on wasm and cpu, so without a break the event
 * loop would never run during a sweep: no SIGINT handler (Ctrl-C), no timers, no helper-process
 * events. This lets the loop turn once (setImmediate) every `ms` milliseconds of training.
 */
export function yieldingEvery<T>(ms: number, report: (p: T) => void): (p: T) => Promise<void> | void {
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
