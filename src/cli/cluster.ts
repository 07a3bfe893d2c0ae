import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { InvalidArgumentError } from '../errors';
import { logGrid } from '../intrinsic/interpolate';
import type { RunResult } from '../intrinsic/options';
import type { IdArgs } from './id-command';
import { settingsDifferences, SweepSettings } from './resume';
import type { Sweep } from './sweep';

/**
 * The shared folder of a sweep run as a job array (Slurm `--array`, a Kubernetes Indexed Job):
 * `out/plan.json` lists the runs, index K → {d, seed}; array task K trains run K alone into
 * `out/tasks/K.json`; `--merge` reads them all. Every file carries the sweep's settingsHash, so
 * steps run with other flags are refused instead of mixed (docs/cluster.md).
 */

/** One run of the plan: `d` null for the full-model baseline. */
export interface PlannedRun {
  index: number;
  d: number | null;
  seed: number;
}

/** What `--plan` writes to out/plan.json. */
export interface SweepPlan {
  settingsHash: string;
  settings: SweepSettings;
  /** The sweep's command line (without its step flag); the task and merge steps are this plus their flag. */
  command: string;
  runs: PlannedRun[];
}

/** What array task K writes to out/tasks/K.json. */
export interface TaskRecord {
  settingsHash: string;
  index: number;
  run: RunResult;
}

/** The environment variables that carry an array task's index, looked up in this order. */
export const INDEX_VARIABLES = [
  ['SLURM_ARRAY_TASK_ID', 'a Slurm job array'],
  ['JOB_COMPLETION_INDEX', 'a Kubernetes Indexed Job'],
] as const;

export const planFile = (out: string): string => join(out, 'plan.json');
export const tasksDir = (out: string): string => join(out, 'tasks');
export const taskFile = (out: string, index: number): string => join(tasksDir(out), `${index}.json`);

/** The runs in the order intrinsicDimension takes them: each seed's baseline, then every d (ascending), each seed. */
export function plannedRuns(dims: readonly number[], seeds: readonly number[]): PlannedRun[] {
  const keys = [...seeds.map((seed) => [null, seed] as const), ...[...dims].sort((a, b) => a - b).flatMap((d) => seeds.map((seed) => [d, seed] as const))];
  return keys.map(([d, seed], index) => ({ index, d, seed }));
}

/** Refuses what an array cannot run: `step` is the flag (`--plan`, `--task`, `--merge`). */
export function checkArraySweep(args: IdArgs, step: string): void {
  if (args.search) {
    const { min, max, points = 6 } = args.search;
    throw new InvalidArgumentError(
      `${step} needs a fixed list of runs, but --search chooses its refinement d from the results of its grid; ` +
        `use --dims instead (--search ${min}:${max}:${points} starts with --dims ${logGrid(min, max, points).join(',')}).`,
    );
  }
  if ((args.jobs ?? 1) > 1) {
    throw new InvalidArgumentError(`${step} runs one step of a job array per process; --jobs shares a sweep on one machine: drop --jobs ${args.jobs} (run more array tasks at once instead).`);
  }
}

function readJson<T>(file: string, what: string, fix: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${file} as ${what} (${(e as Error).message}); ${fix}`);
  }
}

/**
 * out/plan.json, checked against this command's sweep: missing, unreadable or written with other
 * settings, an InvalidArgumentError that names both hashes and what differs.
 */
export function readPlan(out: string, sweep: Sweep, step: string): SweepPlan {
  const file = planFile(out);
  if (!existsSync(file)) throw new InvalidArgumentError(`${step}: there is no ${file}; run the same command with --plan first (it writes the list of runs the array's indices refer to).`);
  const plan = readJson<SweepPlan>(file, 'a plan', 'rerun the same command with --plan.');
  if (typeof plan?.settingsHash !== 'string' || !Array.isArray(plan.runs)) throw new InvalidArgumentError(`${file} is not a plan (no settingsHash and runs); rerun the same command with --plan.`);
  if (plan.settingsHash !== sweep.hash) {
    const differences = settingsDifferences(plan.settings ?? {}, sweep.settings).join('; ');
    throw new InvalidArgumentError(
      `${file} plans a sweep with other settings (settingsHash ${plan.settingsHash} there, ${sweep.hash} for this command; ${differences}): ` +
        `every step of one array needs the same flags; run this step with the plan's (${plan.command}), or plan these flags into another --out.`,
    );
  }
  return plan;
}

/** out/tasks/K.json when there is one (null when not), its hash and run checked against the plan; `command` is this sweep's (sweepCommand). */
export function readTask(out: string, plan: SweepPlan, index: number, command: string): TaskRecord | null {
  const file = taskFile(out, index);
  if (!existsSync(file)) return null;
  const task = readJson<TaskRecord>(file, 'a task result', `delete it and rerun index ${index}.`);
  if (task?.settingsHash !== plan.settingsHash) {
    throw new InvalidArgumentError(
      `${file} was written by a sweep with other settings (settingsHash ${task?.settingsHash} there, ${plan.settingsHash} in ${planFile(out)}): ` +
        `the results would be mixed; delete it and rerun index ${index} (${command} --task ${index}).`,
    );
  }
  const want = plan.runs[index];
  if (task.run?.d !== want.d || task.run?.seed !== want.seed) {
    throw new InvalidArgumentError(`${file} holds run d = ${task.run?.d ?? 'full'}, seed ${task.run?.seed}, but index ${index} of the plan is d = ${want.d ?? 'full'}, seed ${want.seed}; delete it and rerun index ${index}.`);
  }
  return task;
}

/** The indices of every out/tasks/*.json, planned or not (a stray file of other settings is refused too). */
export function taskIndices(out: string): number[] {
  if (!existsSync(tasksDir(out))) return [];
  return readdirSync(tasksDir(out))
    .filter((f) => /^\d+\.json$/.test(f))
    .map((f) => Number(f.slice(0, -'.json'.length)))
    .sort((a, b) => a - b);
}

/**
 * The index this task trains: `--task K`, else (`--task-from-env`) the first of
 * SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX that is set; checked against the plan's N runs.
 */
export function taskIndex(given: number | undefined, env: NodeJS.ProcessEnv, plan: SweepPlan, out: string): { index: number; from: string } {
  const n = plan.runs.length;
  const submit = `submit indices 0–${n - 1} (sbatch --array=${indexRanges(plan.runs.map((r) => r.index))}, or an Indexed Job with completions: ${n})`;
  let index = given;
  let from = '--task';
  if (index === undefined) {
    const set = INDEX_VARIABLES.find(([name]) => (env[name] ?? '').trim() !== '');
    if (!set) {
      const names = INDEX_VARIABLES.map(([name, engine]) => `${name} (set by ${engine})`).join(' nor ');
      throw new InvalidArgumentError(`--task-from-env: neither ${names} is set; run this command as a task of an array and ${submit}, or give the index with --task K.`);
    }
    from = set[0];
    const value = env[from]!.trim();
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${from} is '${value}', not a run index (an integer ≥ 0); ${submit}.`);
    index = Number(value);
  }
  if (index >= n) throw new InvalidArgumentError(`task index ${index} (from ${from}) is out of range: ${planFile(out)} has N = ${n} runs, indices 0–${n - 1}; ${submit}.`);
  return { index, from };
}

/** Indices as an array range: [0, 1, 2, 5, 7, 8] → '0-2,5,7-8' (sbatch --array's syntax). */
export function indexRanges(indices: readonly number[]): string {
  const parts: string[] = [];
  const sorted = [...indices].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}
