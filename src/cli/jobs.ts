import { ChildProcess, spawn } from 'child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'fs';
import { join } from 'path';
import { CancelledError } from '../errors';
import type { RunResult } from '../intrinsic/options';

/**
 * Two (or more) processes sharing one sweep (`id --jobs n`): each claims a run before training it
 * (an exclusive file `out/.claims/<d>-<seed>`), writes what it finished to `out/.runs/<d>-<seed>.json`,
 * and takes the runs another process claimed from there (polled) instead of training them. The
 * runs are seeded, so which process trains a run does not change its result.
 */
export class SharedSweep {
  private readonly claims: string;
  private readonly runs: string;

  /** `others`: true while another process of the sweep may still deliver the runs it claimed. */
  constructor(out: string, private readonly signal: AbortSignal, private readonly othersAlive: () => boolean) {
    this.claims = join(out, '.claims');
    this.runs = join(out, '.runs');
    mkdirSync(this.claims, { recursive: true });
    mkdirSync(this.runs, { recursive: true });
  }

  /** Forgets the claims of an earlier, interrupted invocation (the lead process calls it before starting helpers). */
  static reset(out: string): void {
    rmSync(join(out, '.claims'), { recursive: true, force: true });
  }

  /** Forgets the runs of an earlier sweep too (when its result.json is gone, they belong to nothing checked). */
  static clear(out: string): void {
    SharedSweep.reset(out);
    rmSync(join(out, '.runs'), { recursive: true, force: true });
  }

  /** Runs finished by any process of an earlier or the current invocation. */
  static finished(out: string): RunResult[] {
    const dir = join(out, '.runs');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunResult);
  }

  /** Starts n − 1 helper processes running the same command quietly with `--helper <this pid>`. */
  static startHelpers(n: number, argv: string[]): ChildProcess[] {
    return Array.from({ length: n - 1 }, () =>
      spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv, '--quiet', '--helper', String(process.pid)], { stdio: ['ignore', 'ignore', 'inherit'] }),
    );
  }

  /** Whether process `pid` still runs. */
  static alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private key(d: number | null, seed: number): string {
    return `${d ?? 'full'}-${seed}`;
  }

  /** Saves a run this process finished, for the others. */
  publish(run: RunResult): void {
    const file = join(this.runs, `${this.key(run.d, run.seed)}.json`);
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(run));
    renameSync(`${file}.${process.pid}.tmp`, file);
  }

  /**
   * The `delegate` of intrinsicDimension: null when this process claims the run (it trains it),
   * else a promise of the other process's result, polled every 200 ms; it rejects when this sweep is
   * cancelled or every helper process has exited without it.
   */
  delegate = (d: number | null, seed: number): Promise<RunResult> | null => {
    try {
      const fd = openSync(join(this.claims, this.key(d, seed)), 'wx');
      writeSync(fd, String(process.pid)); // who trains it
      closeSync(fd);
      return null;
    } catch {
      const file = join(this.runs, `${this.key(d, seed)}.json`);
      return new Promise((resolve, reject) => {
        const poll = setInterval(() => {
          if (existsSync(file)) {
            clearInterval(poll);
            resolve(JSON.parse(readFileSync(file, 'utf8')));
          } else if (this.signal.aborted) {
            clearInterval(poll);
            reject(new CancelledError('intrinsicDimension: cancelled by its AbortSignal.'));
          } else if (!this.othersAlive()) {
            clearInterval(poll);
            reject(new Error(`the other process of this sweep exited before finishing run d = ${d ?? 'full'}, seed ${seed}; rerun the same command to resume (finished runs are kept).`));
          }
        }, 200);
      });
    }
  };
}
