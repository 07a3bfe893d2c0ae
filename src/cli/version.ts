import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { packageDir } from '../node/package-dir';

/**
 * This package's version, read when the CLI runs from its own package.json: the nearest one named
 * 'tfjs-subspace' at or above this module's folder (src/cli under ts-node and jest, dist/cli or dist
 * in the build, node_modules/tfjs-subspace/dist/… when installed). The ES-module build has no
 * __dirname; there packageDir (src/node/package-dir.ts) finds the package.
 */
export function packageVersion(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : undefined, packageDir('tfjs-subspace')];
  for (const start of starts) {
    for (let dir = start; dir !== undefined; dir = dirname(dir) === dir ? undefined : dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'tfjs-subspace' && typeof pkg.version === 'string') return pkg.version;
    }
  }
  return 'unknown';
}
