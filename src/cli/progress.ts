import { SingleBar } from 'cli-progress';
import type { IntrinsicDimensionProgress } from '../intrinsic/options';

/**
 * One progress bar per training run and learning-rate candidate (on stderr): which run, d, seed and
 * lr, batches done out of the maximum budget (a run may stop earlier, at a plateau), the last loss. Silent when `quiet` or when stderr is not a terminal.
 */
export function progressReporter(quiet: boolean): { onProgress: (e: IntrinsicDimensionProgress) => void; stop: () => void } {
  let bar: SingleBar | null = null;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  const onProgress = (e: IntrinsicDimensionProgress) => {
    if (quiet) return;
    const key = `${e.run}:${e.learningRate}`;
    const total = e.epochs * e.batches;
    if (key !== current) {
      stop();
      current = key;
      bar = new SingleBar({
        format: `run {run}/{runs} {what} seed {seed} lr {lr} |{bar}| {percentage}% | ETA {eta_formatted} | epoch {epoch} | loss {loss}`,
        barsize: 24,
        etaBuffer: 50,
        stream: process.stderr,
      });
      bar.start(total, 0, { run: e.run + 1, runs: e.runs, what: e.d === null ? 'full model' : `d = ${e.d}`, seed: e.seed, lr: e.learningRate.toPrecision(2), epoch: 1, loss: '–' });
    }
    bar?.update(e.epoch * e.batches + e.batch + 1, { runs: e.runs, epoch: `${e.epoch + 1}/${e.epochs}`, loss: e.loss.toFixed(4) });
  };
  return { onProgress, stop };
}
