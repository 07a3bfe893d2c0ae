/**
 * A bump placer for a WebAssembly memory laid out once: each call returns the byte offset of the
 * next block and advances by the size rounded up to 16 bytes (SIMD-aligned). The caller sizes the
 * memory itself; this only assigns offsets.
 */
export function bumpPlacer(): (bytes: number) => number {
  let used = 0;
  return (bytes) => {
    const p = used;
    used += Math.ceil(bytes / 16) * 16;
    return p;
  };
}
