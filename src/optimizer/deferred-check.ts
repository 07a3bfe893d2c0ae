import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteError } from '../errors';

/**
 * Whether the default check ('throw') may read its flag back at each step. On 'cpu' and 'wasm' a
 * read is a copy out of host memory and costs nothing measurable (docs/benchmarks.md §5), so they
 * keep the synchronous check that throws at the faulty step itself. On every other backend (webgl,
 * webgpu, …) a read waits for the device's queue: a sync per step, so the check is deferred
 * ({@link DeferredCheck}). Decided at each step, from the backend active then.
 */
export function checksOnHost(backend: string = tf.getBackend()): boolean {
  return hostBackends.has(backend);
}
const hostBackends = new Set(['cpu', 'wasm']);

/** For bench/nonfinite.ts only: the backends that check on the host (the 'before' figures). */
export function setHostCheckBackends(names: readonly string[]): void {
  hostBackends.clear();
  names.forEach((n) => hostBackends.add(n));
}

/**
 * 'throw' without a sync: each step keeps its finite-gradient flag (a scalar on the device) and starts
 * an asynchronous read of it. A step whose flag reads false was already dropped on the device
 * (step-or-keep.ts); its number is remembered, and the next call into the optimizer throws
 * ({@link DeferredCheck.throwIfFailed}) or {@link DeferredCheck.wait} rejects with it.
 */
export class DeferredCheck {
  private readonly pending = new Map<tf.Tensor, Promise<void>>();
  private failed: number[] = [];

  constructor(private readonly where: string) {}

  /** Takes ownership of `flag` (kept; disposed when its read resolves or at dispose). */
  add(step: number, flag: tf.Tensor): void {
    const read = flag.data().then(
      (v) => this.settle(flag, step, v[0] === 1),
      () => this.settle(flag, step, true),
    );
    this.pending.set(flag, read);
  }

  private settle(flag: tf.Tensor, step: number, ok: boolean): void {
    if (!this.pending.delete(flag)) return; // disposed meanwhile
    flag.dispose();
    if (!ok) this.failed.push(step);
  }

  /** Throws (once) the NonFiniteError for the dropped steps whose flags have been read. */
  throwIfFailed(): void {
    if (this.failed.length === 0) return;
    const steps = this.failed.sort((a, b) => a - b);
    this.failed = [];
    const which = steps.length === 1 ? `step ${steps[0]} had a non-finite gradient and was` : `steps ${steps.join(', ')} had non-finite gradients and were`;
    throw new NonFiniteError(
      `${this.where}: ${which} not applied; nothing was updated. Lower the learning rate, clip the ` +
        `loss, or create the optimizer with {nonFinite: 'skip'} to drop such steps silently.`,
    );
  }

  /** Waits for every flag in flight, then {@link throwIfFailed}. */
  async wait(): Promise<void> {
    await Promise.all([...this.pending.values()]);
    this.throwIfFailed();
  }

  /** Disposes the flags still in flight (a read in flight completes harmlessly). */
  dispose(): void {
    const flags = [...this.pending.keys()];
    this.pending.clear();
    this.failed = [];
    tf.dispose(flags);
  }
}
