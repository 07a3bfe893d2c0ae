/**
 * What a training run reports, as plain data (no imports: the end-to-end test reads the same types
 * from `window.subspaceDemo`).
 */

export interface EpochPoint {
  epoch: number;
  loss: number;
  accuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** ‖(I − P)(θ − θ0)‖ and ‖θ − θ0‖ from the optimizer's `residual()`. */
  distance: number;
  displacement: number;
  seconds: number;
}

/** What the page shows when a run ends: the library's own numbers. */
export interface RunSummary {
  backend: string;
  /** The model's parameter count, `model.countParams()`. */
  D: number;
  /** The number of trained coordinates, the length of `optimizer.coordinates()`. */
  d: number;
  history: EpochPoint[];
  /** `model.evaluate` on the test split after training. */
  testAccuracy: number;
  testLoss: number;
  distance: number;
  displacement: number;
  seconds: number;
  stopped: boolean;
}
