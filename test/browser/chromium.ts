import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { build } from 'esbuild';
import { Browser, chromium, LaunchOptions, Page } from 'playwright-core';

/**
 * The Chromium the browser tests drive: by default the headless Chromium that the npm package
 * `@sparticuz/chromium` ships inside itself (a devDependency: nothing from apt, no download), with
 * WebGL2 through SwiftShader. `CHROMIUM_PATH=/path/to/chromium` points the tests at another build
 * (e.g. Debian's /usr/bin/chromium); that one is launched with {@link CHROMIUM_FLAGS}.
 *
 * Reuse it from any test or script:
 *
 *   import { bundlePage, launchChromium, openPage } from '../browser/chromium';
 *   const script = await bundlePage(path.join(__dirname, 'my-page.ts'));  // sets window.run
 *   const browser = await launchChromium();
 *   const page = await openPage(browser, script);
 *   const result = await page.evaluate(() => (window as any).run());
 *   await browser.close();
 */
export const CHROMIUM_PATH_ENV = 'CHROMIUM_PATH';

/** Flags for a Chromium named by CHROMIUM_PATH: headless, WebGL2 through SwiftShader. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface ChromiumBinary {
  executablePath: string;
  args: string[];
  /** Extra environment for the browser (the npm-shipped one's fonts and libraries). */
  env: Record<string, string>;
  /** 'env' when CHROMIUM_PATH chose it, else '@sparticuz/chromium <version>'. */
  source: string;
}

let cached: ChromiumBinary | undefined;

/**
 * Where the Chromium is and which flags it takes. The npm-shipped one is decompressed (brotli, about
 * 3 s) on first use into `<tmpdir>/tfjs-subspace-chromium-<version>` and reused from there; parallel
 * jest workers each decompress into a private folder and the first to rename it into place wins, so
 * none ever starts a half-written binary.
 */
export function chromiumBinary(): ChromiumBinary {
  if (cached) return cached;
  const fromEnv = process.env[CHROMIUM_PATH_ENV];
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) {
      throw new Error(`${CHROMIUM_PATH_ENV}=${fromEnv} does not exist: unset it to use the npm-shipped @sparticuz/chromium, or point it at a Chromium executable.`);
    }
    return (cached = { executablePath: fromEnv, args: CHROMIUM_FLAGS, env: {}, source: 'env' });
  }
  let entry: string;
  try {
    entry = require.resolve('@sparticuz/chromium');
  } catch {
    throw new Error(`@sparticuz/chromium is not installed: run \`npm install\` (it is a devDependency), or set ${CHROMIUM_PATH_ENV} to a Chromium executable.`);
  }
  const pkg = path.join(path.dirname(entry), '..', 'package.json');
  const version = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  const home = path.join(os.tmpdir(), `tfjs-subspace-chromium-${version}`);
  // --single-process is for AWS Lambda's sandbox; with it, closing one page's context ends the
  // whole browser (the demo test opens and closes several pages).
  const args = inflate(entry, home).filter((a) => a !== '--single-process');
  const libs = [path.join(home, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const env = { FONTCONFIG_PATH: path.join(home, 'fonts'), LD_LIBRARY_PATH: libs };
  return (cached = { executablePath: path.join(home, 'chromium'), args, env, source: `@sparticuz/chromium ${version}` });
}

/**
 * Runs the package's own `executablePath()` in a child Node (the package is an ES module, which
 * jest's CommonJS sandbox cannot import) with TMPDIR set to a private folder: it decompresses the
 * browser, SwiftShader, fonts and the NSS libraries there. Returns the package's recommended flags.
 */
function inflate(entry: string, home: string): string[] {
  const ready = path.join(home, 'ready');
  const script = `
    const { default: c, inflate } = await import(${JSON.stringify(pathToFileURL(entry).href)});
    const dir = process.argv[1];
    if (dir) {
      await c.executablePath();
      // NSS and expat, which Chromium links and a bare system may lack (the package unpacks them only on AWS).
      await inflate(${JSON.stringify(path.join(path.dirname(entry), '..', 'bin', 'al2023.tar.br'))});
    }
    process.stdout.write(JSON.stringify(c.args));`;
  const run = (dir: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], {
        env: { ...process.env, TMPDIR: dir || os.tmpdir() },
        encoding: 'utf8',
      }),
    ) as string[];
  if (fs.existsSync(ready)) return run('');
  const staging = fs.mkdtempSync(`${home}.part-`);
  try {
    const args = run(staging);
    // The shipped fonts.conf names /tmp/fonts; point it at the folder the fonts will live in.
    const conf = path.join(staging, 'fonts', 'fonts.conf');
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/\/tmp\/fonts/g, path.join(home, 'fonts')));
    fs.writeFileSync(path.join(staging, 'ready'), '');
    fs.renameSync(staging, home);
    return args;
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another worker renamed its folder into place first: use that one.
    if (fs.existsSync(ready)) return run('');
    throw e;
  }
}

/** Launches the Chromium of {@link chromiumBinary}, headless, through playwright-core. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const { executablePath, args, env } = chromiumBinary();
  return chromium.launch({
    ...options,
    executablePath,
    args: [...args, ...(options.args ?? [])],
    env: { ...process.env, ...env, ...options.env },
    headless: true,
  });
}

/** A page script (TypeScript, importing the library's src/) bundled by esbuild for a browser, as one iife. */
export async function bundlePage(entry: string): Promise<string> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'silent',
  });
  return bundle.outputFiles[0].text;
}

/** A new blank page of `browser` with `script` (from {@link bundlePage}) run in it. */
export async function openPage(browser: Browser, script: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ content: script });
  return page;
}
