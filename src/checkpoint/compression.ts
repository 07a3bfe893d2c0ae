import type { CompactCheckpoint } from './compact';
import { sizeOf, StoredGroup } from './groups';

/** What a checkpoint costs, and what it replaces. */
export interface Compression {
  /** Bytes of the checkpoint as JSON (UTF-8): everything it stores. */
  bytes: number;
  /** Bytes of the float32 weights it describes: the projected, free and frozen variables and the non-trainable weights. */
  fullBytes: number;
  /** fullBytes / bytes: below 1 when the checkpoint is larger than the weights it replaces. */
  ratio: number;
  /** Bytes of each stored part (base64 text): z, origin (values, if stored), free, frozen and non-trainable values. */
  parts: { z: number; origin: number; free: number; frozen: number; nonTrainable: number };
  /**
   * Null when the checkpoint is smaller than the weights; otherwise what makes it larger and the fix
   * (a stored θ0: pass `seededOrigin`; stored free or frozen variables: save the weights with
   * `model.save`). compactCheckpoint prints it once per process with console.warn.
   */
  advice: string | null;
}

/** The checkpoint's size as JSON, the size of the weights it describes, their ratio, and advice when it is no smaller. */
export function compressionOf(checkpoint: CompactCheckpoint): Compression {
  const c = checkpoint as Partial<CompactCheckpoint>;
  const bytes = new TextEncoder().encode(JSON.stringify(checkpoint)).length;
  const text = (g: unknown) => (g && typeof (g as StoredGroup).values === 'string' ? (g as StoredGroup).values.length : 0);
  const floats = (g: { shapes?: number[][] } | null | undefined) => (Array.isArray(g?.shapes) ? sizeOf(g.shapes) : 0);
  const fullBytes = 4 * (checkpoint.basis.D + floats(c.freeValues) + floats(c.frozenValues) + floats(c.nonTrainable));
  const parts = {
    z: typeof c.z === 'string' ? c.z.length : 0,
    origin: text(c.origin),
    free: text(c.freeValues),
    frozen: text(c.frozenValues),
    nonTrainable: text(c.nonTrainable),
  };
  return { bytes, fullBytes, ratio: fullBytes / bytes, parts, advice: bytes < fullBytes ? null : adviceFor(bytes, fullBytes, parts) };
}

function adviceFor(bytes: number, fullBytes: number, parts: Compression['parts']): string {
  const head = `the compact checkpoint (${bytes} B) is larger than the ${fullBytes} B of float32 weights it replaces`;
  if (parts.origin >= parts.free + parts.frozen) {
    return (
      `${head}: it stores the origin θ0 in full (${parts.origin} B of base64). Build the model with a seeded ` +
      `function and pass compactCheckpoint(optimizer, { seededOrigin: { model: '<its name>', seed } }) to store ` +
      `only its name and seed, or save the weights with model.save().`
    );
  }
  return (
    `${head}: most of it is the free and frozen variables' values (${parts.free + parts.frozen} B of base64). ` +
    `Save the weights with model.save(), or train fewer variables in full.`
  );
}

let warned = false;

/** console.warn of a checkpoint's advice, the first time one has any in this process (as tfjs warns once). */
export function warnIfLarger(compression: Compression): void {
  if (compression.advice === null || warned) return;
  warned = true;
  console.warn(`tfjs-subspace: compactCheckpoint: ${compression.advice} (printed once; compressionOf(checkpoint).advice has it for every checkpoint)`);
}
