/**
 * The long run, in a plain Node process (tf op dispatch and the float64 residual loop run several
 * times slower inside Jest's vm sandbox): `steps` steps of each given path on the digits MLP
 * (D = 610) with a seeded gaussian basis (d = 40). After every step θ is read and its distance from
 * θ0 + span(Q) computed in float64 from Q's values; every `steps / 10` steps θ itself is recorded, so
 * that the test can compare coordinates mode with the reparameterized path ('reparameterized':
 * θ0 + Q·z through autodiff, Adam on z), which may run in another process. One JSON line per path.
 * Usage: node -r ts-node/register/transpile-only test/reliability/long-run.ts PATH[,PATH…] STEPS [BACKEND]
 */
import * as tf from '@tensorflow/tfjs';
import { Basis, gaussianBasis, reparameterize } from '../../src';
import { EPS32, keepsSubspace, Mode, useBackend, wrap } from '../helpers';
import { difference, hostQ, hostResidual, maxAbsOf } from './cases';
import { batchLoss, Batches, digitsBatches, digitsMlp } from './digits-mlp';

export type LongRunPath = Mode | 'reparameterized';

const ADAM: [string, () => tf.Optimizer] = ['adam(0.01)', () => tf.train.adam(0.01)];
const MOMENTUM: [string, () => tf.Optimizer] = ['momentum(0.05, 0.9)', () => tf.train.momentum(0.05, 0.9)];

/**
 * The inner optimizer per path: Adam, the interesting case, wherever the rule keeps θ in the subspace
 * with it (keepsSubspace); momentum otherwise (ambient mode, where an adaptive optimizer leaves the
 * subspace by design).
 */
function optimizerOf(path: LongRunPath): [string, () => tf.Optimizer] {
  return path === 'reparameterized' || keepsSubspace(path, ADAM[1]) ? ADAM : MOMENTUM;
}

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

function read(t: tf.Tensor): Float32Array {
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

/** One step of `path` and a reader of θ afterwards. */
function stepper(path: LongRunPath, model: tf.LayersModel, basis: Basis, data: Batches) {
  const inner = optimizerOf(path)[1]();
  if (path === 'reparameterized') {
    const rep = reparameterize(model, basis);
    return {
      step: (s: number) => inner.minimize(batchLoss(rep, data, s), false, [rep.z]),
      theta: () => read(rep.theta()),
      loss: () => tf.tidy(() => batchLoss(rep, data, 0)().dataSync()[0]),
    };
  }
  const opt = wrap(path, inner, basis, model);
  return {
    step: (s: number) => opt.minimize(batchLoss(model, data, s)),
    theta: () => read(tf.tidy(() => tf.concat(model.trainableWeights.map((w) => tf.reshape(w.read(), [-1]))))),
    loss: () => tf.tidy(() => batchLoss(model, data, 0)().dataSync()[0]),
  };
}

function run(path: LongRunPath, steps: number, backend: string) {
  const data = digitsBatches();
  const model = digitsMlp(1);
  const D = model.countParams();
  const d = 40;
  const basis = gaussianBasis(D, d, { seed: 1 });
  const q = hostQ(basis);
  const it = stepper(path, model, basis, data);
  const theta0 = it.theta();
  const every = Math.max(1, Math.floor(steps / 10));
  // The plain ratio ‖(I − P)(θ − θ0)‖ / ‖θ − θ0‖ (reported), the guarded form of docs/concepts.md, "The equivalence table"
  // distance / max(1, displacement), and the share used of the budget 1e-5·‖θ − θ0‖ + EPS32·‖θ‖: θ is
  // stored in float32, so even an exact step leaves up to ½ ulp per entry, ‖·‖ ≤ 2⁻²⁴·‖θ‖, outside
  // the subspace — which dominates while ‖θ − θ0‖ is below about 1e-2 (the first steps).
  let worst = { ratio: 0, step: 0, distance: 0, displacement: 0 };
  let [worstGuarded, worstBudget, worstLate] = [0, 0, 0]; // worstLate: after the first 1% of the steps
  const checkpoints: Array<{ step: number; ratio: number; loss: number; thetaScale: number; theta: number[] }> = [];
  const t0 = performance.now();
  for (let s = 1; s <= steps; s++) {
    it.step(s);
    const theta = it.theta();
    const r = hostResidual(q, D, d, difference(theta, theta0));
    const ratio = r.distance / r.displacement;
    if (ratio > worst.ratio) worst = { ratio, step: s, ...r };
    if (s > steps / 100) worstLate = Math.max(worstLate, ratio);
    worstGuarded = Math.max(worstGuarded, r.distance / Math.max(1, r.displacement));
    worstBudget = Math.max(worstBudget, r.distance / (1e-5 * r.displacement + EPS32 * norm(theta)));
    if (s % every === 0 || s === steps) {
      checkpoints.push({ step: s, ratio, loss: it.loss(), thetaScale: maxAbsOf(theta), theta: Array.from(theta) });
    }
  }
  const msPerStep = (performance.now() - t0) / steps;
  const final = hostResidual(q, D, d, difference(it.theta(), theta0));
  const optimizer = optimizerOf(path)[0];
  return { path, optimizer, backend, steps, D, d, worst, worstGuarded, worstBudget, worstLate, final, checkpoints, msPerStep };
}

async function main(): Promise<void> {
  const [paths, stepsArg, backend = 'wasm'] = process.argv.slice(2);
  await useBackend(backend as 'cpu' | 'wasm');
  for (const path of paths.split(',') as LongRunPath[]) {
    process.stdout.write(JSON.stringify(run(path, Number(stepsArg), backend)) + '\n');
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
