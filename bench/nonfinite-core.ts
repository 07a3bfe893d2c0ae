import * as tf from '@tensorflow/tfjs';
import { gaussianBasis, NonFinitePolicy, projectGradients, projectParameters } from '../src';
import { checksOnHost, setHostCheckBackends } from '../src/optimizer/deferred-check';

/**
 * The step-time cost of the non-finite check (bench/nonfinite.ts), runnable in Node and in a page:
 * a bare tf.train.adam against each wrapper mode under each policy — 'unchecked' (no check),
 * 'throw' (one flag read back per step on cpu/wasm; on a GPU the state selected on the device and the
 * flag read asynchronously, plus 'throw (read per step)', the old per-step sync) and 'skip' (the step's state selected on the
 * device: no read). Every configuration trains its own copy of one seeded MLP; they run round-robin,
 * a block of `block` minimize calls each per round, the block ending with one read of a weight so that
 * queued GPU work is counted; the per-step time is the block's time / block, median over rounds.
 */

export interface NonFiniteRow {
  mode: string;
  policy: string;
  /** Median milliseconds per step. */
  ms: number;
}

export interface NonFiniteReport {
  backend: string;
  D: number;
  d: number;
  rows: NonFiniteRow[];
}

const POLICIES: NonFinitePolicy[] = ['unchecked', 'throw', 'skip'];
const MODES = ['coordinates', 'ambient', 'parameters'] as const;

function mlp(width: number): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotNormal({ seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [64], units: width, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.dense({ units: width, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 10, kernelInitializer: init(3) }),
    ],
  });
}

export async function measureNonFinite(opts: { width: number; d: number; rounds: number; block: number; warmup: number }): Promise<NonFiniteReport> {
  const probe = mlp(opts.width);
  const D = probe.countParams();
  probe.dispose();
  const basis = gaussianBasis(D, opts.d, { seed: 1 });
  const x = tf.randomUniform([32, 64], -1, 1, 'float32', 5);
  const y = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32', 6), 10).toFloat();
  const configs: Array<{ mode: string; policy: string; model: tf.LayersModel; opt: tf.Optimizer; hostCheck: boolean }> = [];
  const add = (mode: string, policy: string, make: (model: tf.LayersModel) => tf.Optimizer, hostCheck = false) => {
    const model = mlp(opts.width);
    configs.push({ mode, policy, model, opt: make(model), hostCheck });
  };
  // On a GPU, 'throw' defers its check (deferred-check.ts); 'throw (read per step)' is the same
  // policy forced to read its flag back at every step, as it did before (the 'before' figure).
  const gpu = !checksOnHost();
  const policies = gpu ? [...POLICIES, 'throw (read per step)'] : POLICIES;
  add('bare adam', '—', () => tf.train.adam(1e-3));
  for (const mode of MODES) {
    for (const label of policies) {
      const policy = (label.startsWith('throw') ? 'throw' : label) as NonFinitePolicy;
      add(mode, label, (model) =>
        mode === 'parameters'
          ? projectParameters(tf.train.adam(1e-3), basis, { variables: model, nonFinite: policy })
          : projectGradients(tf.train.adam(1e-3), basis, { variables: model, mode, nonFinite: policy }),
        label !== policy,
      );
    }
  }
  const times = configs.map(() => [] as number[]);
  for (let r = 0; r < opts.warmup + opts.rounds; r++) {
    configs.forEach((c, k) => {
      const variables = c.model.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = () => tf.losses.softmaxCrossEntropy(y, c.model.apply(x) as tf.Tensor) as tf.Scalar;
      setHostCheckBackends(c.hostCheck ? ['cpu', 'wasm', tf.getBackend()] : ['cpu', 'wasm']);
      const t0 = performance.now();
      for (let s = 0; s < opts.block; s++) c.opt.minimize(loss, false, variables);
      variables[0].dataSync();
      if (r >= opts.warmup) times[k].push((performance.now() - t0) / opts.block);
    });
  }
  const median = (xs: number[]) => {
    const s = xs.slice().sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const rows = configs.map((c, k) => ({ mode: c.mode, policy: c.policy, ms: median(times[k]) }));
  configs.forEach((c) => {
    c.opt.dispose();
    c.model.dispose();
  });
  setHostCheckBackends(['cpu', 'wasm']);
  basis.dispose();
  tf.dispose([x, y]);
  return { backend: tf.getBackend(), D, d: opts.d, rows };
}

/** The report as a markdown table: ms per step, ÷ bare adam, and 'skip' ÷ 'throw' in each mode. */
export function nonFiniteTable(report: NonFiniteReport): string {
  const bare = report.rows[0].ms;
  const lines = [
    `${report.backend}: MLP 64-w-w-10, D = ${report.D}, gaussian d = ${report.d}, batch 32, Adam`,
    '',
    '| mode | nonFinite | ms / step | ÷ bare adam | ÷ same mode, throw |',
    '|---|---|---|---|---|',
  ];
  for (const row of report.rows) {
    const throwing = report.rows.find((r) => r.mode === row.mode && r.policy === 'throw');
    lines.push(
      `| ${row.mode} | ${row.policy} | ${row.ms.toFixed(2)} | ${(row.ms / bare).toFixed(2)} | ${throwing ? (row.ms / throwing.ms).toFixed(2) : '—'} |`,
    );
  }
  return lines.join('\n');
}
