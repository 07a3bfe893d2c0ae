;; Float64 products of the thin QR (src/linalg/qr-workspace.ts) over a row-major float32 matrix E held
;; in the imported memory: D rows of sp floats (sp a multiple of 4, padding columns zero). Every
;; function takes a range of rows [r0, r1), so a caller splits the rows between threads, each with its
;; own tile scratch and Gram accumulator. A tile of t rows (t a multiple of 4) is first transposed
;; into float64 column-major scratch T (sp × t), so that every inner loop runs over contiguous
;; float64 pairs (f64x2). Compiled twice by `npm run wasm`: as written, and with the memory shared.
;; Addresses are byte offsets.
(module
  (import "env" "memory" (memory 1))

  ;; T[a·t + i] = E[(row0 + i)·sp + a] as float64 for i < n, a < sp; zero for n ≤ i < t.
  (func $load (param $e i32) (param $sp i32) (param $row0 i32) (param $n i32) (param $tp i32) (param $t i32)
    (local $i i32) (local $a i32) (local $s0 i32) (local $s1 i32) (local $dst i32) (local $tb i32) (local $rb i32)
    (local.set $tb (i32.shl (local.get $t) (i32.const 3)))
    (local.set $rb (i32.shl (local.get $sp) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $i) (local.get $t)))
        (local.set $dst (i32.add (local.get $tp) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $s0 (i32.add (local.get $e) (i32.mul (i32.add (local.get $row0) (local.get $i)) (local.get $rb))))
        (local.set $s1 (i32.add (local.get $s0) (local.get $rb)))
        (local.set $a (i32.const 0))
        (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n))
          (then
            (loop $both
              (f64.store (local.get $dst) (f64.promote_f32 (f32.load (local.get $s0))))
              (f64.store offset=8 (local.get $dst) (f64.promote_f32 (f32.load (local.get $s1))))
              (local.set $s0 (i32.add (local.get $s0) (i32.const 4)))
              (local.set $s1 (i32.add (local.get $s1) (i32.const 4)))
              (local.set $dst (i32.add (local.get $dst) (local.get $tb)))
              (local.set $a (i32.add (local.get $a) (i32.const 1)))
              (br_if $both (i32.lt_u (local.get $a) (local.get $sp)))))
          (else
            (if (i32.lt_u (local.get $i) (local.get $n))
              (then
                (loop $one
                  (f64.store (local.get $dst) (f64.promote_f32 (f32.load (local.get $s0))))
                  (f64.store offset=8 (local.get $dst) (f64.const 0))
                  (local.set $s0 (i32.add (local.get $s0) (i32.const 4)))
                  (local.set $dst (i32.add (local.get $dst) (local.get $tb)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br_if $one (i32.lt_u (local.get $a) (local.get $sp)))))
              (else
                (loop $zeros
                  (v128.store (local.get $dst) (v128.const i64x2 0 0))
                  (local.set $dst (i32.add (local.get $dst) (local.get $tb)))
                  (local.set $a (i32.add (local.get $a) (i32.const 1)))
                  (br_if $zeros (i32.lt_u (local.get $a) (local.get $sp))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs))))

  ;; The sum of the two lanes.
  (func $sum (param $x v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $x)) (f64x2.extract_lane 1 (local.get $x))))

  ;; G += E[r0:r1]ᵀ·E[r0:r1] in float64: G is sp×sp row-major at g; the upper triangle is accumulated
  ;; in 2×4 blocks (a block on the diagonal also gets its lower entries). tp: t·sp float64 of scratch.
  (func (export "gram") (param $e i32) (param $sp i32) (param $r0 i32) (param $r1 i32) (param $tp i32) (param $t i32) (param $g i32)
    (local $row i32) (local $n i32) (local $a i32) (local $b i32) (local $tb i32) (local $o i32)
    (local $x0 i32) (local $x1 i32) (local $y0 i32) (local $y1 i32) (local $y2 i32) (local $y3 i32) (local $gp i32) (local $gb i32)
    (local $u0 v128) (local $u1 v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local.set $tb (i32.shl (local.get $t) (i32.const 3)))
    (local.set $gb (i32.shl (local.get $sp) (i32.const 3)))
    (local.set $row (local.get $r0))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $row) (local.get $r1)))
        (local.set $n (i32.sub (local.get $r1) (local.get $row)))
        (if (i32.gt_u (local.get $n) (local.get $t)) (then (local.set $n (local.get $t))))
        (call $load (local.get $e) (local.get $sp) (local.get $row) (local.get $n) (local.get $tp) (local.get $t))
        (local.set $a (i32.const 0))
        (loop $arows
          (local.set $x0 (i32.add (local.get $tp) (i32.mul (local.get $a) (local.get $tb))))
          (local.set $x1 (i32.add (local.get $x0) (local.get $tb)))
          (local.set $b (i32.and (local.get $a) (i32.const -4)))
          (loop $bcols
            (local.set $y0 (i32.add (local.get $tp) (i32.mul (local.get $b) (local.get $tb))))
            (local.set $y1 (i32.add (local.get $y0) (local.get $tb)))
            (local.set $y2 (i32.add (local.get $y1) (local.get $tb)))
            (local.set $y3 (i32.add (local.get $y2) (local.get $tb)))
            (local.set $s00 (v128.const i64x2 0 0)) (local.set $s01 (v128.const i64x2 0 0))
            (local.set $s02 (v128.const i64x2 0 0)) (local.set $s03 (v128.const i64x2 0 0))
            (local.set $s10 (v128.const i64x2 0 0)) (local.set $s11 (v128.const i64x2 0 0))
            (local.set $s12 (v128.const i64x2 0 0)) (local.set $s13 (v128.const i64x2 0 0))
            (local.set $o (i32.const 0))
            (loop $inner
              (local.set $u0 (v128.load (i32.add (local.get $x0) (local.get $o))))
              (local.set $u1 (v128.load (i32.add (local.get $x1) (local.get $o))))
              (local.set $v0 (v128.load (i32.add (local.get $y0) (local.get $o))))
              (local.set $v1 (v128.load (i32.add (local.get $y1) (local.get $o))))
              (local.set $v2 (v128.load (i32.add (local.get $y2) (local.get $o))))
              (local.set $v3 (v128.load (i32.add (local.get $y3) (local.get $o))))
              (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $u0) (local.get $v0))))
              (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $u0) (local.get $v1))))
              (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $u0) (local.get $v2))))
              (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $u0) (local.get $v3))))
              (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $u1) (local.get $v0))))
              (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $u1) (local.get $v1))))
              (local.set $s12 (f64x2.add (local.get $s12) (f64x2.mul (local.get $u1) (local.get $v2))))
              (local.set $s13 (f64x2.add (local.get $s13) (f64x2.mul (local.get $u1) (local.get $v3))))
              (local.set $o (i32.add (local.get $o) (i32.const 16)))
              (br_if $inner (i32.lt_u (local.get $o) (local.get $tb))))
            (local.set $gp (i32.add (local.get $g) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $sp)) (local.get $b)) (i32.const 3))))
            (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp)) (call $sum (local.get $s00))))
            (f64.store offset=8 (local.get $gp) (f64.add (f64.load offset=8 (local.get $gp)) (call $sum (local.get $s01))))
            (f64.store offset=16 (local.get $gp) (f64.add (f64.load offset=16 (local.get $gp)) (call $sum (local.get $s02))))
            (f64.store offset=24 (local.get $gp) (f64.add (f64.load offset=24 (local.get $gp)) (call $sum (local.get $s03))))
            (local.set $gp (i32.add (local.get $gp) (local.get $gb)))
            (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp)) (call $sum (local.get $s10))))
            (f64.store offset=8 (local.get $gp) (f64.add (f64.load offset=8 (local.get $gp)) (call $sum (local.get $s11))))
            (f64.store offset=16 (local.get $gp) (f64.add (f64.load offset=16 (local.get $gp)) (call $sum (local.get $s12))))
            (f64.store offset=24 (local.get $gp) (f64.add (f64.load offset=24 (local.get $gp)) (call $sum (local.get $s13))))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (br_if $bcols (i32.lt_u (local.get $b) (local.get $sp))))
          (local.set $a (i32.add (local.get $a) (i32.const 2)))
          (br_if $arows (i32.lt_u (local.get $a) (local.get $sp))))
        (local.set $row (i32.add (local.get $row) (local.get $t)))
        (br $tiles))))

  ;; E[r0:r1] ← E[r0:r1]·M in place (rounded to float32), M an upper-triangular sp×sp float64 matrix
  ;; packed by groups of four columns: element (a, 4q + c) at m + ((q·sp + a)·4 + c)·8, so that the
  ;; four entries a step needs are adjacent. Column 4q + c only sums over a < 4q + 4 (the staircase).
  ;; tp, op: t·sp float64 of scratch each (the tile, and its product before it is written back).
  (func (export "trmm") (param $e i32) (param $sp i32) (param $r0 i32) (param $r1 i32) (param $tp i32) (param $op i32) (param $t i32) (param $m i32)
    (local $row i32) (local $n i32) (local $a i32) (local $b i32) (local $tb i32) (local $o i32) (local $i i32)
    (local $mg i32) (local $mp i32) (local $xp i32) (local $zp i32) (local $dst i32) (local $src i32)
    (local $u0 v128) (local $u1 v128) (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local.set $tb (i32.shl (local.get $t) (i32.const 3)))
    (local.set $row (local.get $r0))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $row) (local.get $r1)))
        (local.set $n (i32.sub (local.get $r1) (local.get $row)))
        (if (i32.gt_u (local.get $n) (local.get $t)) (then (local.set $n (local.get $t))))
        (call $load (local.get $e) (local.get $sp) (local.get $row) (local.get $n) (local.get $tp) (local.get $t))
        (local.set $b (i32.const 0))
        (loop $bgroups
          (local.set $mg (i32.add (local.get $m) (i32.shl (i32.mul (local.get $b) (local.get $sp)) (i32.const 3))))
          (local.set $o (i32.const 0))
          (loop $igroups
            (local.set $s00 (v128.const i64x2 0 0)) (local.set $s01 (v128.const i64x2 0 0))
            (local.set $s10 (v128.const i64x2 0 0)) (local.set $s11 (v128.const i64x2 0 0))
            (local.set $s20 (v128.const i64x2 0 0)) (local.set $s21 (v128.const i64x2 0 0))
            (local.set $s30 (v128.const i64x2 0 0)) (local.set $s31 (v128.const i64x2 0 0))
            (local.set $xp (i32.add (local.get $tp) (local.get $o)))
            (local.set $mp (local.get $mg))
            (local.set $a (i32.const 0))
            (loop $inner
              (local.set $u0 (v128.load (local.get $xp)))
              (local.set $u1 (v128.load offset=16 (local.get $xp)))
              (local.set $m0 (f64x2.splat (f64.load (local.get $mp))))
              (local.set $m1 (f64x2.splat (f64.load offset=8 (local.get $mp))))
              (local.set $m2 (f64x2.splat (f64.load offset=16 (local.get $mp))))
              (local.set $m3 (f64x2.splat (f64.load offset=24 (local.get $mp))))
              (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $u0) (local.get $m0))))
              (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $u1) (local.get $m0))))
              (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $u0) (local.get $m1))))
              (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $u1) (local.get $m1))))
              (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $u0) (local.get $m2))))
              (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $u1) (local.get $m2))))
              (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $u0) (local.get $m3))))
              (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $u1) (local.get $m3))))
              (local.set $xp (i32.add (local.get $xp) (local.get $tb)))
              (local.set $mp (i32.add (local.get $mp) (i32.const 32)))
              (local.set $a (i32.add (local.get $a) (i32.const 1)))
              (br_if $inner (i32.lt_u (local.get $a) (i32.add (local.get $b) (i32.const 4)))))
            (local.set $zp (i32.add (i32.add (local.get $op) (i32.mul (local.get $b) (local.get $tb))) (local.get $o)))
            (v128.store (local.get $zp) (local.get $s00))
            (v128.store offset=16 (local.get $zp) (local.get $s01))
            (local.set $zp (i32.add (local.get $zp) (local.get $tb)))
            (v128.store (local.get $zp) (local.get $s10))
            (v128.store offset=16 (local.get $zp) (local.get $s11))
            (local.set $zp (i32.add (local.get $zp) (local.get $tb)))
            (v128.store (local.get $zp) (local.get $s20))
            (v128.store offset=16 (local.get $zp) (local.get $s21))
            (local.set $zp (i32.add (local.get $zp) (local.get $tb)))
            (v128.store (local.get $zp) (local.get $s30))
            (v128.store offset=16 (local.get $zp) (local.get $s31))
            (local.set $o (i32.add (local.get $o) (i32.const 32)))
            (br_if $igroups (i32.lt_u (local.get $o) (local.get $tb))))
          (local.set $b (i32.add (local.get $b) (i32.const 4)))
          (br_if $bgroups (i32.lt_u (local.get $b) (local.get $sp))))
        ;; Write the n rows of the product back: E[row + i, b] = O[b·t + i].
        (local.set $i (i32.const 0))
        (loop $back
          (local.set $dst (i32.add (local.get $e) (i32.shl (i32.mul (i32.add (local.get $row) (local.get $i)) (local.get $sp)) (i32.const 2))))
          (local.set $src (i32.add (local.get $op) (i32.shl (local.get $i) (i32.const 3))))
          (local.set $b (i32.const 0))
          (loop $cols
            (f32.store (local.get $dst) (f32.demote_f64 (f64.load (local.get $src))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $src (i32.add (local.get $src) (local.get $tb)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br_if $cols (i32.lt_u (local.get $b) (local.get $sp))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $back (i32.lt_u (local.get $i) (local.get $n))))
        (local.set $row (i32.add (local.get $row) (local.get $t)))
        (br $tiles))))
)
