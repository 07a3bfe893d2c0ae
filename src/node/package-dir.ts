import { createRequire } from 'module';
import { dirname, join } from 'path';

/**
 * The directory of an installed npm package, or undefined when it cannot be resolved. Tries, in
 * order: this module's own `require` (CommonJS builds, jest); a resolver rooted at this file's
 * `__filename` (ES-module builds have no `require`, but tsup's `shims: true` provides `__filename`);
 * then resolvers rooted at the working directory and at the main script.
 */
export function packageDir(name: string): string | undefined {
  const roots: Array<() => NodeRequire> = [
    () => require,
    () => createRequire(__filename),
    () => createRequire(join(process.cwd(), 'noop.js')),
    () => createRequire(process.argv[1] ?? join(process.cwd(), 'noop.js')),
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
