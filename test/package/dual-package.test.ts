import { execFile } from 'child_process';
import { build } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The ESM and CommonJS builds in one Node process (an ES-module app with a CommonJS dependency):
 * package.json "exports" gives Node's `import` a wrapper of the CommonJS build (the `node` condition,
 * dist/<entry>.node.mjs, written by src/package/node-esm-wrappers.ts), so both ways load one copy of
 * the library. test/package/dual.mjs loads every entry by the package's name both ways in a child
 * process and reports; browsers and bundlers keep the real ESM build. `npm run build` first.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** The entries, as package.json "exports" lists them: [key, dist name], e.g. ['./data', 'data']. */
const ENTRIES: [string, string][] = Object.keys(pkg.exports)
  .filter((k) => k !== './package.json')
  .map((k) => [k, k === '.' ? 'index' : k.slice(2)]);
const key = (name: string) => (name === 'index' ? 'root' : name);

interface Thrown {
  threw: boolean;
  name?: string;
  sameClass?: boolean;
  subspace?: boolean;
}
interface RoundTrip {
  trainedIterations: number;
  optimizerIsLoaders: boolean;
  checkpointBasis: { kind: string; D: number; d: number; seed: number };
  checkpointPredictsAlike: boolean;
  restoredClass: string;
  restoredIsLoaders: boolean;
  restoredIsSavers: boolean;
  bound: { iterations: number; mode: string; same: boolean };
  sameCoordinates: boolean;
  restoredCheckpointSame: boolean;
  continuedIterations: number;
  error?: string;
}
interface Dual {
  resolved: Record<string, { import: string; require: string }>;
  exports: Record<string, { sameNames: boolean; count: number; different: string[] }>;
  errors: Record<'esmToCjs' | 'cjsToEsm', Record<string, Thrown>>;
  registered: { gradient: boolean; parameter: boolean };
  roundTrip: Record<'esmToCjs' | 'cjsToEsm', RoundTrip>;
  tfjsLeakPerSave: number;
  saves: number;
  tensorsLeft: number;
}

