import { execFile } from 'child_process';
import * as path from 'path';

/**
 * Runs a script of this folder in a plain Node process (ts-node, transpile only) and parses the JSON
 * lines it prints. Numeric loops and tf op dispatch run several times slower inside Jest's vm sandbox;
 * `gc` adds --expose-gc (the soak check forces collections before it reads process memory).
 */
export function runChild<T>(script: string, args: string[], opts: { gc?: boolean; timeoutMs?: number } = {}): Promise<T[]> {
  const flags = [...(opts.gc ? ['--expose-gc'] : []), '-r', 'ts-node/register/transpile-only'];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...flags, path.join(__dirname, script), ...args],
      { encoding: 'utf8', cwd: path.join(__dirname, '..', '..'), timeout: opts.timeoutMs ?? 600_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${script} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
          return;
        }
        resolve(stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as T));
      },
    );
  });
}
