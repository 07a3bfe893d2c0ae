/**
 * The one table `npm run bench` ends with: every basis × (D, d) × backend that the parts of
 * bench/bases.ts measured, with project + lift time (projlift, scale, numpy parts), the training
 * step against bare Adam (step part), the ratio to numpy + OpenBLAS (numpy comparison) and memory
 * (held after the build; peak growth of the process in the scale part). A cell is '–' where no part
 * measured it (for instance when BENCH_PARTS left that part out).
 */
import { ms, printTable, ratio } from './common';

export interface SummaryEntry {
  basis: string;
  options: string;
  D: number;
  d: number;
  backend: string;
  /** Median project + lift, ms. */
  projectLift?: number;
  /** Median training step ÷ bare Adam's (nonFinite 'throw', the default). */
  step?: number;
  /** project + lift ÷ numpy's with two threads, in the same rounds. */
  numpy?: number;
  /** Bytes the basis holds (tensors + JavaScript arrays + WebAssembly memory). */
  held?: number;
  /** Peak growth of the process' resident memory during project + lift, bytes. */
  peakRss?: number;
}

export class BenchSummary {
  private readonly entries = new Map<string, SummaryEntry>();

  /** Adds a measurement; entries with the same basis, options, D, d and backend merge. */
  add(e: SummaryEntry): void {
    const key = [e.basis, e.options, e.D, e.d, e.backend].join('|');
    const old = this.entries.get(key) ?? {};
    const defined = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
    this.entries.set(key, { ...old, ...defined } as SummaryEntry);
  }

  get size(): number {
    return this.entries.size;
  }

  print(): void {
    const cell = (v: number | undefined, f: (x: number) => string) => (v === undefined || Number.isNaN(v) ? '–' : f(v));
    const mbs = (b: number) => (b / 1e6).toFixed(b >= 1e8 ? 0 : 1);
    const rows = [...this.entries.values()].map((e) => [
      e.basis, e.options, `${e.D}×${e.d}`, e.backend, cell(e.projectLift, ms), cell(e.step, ratio), cell(e.numpy, ratio), cell(e.held, mbs), cell(e.peakRss, mbs),
    ]);
    console.log('## Summary: basis × (D, d) × backend\n');
    printTable(['basis', 'options', 'D×d', 'backend', 'project+lift ms', 'step ÷ bare adam', '÷ numpy (2 thr)', 'held MB', 'peak Δ rss MB'], rows);
    console.log('From the parts above (medians). step: MLP 784-200-200-10, batch 128, Adam, coordinates mode, nonFinite');
    console.log("'throw'. ÷ numpy: project + lift against numpy + OpenBLAS with two threads on the same matrix, round-robin.");
    console.log('held: tensors + JS arrays + WebAssembly memory kept by the basis; peak Δ rss: scale part (fresh process).\n');
  }
}
