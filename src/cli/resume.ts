import { createHash, randomBytes } from 'crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { InvalidArgumentError } from '../errors';
import type { RunResult } from '../intrinsic/options';

/** The settings that decide a sweep's numbers: a rerun with the same ones may reuse its finished runs. */
export type SweepSettings = Record<string, unknown>;

/** `--out` already holds a result of a sweep with other settings: resuming it would mix two experiments. */
export class ResumeMismatchError extends InvalidArgumentError {
  readonly differences: string[];
  constructor(message: string, differences: string[]) {
    super(message);
    this.differences = differences;
  }
}

/** sha256 of the settings as canonical JSON (keys sorted). */
export function settingsHash(settings: SweepSettings): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(settings))).digest('hex');
}

/** What a result.json in `--out` holds for resuming: its finished runs, once its settings are checked. */
export interface SavedSweep {
  sweep: 'partial' | 'complete';
  settingsHash: string;
  settings: SweepSettings;
  baselines: RunResult[];
  runs: RunResult[];
}

/**
 * Reads `dir/result.json` when there is one and returns its finished runs (baselines and subspace
 * runs); none when there is no file. A file written with other settings throws
 * {@link ResumeMismatchError} naming the settings that differ; an unreadable one an InvalidArgumentError.
 */
export function finishedRuns(dir: string, settings: SweepSettings): RunResult[] {
  const file = join(dir, 'result.json');
  if (!existsSync(file)) return [];
  let saved: SavedSweep;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InvalidArgumentError(`cannot resume from ${file}: it is not JSON (${(e as Error).message}); delete it or choose another --out.`);
  }
  if (typeof saved?.settingsHash !== 'string' || !Array.isArray(saved.runs) || !Array.isArray(saved.baselines)) {
    throw new InvalidArgumentError(`cannot resume from ${file}: it has no settingsHash, runs and baselines (written by another version?); delete it or choose another --out.`);
  }
  const hash = settingsHash(settings);
  if (saved.settingsHash !== hash) {
    const differences = settingsDifferences(saved.settings ?? {}, settings);
    throw new ResumeMismatchError(
      `${file} holds a sweep with other settings (${differences.join('; ') || 'hash differs'}); rerun with the same settings to resume it, or choose another --out (or delete it) to start afresh.`,
      differences,
    );
  }
  return [...saved.baselines, ...saved.runs];
}

/** Each setting that differs between a saved sweep's (`there`) and this command's (`now`): `lr: 0.001 there, 0.01 now`. */
export function settingsDifferences(there: SweepSettings, now: SweepSettings): string[] {
  const keys = [...new Set([...Object.keys(now), ...Object.keys(there)])].sort();
  return keys.filter((k) => JSON.stringify(now[k]) !== JSON.stringify(there[k])).map((k) => `${k}: ${JSON.stringify(there[k])} there, ${JSON.stringify(now[k])} now`);
}

/** Writes `dir/result.json` atomically (a temporary file renamed over it): a reader never sees half a file. */
export function writeResult(dir: string, record: object): void {
  writeJsonAtomic(join(dir, 'result.json'), record);
}

/**
 * Writes `file` as JSON through a temporary file renamed over it: neither a reader nor a process
 * killed meanwhile ever leaves half a `file` (at most a stray `*.tmp`). The temporary name is unique to this write (pid and
 * random bytes): on a shared folder, containers of several machines may have the same pid.
 */
export function writeJsonAtomic(file: string, record: object): void {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
  renameSync(tmp, file);
}