function dual(): Promise<Dual> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [path.join(__dirname, 'dual.mjs')], { cwd: ROOT }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`dual.mjs failed: ${stderr || error.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as Dual); // after tfjs' banner
    }),
  );
}

describe('the ESM and CJS builds in one Node process share one copy of the library', () => {
  let result: Dual;

  beforeAll(async () => {
    for (const [, name] of ENTRIES) {
      for (const ext of ['node.mjs', 'mjs', 'js']) {
        if (!fs.existsSync(path.join(ROOT, 'dist', `${name}.${ext}`))) throw new Error(`dist/${name}.${ext} is missing: run \`npm run build\` first.`);
      }
    }
    result = await dual();
  }, 120_000);

  test('package.json "exports": for Node, import is the wrapper of the CommonJS build that require is', () => {
    for (const [k, name] of ENTRIES) {
      const entry = pkg.exports[k];
      expect(Object.keys(entry)).toEqual(['node', 'import', 'require']); // node first: conditions match in order
      expect(entry.node).toEqual({
        import: { types: `./dist/${name}.d.mts`, default: `./dist/${name}.node.mjs` },
        require: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      });
      expect(entry.require.default).toBe(entry.node.require.default);
      expect(pkg.tsup.entry[name]).toBeDefined();
    }
    expect(pkg.tsup.onSuccess).toContain('src/package/node-esm-wrappers.ts');
  });

  test('each wrapper re-exports by name the CommonJS build beside it, and nothing else', () => {
    for (const [, name] of ENTRIES) {
      const text = fs.readFileSync(path.join(ROOT, 'dist', `${name}.node.mjs`), 'utf8');
      const code = text.replace(/^\/\/.*\n/gm, '');
      expect(code).toMatch(new RegExp(`^export \\{\\n(  [A-Za-z_$][\\w$]*,\\n)+\\} from '\\./${name}\\.js';\\n$`));
    }
  });

  test('Node resolves the package name to the wrapper for import and to the CommonJS build for require', () => {
    for (const [, name] of ENTRIES) {
      expect(result.resolved[key(name)]).toEqual({ import: `dist/${name}.node.mjs`, require: `dist/${name}.js` });
    }
  });

  test('every entry exports the same values both ways: the same classes (errors, SubspaceOptimizer, …), functions and constants', () => {
    expect(Object.keys(result.exports).sort()).toEqual(ENTRIES.map(([, n]) => key(n)).sort());
    for (const [entry, { sameNames, count, different }] of Object.entries(result.exports)) {
      expect(`${entry}: ${sameNames} ${different.join(', ')}`).toBe(`${entry}: true `);
      expect(count).toBeGreaterThan(0);
    }
  });

  test.each(['esmToCjs', 'cjsToEsm'] as const)('%s: an error a function of one copy throws is an instance of the other copy’s class', (way) => {
    const errors = result.errors[way];
    expect(Object.keys(errors).sort()).toEqual(['data', 'intrinsic', 'models', 'node', 'root']);
    expect(errors.root).toEqual({ threw: true, name: 'InvalidDimensionError', sameClass: true, subspace: true });
    for (const entry of ['intrinsic', 'models', 'data']) {
      expect(errors[entry]).toEqual({ threw: true, name: 'InvalidArgumentError', sameClass: true, subspace: true });
    }
    expect(errors.node).toEqual({ threw: true, name: 'DataNotFoundError', sameClass: true, subspace: true });
  });

  test('tf.serialization holds the one copy’s optimizer classes', () => {
    expect(result.registered).toEqual({ gradient: true, parameter: true });
  });

  test.each(['esmToCjs', 'cjsToEsm'] as const)('%s: saved with one copy; checkpointed, loaded, bound and trained on with the other', (way) => {
    const trip = result.roundTrip[way];
    expect(trip.error).toBeUndefined();
    expect(trip).toEqual({
      trainedIterations: 2,
      optimizerIsLoaders: true,
      // compactCheckpoint of one copy takes the other's gaussianBasis as seeded …
      checkpointBasis: { kind: 'gaussian', D: 4 * 3 + 3 + 3 * 2 + 2, d: 3, seed: 7 },
      // … and loadCompactCheckpoint puts back exactly what was trained.
      checkpointPredictsAlike: true,
      // tf.loadLayersModel rebuilds the one class; bindRestoredOptimizer knows it as restored.
      restoredClass: 'ProjectedGradientOptimizer',
      restoredIsLoaders: true,
      restoredIsSavers: true,
      bound: { iterations: 2, mode: 'coordinates', same: true },
      sameCoordinates: true,
      restoredCheckpointSame: true,
      continuedIterations: 3,
    });
  });

  test('no tensor is left but what tfjs-layers leaves of each model.save with an optimizer', () => {
    // tfjs-layers does not dispose the iteration scalar of optimizer.getWeights() (1 per save, with tf.train.adam too).
    expect(result.tfjsLeakPerSave).toBeLessThanOrEqual(1);
    expect(result.tensorsLeft).toBe(result.saves * result.tfjsLeakPerSave);
  });

  test('a bundler resolving the package by name gets the real ESM build for the browser, the wrapper for Node', async () => {
    const browserEntries = ENTRIES.filter(([, n]) => n !== 'node');
    const bundle = async (platform: 'browser' | 'node', entries: [string, string][]) => {
      const r = await build({
        stdin: { contents: entries.map(([k]) => `export * from 'tfjs-subspace${k.slice(1)}';`).join('\n'), resolveDir: __dirname, loader: 'js' },
        bundle: true,
        write: false,
        format: 'esm',
        platform,
        metafile: true,
        logLevel: 'silent',
        external: [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)],
      });
      return Object.keys(r.metafile.inputs).filter((f) => f.startsWith('dist/') && !f.startsWith('dist/chunk-') && !f.startsWith('dist/wasm-training-'));
    };
    const browser = await bundle('browser', browserEntries);
    expect(browser.sort()).toEqual(browserEntries.map(([, n]) => `dist/${n}.mjs`).sort());
    const node = await bundle('node', ENTRIES);
    expect(node.sort()).toEqual(ENTRIES.flatMap(([, n]) => [`dist/${n}.js`, `dist/${n}.node.mjs`]).sort());
  }, 60_000);

  test('the published files include the wrappers', async () => {
    const packed = await new Promise<string>((resolve, reject) =>
      execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    const files = (JSON.parse(packed) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
    for (const [, name] of ENTRIES) expect(files).toEqual(expect.arrayContaining([`dist/${name}.node.mjs`, `dist/${name}.mjs`, `dist/${name}.js`]));
  }, 60_000);
});
