import { existsSync, mkdirSync } from 'fs';
import { InvalidArgumentError } from '../errors';
import { checkArraySweep, indexRanges, planFile, plannedRuns, readPlan, SweepPlan, tasksDir } from './cluster';
import type { IdArgs } from './id-command';
import { writeJsonAtomic } from './resume';
import { sweepCommand, sweepOf } from './sweep';

/**
 * `tfjs-subspace id … --plan`: writes out/plan.json (the settings, their hash, the command and the
 * runs, index K → {d, seed}) and prints N and the array to submit. Nothing trains. A plan of the
 * same settings is rewritten as it was; one of other settings is refused (its task files would mix).
 */
export function runPlan(args: IdArgs): SweepPlan {
  checkArraySweep(args, '--plan');
  const sweep = sweepOf(args);
  const D = sweep.factory.parameters;
  const tooLarge = args.dims!.filter((d) => d > D);
  if (tooLarge.length) throw new InvalidArgumentError(`--dims ${tooLarge.join(',')}: more than the model's D = ${D} parameters; plan subspace dimensions d ≤ ${D}.`);
  if (existsSync(planFile(args.out))) readPlan(args.out, sweep, '--plan'); // refuses other settings
  const command = sweepCommand(args);
  const plan: SweepPlan = { settingsHash: sweep.hash, settings: sweep.settings, command, runs: plannedRuns(args.dims!, sweep.seeds) };
  mkdirSync(tasksDir(args.out), { recursive: true });
  writeJsonAtomic(planFile(args.out), plan);
  const n = plan.runs.length;
  const seeds = sweep.seeds.length;
  console.log(
    [
      `planned ${n} runs in ${planFile(args.out)}: ${seeds} full-model baseline${seeds > 1 ? 's' : ''}, then d = ${args.dims!.join(', ')} × ${seeds} seed${seeds > 1 ? 's' : ''} (index K → d, seed).`,
      `submit indices 0–${n - 1}: sbatch --array=${indexRanges(plan.runs.map((r) => r.index))} <script>  (Slurm; SLURM_ARRAY_TASK_ID is K)`,
      `                   or a Kubernetes Indexed Job with completions: ${n}  (JOB_COMPLETION_INDEX is K)`,
      `each task runs:    npx ${command} --task-from-env`,
      `then, once all succeeded: npx ${command} --merge`,
      `(a Slurm script and a Job manifest: https://github.com/tfjs-subspace/tfjs-subspace/blob/main/docs/cluster.md)`,
    ].join('\n'),
  );
  return plan;
}
