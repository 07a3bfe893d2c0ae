/**
 * The demo page: reads the form, trains in the subspace with live curves, runs the intrinsic
 * dimension sweep, and publishes its state on `window.subspaceDemo` (what the end-to-end test and a
 * curious visitor's console can inspect). Form values can be preset from the URL (?arch=conv-digits&d=50).
 */
import * as tf from '@tensorflow/tfjs';
import { IntrinsicDimensionResult } from 'tfjs-subspace/intrinsic';
import { ModelName, models } from 'tfjs-subspace/models';
import { BackendChoice, chooseBackend } from './backend';
import { DatasetName, loadDataset, mnistAvailable } from './datasets';
import { fits, modelFor } from './models';
import { BasisKind, Mode, RunConfig, RunSummary, TrainingRun } from './session';
import { parseDims, runSweep } from './sweep';
import { Charts, setStat, setStatus } from './view';

export interface DemoApi {
  tf: typeof tf;
  status: 'loading' | 'ready' | 'training' | 'sweeping' | 'error';
  backend: BackendChoice | null;
  /** The last training run, kept alive (model, basis, optimizer, data) until the next one starts. */
  run: TrainingRun | null;
  summary: RunSummary | null;
  sweep: IntrinsicDimensionResult | null;
  error: string | null;
}

declare global {
  interface Window {
    subspaceDemo: DemoApi;
  }
}

const api: DemoApi = { tf, status: 'loading', backend: null, run: null, summary: null, sweep: null, error: null };
window.subspaceDemo = api;

const FIELDS = ['dataset', 'arch', 'basis', 'd', 'mode', 'lr', 'epochs', 'batch', 'seed', 'dims', 'seeds'] as const;
type Field = (typeof FIELDS)[number];
const field = (id: Field) => document.getElementById(id) as HTMLInputElement | HTMLSelectElement;
const button = (id: string) => document.getElementById(id) as HTMLButtonElement;
const num = (id: Field) => Number(field(id).value);

let charts: Charts;
let sweepAbort: AbortController | null = null;

function runConfig(): RunConfig {
  return {
    arch: field('arch').value as ModelName,
    basis: field('basis').value as BasisKind,
    d: num('d'),
    mode: field('mode').value as Mode,
    learningRate: num('lr'),
    epochs: num('epochs'),
    batchSize: num('batch'),
    seed: num('seed'),
  };
}

function setBusy(status: DemoApi['status']): void {
  api.status = status;
  const busy = status === 'training' || status === 'sweeping';
  button('train').disabled = busy;
  button('sweep').disabled = busy;
  button('stop').disabled = !busy;
  for (const id of FIELDS) field(id).disabled = busy;
}

function fail(e: unknown): void {
  api.error = (e as Error).message ?? String(e);
  setStatus(`Error: ${api.error}`, 'error');
  console.error(e);
}

/**
 * Offers the zoo models that take the chosen data set (switching to one if needed) and shows D next
 * to the d field (the number panel keeps the last run's numbers).
 */
async function showSizes(): Promise<void> {
  const dataset = field('dataset').value as DatasetName;
  for (const option of Array.from((field('arch') as HTMLSelectElement).options)) option.disabled = !fits(option.value as ModelName, dataset);
  field('arch').value = modelFor(dataset, field('arch').value as ModelName);
  const D = models[field('arch').value as ModelName].parameters;
  const ratio = Number(((100 * num('d')) / D).toPrecision(2));
  document.getElementById('d-of')!.textContent = `(${ratio}% of D = ${D.toLocaleString('en-US')})`;
  const data = await loadDataset(dataset);
  document.getElementById('data-size')!.textContent = `(${data.train.n.toLocaleString('en-US')} train / ${data.test.n.toLocaleString('en-US')} test)`;
}

