;; Float32 loops of attention in WebAssembly SIMD: the softmax, forward and
;; backward, a row at a time, and the moves of runs that take heads in and
;; out of the [N, H, L, d] layout. attention-wasm.ts copies a chunk of rows
;; (or one sample) into this module's memory, calls one export, and copies
;; the result out.
;;
;; Everything runs in float32, as PyTorch's vectorized CPU softmax does.
;; The exponential works in base 2: the row is scaled by scale·log₂e (so
;; e^(scale·x − max) = 2^(y − max₂)), y is split into an integer n (rounded
;; with the 1.5·2²³ trick, whose bits also give 2ⁿ) and f ∈ [−½, ½], and 2ᶠ
;; is Cephes exp2f's degree-6 polynomial, good to 1e-7 relative. The row
;; sums are four float32 lanes added at the end. Pointers are byte offsets;
;; float32 arrays need no alignment.
(module
  (memory (export "memory") 1)

;; 2ʸ, lane by lane, for y ≤ 0, −∞ or NaN: NaN stays NaN, anything at or
  ;; below −126.5 (where 2ʸ is under float32's smallest normal) gives 0. The
  ;; vector loop of softmaxRows has this written out (V8 does not inline
  ;; wasm calls, and a call costs as much as the exponential); this one
  ;; serves the rows' last, scalar, elements.
  (func $exp2 (param $y v128) (result v128)
    (local $t v128) (local $f v128) (local $p v128)
    ;; pmax(y, c) = y < c ? c : y clamps −∞ and keeps NaN (the comparison is false); unlike
    ;; f32x4.max, whose NaN rules cost V8 a sequence of instructions on x64, it is one maxps.
    (local.set $y (f32x4.pmax (local.get $y) (f32x4.splat (f32.const -127.0))))
    ;; t = y + 1.5·2²³ rounds y to an integer n in t's low mantissa bits; f = y − n.
    (local.set $t (f32x4.add (local.get $y) (f32x4.splat (f32.const 12582912.0))))
    (local.set $f (f32x4.sub (local.get $y) (f32x4.sub (local.get $t) (f32x4.splat (f32.const 12582912.0)))))
    (local.set $p (f32x4.splat (f32.const 1.535336188319500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 1.339887440266574e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 9.618437357674640e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 5.550332471162809e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 2.402264791363012e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 6.931472028550421e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 1.0))))
    ;; 2ⁿ from t's bits: (n + 127) << 23, the 1.5·2²³ bits shifting out (n = −127 gives the bits of 0).
    (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $t) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; The largest of four lanes (NaN if any is).
  (func $laneMax (param $v v128) (result f32)
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.max (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; The sum of four lanes.
  (func $laneSum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

;; Each of `rows` rows of `width` float32 at x becomes softmax(scale · row), max-shifted.
  (func (export "softmaxRows") (param $x i32) (param $rows i32) (param $width i32) (param $scale f64)
    (local $row i32) (local $p i32) (local $end i32) (local $vectorEnd i32) (local $a f32)
    (local $s v128) (local $m v128) (local $sum v128) (local $y v128) (local $t v128) (local $f v128) (local $e v128)
    (local $max f32) (local $total f32) (local $inverse f32)
    ;; y = x · scale·log₂e, so that e^(scale·x − max) = 2^(y − max y).
    (local.set $a (f32.demote_f64 (f64.mul (local.get $scale) (f64.const 1.4426950408889634))))
    (local.set $s (f32x4.splat (local.get $a)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $end (i32.add (local.get $x) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $vectorEnd (i32.add (local.get $x) (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2))))
        ;; The row's largest y. pmax (one maxps) skips a NaN y, which is fine: its
        ;; exponential below is NaN, and so is the row's sum and every output.
        (local.set $m (f32x4.splat (f32.const -inf)))
        (local.set $max (f32.const -inf))
        (local.set $p (local.get $x))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
            (local.set $m (f32x4.pmax (local.get $m) (f32x4.mul (v128.load (local.get $p)) (local.get $s))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $next)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $max (f32.max (local.get $max) (f32.mul (f32.load (local.get $p)) (local.get $a))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $next)))
        (local.set $max (f32.max (local.get $max) (call $laneMax (local.get $m))))
        ;; e = 2^(y − max), written over x, and its sum.
        (local.set $m (f32x4.splat (local.get $max)))
        (local.set $sum (v128.const i32x4 0 0 0 0))
        (local.set $p (local.get $x))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
            ;; $exp2, written out.
            (local.set $y (f32x4.pmax
              (f32x4.sub (f32x4.mul (v128.load (local.get $p)) (local.get $s)) (local.get $m))
              (f32x4.splat (f32.const -127.0))))
            (local.set $t (f32x4.add (local.get $y) (f32x4.splat (f32.const 12582912.0))))
            (local.set $f (f32x4.sub (local.get $y) (f32x4.sub (local.get $t) (f32x4.splat (f32.const 12582912.0)))))
            (local.set $e (f32x4.splat (f32.const 1.535336188319500e-4)))
            (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (f32x4.splat (f32.const 1.339887440266574e-3))))
            (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (f32x4.splat (f32.const 9.618437357674640e-3))))
            (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (f32x4.splat (f32.const 5.550332471162809e-2))))
            (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (f32x4.splat (f32.const 2.402264791363012e-1))))
            (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (f32x4.splat (f32.const 6.931472028550421e-1))))
            (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (f32x4.splat (f32.const 1.0))))
            (local.set $e (f32x4.mul (local.get $e)
              (i32x4.shl (i32x4.add (local.get $t) (i32x4.splat (i32.const 127))) (i32.const 23))))
            (v128.store (local.get $p) (local.get $e))
            (local.set $sum (f32x4.add (local.get $sum) (local.get $e)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $next)))
        (local.set $total (call $laneSum (local.get $sum)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $e (call $exp2 (f32x4.splat (f32.sub (f32.mul (f32.load (local.get $p)) (local.get $a)) (local.get $max)))))
            (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $e)))
            (local.set $total (f32.add (local.get $total) (f32x4.extract_lane 0 (local.get $e))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $next)))
        ;; One division per row, as PyTorch's kernel does.
        (local.set $inverse (f32.div (f32.const 1.0) (local.get $total)))
        (local.set $sum (f32x4.splat (local.get $inverse)))
        (local.set $p (local.get $x))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
            (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $sum)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $next)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (local.get $inverse)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $next)))
        (local.set $x (local.get $end))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $nextRow))))

  ;; The softmax gradient, in place over g: each row of `width` float32 of g
  ;; (the output's gradient) and y (the softmax output) gives
  ;; scale · y · (g − Σ g·y).
  (func (export "softmaxBackwardRows") (param $g i32) (param $y i32) (param $rows i32) (param $width i32) (param $scale f32)
    (local $row i32) (local $p i32) (local $q i32) (local $end i32) (local $vectorEnd i32)
    (local $s v128) (local $t v128) (local $d v128) (local $dot f32)
    (local.set $s (f32x4.splat (local.get $scale)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $end (i32.add (local.get $g) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $vectorEnd (i32.add (local.get $g) (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2))))
        ;; Σ g·y.
        (local.set $t (v128.const i32x4 0 0 0 0))
        (local.set $p (local.get $g))
        (local.set $q (local.get $y))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
            (local.set $t (f32x4.add (local.get $t) (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $next)))
        (local.set $dot (call $laneSum (local.get $t)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $dot (f32.add (local.get $dot) (f32.mul (f32.load (local.get $p)) (f32.load (local.get $q)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $next)))
        ;; g ← (scale · y) · (g − dot).
        (local.set $d (f32x4.splat (local.get $dot)))
        (local.set $p (local.get $g))
        (local.set $q (local.get $y))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
            (v128.store (local.get $p)
              (f32x4.mul (f32x4.mul (local.get $s) (v128.load (local.get $q))) (f32x4.sub (v128.load (local.get $p)) (local.get $d))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $next)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (f32.store (local.get $p)
              (f32.mul (f32.mul (local.get $scale) (f32.load (local.get $q))) (f32.sub (f32.load (local.get $p)) (local.get $dot))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $next)))
        (local.set $g (local.get $end))
        (local.set $y (i32.add (local.get $y) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $nextRow))))

  ;; Moves runs of `width` float32: for o < outer, i < inner, the run read
  ;; at src + o·srcOuter + i·srcInner with `step` between its elements is
  ;; written contiguously at dst + o·dstOuter + i·dstInner (strides in
  ;; elements). Runs with step 1 move four floats at a time (a head's 32
  ;; floats are 8 moves).
  (func (export "moveRuns")
    (param $src i32) (param $dst i32) (param $outer i32) (param $srcOuter i32) (param $dstOuter i32)
    (param $inner i32) (param $srcInner i32) (param $dstInner i32) (param $width i32) (param $step i32)
    (local $o i32) (local $i i32) (local $p i32) (local $q i32) (local $end i32) (local $vectorEnd i32)
    (local.set $srcOuter (i32.shl (local.get $srcOuter) (i32.const 2)))
    (local.set $dstOuter (i32.shl (local.get $dstOuter) (i32.const 2)))
    (local.set $srcInner (i32.shl (local.get $srcInner) (i32.const 2)))
    (local.set $dstInner (i32.shl (local.get $dstInner) (i32.const 2)))
    (local.set $step (i32.shl (local.get $step) (i32.const 2)))
    (block $outerDone
      (loop $nextOuter
        (br_if $outerDone (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $i (i32.const 0))
        (block $innerDone
          (loop $nextInner
            (br_if $innerDone (i32.ge_u (local.get $i) (local.get $inner)))
            (local.set $p (i32.add (local.get $src)
              (i32.add (i32.mul (local.get $o) (local.get $srcOuter)) (i32.mul (local.get $i) (local.get $srcInner)))))
            (local.set $q (i32.add (local.get $dst)
              (i32.add (i32.mul (local.get $o) (local.get $dstOuter)) (i32.mul (local.get $i) (local.get $dstInner)))))
            (local.set $end (i32.add (local.get $q) (i32.shl (local.get $width) (i32.const 2))))
            (if (i32.eq (local.get $step) (i32.const 4))
              (then
                (local.set $vectorEnd (i32.add (local.get $q) (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2))))
                (block $done
                  (loop $next
                    (br_if $done (i32.ge_u (local.get $q) (local.get $vectorEnd)))
                    (v128.store (local.get $q) (v128.load (local.get $p)))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (local.set $q (i32.add (local.get $q) (i32.const 16)))
                    (br $next)))))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
                (f32.store (local.get $q) (f32.load (local.get $p)))
                (local.set $p (i32.add (local.get $p) (local.get $step)))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (br $next)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $nextInner)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $nextOuter))))
)
