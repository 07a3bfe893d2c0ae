/** A labelled image set as plain arrays (no tensors: nothing to dispose). */
export interface Dataset {
  /** n × (height·width) pixel values scaled to [0, 1], row-major. */
  x: Float32Array;
  /** n labels, 0 … classes − 1. */
  y: Int32Array;
  n: number;
  height: number;
  width: number;
  classes: number;
}
