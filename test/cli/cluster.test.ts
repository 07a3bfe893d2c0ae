import { ChildProcess, spawn } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { main } from '../../src/cli/main';
import { settingsHash } from '../../src/cli/resume';

const ROOT = resolve(__dirname, '../..');
const INDEX_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'];

/** A tiny budget on the embedded digits that still reaches the target: d_int50 lies between d = 10 and d = 100. */
const FLAGS = ['--data', 'digits', '--dims', '10,100', '--seeds', '2', '--max-epochs', '3', '--pilot-epochs', '1', '--no-lr-search', '--lr', '0.01', '--threshold', '0.5', '--train-limit', '500', '--test-limit', '200'];
/** The same sweep with another learning rate: other settings. */
const OTHER = FLAGS.map((f, i) => (FLAGS[i - 1] === '--lr' ? '0.003' : f));

type Outcome = { code: number | null; signal: string | null; stdout: string; stderr: string };

/** The CLI from source in its own Node process, with `env` added to an environment that has no array index of its own. */
function cli(args: string[], env: Record<string, string> = {}, onStart?: (child: ChildProcess) => void): Promise<Outcome> {
  const base = { ...process.env };
  for (const name of INDEX_VARIABLES) delete base[name];
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: { ...base, ...env } });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (s) => (stdout += s));
    child.stderr.on('data', (s) => (stderr += s));
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr }));
    onStart?.(child);
  });
}

