;; The passes of the structured bases (the 'simd' engine), in WebAssembly with SIMD (128-bit lanes). Each
;; gives the bits of its JavaScript counterpart (src/linalg/fwht.ts, src/linalg/permute.ts): same
;; operations, same order, float32 rounding. Compiled by `npm run wasm` into bytes.ts.
;; Addresses are byte offsets into the module's own memory.
(module
  (memory (export "memory") 1)

  ;; dst[|to[k]|] = sign_k·src[k], k < n; to[k] = i (sign +1) or ~i (sign −1). The sign is applied
  ;; by flipping the float's sign bit (what multiplying by −1 does).
  (func (export "scatterSigned") (param $src i32) (param $to i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $t i32) (local $m i32)
    (local.set $end (i32.add (local.get $to) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $to) (local.get $end)))
        (local.set $t (i32.load (local.get $to)))
        (local.set $m (i32.shr_s (local.get $t) (i32.const 31)))
        (i32.store
          (i32.add (local.get $dst) (i32.shl (i32.xor (local.get $t) (local.get $m)) (i32.const 2)))
          (i32.xor (i32.load (local.get $src)) (i32.and (local.get $m) (i32.const 0x80000000))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $to (i32.add (local.get $to) (i32.const 4)))
        (br $next))))

  ;; out[i] += base[i], i < n (float32 sums, four lanes at a time, then the tail).
  (func (export "addInto") (param $out i32) (param $base i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $vend)))
        (v128.store (local.get $out) (f32x4.add (v128.load (local.get $out)) (v128.load (local.get $base))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $base (i32.add (local.get $base) (i32.const 16)))
        (br $next)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out) (f32.add (f32.load (local.get $out)) (f32.load (local.get $base))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $base (i32.add (local.get $base) (i32.const 4)))
        (br $tail))))

  ;; ---- Hashed basis: col[i] is the column of coordinate i, w[i] its weight ±1/√n_col.

  ;; c[col[i]] += w[i]·x[i] for i < n, c in float64 (as src/basis/hashed.ts sums it).
  (func (export "hashedProject") (param $col i32) (param $w i32) (param $x i32) (param $c i32) (param $n i32)
    (local $end i32) (local $at i32)
    (local.set $end (i32.add (local.get $col) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $col) (local.get $end)))
        (local.set $at (i32.add (local.get $c) (i32.shl (i32.load (local.get $col)) (i32.const 3))))
        (f64.store (local.get $at)
          (f64.add (f64.load (local.get $at))
            (f64.mul (f64.promote_f32 (f32.load (local.get $w))) (f64.promote_f32 (f32.load (local.get $x))))))
        (local.set $col (i32.add (local.get $col) (i32.const 4)))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $next))))

  ;; out[i] = w[i]·z[col[i]] (+ base[i] when withBase), float32, for i < n.
  (func (export "hashedLift") (param $col i32) (param $w i32) (param $z i32) (param $base i32) (param $withBase i32)
    (param $out i32) (param $n i32)
    (local $end i32) (local $v f32)
    (local.set $end (i32.add (local.get $col) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $col) (local.get $end)))
        (local.set $v (f32.mul (f32.load (local.get $w))
          (f32.load (i32.add (local.get $z) (i32.shl (i32.load (local.get $col)) (i32.const 2))))))
        (if (local.get $withBase)
          (then (local.set $v (f32.add (f32.load (local.get $base)) (local.get $v)))))
        (f32.store (local.get $out) (local.get $v))
        (local.set $col (i32.add (local.get $col) (i32.const 4)))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $base (i32.add (local.get $base) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $next))))

  ;; ---- Walsh–Hadamard transform: the stage schedule of src/linalg/fwht.ts (cache blocks of 8192
  ;; floats, two stages fused per pass, a single stage where an odd count is left).

  ;; Stages h = 1 and h = 2 inside each group of four floats of [p, end), in registers:
  ;; [a, b, c, d] -> [(a+b)+(c+d), (a-b)+(c-d), (a+b)-(c+d), (a-b)-(c-d)].
  (func $quads (param $p i32) (param $end i32)
    (local $v v128) (local $w v128) (local $t v128) (local $u v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        ;; w = [b, a, d, c]
        (local.set $w (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v) (local.get $v)))
        ;; t = [a+b, a-b, c+d, c-d]
        (local.set $t (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27
          (f32x4.add (local.get $v) (local.get $w)) (f32x4.sub (local.get $v) (local.get $w))))
        ;; u = [c+d, c-d, a+b, a-b]
        (local.set $u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)))
        (v128.store (local.get $p)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.add (local.get $t) (local.get $u)) (f32x4.sub (local.get $t) (local.get $u))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next))))

  ;; Stages h and 2h fused over [p, end): each group of four floats h apart is read and written once.
  ;; hb = 4h bytes, h >= 4 (whole vectors).
  (func $radix4 (param $p i32) (param $end i32) (param $hb i32)
    (local $j i32) (local $stop i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $ab v128) (local $amb v128) (local $cd v128) (local $cmd v128)
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $j (local.get $p))
        (local.set $stop (i32.add (local.get $p) (local.get $hb)))
        (loop $lane
          (local.set $a (v128.load (local.get $j)))
          (local.set $b (v128.load (i32.add (local.get $j) (local.get $hb))))
          (local.set $c (v128.load (i32.add (local.get $j) (i32.shl (local.get $hb) (i32.const 1)))))
          (local.set $d (v128.load (i32.add (local.get $j) (i32.mul (local.get $hb) (i32.const 3)))))
          (local.set $ab (f32x4.add (local.get $a) (local.get $b)))
          (local.set $amb (f32x4.sub (local.get $a) (local.get $b)))
          (local.set $cd (f32x4.add (local.get $c) (local.get $d)))
          (local.set $cmd (f32x4.sub (local.get $c) (local.get $d)))
          (v128.store (local.get $j) (f32x4.add (local.get $ab) (local.get $cd)))
          (v128.store (i32.add (local.get $j) (local.get $hb)) (f32x4.add (local.get $amb) (local.get $cmd)))
          (v128.store (i32.add (local.get $j) (i32.shl (local.get $hb) (i32.const 1))) (f32x4.sub (local.get $ab) (local.get $cd)))
          (v128.store (i32.add (local.get $j) (i32.mul (local.get $hb) (i32.const 3))) (f32x4.sub (local.get $amb) (local.get $cmd)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $lane (i32.lt_u (local.get $j) (local.get $stop))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $hb) (i32.const 2))))
        (br $group))))

  ;; One stage h over [p, end): hb = 4h bytes, h >= 4.
  (func $radix2 (param $p i32) (param $end i32) (param $hb i32)
    (local $j i32) (local $stop i32) (local $a v128) (local $b v128)
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $j (local.get $p))
        (local.set $stop (i32.add (local.get $p) (local.get $hb)))
        (loop $lane
          (local.set $a (v128.load (local.get $j)))
          (local.set $b (v128.load (i32.add (local.get $j) (local.get $hb))))
          (v128.store (local.get $j) (f32x4.add (local.get $a) (local.get $b)))
          (v128.store (i32.add (local.get $j) (local.get $hb)) (f32x4.sub (local.get $a) (local.get $b)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $lane (i32.lt_u (local.get $j) (local.get $stop))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $hb) (i32.const 1))))
        (br $group))))

  ;; H·x in place for the n floats at byte address p; n a power of two, n >= 4.
  (func (export "fwht") (param $p i32) (param $n i32)
    (local $end i32) (local $block i32) (local $b i32) (local $h i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $block (select (local.get $n) (i32.const 8192) (i32.lt_u (local.get $n) (i32.const 8192))))
    (local.set $b (local.get $p))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $b) (local.get $end)))
        (call $quads (local.get $b) (i32.add (local.get $b) (i32.shl (local.get $block) (i32.const 2))))
        (local.set $h (i32.const 4))
        (block $in_done
          (loop $in
            (br_if $in_done (i32.ge_u (i32.shl (local.get $h) (i32.const 1)) (local.get $block)))
            (call $radix4 (local.get $b) (i32.add (local.get $b) (i32.shl (local.get $block) (i32.const 2)))
              (i32.shl (local.get $h) (i32.const 2)))
            (local.set $h (i32.shl (local.get $h) (i32.const 2)))
            (br $in)))
        (if (i32.lt_u (local.get $h) (local.get $block))
          (then (call $radix2 (local.get $b) (i32.add (local.get $b) (i32.shl (local.get $block) (i32.const 2)))
            (i32.shl (local.get $h) (i32.const 2)))))
        (local.set $b (i32.add (local.get $b) (i32.shl (local.get $block) (i32.const 2))))
        (br $blocks)))
    (local.set $h (local.get $block))
    (block $out_done
      (loop $out
        (br_if $out_done (i32.ge_u (i32.shl (local.get $h) (i32.const 1)) (local.get $n)))
        (call $radix4 (local.get $p) (local.get $end) (i32.shl (local.get $h) (i32.const 2)))
        (local.set $h (i32.shl (local.get $h) (i32.const 2)))
        (br $out)))
    (if (i32.lt_u (local.get $h) (local.get $n))
      (then (call $radix2 (local.get $p) (local.get $end) (i32.shl (local.get $h) (i32.const 2)))))))
