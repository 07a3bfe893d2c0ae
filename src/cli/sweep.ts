import { LI2018, li2018ModelOptions, li2018Options, li2018Task } from '../intrinsic/li2018';
import { ModelName, models } from '../models/registry';
import type { IntrinsicDimensionOptions } from '../intrinsic/options';
import type { LoadedData } from './data';
import { budgetOf, defaultModel } from './defaults';
import type { IdArgs } from './id-command';
import { settingsHash, SweepSettings } from './resume';

/** What the flags of `id` make of a sweep: the model, the budget, the seeds and the settings that decide its numbers. */
export interface Sweep {
  modelName: ModelName;
  factory: (typeof models)[ModelName];
  budget: ReturnType<typeof budgetOf>['budget'];
  seeds: number[];
  settings: SweepSettings;
  /** settingsHash(settings): equal for two commands exactly when their runs are the same. */
  hash: string;
}

/** The sweep of `id`'s flags (the defaults of the data set filled in). */
export function sweepOf(args: IdArgs): Sweep {
  const modelName = args.model ?? defaultModel(args.data);
  const factory = models[modelName];
  const budget = { ...budgetOf(args.data).budget };
  for (const k of ['maxEpochs', 'patience', 'pilotEpochs', 'batchSize'] as const) if (args[k] !== undefined) budget[k] = args[k]!;
  const seeds = Array.from({ length: args.seeds }, (_, i) => i);
  const li = args.protocol === 'li2018' ? LI2018[li2018Task(modelName, args.shufflePixels)] : null;
  const settings: SweepSettings = {
    // Li et al.'s protocol adds what it changes; the default protocol's settings (and hashes) stay as they were.
    ...(li ? { protocol: 'li2018', optimizer: li.optimizer, init: 'he-normal', l2: li.l2, training: 'fixed', thresholdOf: 'absolute' } : {}),
    version: 3, data: args.data, model: modelName, dims: args.dims ?? null, search: args.search ?? null, basis: args.basis, seeds,
    ...(li ? {} : { optimizer: args.optimizer }), lr: args.lr, lrSearch: args.lrSearch, lrExpand: args.lrExpand, validationFraction: args.validationFraction, ...budget,
    threshold: args.threshold, shufflePixels: args.shufflePixels, trainLimit: args.trainLimit ?? null, testLimit: args.testLimit ?? null, backend: args.backend,
  };
  return { modelName, factory, budget, seeds, settings, hash: settingsHash(settings) };
}

/** intrinsicDimension's options for the sweep (the data loaded by loadData); the caller adds its hooks (resume, delegate, onRun, …). */
export function sweepOptions(args: IdArgs, sweep: Sweep, data: Pick<LoadedData, 'train' | 'test'>): IntrinsicDimensionOptions {
  if (args.protocol === 'li2018') {
    const task = li2018Task(sweep.modelName, args.shufflePixels);
    return {
      ...li2018Options(task),
      createModel: (seed) => sweep.factory(li2018ModelOptions(LI2018[task], seed)),
      train: data.train,
      test: data.test,
      dims: args.dims,
      basis: args.basis,
      seeds: sweep.seeds,
      maxEpochs: sweep.budget.maxEpochs,
      batchSize: sweep.budget.batchSize,
    };
  }
  return {
    createModel: (seed) => sweep.factory({ seed }),
    train: data.train,
    test: data.test,
    dims: args.dims,
    search: args.search,
    basis: args.basis,
    seeds: sweep.seeds,
    optimizer: args.optimizer,
    learningRate: args.lr,
    lrStep: args.lrSearch ? 3 : 1,
    lrExpand: args.lrExpand,
    validationFraction: args.validationFraction,
    ...sweep.budget,
    threshold: args.threshold,
  };
}

/** The flags that choose a cluster step (`--plan`, `--task K`, `--task-from-env`, `--merge`), not the sweep. */
const STEP_FLAGS = new Set(['--plan', '--merge', '--task-from-env']);

/** The command line of `id` without its cluster step: what every step of one sweep shares. */
export function sweepArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (STEP_FLAGS.has(argv[i]) || argv[i].startsWith('--task=')) continue;
    if (argv[i] === '--task') i++; // and its value
    else out.push(argv[i]);
  }
  return out;
}

/** This command's sweep as a shell line, `tfjs-subspace id …` without the step flag: add `--task K` or `--merge` to run a step of it. */
export function sweepCommand(args: Pick<IdArgs, 'argv'>): string {
  return shellLine(['tfjs-subspace', ...sweepArgv(args.argv ?? process.argv.slice(2))]);
}

/** `argv` as one shell line: words with spaces or shell characters single-quoted. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
