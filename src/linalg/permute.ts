/**
 * The permutation passes of the structured bases, as small monomorphic functions (V8 optimizes a
 * loop best when its function sees one argument shape: inlined in a method with optional arguments,
 * the θ0 pass ran ≈ 5× slower).
 *
 * Signed permutations are stored as Int32Array `to` with the sign folded in: to[k] = i (sign +1) or
 * ~i (sign −1), so m = to[k] >> 31 is 0 or −1, the index is to[k] ^ m and the sign is (1 | m).
 */

/** dst[|to[k]|] = sign_k·src[k] for every k: scattered writes, sequential reads. */
export function scatterSigned(src: Float32Array, to: Int32Array, dst: Float32Array): void {
  for (let k = 0; k < to.length; k++) {
    const t = to[k];
    const m = t >> 31;
    dst[t ^ m] = src[k] * (1 | m);
  }
}

/** out[i] += base[i]: each sum rounded once to float32, as tf.add rounds it. */
export function addInto(out: Float32Array, base: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] += base[i];
}
