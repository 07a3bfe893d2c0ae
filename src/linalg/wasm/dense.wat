;; The dense basis passes: c = Qᵀv and out = Q·c over a row-major float32 Q (D rows of dp floats,
;; dp a multiple of 4, the padding columns zero) held in the imported memory. Both passes are
;; memory-bound, and one sequential stream per thread does not keep enough cache misses in flight
;; (≈ 9 GB/s here): the "4" functions walk four rows `seg` rows apart at once — four streams — and reach
;; ≈ 18 GB/s on one thread. A caller splits [0, seg) between threads; each thread has its own cb/acc.
;; Compiled twice by `npm run wasm` (src/linalg/wasm/compile.ts): as written, and with the memory
;; import made shared (for worker threads). Addresses are byte offsets; rb = dp·4 (row bytes).
(module
  (import "env" "memory" (memory 1))

  ;; acc[j] += cb[j] in float64, then cb[j] = 0, for j < dp: the float32 partial sums of a block of
  ;; rows folded into the float64 total, so a long projection keeps float64-like accuracy.
  (func $fold (param $cb i32) (param $acc i32) (param $rb i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $cb) (local.get $rb)))
    (loop $next
      (f64.store (local.get $acc) (f64.add (f64.load (local.get $acc)) (f64.promote_f32 (f32.load (local.get $cb)))))
      (f32.store (local.get $cb) (f32.const 0))
      (local.set $cb (i32.add (local.get $cb) (i32.const 4)))
      (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
      (br_if $next (i32.lt_u (local.get $cb) (local.get $end)))))

  ;; acc += Σ v[r]·Q[r, :] over rows r in [r0, r1), folding every `block` rows (cb zero on entry).
  (func (export "project1") (param $q i32) (param $v i32) (param $cb i32) (param $acc i32)
    (param $r0 i32) (param $r1 i32) (param $rb i32) (param $block i32)
    (local $row i32) (local $stop i32) (local $x v128) (local $p i32) (local $o i32)
    (local.set $row (local.get $r0))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $row) (local.get $r1)))
        (local.set $stop (i32.add (local.get $row) (local.get $block)))
        (if (i32.gt_u (local.get $stop) (local.get $r1)) (then (local.set $stop (local.get $r1))))
        (loop $rows
          (local.set $x (f32x4.splat (f32.load (i32.add (local.get $v) (i32.shl (local.get $row) (i32.const 2))))))
          (local.set $p (i32.add (local.get $q) (i32.mul (local.get $row) (local.get $rb))))
          (local.set $o (i32.const 0))
          (loop $cols
            (v128.store (i32.add (local.get $cb) (local.get $o))
              (f32x4.add (v128.load (i32.add (local.get $cb) (local.get $o)))
                (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $p) (local.get $o))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br_if $cols (i32.lt_u (local.get $o) (local.get $rb))))
          (local.set $row (i32.add (local.get $row) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $row) (local.get $stop))))
        (call $fold (local.get $cb) (local.get $acc) (local.get $rb))
        (br $blocks))))

  ;; acc += Σ over r in [r0, r1) of the four rows r, r+seg, r+2seg, r+3seg (four streams).
  (func (export "project4") (param $q i32) (param $v i32) (param $cb i32) (param $acc i32)
    (param $r0 i32) (param $r1 i32) (param $rb i32) (param $block i32) (param $seg i32)
    (local $row i32) (local $stop i32) (local $o i32) (local $segb i32) (local $vp i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local.set $segb (i32.shl (local.get $seg) (i32.const 2)))
    (local.set $row (local.get $r0))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $row) (local.get $r1)))
        (local.set $stop (i32.add (local.get $row) (local.get $block)))
        (if (i32.gt_u (local.get $stop) (local.get $r1)) (then (local.set $stop (local.get $r1))))
        (loop $rows
          (local.set $vp (i32.add (local.get $v) (i32.shl (local.get $row) (i32.const 2))))
          (local.set $x0 (f32x4.splat (f32.load (local.get $vp))))
          (local.set $vp (i32.add (local.get $vp) (local.get $segb)))
          (local.set $x1 (f32x4.splat (f32.load (local.get $vp))))
          (local.set $vp (i32.add (local.get $vp) (local.get $segb)))
          (local.set $x2 (f32x4.splat (f32.load (local.get $vp))))
          (local.set $vp (i32.add (local.get $vp) (local.get $segb)))
          (local.set $x3 (f32x4.splat (f32.load (local.get $vp))))
          (local.set $p0 (i32.add (local.get $q) (i32.mul (local.get $row) (local.get $rb))))
          (local.set $p1 (i32.add (local.get $p0) (i32.mul (local.get $seg) (local.get $rb))))
          (local.set $p2 (i32.add (local.get $p1) (i32.mul (local.get $seg) (local.get $rb))))
          (local.set $p3 (i32.add (local.get $p2) (i32.mul (local.get $seg) (local.get $rb))))
          (local.set $o (i32.const 0))
          (loop $cols
            (v128.store (i32.add (local.get $cb) (local.get $o))
              (f32x4.add (v128.load (i32.add (local.get $cb) (local.get $o)))
                (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $x0) (v128.load (i32.add (local.get $p0) (local.get $o))))
                             (f32x4.mul (local.get $x1) (v128.load (i32.add (local.get $p1) (local.get $o)))))
                  (f32x4.add (f32x4.mul (local.get $x2) (v128.load (i32.add (local.get $p2) (local.get $o))))
                             (f32x4.mul (local.get $x3) (v128.load (i32.add (local.get $p3) (local.get $o))))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br_if $cols (i32.lt_u (local.get $o) (local.get $rb))))
          (local.set $row (i32.add (local.get $row) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $row) (local.get $stop))))
        (call $fold (local.get $cb) (local.get $acc) (local.get $rb))
        (br $blocks))))

  ;; The float32 sum of the four lanes of a, pairwise.
  (func $lanes (param $a v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))

  ;; out[r] = Q[r, :]·c for r in [r0, r1).
  (func (export "lift1") (param $q i32) (param $c i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $rb i32)
    (local $row i32) (local $a v128) (local $p i32) (local $o i32)
    (local.set $row (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $r1)))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $q) (i32.mul (local.get $row) (local.get $rb))))
        (local.set $o (i32.const 0))
        (loop $cols
          (local.set $a (f32x4.add (local.get $a)
            (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $o))) (v128.load (i32.add (local.get $c) (local.get $o))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $o) (local.get $rb))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2))) (call $lanes (local.get $a)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))

  ;; out[r + k·seg] = Q[r + k·seg, :]·c for k < 4 and r in [r0, r1) (four streams).
  (func (export "lift4") (param $q i32) (param $c i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $rb i32)
    (param $seg i32)
    (local $row i32) (local $o i32) (local $cv v128) (local $op i32) (local $segb i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local.set $segb (i32.shl (local.get $seg) (i32.const 2)))
    (local.set $row (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $r1)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $p0 (i32.add (local.get $q) (i32.mul (local.get $row) (local.get $rb))))
        (local.set $p1 (i32.add (local.get $p0) (i32.mul (local.get $seg) (local.get $rb))))
        (local.set $p2 (i32.add (local.get $p1) (i32.mul (local.get $seg) (local.get $rb))))
        (local.set $p3 (i32.add (local.get $p2) (i32.mul (local.get $seg) (local.get $rb))))
        (local.set $o (i32.const 0))
        (loop $cols
          (local.set $cv (v128.load (i32.add (local.get $c) (local.get $o))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $p0) (local.get $o))) (local.get $cv))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (i32.add (local.get $p1) (local.get $o))) (local.get $cv))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (i32.add (local.get $p2) (local.get $o))) (local.get $cv))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (i32.add (local.get $p3) (local.get $o))) (local.get $cv))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $op (i32.add (local.get $out) (i32.shl (local.get $row) (i32.const 2))))
        (f32.store (local.get $op) (call $lanes (local.get $a0)))
        (local.set $op (i32.add (local.get $op) (local.get $segb)))
        (f32.store (local.get $op) (call $lanes (local.get $a1)))
        (local.set $op (i32.add (local.get $op) (local.get $segb)))
        (f32.store (local.get $op) (call $lanes (local.get $a2)))
        (local.set $op (i32.add (local.get $op) (local.get $segb)))
        (f32.store (local.get $op) (call $lanes (local.get $a3)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))
)
