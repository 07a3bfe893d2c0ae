import { createRequire } from 'module';
import { dirname, join } from 'path';

/**
 * The directory of an installed npm package, or undefined when it cannot be resolved. Tries this
 * module's own `require` (CommonJS builds, jest), then a resolver rooted at the working directory
 * (ES-module builds have no `require`), then one rooted at the main script.
 */
export function packageDir(name: string): string | undefined {
  const resolvers: Array<() => NodeRequire> = [
    () => require,
    () => createRequire(join(process.cwd(), 'noop.js')),
    () => createRequire(process.argv[1] ?? join(process.cwd(), 'noop.js')),
  ];
  for (const resolver of resolvers) {
    try {
      return dirname(resolver().resolve(`${name}/package.json`));
    } catch {
      // not resolvable from there: try the next root
    }
  }
  return undefined;
}
