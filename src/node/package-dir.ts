import { createRequire } from 'module';
import { dirname, join } from 'path';

/**
 * The directory of an installed npm package, or undefined when it cannot be resolved. Tries, in
 * order: this module's own `require` (CommonJS builds, jest); then, for the ES-module build (which
 * has neither `require` nor `__filename`, and gets no shim for them: a shim would put Node's `url`
 * module on the browser entries' path), resolvers rooted at this package's own directory as the
 * working directory's project and the main script find it (so a dependency installed under
 * node_modules/tfjs-subspace/node_modules is found), then at the working directory and the main
 * script themselves.
 */
export function packageDir(name: string): string | undefined {
  const cwd = join(process.cwd(), 'noop.js');
  const main = process.argv[1] ?? cwd;
  const viaSelf = (from: string) => () => createRequire(createRequire(from).resolve('tfjs-subspace/package.json'));
  const roots: Array<() => NodeRequire> = [
    () => require,
    viaSelf(cwd),
    viaSelf(main),
    () => createRequire(cwd),
    () => createRequire(main),
  ];
  for (const root of roots) {
    try {
      return dirname(root().resolve(`${name}/package.json`));
    } catch {
      // not resolvable from there (or no such root in this module format): try the next one
    }
  }
  return undefined;
}
