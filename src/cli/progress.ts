import { SingleBar } from 'cli-progress';
import type { IntrinsicDimensionProgress, RunResult } from '../intrinsic/options';

/** What a command reports while it trains (on stderr). */
export interface ProgressReporter {
  onProgress: (e: IntrinsicDimensionProgress) => void;
  /** Ends the current bar (before other output). */
  stop: () => void;
  /** A run has finished: its line (see {@link runLine}) is printed where no bar is drawn. */
  finished: (line: string) => void;
}

/**
 * On a terminal: one progress bar per training run and learning-rate candidate (which run, d, seed
 * and lr, batches done out of the maximum budget — a run may stop earlier, at a plateau —, the last
 * loss). Where stderr is not a terminal (nohup, CI logs, a cluster job), where a bar would print
 * nothing: one plain line per finished run, without ANSI codes. Silent when `quiet`.
 */
export function progressReporter(quiet: boolean, tty = process.stderr.isTTY === true): ProgressReporter {
  let bar: SingleBar | null = null;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  const onProgress = (e: IntrinsicDimensionProgress) => {
    if (quiet || !tty) return;
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
  const finished = (line: string) => {
    if (!quiet && !tty) process.stderr.write(`${line}\n`);
  };
  return { onProgress, stop, finished };
}

/** A learning rate as the CLI prints it: 3 significant digits (0.00416). */
export const lrText = (lr: number): string => String(Number(lr.toPrecision(3)));

/**
 * One finished run as a plain line: `run 3/14: d=200 seed=0 lr=0.0416 acc=90.16% epochs=13 best=8
 * stop=plateau (12.3 s)`; d=full for the baseline; `note` goes into the parentheses.
 */
export function runLine(
  run: number,
  runs: number,
  r: Pick<RunResult, 'd' | 'seed' | 'learningRate' | 'accuracy' | 'epochs' | 'seconds'> & Partial<Pick<RunResult, 'bestEpoch' | 'stopReason'>>,
  note = '',
): string {
  const best = r.bestEpoch === undefined ? '' : ` best=${r.bestEpoch}`;
  const stop = r.stopReason === undefined ? '' : ` stop=${r.stopReason}`;
  return `run ${run}/${runs}: d=${r.d ?? 'full'} seed=${r.seed} lr=${lrText(r.learningRate)} acc=${(100 * r.accuracy).toFixed(2)}% epochs=${r.epochs}${best}${stop} (${r.seconds.toFixed(1)} s${note})`;
}