async function train(): Promise<void> {
  api.error = null;
  api.run?.dispose();
  api.run = null;
  api.summary = null;
  charts.showRun([]);
  for (const id of ['stat-accuracy', 'stat-loss', 'stat-distance', 'stat-displacement', 'stat-epoch', 'stat-time']) setStat(id, null, 'text');
  setBusy('training');
  try {
    const data = await loadDataset(field('dataset').value as DatasetName);
    const config = runConfig();
    setStatus(`Building the ${config.basis} basis (d = ${config.d})…`);
    await tf.nextFrame();
    const run = new TrainingRun(config, data);
    api.run = run;
    const D = run.model.countParams();
    setStat('stat-D', D, 'int');
    setStat('stat-d', config.d, 'int');
    setStat('stat-ratio', config.d / D, 'ratio');
    setStatus(`Training ${config.d} coordinates of ${D.toLocaleString('en-US')} parameters on ${tf.getBackend()}…`);
    const history: RunSummary['history'] = [];
    const summary = await run.run(async (p) => {
      history.push(p);
      setStat('stat-epoch', `${p.epoch} / ${config.epochs}`, 'text');
      setStat('stat-accuracy', p.testAccuracy, 'percent');
      setStat('stat-loss', p.testLoss, 'fixed');
      setStat('stat-distance', p.distance, 'exp');
      setStat('stat-displacement', p.displacement, 'fixed');
      setStat('stat-time', p.seconds, 'seconds');
      charts.showRun(history);
      await tf.nextFrame();
    });
    // The final numbers: model.evaluate, optimizer.coordinates() and residual() after training.
    setStat('stat-accuracy', summary.testAccuracy, 'percent');
    setStat('stat-loss', summary.testLoss, 'fixed');
    setStat('stat-distance', summary.distance, 'exp');
    setStat('stat-displacement', summary.displacement, 'fixed');
    setStat('stat-d', summary.d, 'int');
    setStat('stat-D', summary.D, 'int');
    setStat('stat-ratio', summary.d / summary.D, 'ratio');
    setStat('stat-time', summary.seconds, 'seconds');
    api.summary = summary;
    setStatus(
      `${summary.stopped ? 'Stopped' : 'Done'}: ${(100 * summary.testAccuracy).toFixed(1)}% test accuracy training ` +
        `d = ${summary.d} of D = ${summary.D.toLocaleString('en-US')} parameters, in ${summary.seconds.toFixed(1)} s on ${summary.backend}.`,
    );
  } catch (e) {
    fail(e);
  } finally {
    setBusy(api.error ? 'error' : 'ready');
  }
}

async function sweep(): Promise<void> {
  api.error = null;
  api.sweep = null;
  charts.showSweep(null);
  setStat('stat-dint', null, 'text');
  setBusy('sweeping');
  sweepAbort = new AbortController();
  try {
    const data = await loadDataset(field('dataset').value as DatasetName);
    const c = runConfig();
    const seeds = Array.from({ length: Math.max(1, num('seeds')) }, (_, i) => c.seed + i);
    const dims = parseDims(field('dims').value);
    let last = 0;
    const result = await runSweep({ ...c, dims, seeds }, data, (p) => {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      const what = p.d === null ? 'full model (baseline)' : `d = ${p.d}`;
      setStatus(`Sweep: run ${p.run + 1} of ${p.runs}, ${what}, epoch ${p.epoch + 1} / ${p.epochs}…`);
    }, sweepAbort.signal);
    api.sweep = result;
    charts.showSweep(result);
    setStat('stat-dint', result.dInt === null ? 'not reached' : Math.round(result.dInt), result.dInt === null ? 'text' : 'int');
    setStat('stat-baseline', result.baseline.accuracy, 'percent');
    setStatus(
      `Sweep done in ${result.wallSeconds.toFixed(1)} s: full model ${(100 * result.baseline.accuracy).toFixed(1)}%, ` +
        (result.dInt === null ? `no d reached ${(100 * result.target).toFixed(1)}%.` : `d_int90 ≈ ${Math.round(result.dInt)}.`),
    );
  } catch (e) {
    if (sweepAbort.signal.aborted) setStatus('Sweep stopped.');
    else fail(e);
  } finally {
    sweepAbort = null;
    setBusy(api.error ? 'error' : 'ready');
  }
}

function stop(): void {
  api.run?.stop();
  sweepAbort?.abort();
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  for (const id of FIELDS) {
    const v = params.get(id);
    if (v !== null) field(id).value = v;
  }
  charts = new Charts();
  try {
    api.backend = await chooseBackend(params.get('backend'));
    const skipped = api.backend.skipped.map((s) => `${s.name} unavailable`).join(', ');
    setStat('backend', api.backend.name + (skipped ? ` (${skipped})` : ''), 'text');
    const mnist = document.querySelector<HTMLOptionElement>('#dataset option[value="mnist"]')!;
    if (!(await mnistAvailable())) {
      mnist.disabled = true;
      mnist.textContent += ' (not served with this page)';
      if (field('dataset').value === 'mnist') field('dataset').value = 'digits';
    }
    for (const id of ['dataset', 'arch', 'd'] as const) field(id).addEventListener('input', () => showSizes().catch(fail));
    button('train').addEventListener('click', () => void train());
    button('sweep').addEventListener('click', () => void sweep());
    button('stop').addEventListener('click', stop);
    await showSizes();
    setStatus('Ready: pick a data set, an architecture, a basis and d, then Train.');
    setBusy('ready');
  } catch (e) {
    fail(e);
    api.status = 'error';
  }
}

void main();
