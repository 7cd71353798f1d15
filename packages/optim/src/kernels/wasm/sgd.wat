;; SGD's momentum update over float32 arrays in linear memory, with
;; WebAssembly SIMD. The arithmetic is the TypeScript kernel's, operation for
;; operation: each float32 is widened to float64, the products and sums are
;; float64, and a value is rounded to float32 once, when it is stored; the
;; parameter is updated with the stored (rounded) buffer value. So the results
;; are bit for bit those of the TypeScript loop (`momentumStep` in sgd.ts).
;; The high two float32 lanes reach f64x2.promote_low_f32x4 through a shuffle
;; (lanes 2, 3 moved to 0, 1), and two demoted pairs are joined by another;
;; both are written out in the loop, as Node 20's V8 does not inline calls.
(module
  (memory (export "memory") 1)

  ;; For i < count: b[i] = momentum·b[i] + scale·g[i]; p[i] = p[i] − lr·b[i].
  ;; $p, $g, $b are byte offsets of float32 arrays, 16-byte aligned.
  (func (export "momentumStep")
    (param $p i32) (param $g i32) (param $b i32) (param $count i32)
    (param $lr f64) (param $momentum f64) (param $scale f64)
    (local $i i32) (local $at i32) (local $wide i32)
    (local $vm v128) (local $vs v128) (local $vl v128)
    (local $gv v128) (local $bv v128) (local $pv v128) (local $nb v128) (local $lo v128) (local $hi v128)
    (local $x f64)
    (local.set $vm (f64x2.splat (local.get $momentum)))
    (local.set $vs (f64x2.splat (local.get $scale)))
    (local.set $vl (f64x2.splat (local.get $lr)))
    (local.set $wide (i32.and (local.get $count) (i32.const -4)))
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.ge_u (local.get $i) (local.get $wide)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $at))))
        (local.set $bv (v128.load (i32.add (local.get $b) (local.get $at))))
        (local.set $lo
          (f64x2.add
            (f64x2.mul (local.get $vm) (f64x2.promote_low_f32x4 (local.get $bv)))
            (f64x2.mul (local.get $vs) (f64x2.promote_low_f32x4 (local.get $gv)))))
        (local.set $hi
          (f64x2.add
            (f64x2.mul (local.get $vm) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $bv) (local.get $bv))))
            (f64x2.mul (local.get $vs) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $gv) (local.get $gv))))))
        (local.set $nb
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
        (v128.store (i32.add (local.get $b) (local.get $at)) (local.get $nb))
        (local.set $pv (v128.load (i32.add (local.get $p) (local.get $at))))
        (local.set $lo
          (f64x2.sub
            (f64x2.promote_low_f32x4 (local.get $pv))
            (f64x2.mul (local.get $vl) (f64x2.promote_low_f32x4 (local.get $nb)))))
        (local.set $hi
          (f64x2.sub
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $pv) (local.get $pv)))
            (f64x2.mul (local.get $vl) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $nb) (local.get $nb))))))
        (v128.store (i32.add (local.get $p) (local.get $at))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $x
          (f64.add
            (f64.mul (local.get $momentum) (f64.promote_f32 (f32.load (i32.add (local.get $b) (local.get $at)))))
            (f64.mul (local.get $scale) (f64.promote_f32 (f32.load (i32.add (local.get $g) (local.get $at)))))))
        (f32.store (i32.add (local.get $b) (local.get $at)) (f32.demote_f64 (local.get $x)))
        (f32.store (i32.add (local.get $p) (local.get $at))
          (f32.demote_f64
            (f64.sub
              (f64.promote_f32 (f32.load (i32.add (local.get $p) (local.get $at))))
              (f64.mul (local.get $lr) (f64.promote_f32 (f32.load (i32.add (local.get $b) (local.get $at))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))
)
