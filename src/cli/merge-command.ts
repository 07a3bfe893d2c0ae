import type { IntrinsicDimensionResult, RunResult } from '../intrinsic/options';
import { InvalidArgumentError } from '../errors';
import { checkArraySweep, indexRanges, planFile, readPlan, readTask, taskFile, taskIndices, tasksDir } from './cluster';
import { IdArgs, runId } from './id-command';
import { sweepCommand, sweepOf } from './sweep';

/** `--merge` found indices of the plan without a task file: which, and how to rerun them (exit code 1). */
export class MissingTasksError extends Error {
  constructor(
    message: string,
    readonly missing: number[],
  ) {
    super(message);
    this.name = 'MissingTasksError';
  }
}

/**
 * `tfjs-subspace id … --merge`: reads out/plan.json and every out/tasks/K.json and writes result.json
 * and curve.svg as a single-process `id` of the same flags does — through runId itself, with every
 * run resumed from the task files, so nothing trains. Refuses a task file of other settings (naming
 * it) and lists the missing indices with the commands that train them.
 */
export async function runMerge(args: IdArgs): Promise<IntrinsicDimensionResult> {
  checkArraySweep(args, '--merge');
  const sweep = sweepOf(args);
  const plan = readPlan(args.out, sweep, '--merge');
  const n = plan.runs.length;
  const command = sweepCommand(args); // this folder's, which may be mounted elsewhere than where it was planned
  for (const k of taskIndices(args.out)) {
    if (k >= n) throw new InvalidArgumentError(`${taskFile(args.out, k)} is not an index of ${planFile(args.out)} (0–${n - 1}): it belongs to a sweep with other settings; delete it and merge again.`);
  }
  const runs: RunResult[] = [];
  const missing: number[] = [];
  for (const { index } of plan.runs) {
    const task = readTask(args.out, plan, index, command); // refuses other settings
    if (task) runs.push(task.run);
    else missing.push(index);
  }
  if (missing.length) {
    const lines = missing.map((k) => `  npx ${command} --task ${k}`);
    throw new MissingTasksError(
      `${missing.length} of ${n} runs have no task file in ${tasksDir(args.out)}: ${missing.map((k) => `${k} (d = ${plan.runs[k].d ?? 'full'}, seed ${plan.runs[k].seed})`).join(', ')}. ` +
        `Train them:\n${lines.join('\n')}\nor resubmit only them to the array (sbatch --array=${indexRanges(missing)} <script>), then merge again.`,
      missing,
    );
  }
  return runId(args, { runs, from: `${n} task files in ${tasksDir(args.out)}` });
}
