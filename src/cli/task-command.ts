import { mkdirSync } from 'fs';
import { SubspaceError } from '../errors';
import { intrinsicDimension } from '../intrinsic/dimension';
import type { IntrinsicDimensionProgress, RunResult } from '../intrinsic/options';
import { setupBackend } from './backend';
import { checkArraySweep, readPlan, readTask, TaskRecord, taskFile, taskIndex, tasksDir } from './cluster';
import { describeSplit, disposeData, loadData } from './data';
import { IdArgs, yieldingEvery } from './id-command';
import { progressReporter, runLine } from './progress';
import { writeJsonAtomic } from './resume';
import { sweepCommand, sweepOf, sweepOptions } from './sweep';

/**
 * The delegate's answer for every run but K. intrinsicDimension takes its runs in order and awaits
 * a delegated one only after all of them have been handed out (inTurn), so this rejection surfaces
 * after run K has been trained here and delivered through onRun.
 */
const ELSEWHERE = new Error('tfjs-subspace --task: this run is another array task’s');

/**
 * `tfjs-subspace id … --task K` (or `--task-from-env`): trains run K of out/plan.json alone and
 * writes it to out/tasks/K.json atomically (a task killed meanwhile leaves no file, and its rerun
 * trains it again). An index whose file is there already is not trained again. The run is the one a
 * single-process sweep of the same flags trains: the sweep's own code, seeded the same, with every
 * other run delegated away.
 */
export async function runTask(args: IdArgs): Promise<RunResult> {
  const step = args.task === undefined ? '--task-from-env' : '--task';
  checkArraySweep(args, step);
  const sweep = sweepOf(args);
  const plan = readPlan(args.out, sweep, step);
  const { index, from } = taskIndex(args.task, process.env, plan, args.out);
  const want = plan.runs[index];
  const n = plan.runs.length;
  const name = `task ${index} of 0–${n - 1} (d = ${want.d ?? 'full'}, seed ${want.seed})`;
  const file = taskFile(args.out, index);
  const done = readTask(args.out, plan, index, sweepCommand(args));
  if (done) {
    console.log(`${name} is in ${file} already, with this sweep's settings: nothing to do.`);
    return done.run;
  }
  await setupBackend(args.backend, args.threads);
  const data = loadData(args.data, sweep.factory.inputShape, { train: args.trainLimit, test: args.testLimit, shufflePixels: args.shufflePixels });
  const log = (s: string) => args.quiet || console.error(s);
  log(`${describeSplit(data, args.validationFraction)}; model ${sweep.modelName}; backend ${args.backend}; ${name}, index from ${from}`);
  const progress = progressReporter(args.quiet);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let trained = null as RunResult | null;
  let started = false;
  const onProgress = (e: IntrinsicDimensionProgress) => {
    if (!started) log(`${name}: training`);
    started = true;
    progress.onProgress({ ...e, run: index, runs: n });
  };
  try {
    await intrinsicDimension({
      ...sweepOptions(args, sweep, data),
      resume: [],
      delegate: (d, seed) => (d === want.d && seed === want.seed ? null : Promise.reject(ELSEWHERE)),
      onRun: (run) => (trained = run),
      onProgress: yieldingEvery(100, onProgress),
      signal: controller.signal,
    });
  } catch (e) {
    if (e instanceof SubspaceError && e.code === 'CANCELLED') {
      progress.stop();
      console.error(`interrupted: ${name} was not saved; rerun the same command to train it.`);
    }
    if (e !== ELSEWHERE) throw e;
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    disposeData(data);
  }
  if (trained === null) throw new Error(`${name}: the sweep ended without training it (a bug: please report it).`);
  mkdirSync(tasksDir(args.out), { recursive: true });
  const record: TaskRecord = { settingsHash: sweep.hash, index, run: trained };
  writeJsonAtomic(file, record);
  progress.finished(runLine(index + 1, n, trained));
  console.log(`wrote ${file} (${name})`);
  return trained;
}
