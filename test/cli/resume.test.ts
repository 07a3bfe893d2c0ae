import { ChildProcess, spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { finishedRuns, ResumeMismatchError, settingsHash } from '../../src/cli/resume';

const ROOT = resolve(__dirname, '../..');

/** The CLI from source in its own Node process; `onStart` sees the child (to send it a signal). */
function cli(args: string[], onStart?: (child: ChildProcess) => void): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (s) => (stdout += s));
    child.stderr.on('data', (s) => (stderr += s));
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr }));
    onStart?.(child);
  });
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('id: results written run by run, resumed by rerunning the same command', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tfjs-subspace-resume-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('Ctrl-C leaves a valid partial result.json; the same command resumes it; other settings are refused', async () => {
    const out = join(dir, 'sweep');
    const file = join(out, 'result.json');
    const args = ['id', '--data', 'digits', '--dims', '8,16,32,64', '--seeds', '2', '--max-epochs', '3', '--pilot-epochs', '1', '--patience', '1', '--train-limit', '500', '--test-limit', '200', '--quiet', '--out', out];
    // Interrupt once the first two runs (the baselines of both seeds) are saved.
    const first = await cli(args, (child) => {
      const poll = setInterval(() => {
        if (existsSync(file) && read(file).baselines.length + read(file).runs.length >= 2) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 50);
      child.on('exit', () => clearInterval(poll));
    });
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/interrupted: \d+ finished runs are in .*result\.json; rerun the same command to resume/);
    const partial = read(file);
    expect(partial.sweep).toBe('partial');
    expect(partial.settingsHash).toBe(settingsHash(partial.settings));
    const saved = [...partial.baselines, ...partial.runs];
    expect(saved.length).toBeGreaterThanOrEqual(2);
    expect(saved.length).toBeLessThan(10);
    for (const r of saved) expect(r).toMatchObject({ seed: expect.any(Number), learningRate: expect.any(Number), epochs: expect.any(Number), stopReason: expect.any(String) });

    // The same command trains only what is missing and ends with the whole sweep.
    const second = await cli(args);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${saved.length} runs resumed from an earlier invocation`);
    const complete = read(file);
    expect(complete.sweep).toBe('complete');
    expect(complete.runs).toHaveLength(8);
    expect(complete.baselines).toHaveLength(2);
    for (const r of saved) expect([...complete.baselines, ...complete.runs]).toContainEqual(r);
    expect(complete.interval).toMatchObject({ level: 0.95, resamples: 2000 });
    expect(second.stdout).toMatch(/95 % bootstrap interval over 2 seeds: \[/);

    // Other settings with the same --out: a clear error (exit 2) naming what differs; nothing written.
    const before = readFileSync(file, 'utf8');
    const third = await cli([...args.slice(0, -2), '--lr', '0.01', '--out', out]);
    expect(third.code).toBe(2);
    expect(third.stderr).toMatch(/holds a sweep with other settings \(lr: 0\.001 there, 0\.01 now\); rerun with the same settings to resume it, or choose another --out/);
    expect(readFileSync(file, 'utf8')).toBe(before);

    // --jobs 2: a helper process shares the sweep (each run claimed by one process); seeded runs give
    // the same results whichever process trains them.
    const outJobs = join(dir, 'jobs');
    const jobs = await cli([...args.slice(0, -2), '--jobs', '2', '--out', outJobs]);
    expect(jobs.code).toBe(0);
    const shared = read(join(outJobs, 'result.json'));
    const strip = (runs: Array<{ seconds: number }>) => runs.map((r) => ({ ...r, seconds: 0 })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(strip(shared.runs)).toEqual(strip(complete.runs));
    expect(strip(shared.baselines)).toEqual(strip(complete.baselines));
    const claimers = new Set(require('fs').readdirSync(join(outJobs, '.claims')).map((f: string) => readFileSync(join(outJobs, '.claims', f), 'utf8')));
    // Which processes claim runs depends on scheduling: on an idle machine the lead can claim every
    // run before the helper process has started (measured in .ci/run on a fresh clone), so only
    // "one or two claimers, and nobody else" is a property of the code. That the helper's runs are
    // merged correctly is what the equalities above check.
    expect(claimers.size).toBeGreaterThanOrEqual(1);
    expect(claimers.size).toBeLessThanOrEqual(2);
  }, 900_000);

  it('finishedRuns: none without a file, a typed error for a file of other settings or of no sweep', () => {
    const out = join(dir, 'unit');
    expect(finishedRuns(out, { a: 1 })).toEqual([]);
    require('fs').mkdirSync(out, { recursive: true });
    const run = { d: 8, seed: 0, accuracy: 0.5 };
    writeFileSync(join(out, 'result.json'), JSON.stringify({ settingsHash: settingsHash({ a: 1, b: [1, 2] }), settings: { a: 1, b: [1, 2] }, baselines: [], runs: [run] }));
    // Key order does not matter (canonical JSON); values do.
    expect(finishedRuns(out, { b: [1, 2], a: 1 })).toEqual([run]);
    expect(() => finishedRuns(out, { a: 2, b: [1, 2] })).toThrow(ResumeMismatchError);
    expect(() => finishedRuns(out, { a: 2, b: [1, 2] })).toThrow(/a: 1 there, 2 now/);
    writeFileSync(join(out, 'result.json'), '{"curve": []}');
    expect(() => finishedRuns(out, { a: 1 })).toThrow(/no settingsHash, runs and baselines .* delete it or choose another --out/);
    writeFileSync(join(out, 'result.json'), '{oops');
    expect(() => finishedRuns(out, { a: 1 })).toThrow(/it is not JSON/);
  });
});
