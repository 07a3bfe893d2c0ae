import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CompactCheckpoint, loadCompactCheckpoint } from '../../src';
import { SEEDED_BASIS_KINDS, SEEDED_KINDS } from '../../src/basis/kinds';
import { describeSplit, disposeData, loadData } from '../../src/cli/data';
import { cli, inProcess, ROOT } from './run-cli';
import { trainLearningRate } from '../../src/cli/train-command';
import { subspaceLearningRate } from '../../src/intrinsic/learning-rate';
import { holdOut } from '../../src/intrinsic/protocol';
import { models } from '../../src/models/registry';
import { useBackend } from '../helpers';

/** An ANSI escape (colour, cursor movement): none belongs in a log. */
const ANSI = /\u001b\[/;

describe('tfjs-subspace CLI', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tfjs-subspace-cli-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('id: digits end to end with a tiny budget writes result.json and an SVG plot', async () => {
    const out = join(dir, 'id');
    const r = await cli(['id', '--data', 'digits', '--dims', '8,256', '--seeds', '2', '--max-epochs', '2', '--pilot-epochs', '1', '--patience', '1', '--lr', '0.003', '--train-limit', '600', '--test-limit', '200', '--quiet', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/d_int90 = /);
    // Every row names its chosen lr, best/epochs and stop reason; two seeds give an interval.
    expect(r.stdout).toMatch(/^d\s+test acc\. \(mean\)\s+std\s+range\s+lr\s+best\/epochs\s+stop/m);
    expect(r.stdout).toMatch(/^full\s+\d+\.\d+ %/m);
    expect(r.stdout).toMatch(/95 % bootstrap interval over 2 seeds: \[/);
    expect(r.stdout).toMatch(/full model: \d+\.\d+ % \(D = 3466\)/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result).toMatchObject({ data: 'digits', model: 'fc-digits', D: 3466, threshold: 0.9, sweep: 'complete' });
    expect(result.config).toMatchObject({ dims: [8, 256], basis: 'srht', seeds: [0, 1], maxEpochs: 2, trainExamples: 540, validationExamples: 60, testExamples: 200, learningRate: 0.003 });
    for (const run of [...result.baselines, ...result.runs]) {
      expect(run).toMatchObject({ learningRate: expect.any(Number), epochs: expect.any(Number), bestEpoch: expect.any(Number), stopReason: expect.stringMatching(/^(plateau|max-epochs|diverged)$/) });
    }
    expect(result.interval).toMatchObject({ level: 0.95 });
    expect(result.curve.map((p: { d: number; runs: number }) => [p.d, p.runs])).toEqual([[8, 2], [256, 2]]);
    expect(result.runs).toHaveLength(4);
    const svg = readFileSync(join(out, 'curve.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/subspace dimension d/);
    expect(svg).toMatch(/90 % of full/);
    // `plot` redraws the same curve from result.json; a file that is not a result is refused (exit 2).
    const again = await inProcess(['plot', join(out, 'result.json'), '--out', join(dir, 'again.svg')]);
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'again.svg'), 'utf8')).toBe(svg);
    const bad = await inProcess(['plot', join(out, 'curve.svg')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cannot read .*curve\.svg as a result\.json/);
  }, 600_000);

  it('train: saves a compact checkpoint that reproduces the saved full model bit for bit', async () => {
    const out = join(dir, 'train');
    const r = await cli(['train', '--data', 'digits', '--dim', '50', '--basis', 'hashed', '--seed', '3', '--epochs', '1', '--train-limit', '300', '--test-limit', '100', '--quiet', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/checkpoint\.json \d+ B vs full float32 weights 13864 B: \d+\.\d× smaller/);
    await useBackend('wasm');
    const checkpoint = JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8')) as CompactCheckpoint;
    expect(checkpoint.origin).toMatchObject({ kind: 'seeded', model: 'fc-digits', seed: 3 });
    const fromCheckpoint = models['fc-digits']({ seed: 3 });
    loadCompactCheckpoint(checkpoint, fromCheckpoint);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const weights = readFileSync(join(out, 'weights.bin'));
    const full = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
    );
    const x = tf.randomUniform([16, 64], 0, 1, 'float32', 1);
    const [a, b] = [fromCheckpoint.predict(x) as tf.Tensor, full.predict(x) as tf.Tensor];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
    fromCheckpoint.dispose();
    full.dispose();
  }, 600_000);

  it('id with stderr not a terminal (a log): the header, then one plain line per finished run, no ANSI codes', async () => {
    const out = join(dir, 'log');
    const r = await cli(['id', '--data', 'digits', '--dims', '8,32', '--max-epochs', '2', '--pilot-epochs', '1', '--patience', '1', '--no-lr-search', '--train-limit', '300', '--test-limit', '100', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(ANSI);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^digits: 270 train \/ 30 validation \(10 % of 300 held out\) \/ 100 test, 8×8; model fc-digits \(D = 3,466\); backend wasm$/);
    const runs = lines.slice(1);
    expect(runs).toHaveLength(3); // the baseline, d = 8, d = 32
    runs.forEach((line, i) => expect(line).toMatch(new RegExp(`^run ${i + 1}/3: d=${['full', 8, 32][i]} seed=0 lr=[\\d.e-]+ acc=\\d+\\.\\d\\d% epochs=\\d+ best=\\d+ stop=(plateau|max-epochs|diverged) \\(\\d+\\.\\d s\\)$`)));
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.config).toMatchObject({ trainExamples: 270, validationExamples: 30, testExamples: 100 }); // the printed split is the one trained
    expect(runs[1]).toContain(`acc=${(100 * result.runs[0].accuracy).toFixed(2)}%`);
  }, 300_000);

  it("train with the defaults (the README's command): lr from subspaceLearningRate, the digits budget, ≥ 85 % test accuracy, a plain log", async () => {
    const out = join(dir, 'train-defaults');
    const r = await cli(['train', '--data', 'digits', '--dim', '200', '--basis', 'hashed', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(ANSI);
    const lr = subspaceLearningRate(1e-3, { D: 3466, d: 200, optimizer: 'adam' });
    const shown = String(Number(lr.toPrecision(3)));
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^digits: 1,438 train \/ 359 test, 8×8 \(no validation split: train trains on all 1,438; id holds out 10 % of them by default\); model fc-digits/);
    expect(lines[1]).toContain(`Adam lr ${shown} = subspaceLearningRate(0.001, { D: 3466, d: 200 }) = 0.001·√(3466/200)`);
    expect(lines[1]).toMatch(/; 60 epochs, batch 32 \(epochs and batch: the digits budget\)$/);
    expect(lines[2]).toMatch(new RegExp(`^run 1/1: d=200 seed=0 lr=${shown} acc=\\d+\\.\\d\\d% epochs=60 \\(\\d+\\.\\d s, last loss \\d\\.\\d{4}\\)$`));
    const acc = Number(r.stdout.match(new RegExp(`seed 0, lr ${shown}, 60 epochs: test accuracy (\\d+\\.\\d+) %`))![1]);
    expect(acc).toBeGreaterThanOrEqual(85);
  }, 300_000);

  it("train's learning rate: subspaceLearningRate of --full-lr unless --lr is given", () => {
    expect(trainLearningRate({ fullLr: 1e-3, dim: 200 }, 3466).lr).toBe(subspaceLearningRate(1e-3, { D: 3466, d: 200, optimizer: 'adam' }));
    expect(trainLearningRate({ fullLr: 3e-3, dim: 50 }, 3466).lr).toBe(subspaceLearningRate(3e-3, { D: 3466, d: 50, optimizer: 'adam' }));
    const given = trainLearningRate({ lr: 0.1, fullLr: 1e-3, dim: 200 }, 3466);
    expect(given.lr).toBe(0.1);
    expect(given.why).toMatch(/^Adam lr 0\.1 \(--lr; the rule would give .* = 0\.00416\)$/);
  });

  it('the printed digits split is the one the commands use: id holds out validation as the protocol does, train does not', async () => {
    await useBackend('cpu');
    const data = loadData('digits', [64]);
    try {
      const { fit, validation } = holdOut(data.train, 0.1);
      expect([fit.x.shape[0], validation.x.shape[0], data.test.x.shape[0]]).toEqual([1294, 144, 359]);
      tf.dispose([fit.x, fit.y, validation.x, validation.y]);
      expect(describeSplit(data, 0.1)).toBe('digits: 1,294 train / 144 validation (10 % of 1,438 held out) / 359 test, 8×8');
      expect(describeSplit(data, 0.25)).toMatch(/^digits: 1,078 train \/ 360 validation \(25 % of 1,438 held out\)/);
      expect(describeSplit(data, null)).toMatch(/^digits: 1,438 train \/ 359 test, 8×8 \(no validation split/);
    } finally {
      disposeData(data);
    }
  });

  it("--version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await inProcess([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it.each([
    [['id', '--dims', '10,abc'], /argument '10,abc' is invalid/],
    [['id', '--dims', '10', '--search', '1:100'], /exactly one of --dims and --search/],
    [['id', '--search', '100:10'], /min:max/],
    [['id', '--dims', '10', '--basis', 'fourier'], `Allowed choices are ${SEEDED_BASIS_KINDS.join(', ')}.`],
    [['id', '--dims', '10', '--threshold', '2'], /number in \(0, 1\]/],
    [['id', '--dims', '10', '--model', 'lenet'], /use a digits model/],
    [['id', '--dims', '10', '--optimizer', 'lion'], /Allowed choices are adam, adamax/],
    [['id', '--dims', '10', '--validation-fraction', '0'], /number in \(0, 1\]/],
    [['id', '--dims', '10', '--jobs', '0'], /argument '0' is invalid/],
    [['id', '--dims', '10', '--lr-expand', '-1'], /argument '-1' is invalid. expected an integer ≥ 0/],
    [['train', '--data', 'digits'], /required option '--dim <d>'/],
    [['train', '--dim', '5', '--seed', '1.5'], /argument '1.5' is invalid. expected an integer/],
    [['train', '--dim', '5', '--threads', '9'], /threads must be an integer from 1 to 8/],
    [['train', '--dim', '5', '--threads', '0'], /argument '0' is invalid/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('bad arguments %j: a clear message and exit code 2', async (args, message) => {
    const r = await inProcess(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  }, 60_000);

  it('--help documents every option and exits 0', async () => {
    const r = await inProcess(['id', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--data', '--model', '--dims', '--search', '--basis', '--seeds', '--optimizer', '--lr', '--no-lr-search', '--lr-expand', '--max-epochs', '--patience', '--pilot-epochs', '--validation-fraction', '--batch-size', '--shuffle-pixels', '--threshold', '--out', '--jobs', '--backend', '--threads']) {
      expect(r.stdout).toContain(opt);
    }
    // The defaults the help states are the ones runId uses (src/cli/defaults.ts), and --basis lists every registered kind.
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('pilots included (default: 60 digits, 12 otherwise)');
    expect(help).toContain('without a validation gain (default: 5 digits, 3 otherwise)');
    expect(help).toContain('compared (default: 3 digits, 1 otherwise)');
    expect(help).toContain('mini-batch size (default: 32 digits, 128 otherwise)');
    for (const kind of SEEDED_BASIS_KINDS) expect(help).toContain(`${kind} = ${SEEDED_KINDS[kind].summary}`);
    expect(help).toContain(`choices: ${SEEDED_BASIS_KINDS.map((k) => `"${k}"`).join(', ')}`);
  }, 60_000);
});
