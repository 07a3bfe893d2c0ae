import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteError } from '../errors';
import { allFinite } from './finite';
import { ForwardWrite } from './forward-writes';
import { checksOnHost, DeferredCheck } from './deferred-check';
import { NonFinitePolicy } from './options';
import { stepOrKeep } from './step-or-keep';

/** What became of one call: the step ran (or was dropped on the device), or it was skipped on the host. */
export type StepOutcome = 'stepped' | 'skipped';

/**
 * The non-finite policy around any update rule (docs/reliability.md §4d): 'throw' checks the
 * gradients before the step (on cpu/wasm, where a read is free) or drops a bad step on the device and
 * throws later (deferred-check.ts); 'skip' drops it, counting it; 'unchecked' runs every step.
 */
export class NonFiniteGuard {
  /** Steps dropped by 'skip': counted on the host (checked steps) and on the device (sync-free ones). */
  private skippedOnHost = 0;
  private skippedOnDevice: tf.Variable | null;
  /** Policy 'throw' on a backend where a read is a sync: the flags of the steps in flight. */
  private readonly deferred: DeferredCheck;

  constructor(private readonly where: string, readonly policy: NonFinitePolicy) {
    this.deferred = new DeferredCheck(where);
    this.skippedOnDevice = policy === 'skip' ? tf.tidy(() => tf.variable(tf.scalar(0), false)) : null;
  }

  /** Steps dropped because of a non-finite gradient (reads one number from the device). */
  get skippedSteps(): number {
    return this.skippedOnHost + (this.skippedOnDevice && !this.skippedOnDevice.isDisposed ? this.skippedOnDevice.dataSync()[0] : 0);
  }

  /**
   * Runs `step` (a tf step, run in a tidy) under the policy. `gradients`: the tensors to check;
   * `culprits`: the names of the variables whose gradient is not finite, quoted (only called for
   * the error); `state`: every variable a step can change, or null when not all are known yet (then
   * the check reads the flag on the host); `written`: variables the loss wrote, with their values
   * before, put back too when the step is dropped on the device; `stepNumber`: the number the step
   * will have once counted. Throws {@link NonFiniteError} before anything changed (the caller
   * undoes `written` then, and on 'skipped').
   */
  run(call: {
    gradients: Array<tf.Tensor | null>;
    culprits: () => string;
    state: () => tf.Variable[] | null;
    written: readonly ForwardWrite[];
    stepNumber: number;
    step: () => void;
  }): StepOutcome {
    const { gradients, culprits, state, written, stepNumber, step } = call;
    const deferred = this.policy === 'skip' || (this.policy === 'throw' && !checksOnHost());
    const all = deferred ? state() : null;
    if (all) {
      const ok = stepOrKeep(all, gradients, this.skippedOnDevice, step, written);
      if (this.policy === 'skip') ok.dispose();
      else this.deferred.add(stepNumber, ok);
      return 'stepped';
    }
    if (this.policy !== 'unchecked' && !allFinite(gradients)) {
      if (this.policy === 'skip') {
        this.skippedOnHost++;
        return 'skipped';
      }
      throw new NonFiniteError(
        `${this.where}: the gradient of ${culprits()} contains NaN or ` +
          `Infinity; nothing was updated. Lower the learning rate, clip the loss, or create the ` +
          `optimizer with {nonFinite: 'skip'} to drop such steps.`,
      );
    }
    tf.tidy(step);
    return 'stepped';
  }

  /** Throws (once) the NonFiniteError of dropped steps whose flags have been read (deferred-check.ts). */
  throwIfFailed(): void {
    this.deferred.throwIfFailed();
  }

  /** Waits until every step in flight has been checked, then {@link throwIfFailed}. */
  wait(): Promise<void> {
    return this.deferred.wait();
  }

  dispose(): void {
    this.skippedOnDevice?.dispose();
    this.skippedOnDevice = null;
    this.deferred.dispose();
  }
}
