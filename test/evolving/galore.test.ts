import * as tf from '@tensorflow/tfjs';
import { digits } from '../../src/data';
import { oneHot } from '../../src/data/digits';
import { InvalidArgumentError } from '../../src/errors';
import { EvolvingSubspaceOptimizer, galore, GaloreOptions } from '../../src/evolving/galore';
import { BACKENDS, uniformArray, useBackend } from '../helpers';

/** The optimizer's own contracts: memory, the moment rules, Flora's draws, resume, fit, the option checks. */

/** A loss whose gradient is X + W (X fixed, seeded): G is known in closed form for every step. */
function linearLoss(variables: tf.Variable[], seed: number): { loss: () => tf.Scalar; X: tf.Tensor[] } {
  const X = variables.map((v, k) => tf.tensor(uniformArray(v.size, seed + k), v.shape));
  const loss = () => tf.addN(variables.map((v, k) => tf.add(tf.sum(tf.mul(v, X[k])), tf.mul(0.5, tf.sum(tf.square(v)))))) as tf.Scalar;
  return { loss, X };
}

const read2d = (t: tf.Tensor, rows = t.shape[0] as number, cols = t.shape[1] as number): number[][] => {
  const d = t.dataSync();
  return Array.from({ length: rows }, (_, i) => Array.from(d.subarray(i * cols, (i + 1) * cols)));
};
const mm = (A: number[][], B: number[][]): number[][] => A.map((row) => B[0].map((_, j) => row.reduce((s, x, k) => s + x * B[k][j], 0)));
const tr = (A: number[][]): number[][] => A[0].map((_, j) => A.map((row) => row[j]));
const maxGap = (A: number[][], B: number[][]): number => Math.max(...A.flatMap((row, i) => row.map((x, j) => Math.abs(x - B[i][j]))));

