import { atLrEdge, table } from '../../src/cli/table';
import type { IntrinsicDimensionResult, RunResult } from '../../src/intrinsic/options';

/** The final table says which runs chose the edge of their lr grid and which stopped at max-epochs. */
const run = (d: number | null, lr: number, pilots: number[], stopReason: RunResult['stopReason'], accuracy: number): RunResult => ({
  d, seed: 0, accuracy, validation: accuracy, learningRate: lr, learningRateCentre: pilots[0] ?? lr, epochs: 12, bestEpoch: 11, stopReason,
  pilots: pilots.map((learningRate) => ({ learningRate, validation: 0.5 })), loss: 0.1, seconds: 1,
});

const result = (runs: RunResult[], baseline: RunResult): IntrinsicDimensionResult => ({
  D: 1000, baseline, baselines: [baseline], baselineAccuracy: baseline.accuracy,
  runs,
  curve: runs.map((r) => ({ d: r.d as number, mean: r.accuracy, std: 0, min: r.accuracy, max: r.accuracy, runs: 1 })),
  threshold: 0.9, target: 0.9 * baseline.accuracy, dInt: 150, firstReaching: 200, bracket: [100, 200], status: 'crossed', interval: null,
  config: { training: 'converged', thresholdOf: 'baseline', dims: [100, 200], basis: 'srht', seeds: [0], learningRate: 1e-3, validationFraction: 0.1, loss: 'categoricalCrossentropy', optimizer: 'adam',
    backend: 'cpu', trainExamples: 1, validationExamples: 1, testExamples: 1, maxEpochs: 12, patience: 3, minDelta: 0, pilotEpochs: 1, lrStep: 3, lrExpand: 5, batchSize: 128 },
  resumed: 0, wallSeconds: 1,
});

describe('the final table marks lr-grid edges and max-epochs stops', () => {
  test('atLrEdge: the chosen lr is the smallest or largest pilot; one pilot (no search) is no edge', () => {
    expect(atLrEdge(run(100, 0.27, [0.01, 0.03, 0.09, 0.27], 'plateau', 0.8))).toBe(true);
    expect(atLrEdge(run(100, 0.0011, [0.01, 0.0033, 0.0011], 'plateau', 0.8))).toBe(true);
    expect(atLrEdge(run(100, 0.03, [0.01, 0.03, 0.09], 'plateau', 0.8))).toBe(false);
    expect(atLrEdge(run(100, 0.01, [0.01], 'plateau', 0.8))).toBe(false);
  });

  test('an edge lr gets "!" and a note; max-epochs stops are counted; a clean sweep has no notes', () => {
    const edge = run(100, 0.27, [0.01, 0.03, 0.09, 0.27], 'max-epochs', 0.8);
    const inner = run(200, 0.03, [0.01, 0.03, 0.09], 'plateau', 0.95);
    const base = run(null, 0.003, [0.001, 0.003, 0.009], 'plateau', 0.97);
    const text = table(result([edge, inner], base));
    const row = (d: string) => text.split('\n').find((l) => l.startsWith(d.padEnd(4))) as string;
    expect(row('100')).toMatch(/0\.27!/);
    expect(row('200')).toMatch(/0\.030(?!!)/);
    expect(text).toContain('! 1 of 3 runs chose the edge of their lr grid');
    expect(text).toContain('1 of 3 runs stopped at max-epochs before a validation plateau');
    const clean = table(result([run(100, 0.03, [0.01, 0.03, 0.09], 'plateau', 0.8), inner], base));
    expect(clean).not.toMatch(/!|stopped at max-epochs/);
  });
});