/** The CLI in this process (for the steps that stop before training), with `env` set for the call. */
async function inProcess(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = Object.fromEntries(INDEX_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of INDEX_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true)),
    jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ') + '\n')),
    jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ') + '\n')),
  ];
  try {
    const code = await main(args);
    return { code, signal: null, stdout: out.join(''), stderr: err.join('') };
  } finally {
    spies.forEach((s) => s.mockRestore());
    for (const name of INDEX_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
/** Runs without their wall-clock seconds, the only field that differs between two trainings of one seeded run. */
const strip = (runs: Array<{ seconds: number }>) => runs.map((r) => ({ ...r, seconds: 0 }));

describe('id on a job array: --plan, --task per index, --merge', () => {
  let dir: string;
  let out: string; // the array's shared folder, complete after the first test
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfjs-subspace-cluster-'));
    out = join(dir, 'array');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the indices as concurrent processes (K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, one SIGKILLed and rerun), merged = one process', async () => {
    const plan = await inProcess(['id', ...FLAGS, '--out', out, '--plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`planned 6 runs in ${join(out, 'plan.json')}`);
    expect(plan.stdout).toContain('submit indices 0–5: sbatch --array=0-5');
    expect(plan.stdout).toContain('completions: 6');
    expect(plan.stdout).toContain(`npx tfjs-subspace id ${FLAGS.join(' ')} --out ${out} --task-from-env`);
    const planned = read(join(out, 'plan.json'));
    expect(planned.settingsHash).toBe(settingsHash(planned.settings));
    expect(planned.command).toBe(`tfjs-subspace id ${FLAGS.join(' ')} --out ${out}`);
    expect(planned.runs).toEqual([[null, 0], [null, 1], [10, 0], [10, 1], [100, 0], [100, 1]].map(([d, seed], index) => ({ index, d, seed })));

    // Two tasks at a time, as an array with parallelism 2 runs them; Slurm's variable for even K, Kubernetes' for odd.
    const task = (k: number, onStart?: (child: ChildProcess) => void) =>
      cli(['id', ...FLAGS, '--out', out, '--task-from-env'], { [INDEX_VARIABLES[k % 2]]: String(k) }, onStart);
    // Index 3 is killed (SIGKILL: no handler runs) once its training has started.
    const killAfterStart = (child: ChildProcess) => {
      let log = '';
      child.stderr!.on('data', (s) => (log += s).includes('task 3 of 0–5 (d = 10, seed 1): training') && child.kill('SIGKILL'));
    };
    const waves = [await Promise.all([task(0), task(1)]), await Promise.all([task(2), task(3, killAfterStart)]), await Promise.all([task(4), task(5)])];
    const [killed] = waves[1].splice(1, 1);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toBe(''); // it never got to write
    expect(readdirSync(join(out, 'tasks')).filter((f) => f.startsWith('3.'))).toEqual([]); // no task file, no temporary one
    waves.flat().forEach((r, i) => {
      const k = [0, 1, 2, 4, 5][i];
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`index from ${INDEX_VARIABLES[k % 2]}`);
      expect(r.stdout).toBe(`wrote ${join(out, 'tasks', `${k}.json`)} (task ${k} of 0–5 (d = ${planned.runs[k].d ?? 'full'}, seed ${planned.runs[k].seed}))\n`);
      expect(read(join(out, 'tasks', `${k}.json`))).toMatchObject({ settingsHash: planned.settingsHash, index: k, run: { d: planned.runs[k].d, seed: planned.runs[k].seed } });
    });
    // The killed index trains again, beside a single-process sweep of the same flags (the reference).
    const single = join(dir, 'single');
    const [rerun, reference] = await Promise.all([task(3), cli(['id', ...FLAGS, '--out', single, '--quiet'])]);
    expect(rerun.code).toBe(0);
    expect(reference.code).toBe(0);
    expect(existsSync(join(out, 'tasks', '3.json'))).toBe(true);
    // An index whose file is there is not trained again.
    const before = readFileSync(join(out, 'tasks', '0.json'), 'utf8');
    const again = await inProcess(['id', ...FLAGS, '--out', out, '--task', '0']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^task 0 of 0–5 \(d = full, seed 0\) is in .*0\.json already, with this sweep's settings: nothing to do\.\n$/);
    expect(readFileSync(join(out, 'tasks', '0.json'), 'utf8')).toBe(before);

    const merge = await cli(['id', ...FLAGS, '--out', out, '--merge']);
    expect(merge.code).toBe(0);
    expect(merge.stderr).toContain(`resuming 6 finished runs from 6 task files in ${join(out, 'tasks')}`);
    expect(merge.stderr).not.toMatch(/^run /m); // nothing trained
    expect(merge.stdout).toMatch(/d_int50 = \d/);
    const merged = read(join(out, 'result.json'));
    const one = read(join(single, 'result.json'));
    expect(merged.sweep).toBe('complete');
    expect(merged.dInt).toBeGreaterThan(10);
    expect(merged.dInt).toBeLessThan(100);
    for (const key of ['dInt', 'curve', 'interval', 'baselineAccuracy', 'target', 'bracket', 'status', 'config', 'settingsHash', 'settings']) expect([key, merged[key]]).toEqual([key, one[key]]);
    expect(strip(merged.baselines)).toEqual(strip(one.baselines));
    expect(strip(merged.runs)).toEqual(strip(one.runs));
    expect(merged.command).toBe(one.command.replace(` --out ${single} --quiet`, ` --out ${out}`));
    expect(readFileSync(join(out, 'curve.svg'), 'utf8')).toBe(readFileSync(join(single, 'curve.svg'), 'utf8'));
    expect(merge.stdout.split('\n').slice(0, -3)).toEqual(reference.stdout.split('\n').slice(0, -3)); // the same table; only the "wrote …" line differs
  }, 300_000);

  it('--merge lists the missing indices with the commands that train them (exit code 1)', async () => {
    const partial = join(dir, 'partial');
    cpSync(out, partial, { recursive: true });
    rmSync(join(partial, 'result.json'));
    rmSync(join(partial, 'tasks', '2.json'));
    rmSync(join(partial, 'tasks', '4.json'));
    const r = await inProcess(['id', ...FLAGS, '--out', partial, '--merge']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`2 of 6 runs have no task file in ${join(partial, 'tasks')}: 2 (d = 10, seed 0), 4 (d = 100, seed 0).`);
    for (const k of [2, 4]) expect(r.stderr).toContain(`\n  npx tfjs-subspace id ${FLAGS.join(' ')} --out ${partial} --task ${k}\n`);
    expect(r.stderr).toContain('sbatch --array=2,4');
    expect(existsSync(join(partial, 'result.json'))).toBe(false);
  });

  it('mixed settings are refused at --plan, --task and --merge, naming both hashes or the file', async () => {
    const hash = read(join(out, 'plan.json')).settingsHash;
    const other = settingsHash({ ...read(join(out, 'plan.json')).settings, lr: 0.003 });
    // A command with other flags against this array's plan.
    for (const step of [['--task', '1'], ['--merge'], ['--plan']]) {
      const r = await inProcess(['id', ...OTHER, '--out', out, ...step]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`plan.json plans a sweep with other settings (settingsHash ${hash} there, ${other} for this command; lr: 0.01 there, 0.003 now)`);
      expect(r.stderr).toContain(`run this step with the plan's (tfjs-subspace id ${FLAGS.join(' ')} --out ${out})`);
    }
    // A plan of the other flags whose folder holds task files of this array's.
    const mixed = join(dir, 'mixed');
    expect((await inProcess(['id', ...OTHER, '--out', mixed, '--plan'])).code).toBe(0);
    cpSync(join(out, 'tasks', '5.json'), join(mixed, 'tasks', '5.json'));
    const merge = await inProcess(['id', ...OTHER, '--out', mixed, '--merge']);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toContain(`${join(mixed, 'tasks', '5.json')} was written by a sweep with other settings (settingsHash ${hash} there, ${other} in ${join(mixed, 'plan.json')})`);
    const task = await inProcess(['id', ...OTHER, '--out', mixed, '--task', '5']);
    expect(task.code).toBe(2);
    expect(task.stderr).toContain(`${join(mixed, 'tasks', '5.json')} was written by a sweep with other settings`);
    expect(existsSync(join(mixed, 'result.json'))).toBe(false);
  });

  it.each([
    [['--search', '10:1000', '--plan'], {}, /--plan needs a fixed list of runs, but --search chooses its refinement d from the results of its grid; use --dims instead \(--search 10:1000:6 starts with --dims 10,25,63,158,398,1000\)/],
    [['--search', '10:1000', '--task-from-env'], { SLURM_ARRAY_TASK_ID: '0' }, /--task-from-env needs a fixed list of runs/],
    [['--dims', '10,100', '--task', '6'], {}, /task index 6 \(from --task\) is out of range: .*plan\.json has N = 6 runs, indices 0–5; submit indices 0–5 \(sbatch --array=0-5, or an Indexed Job with completions: 6\)/],
    [['--dims', '10,100', '--task-from-env'], { SLURM_ARRAY_TASK_ID: '9' }, /task index 9 \(from SLURM_ARRAY_TASK_ID\) is out of range: .*N = 6 runs/],
    [['--dims', '10,100', '--task-from-env'], { JOB_COMPLETION_INDEX: '6' }, /task index 6 \(from JOB_COMPLETION_INDEX\) is out of range/],
    [['--dims', '10,100', '--task-from-env'], { JOB_COMPLETION_INDEX: 'x' }, /JOB_COMPLETION_INDEX is 'x', not a run index/],
    [['--dims', '10,100', '--task-from-env'], {}, /--task-from-env: neither SLURM_ARRAY_TASK_ID \(set by a Slurm job array\) nor JOB_COMPLETION_INDEX \(set by a Kubernetes Indexed Job\) is set; .* or give the index with --task K/],
    [['--dims', '10,100', '--task', '1', '--jobs', '2'], {}, /--task runs one step of a job array per process; --jobs shares a sweep on one machine: drop --jobs 2/],
    [['--dims', '10,100', '--task', '1', '--merge'], {}, /option '--task <K>' cannot be used with option '--merge'/],
    [['--dims', '10,100', '--task', '-1'], {}, /argument '-1' is invalid/],
  ])('refused: %j with %j', async (flags, env, message) => {
    const base = FLAGS.filter((f, i) => f !== '--dims' && FLAGS[i - 1] !== '--dims');
    const r = await inProcess(['id', ...base, ...(flags as string[]), '--out', out], env as Record<string, string>);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("id --help names the array's flags", async () => {
    const r = await inProcess(['id', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--plan', '--task <K>', '--task-from-env', '--merge', 'SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX', 'docs/cluster.md']) expect(r.stdout).toContain(flag);
  });

  it('--task-from-env takes SLURM_ARRAY_TASK_ID before JOB_COMPLETION_INDEX; a plan must exist first', async () => {
    const r = await inProcess(['id', ...FLAGS, '--out', out, '--task-from-env'], { SLURM_ARRAY_TASK_ID: '0', JOB_COMPLETION_INDEX: '99' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^task 0 of 0–5 .* nothing to do/);
    const none = await inProcess(['id', ...FLAGS, '--out', join(dir, 'nowhere'), '--task', '0']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--task: there is no .*nowhere.plan\.json; run the same command with --plan first/);
  });
});
