import { execFile } from 'child_process';
import { join, resolve } from 'path';
import { main } from '../../src/cli/main';

export const ROOT = resolve(__dirname, '../..');

/** Runs the CLI from source in a plain Node process (as `npx tfjs-subspace` would run the build). */
export function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, timeout: 540_000 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The same CLI called in this process (argument errors never reach training): exit code and output. */
export async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true)),
    jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' '))),
  ];
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}