/** A two-layer Dense model (inputs → hidden relu → classes softmax), seeded; two calls build identical models. */
const denseModel = (seed: number, [inputs, hidden, classes] = [16, 12, 5]): tf.Sequential =>
  tf.sequential({
    layers: [
      tf.layers.dense({ units: hidden, activation: 'relu', inputShape: [inputs], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });

describe.each(BACKENDS)('galore on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('memory: Adam state of a 256×128 matrix at rank 8 is 2·8·256 floats, not 2·256·128', () => {
    const W = tf.variable(tf.tensor2d(uniformArray(256 * 128, 1, 0.1), [256, 128]));
    const b = tf.variable(tf.zeros([128]));
    const { loss, X } = linearLoss([W, b], 3);
    const opt = galore(tf.train.adam(1e-3), { rank: 8, updateEvery: 10 });
    opt.minimize(loss, false, [W, b]);
    // m = 256 > n = 128: projected on the smaller (right) side, P is 128×8 and R = G·P is 256×8 (GaLore's rule).
    const [matrix, bias] = opt.matrices;
    expect(bias).toBeNull();
    expect(matrix?.side).toBe('right');
    expect(matrix?.P.shape).toEqual([128, 8]);
    const floats = opt.optimizerStateFloats();
    expect(floats.innerSlots).toBe(2 * 8 * 256 + 2 * 128); // W's two r-sized moments + the bias's full ones
    expect(floats.projections).toBe(128 * 8);
    expect(floats.proxies).toBe(256 * 8);
    expect(floats.fullAdam).toBe(2 * (256 * 128 + 128));
    expect(floats.total).toBe(floats.innerSlots + floats.projections + floats.proxies);
    opt.dispose();
    tf.dispose([W, b, X]);
  });

  test.each(['project', 'keep', 'reset'] as const)("moments '%s' carry the inner slots to the new basis as documented", (moments) => {
    // 8×12 (left: P 8×2, slots 2×12) and 12×8 (right: P 8×2, slots 12×2); T = 2, re-basing at step 2.
    const vars = [tf.variable(tf.tensor2d(uniformArray(96, 5), [8, 12])), tf.variable(tf.tensor2d(uniformArray(96, 6), [12, 8]))];
    const { loss, X } = linearLoss(vars, 9);
    const [beta1, beta2] = [0.9, 0.999];
    const opt = galore(tf.train.adam(0.05, beta1, beta2), { rank: 2, updateEvery: 2, moments });
    opt.minimize(loss, false, vars);
    opt.minimize(loss, false, vars);
    const inner = opt.inner as unknown as Record<string, Array<{ variable: tf.Variable }>>;
    const slots = (k: number) => ['accumulatedFirstMoment', 'accumulatedSecondMoment'].map((f) => inner[f][k].variable);
    const before = opt.matrices.map((m, k) => ({ P: read2d(m!.P, 8, 2), S: slots(k).map((s) => read2d(s)) }));
    const G = vars.map((v, k) => tf.tidy(() => tf.add(X[k], v)));
    opt.minimize(loss, false, vars); // step 2: a re-basing, then Adam's update of the carried slots
    opt.matrices.forEach((m, k) => {
      const Pn = read2d(m!.P, 8, 2);
      expect(maxGap(Pn, before[k].P)).toBeGreaterThan(1e-3); // the basis did change
      const R = m!.side === 'left' ? mm(tr(Pn), read2d(G[k], 8, 12)) : mm(read2d(G[k], 12, 8), Pn);
      const [M, V] = slots(k).map((s) => read2d(s));
      // The slots as carried, before this step's update: M = β₁·M_c + (1−β₁)·R, V = β₂·V_c + (1−β₂)·R².
      const Mc = M.map((row, i) => row.map((x, j) => (x - (1 - beta1) * R[i][j]) / beta1));
      const Vc = V.map((row, i) => row.map((x, j) => (x - (1 - beta2) * R[i][j] ** 2) / beta2));
      const [Mo, Vo] = before[k].S;
      const C = mm(tr(Pn), before[k].P); // P_newᵀ·P_old
      const C2 = C.map((row) => row.map((x) => x * x));
      const expected =
        moments === 'keep'
          ? [Mo, Vo]
          : moments === 'reset'
            ? [Mo.map((r) => r.map(() => 0)), Vo.map((r) => r.map(() => 0))]
            : m!.side === 'left'
              ? [mm(C, Mo), mm(C2, Vo)]
              : [mm(Mo, tr(C)), mm(Vo, tr(C2))];
      // float32 slots of size ≤ 2, recovered through one division by β: a few ulp, 1e-5 with room.
      expect(maxGap(Mc, expected[0])).toBeLessThanOrEqual(1e-5);
      expect(maxGap(Vc, expected[1])).toBeLessThanOrEqual(1e-5);
      if (moments !== 'keep') expect(maxGap(expected[0], Mo)).toBeGreaterThan(1e-3); // the rules are told apart
    });
    opt.dispose();
    tf.dispose([vars, X, G]);
  });

  test("Flora ('random'): the same seed draws the same P, another seed another, re-drawn every T steps", () => {
    const run = (seed: number) => {
      const W = tf.variable(tf.tensor2d(uniformArray(60, 2), [6, 10]));
      const { loss, X } = linearLoss([W], 4);
      const opt = galore(tf.train.adam(0.01), { rank: 3, updateEvery: 3, projection: 'random', seed });
      const draws: Float32Array[] = [];
      for (let t = 0; t < 7; t++) {
        opt.minimize(loss, false, [W]);
        draws.push(opt.matrices[0]!.P.dataSync() as Float32Array);
      }
      const P = opt.matrices[0]!.P;
      const orthogonality = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.matMul(P, P, true, false), tf.eye(3)))).dataSync()[0]);
      opt.dispose();
      tf.dispose([W, X]);
      return { draws, orthogonality };
    };
    const a = run(11);
    const again = run(11);
    const other = run(12);
    a.draws.forEach((d, t) => expect(Array.from(d)).toEqual(Array.from(again.draws[t]))); // bit for bit
    const differ = (x: Float32Array, y: Float32Array) => x.some((v, i) => Math.abs(v - y[i]) > 1e-3);
    expect(differ(a.draws[0], other.draws[0])).toBe(true);
    // Steps 0, 3, 6 draw; 1, 2 and 4, 5 keep the draw.
    for (const t of [1, 2]) expect(Array.from(a.draws[t])).toEqual(Array.from(a.draws[0]));
    for (const t of [4, 5]) expect(Array.from(a.draws[t])).toEqual(Array.from(a.draws[3]));
    expect(differ(a.draws[0], a.draws[3]) && differ(a.draws[3], a.draws[6])).toBe(true);
    expect(a.orthogonality).toBeLessThanOrEqual(1e-6); // float64 Gram–Schmidt rounded to float32
  });

  test.each(['svd', 'random'] as const)('getWeights/setWeights into a fresh copy resume bit for bit across a re-basing (%s)', async (projection) => {
    const opts: GaloreOptions = { rank: 3, updateEvery: 4, projection, seed: 5 };
    const x = tf.tensor2d(uniformArray(32 * 16, 21), [32, 16]);
    const y = oneHot(Int32Array.from({ length: 32 }, (_, i) => (i * 7) % 5), 5);
    const a = denseModel(1);
    const optA = galore(tf.train.adam(0.02), opts);
    a.compile({ optimizer: optA, loss: 'categoricalCrossentropy' });
    for (let t = 0; t < 3; t++) await a.trainOnBatch(x, y);
    const saved = await optA.getWeights();
    expect(saved.map((w) => w.name).filter((n) => n.startsWith('evolving/P/'))).toEqual(['evolving/P/0', 'evolving/P/2']);
    const b = denseModel(9); // other initial weights, other variable names
    b.setWeights(a.getWeights());
    const optB = galore(tf.train.adam(0.02), opts);
    await optB.setWeights(saved);
    saved[0].tensor.dispose();
    b.compile({ optimizer: optB, loss: 'categoricalCrossentropy' });
    for (let t = 3; t < 9; t++) {
      // steps 3 … 8: the re-basing at step 4 and 8 included
      await a.trainOnBatch(x, y);
      await b.trainOnBatch(x, y);
      a.getWeights().forEach((w, k) => expect(Array.from(w.dataSync())).toEqual(Array.from(b.getWeights()[k].dataSync())));
    }
    expect(optB.iterations).toBe(9);
    const start = tf.memory().numTensors;
    optA.dispose();
    optB.dispose();
    expect(tf.memory().numTensors).toBeLessThan(start);
    a.dispose();
    b.dispose();
    tf.dispose([x, y]);
  });

  test('model.fit on the digits lowers the loss; no tensor is left per step nor after dispose()', async () => {
    const { x, y } = digits(); // the first 640 of the embedded 8×8 digits
    const [xs, ys] = [tf.tensor2d(x.subarray(0, 640 * 64), [640, 64]), oneHot(y.subarray(0, 640), 10)];
    const model = denseModel(1, [64, 32, 10]);
    const start = tf.memory().numTensors;
    const opt = galore(tf.train.adam(0.05), { rank: 4, updateEvery: 15 });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const first = await model.fit(xs, ys, { epochs: 1, batchSize: 64, verbose: 0, shuffle: false });
    const afterFirst = tf.memory().numTensors; // the optimizer's state now exists
    const history = await model.fit(xs, ys, { epochs: 6, batchSize: 64, verbose: 0, shuffle: false });
    expect(tf.memory().numTensors).toBe(afterFirst); // 60 more steps, 4 re-basings: nothing left behind
    const loss = [...(first.history.loss as number[]), ...(history.history.loss as number[])];
    const acc = history.history.acc as number[];
    expect(loss[loss.length - 1]).toBeLessThan(0.6 * loss[0]);
    expect(acc[acc.length - 1]).toBeGreaterThan(0.6); // chance is 0.1
    // eslint-disable-next-line no-console
    console.log(`${backend} fit: loss ${loss[0].toFixed(3)} → ${loss[loss.length - 1].toFixed(3)}, accuracy ${acc[acc.length - 1].toFixed(3)}, state ${JSON.stringify(opt.optimizerStateFloats())}`);
    expect(opt.matrices.map((m) => m?.side ?? 'full')).toEqual(['right', 'full', 'right', 'full']);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('bad options throw InvalidArgumentError naming the fix, and make no tensor', () => {
    const start = tf.memory().numTensors;
    const adam = tf.train.adam(0.01);
    class Custom extends tf.Optimizer {
      applyGradients(): void {}
      getConfig(): tf.serialization.ConfigDict {
        return {};
      }
      override getClassName(): string {
        return 'Custom';
      }
    }
    const cases: Array<[unknown, unknown, RegExp]> = [
      [adam, { rank: 0, updateEvery: 10 }, /rank must be an integer ≥ 1.*rank: 8/],
      [adam, { rank: 2.5, updateEvery: 10 }, /rank must be an integer ≥ 1/],
      [adam, { rank: 4, updateEvery: 0 }, /updateEvery must be an integer ≥ 1.*updateEvery: 200/],
      [{ minimize: 1 }, { rank: 4, updateEvery: 10 }, /must be a tf.Optimizer \(e.g. tf.train.adam/],
      [null, { rank: 4, updateEvery: 10 }, /must be a tf.Optimizer/],
      [adam, undefined, /options with 'rank' and 'updateEvery' are required/],
      [adam, { rank: 4, updateEvery: 10, scale: -1 }, /scale must be a finite number > 0/],
      [adam, { rank: 4, updateEvery: 10, projection: 'qr' }, /projection must be 'svd' or 'random'/],
      [adam, { rank: 4, updateEvery: 10, moments: 'zero' }, /moments must be one of 'project', 'keep', 'reset'/],
      [adam, { rank: 4, updateEvery: 10, seed: 0.5 }, /seed must be a safe integer/],
      [new Custom(), { rank: 4, updateEvery: 10 }, /pass moments: 'keep'/],
    ];
    for (const [inner, opts, message] of cases) {
      let error: unknown;
      try {
        galore(inner as tf.Optimizer, opts as GaloreOptions);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
    const keeps = galore(new Custom(), { rank: 4, updateEvery: 10, moments: 'keep' });
    expect(keeps).toBeInstanceOf(EvolvingSubspaceOptimizer);
    keeps.dispose();
    adam.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
