import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * A fresh consumer project with the package installed as `npm install tfjs-subspace <peers…>` would
 * lay it out, without a network: the package itself is `npm pack` of this repository (so "files",
 * "exports" and "bin" are what a user gets) unpacked into node_modules/tfjs-subspace, and every other
 * package (the peers the user names, the package's dependencies, its optional dependencies where they
 * are installed here, its required peers, and their dependencies in turn) is linked from this
 * repository's node_modules, flat, as npm hoists them. The consumer lives under the system's temp
 * folder, so nothing resolves through this repository's node_modules by walking up from it.
 */
export const ROOT = path.resolve(__dirname, '..', '..');
const MODULES = path.join(ROOT, 'node_modules');

export interface Consumer {
  dir: string;
  /** The packed tarball's file name, e.g. tfjs-subspace-0.1.0.tgz. */
  tarball: string;
  /** Every package in the consumer's node_modules, by name. */
  installed: string[];
  /** The optional dependencies of the package that are not installed here (left out, as npm leaves out one that fails). */
  missingOptional: string[];
  remove(): void;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: string | Record<string, string>;
}

const manifest = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const present = (name: string) => fs.existsSync(path.join(MODULES, name, 'package.json'));

/** What npm installs for a package: its dependencies, the optional ones present here, the peers that are not optional. */
function needs(m: Manifest): { required: string[]; optional: string[] } {
  const peers = Object.keys(m.peerDependencies ?? {}).filter((p) => !m.peerDependenciesMeta?.[p]?.optional);
  return { required: [...Object.keys(m.dependencies ?? {}), ...peers], optional: Object.keys(m.optionalDependencies ?? {}) };
}

/**
 * Packs the repository (`npm run build` must have written dist/) and installs it with `packages` (the
 * names on the README's install line, the package itself among them) and `dev` (tools a user installs
 * beside it, e.g. @types/node) into a new folder.
 */
export function installConsumer(packages: string[], dev: string[] = []): Consumer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-subspace-consumer-'));
  const self = manifest(ROOT).name;
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  ) as Array<{ filename: string }>;
  const tarball = packed[0].filename;
  const own = path.join(dir, 'node_modules', self);
  fs.mkdirSync(own, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(dir, tarball), '-C', own, '--strip-components=1']);

  const linked = new Set<string>();
  const missingOptional: string[] = [];
  const queue: string[] = [];
  const visit = (m: Manifest, top: boolean) => {
    const { required, optional } = needs(m);
    queue.push(...required);
    for (const name of optional) {
      if (present(name)) queue.push(name);
      else if (top) missingOptional.push(name);
    }
  };
  visit(manifest(own), true);
  queue.push(...packages.filter((p) => p !== self), ...dev);
  while (queue.length) {
    const name = queue.shift() as string;
    if (name === self || linked.has(name)) continue;
    if (!present(name)) throw new Error(`installConsumer: ${name} is not installed in ${MODULES} (run npm install).`);
    linked.add(name);
    const target = path.join(dir, 'node_modules', name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.join(MODULES, name), target, 'dir');
    visit(manifest(path.join(MODULES, name)), false);
  }

  // The package's bin, as npm links it (npx finds it there).
  const bin = manifest(own).bin;
  const bins = typeof bin === 'string' ? { [self]: bin } : (bin ?? {});
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  for (const [name, file] of Object.entries(bins)) {
    fs.symlinkSync(path.join('..', self, file), path.join(dir, 'node_modules', '.bin', name));
    fs.chmodSync(path.join(own, file), 0o755);
  }
  const version = (name: string) => `^${manifest(name === self ? own : path.join(MODULES, name)).version}`;
  const deps = (names: string[]) => Object.fromEntries(names.map((n) => [n, version(n)]));
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: deps(packages), devDependencies: deps(dev) }, null, 2),
  );
  return {
    dir,
    tarball,
    installed: [self, ...linked].sort(),
    missingOptional,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
