/**
 * In-place fast Walsh–Hadamard transform (unnormalized: y = H·x with H[i, j] = (−1)^popcount(i & j))
 * of the power-of-two length-n segment x[offset, offset + n), in float32.
 *
 * Cache-blocked: the first log2(BLOCK) stages run block by block while a block stays in cache; only
 * the remaining log2(n / BLOCK) stages stream over the whole segment. Every pass fuses two stages
 * (radix-4), inside the blocks too, so a 2²³-long transform reads memory 5 times instead of 23 and
 * each element is loaded and stored half as often as with radix-2 butterflies. The fused sums are
 * rounded to float32 between the two stages, so the result is bit-identical to the plain butterfly
 * loop (one rounding per stage), to the WebAssembly SIMD transform (wasm/simd.wat) and to tf ops.
 */
export const FWHT_BLOCK = 1 << 13;

export function fwht(x: Float32Array, offset: number, n: number): void {
  const block = Math.min(n, FWHT_BLOCK);
  for (let b = offset; b < offset + n; b += block) {
    let h = 1;
    for (; 2 * h < block; h *= 4) radix4(x, b, block, h);
    if (h < block) butterflies(x, b, block, h);
  }
  let h = block;
  for (; 2 * h < n; h *= 4) radix4(x, offset, n, h);
  if (h < n) butterflies(x, offset, n, h);
}

/** Stages h, 2h, … < n of the butterfly over x[offset, offset + n). */
function butterflies(x: Float32Array, offset: number, n: number, h0: number): void {
  for (let h = h0; h < n; h *= 2) {
    for (let i = offset; i < offset + n; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = x[j];
        const b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
    }
  }
}

/** Stages h and 2h fused: each group of four elements h apart is read and written once. */
function radix4(x: Float32Array, offset: number, n: number, h: number): void {
  for (let i = offset; i < offset + n; i += 4 * h) {
    for (let j = i; j < i + h; j++) {
      const a = x[j];
      const b = x[j + h];
      const c = x[j + 2 * h];
      const d = x[j + 3 * h];
      const ab = Math.fround(a + b);
      const amb = Math.fround(a - b);
      const cd = Math.fround(c + d);
      const cmd = Math.fround(c - d);
      x[j] = ab + cd;
      x[j + h] = amb + cmd;
      x[j + 2 * h] = ab - cd;
      x[j + 3 * h] = amb - cmd;
    }
  }
}

/** The plain butterfly loop (all stages over the whole segment): the baseline fwht is measured against. */
export function fwhtPlain(x: Float32Array, offset: number, n: number): void {
  butterflies(x, offset, n, 1);
}
