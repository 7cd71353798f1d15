;; Float32 normalization loops in WebAssembly SIMD: layer norm's rows and
;; batch norm's channels, forward and backward. norm-wasm.ts copies the
;; operands into this module's memory, calls one export, and copies the
;; results out.
;;
;; Every sum is accumulated in float64 (each float32x4 promoted to two
;; float64x2), as the TypeScript kernels do; the elementwise maps run in
;; float32x4. Pointers are byte offsets; float32 arrays need no alignment.
;; Bytes [0, 16) are scratch for the two sums of $gradientSums.
;;
;; A center (a mean) is passed as two float32, high + low, with high the
;; float32 nearest the float64 mean and low the rest: (x − high) is exact
;; for x near the mean, so (x − high) − low keeps float32's relative
;; precision even when the mean is large next to the spread (values around
;; 1000 with a spread of 0.01 would otherwise lose three digits).
(module
  (memory (export "memory") 1)

  ;; Both lanes of a float64x2 added.
  (func $lanes (param $v v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))

  ;; Σ x over the n float32 at p.
  (func $sum (param $p i32) (param $n i32) (result f64)
    (local $end i32) (local $vectorEnd i32) (local $v v128) (local $a v128) (local $b v128) (local $s f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vectorEnd (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $a (f64x2.add (local.get $a) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $b (f64x2.add (local.get $b) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $next)))
    (f64.add (local.get $s) (call $lanes (f64x2.add (local.get $a) (local.get $b)))))

  ;; Σ (x − center)² over the n float32 at p, all in float64 (the statistics match the TypeScript kernels').
  (func $squaredDeviation (param $p i32) (param $n i32) (param $center f64) (result f64)
    (local $end i32) (local $vectorEnd i32) (local $c v128) (local $v v128) (local $low v128) (local $high v128)
    (local $a v128) (local $b v128) (local $s f64) (local $e f64)
    (local.set $c (f64x2.splat (local.get $center)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vectorEnd (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $vectorEnd)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $low (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $c)))
        (local.set $high (f64x2.sub
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
          (local.get $c)))
        (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $low) (local.get $low))))
        (local.set $b (f64x2.add (local.get $b) (f64x2.mul (local.get $high) (local.get $high))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $e (f64.sub (f64.promote_f32 (f32.load (local.get $p))) (local.get $center)))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $e) (local.get $e))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $next)))
    (f64.add (local.get $s) (call $lanes (f64x2.add (local.get $a) (local.get $b)))))

  ;; y = (x − center) · scale + shift over n float32 (y may be x).
  (func $affine (param $x i32) (param $y i32) (param $n i32) (param $center f32) (param $centerLow f32) (param $scale f32) (param $shift f32)
    (local $i i32) (local $bytes i32) (local $vectorBytes i32) (local $c v128) (local $cl v128) (local $a v128) (local $b v128)
    (local.set $cl (f32x4.splat (local.get $centerLow)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorBytes (i32.and (local.get $bytes) (i32.const -16)))
    (local.set $c (f32x4.splat (local.get $center)))
    (local.set $a (f32x4.splat (local.get $scale)))
    (local.set $b (f32x4.splat (local.get $shift)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectorBytes)))
        (v128.store (i32.add (local.get $y) (local.get $i))
          (f32x4.add
            (f32x4.mul (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $c)) (local.get $cl)) (local.get $a))
            (local.get $b)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (f32.store (i32.add (local.get $y) (local.get $i))
          (f32.add
            (f32.mul (f32.sub (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $center)) (local.get $centerLow))
              (local.get $scale))
            (local.get $shift)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; Stores Σ g at byte 0 and Σ g · (x − center) at byte 8, over n float32 of x and g.
  (func $gradientSums (param $x i32) (param $g i32) (param $n i32) (param $center f32) (param $centerLow f32)
    (local $i i32) (local $bytes i32) (local $vectorBytes i32) (local $c v128) (local $cl v128) (local $gv v128) (local $p v128)
    (local $ga v128) (local $gb v128) (local $pa v128) (local $pb v128) (local $gs f64) (local $ps f64) (local $gradient f32)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorBytes (i32.and (local.get $bytes) (i32.const -16)))
    (local.set $c (f32x4.splat (local.get $center)))
    (local.set $cl (f32x4.splat (local.get $centerLow)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectorBytes)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $p (f32x4.mul (local.get $gv)
          (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $c)) (local.get $cl))))
        (local.set $ga (f64x2.add (local.get $ga) (f64x2.promote_low_f32x4 (local.get $gv))))
        (local.set $gb (f64x2.add (local.get $gb) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gv) (local.get $gv)))))
        (local.set $pa (f64x2.add (local.get $pa) (f64x2.promote_low_f32x4 (local.get $p))))
        (local.set $pb (f64x2.add (local.get $pb) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p) (local.get $p)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $gradient (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $gs (f64.add (local.get $gs) (f64.promote_f32 (local.get $gradient))))
        (local.set $ps (f64.add (local.get $ps) (f64.promote_f32
          (f32.mul (local.get $gradient)
            (f32.sub (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $center)) (local.get $centerLow))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (f64.store (i32.const 0) (f64.add (local.get $gs) (call $lanes (f64x2.add (local.get $ga) (local.get $gb)))))
    (f64.store (i32.const 8) (f64.add (local.get $ps) (call $lanes (f64x2.add (local.get $pa) (local.get $pb))))))

  ;; out = g · a + (x − center) · b + k over n float32 (out may be g or x).
  (func $backwardInput (param $x i32) (param $g i32) (param $out i32) (param $n i32)
    (param $center f32) (param $centerLow f32) (param $a f32) (param $b f32) (param $k f32)
    (local $i i32) (local $bytes i32) (local $vectorBytes i32) (local $cv v128) (local $cl v128) (local $av v128) (local $bv v128) (local $kv v128)
    (local.set $cl (f32x4.splat (local.get $centerLow)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorBytes (i32.and (local.get $bytes) (i32.const -16)))
    (local.set $cv (f32x4.splat (local.get $center)))
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $bv (f32x4.splat (local.get $b)))
    (local.set $kv (f32x4.splat (local.get $k)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectorBytes)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.add
            (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $av))
              (f32x4.mul (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $cv)) (local.get $cl))
                (local.get $bv)))
            (local.get $kv)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.add
            (f32.add
              (f32.mul (f32.load (i32.add (local.get $g) (local.get $i))) (local.get $a))
              (f32.mul (f32.sub (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $center)) (local.get $centerLow))
                (local.get $b)))
            (local.get $k)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; Layer norm forward over rows of len float32 at x, written to y (may be x):
  ;; y = (x − mean) · invstd · w + b, with w and b len float32 each; each row's
  ;; mean and invstd = 1 / √(biased variance + eps) stored as float64 at mean and invstd.
  (func (export "layerNormForward")
    (param $x i32) (param $y i32) (param $rows i32) (param $len i32) (param $w i32) (param $b i32)
    (param $eps f64) (param $meanOut i32) (param $invstdOut i32)
    (local $row i32) (local $i i32) (local $bytes i32) (local $vectorBytes i32) (local $m f64) (local $r f64)
    (local $m32 f32) (local $ml f32) (local $r32 f32) (local $mv v128) (local $mlv v128) (local $rv v128)
    (local.set $bytes (i32.shl (local.get $len) (i32.const 2)))
    (local.set $vectorBytes (i32.and (local.get $bytes) (i32.const -16)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $m (f64.div (call $sum (local.get $x) (local.get $len)) (f64.convert_i32_u (local.get $len))))
        (local.set $m32 (f32.demote_f64 (local.get $m)))
        (local.set $ml (f32.demote_f64 (f64.sub (local.get $m) (f64.promote_f32 (local.get $m32)))))
        (local.set $r (f64.div (f64.const 1) (f64.sqrt (f64.add
          (f64.div (call $squaredDeviation (local.get $x) (local.get $len) (local.get $m))
            (f64.convert_i32_u (local.get $len)))
          (local.get $eps)))))
        (local.set $r32 (f32.demote_f64 (local.get $r)))
        (f64.store (i32.add (local.get $meanOut) (i32.shl (local.get $row) (i32.const 3))) (local.get $m))
        (f64.store (i32.add (local.get $invstdOut) (i32.shl (local.get $row) (i32.const 3))) (local.get $r))
        (local.set $mv (f32x4.splat (local.get $m32)))
        (local.set $mlv (f32x4.splat (local.get $ml)))
        (local.set $rv (f32x4.splat (local.get $r32)))
        (local.set $i (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $vectorBytes)))
            (v128.store (i32.add (local.get $y) (local.get $i))
              (f32x4.add
                (f32x4.mul
                  (f32x4.mul
                    (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $mv)) (local.get $mlv))
                    (local.get $rv))
                  (v128.load (i32.add (local.get $w) (local.get $i))))
                (v128.load (i32.add (local.get $b) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $next)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
            (f32.store (i32.add (local.get $y) (local.get $i))
              (f32.add
                (f32.mul
                  (f32.mul
                    (f32.sub (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $m32)) (local.get $ml))
                    (local.get $r32))
                  (f32.load (i32.add (local.get $w) (local.get $i))))
                (f32.load (i32.add (local.get $b) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $next)))
        (local.set $x (i32.add (local.get $x) (local.get $bytes)))
        (local.set $y (i32.add (local.get $y) (local.get $bytes)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $nextRow))))

  ;; Adds the n float32 at partial, promoted, to the n float64 at sums, and zeroes partial.
  (func $flushColumns (param $partial i32) (param $sums i32) (param $n i32)
    (local $i i32) (local $bytes i32) (local $vectorBytes i32) (local $v v128) (local $at i32)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorBytes (i32.and (local.get $bytes) (i32.const -16)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $vectorBytes)))
        (local.set $v (v128.load (i32.add (local.get $partial) (local.get $i))))
        (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $i) (i32.const 1))))
        (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (f64x2.promote_low_f32x4 (local.get $v))))
        (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (v128.store (i32.add (local.get $partial) (local.get $i)) (v128.const i64x2 0 0))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $at (i32.add (local.get $sums) (i32.shl (local.get $i) (i32.const 1))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.promote_f32 (f32.load (i32.add (local.get $partial) (local.get $i))))))
        (f32.store (i32.add (local.get $partial) (local.get $i)) (f32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; Layer norm backward over rows of len float32 of x and g (w: len float32;
  ;; mean, invstd: float64 per row). Adds Σ g·x̂ and Σ g per column to the
  ;; float64 arrays at weightSums and biasSums, through float32 partial sums
  ;; of 16 rows at partialWeight and partialBias (len float32 each, zero on
  ;; entry and on return: one float32 add per element where float64 would
  ;; take two loads, two adds and two stores); with needInput, writes
  ;; gradInput = invstd · (g·w − mean(g·w) − x̂ · mean(g·w·x̂)) to out (may be g).
  (func (export "layerNormBackward")
    (param $x i32) (param $g i32) (param $out i32) (param $rows i32) (param $len i32) (param $w i32)
    (param $meanIn i32) (param $invstdIn i32) (param $weightSums i32) (param $biasSums i32)
    (param $partialWeight i32) (param $partialBias i32) (param $needInput i32)
    (local $row i32) (local $i i32) (local $bytes i32) (local $vectorBytes i32) (local $r f64) (local $m f64)
    (local $m32 f32) (local $ml f32) (local $r32 f32) (local $mv v128) (local $mlv v128) (local $rv v128)
    (local $gv v128) (local $xh v128) (local $gw v128) (local $av v128) (local $ab v128) (local $cv v128) (local $cb v128)
    (local $as f64) (local $cs f64) (local $gradient f32) (local $normalized f32) (local $weighted f32)
    (local $centered f32) (local $constant f32) (local $column i32)
    (local.set $bytes (i32.shl (local.get $len) (i32.const 2)))
    (local.set $vectorBytes (i32.and (local.get $bytes) (i32.const -16)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $m (f64.load (i32.add (local.get $meanIn) (i32.shl (local.get $row) (i32.const 3)))))
        (local.set $m32 (f32.demote_f64 (local.get $m)))
        (local.set $ml (f32.demote_f64 (f64.sub (local.get $m) (f64.promote_f32 (local.get $m32)))))
        (local.set $mlv (f32x4.splat (local.get $ml)))
        (local.set $r (f64.load (i32.add (local.get $invstdIn) (i32.shl (local.get $row) (i32.const 3)))))
        (local.set $r32 (f32.demote_f64 (local.get $r)))
        (local.set $mv (f32x4.splat (local.get $m32)))
        (local.set $rv (f32x4.splat (local.get $r32)))
        (local.set $av (v128.const i64x2 0 0))
        (local.set $ab (v128.const i64x2 0 0))
        (local.set $cv (v128.const i64x2 0 0))
        (local.set $cb (v128.const i64x2 0 0))
        (local.set $as (f64.const 0))
        (local.set $cs (f64.const 0))
        (local.set $i (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $vectorBytes)))
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
            (local.set $xh (f32x4.mul
              (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $mv)) (local.get $mlv)) (local.get $rv)))
            (local.set $gw (f32x4.mul (local.get $gv) (v128.load (i32.add (local.get $w) (local.get $i)))))
            (local.set $av (f64x2.add (local.get $av) (f64x2.promote_low_f32x4 (local.get $gw))))
            (local.set $ab (f64x2.add (local.get $ab) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gw) (local.get $gw)))))
            (local.set $gw (f32x4.mul (local.get $gw) (local.get $xh)))
            (local.set $cv (f64x2.add (local.get $cv) (f64x2.promote_low_f32x4 (local.get $gw))))
            (local.set $cb (f64x2.add (local.get $cb) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gw) (local.get $gw)))))
            (local.set $column (i32.add (local.get $partialWeight) (local.get $i)))
            (v128.store (local.get $column) (f32x4.add (v128.load (local.get $column)) (f32x4.mul (local.get $gv) (local.get $xh))))
            (local.set $column (i32.add (local.get $partialBias) (local.get $i)))
            (v128.store (local.get $column) (f32x4.add (v128.load (local.get $column)) (local.get $gv)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $next)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $gradient (f32.load (i32.add (local.get $g) (local.get $i))))
            (local.set $normalized (f32.mul
              (f32.sub (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $m32)) (local.get $ml)) (local.get $r32)))
            (local.set $weighted (f32.mul (local.get $gradient) (f32.load (i32.add (local.get $w) (local.get $i)))))
            (local.set $as (f64.add (local.get $as) (f64.promote_f32 (local.get $weighted))))
            (local.set $cs (f64.add (local.get $cs) (f64.promote_f32 (f32.mul (local.get $weighted) (local.get $normalized)))))
            (local.set $column (i32.add (local.get $partialWeight) (local.get $i)))
            (f32.store (local.get $column) (f32.add (f32.load (local.get $column)) (f32.mul (local.get $gradient) (local.get $normalized))))
            (local.set $column (i32.add (local.get $partialBias) (local.get $i)))
            (f32.store (local.get $column) (f32.add (f32.load (local.get $column)) (local.get $gradient)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $next)))
        (if (local.get $needInput)
          (then
            (local.set $as (f64.add (local.get $as) (call $lanes (f64x2.add (local.get $av) (local.get $ab)))))
            (local.set $cs (f64.add (local.get $cs) (call $lanes (f64x2.add (local.get $cv) (local.get $cb)))))
            ;; gradInput = g · (w·r) + (x − mean) · (−r³·Σgwx̂/len) + (−r·Σgw/len), the TypeScript kernel's form.
            (local.set $centered (f32.demote_f64 (f64.div
              (f64.mul (f64.neg (f64.mul (local.get $r) (local.get $r))) (local.get $cs)) (f64.convert_i32_u (local.get $len)))))
            (local.set $constant (f32.demote_f64 (f64.div
              (f64.mul (f64.neg (local.get $r)) (local.get $as)) (f64.convert_i32_u (local.get $len)))))
            (local.set $av (f32x4.splat (local.get $centered)))
            (local.set $cv (f32x4.splat (local.get $constant)))
            (local.set $i (i32.const 0))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $i) (local.get $vectorBytes)))
                (v128.store (i32.add (local.get $out) (local.get $i))
                  (f32x4.add
                    (f32x4.add
                      (f32x4.mul
                        (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $rv))
                        (v128.load (i32.add (local.get $w) (local.get $i))))
                      (f32x4.mul
                        (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (local.get $mv)) (local.get $mlv))
                        (local.get $av)))
                    (local.get $cv)))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $next)))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
                (f32.store (i32.add (local.get $out) (local.get $i))
                  (f32.add
                    (f32.add
                      (f32.mul
                        (f32.mul (f32.load (i32.add (local.get $g) (local.get $i))) (local.get $r32))
                        (f32.load (i32.add (local.get $w) (local.get $i))))
                      (f32.mul
                        (f32.sub (f32.sub (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $m32)) (local.get $ml))
                        (local.get $centered)))
                    (local.get $constant)))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $next)))))
        (if (i32.or
              (i32.eq (i32.and (local.get $row) (i32.const 15)) (i32.const 15))
              (i32.eq (i32.add (local.get $row) (i32.const 1)) (local.get $rows)))
          (then
            (call $flushColumns (local.get $partialWeight) (local.get $weightSums) (local.get $len))
            (call $flushColumns (local.get $partialBias) (local.get $biasSums) (local.get $len))))
        (local.set $x (i32.add (local.get $x) (local.get $bytes)))
        (local.set $g (i32.add (local.get $g) (local.get $bytes)))
        (local.set $out (i32.add (local.get $out) (local.get $bytes)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $nextRow))))

;; Batch statistics of [batch, channels, spatial] float32 at x, samples
  ;; firstSample, firstSample + 1, ... of a larger batch: merges each plane's
  ;; mean and sum of squared deviations, with Chan's update, into each
  ;; channel's running mean and sum of squared deviations (float64 at mean
  ;; and m2, zero before the first sample; the variance is m2 / count).
  (func (export "channelMoments")
    (param $x i32) (param $batch i32) (param $channels i32) (param $spatial i32) (param $firstSample i32)
    (param $meanState i32) (param $m2State i32)
    (local $c i32) (local $n i32) (local $plane i32) (local $m f64) (local $m2 f64) (local $planeMean f64) (local $planeM2 f64)
    (local $seen f64) (local $fraction f64) (local $delta f64) (local $s f64)
    (local.set $s (f64.convert_i32_u (local.get $spatial)))
    (block $channelsDone
      (loop $nextChannel
        (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $channels)))
        (local.set $m (f64.load (i32.add (local.get $meanState) (i32.shl (local.get $c) (i32.const 3)))))
        (local.set $m2 (f64.load (i32.add (local.get $m2State) (i32.shl (local.get $c) (i32.const 3)))))
        (local.set $n (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $n) (local.get $batch)))
            (local.set $plane (i32.add (local.get $x) (i32.shl
              (i32.mul (i32.add (i32.mul (local.get $n) (local.get $channels)) (local.get $c)) (local.get $spatial))
              (i32.const 2))))
            (local.set $planeMean (f64.div (call $sum (local.get $plane) (local.get $spatial)) (local.get $s)))
            (local.set $planeM2 (call $squaredDeviation (local.get $plane) (local.get $spatial) (local.get $planeMean)))
            (local.set $seen (f64.mul (f64.convert_i32_u (i32.add (local.get $firstSample) (local.get $n))) (local.get $s)))
            (local.set $fraction (f64.div (local.get $s) (f64.add (local.get $seen) (local.get $s))))
            (local.set $delta (f64.sub (local.get $planeMean) (local.get $m)))
            (local.set $m (f64.add (local.get $m) (f64.mul (local.get $delta) (local.get $fraction))))
            (local.set $m2 (f64.add (local.get $m2) (f64.add (local.get $planeM2)
              (f64.mul (f64.mul (f64.mul (local.get $delta) (local.get $delta)) (local.get $seen)) (local.get $fraction)))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $next)))
        (f64.store (i32.add (local.get $meanState) (i32.shl (local.get $c) (i32.const 3))) (local.get $m))
        (f64.store (i32.add (local.get $m2State) (i32.shl (local.get $c) (i32.const 3))) (local.get $m2))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $nextChannel))))

  ;; The channel loops read per-channel float32 coefficients from one block at
  ;; $coefficients: the center's high part at byte 0, its low part at 4C, then
  ;; the loop's own coefficients at 8C, 12C, 16C (C = channels).

  ;; y = (x − center[c]) · scale[c] + shift[c] on every plane of [batch, channels, spatial] (y may be x);
  ;; scale at 8C, shift at 12C of the coefficients.
  (func (export "channelAffine")
    (param $x i32) (param $y i32) (param $batch i32) (param $channels i32) (param $spatial i32) (param $coefficients i32)
    (local $n i32) (local $c i32) (local $plane i32) (local $at i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $channels) (i32.const 2)))
    (block $batchDone
      (loop $nextSample
        (br_if $batchDone (i32.ge_u (local.get $n) (local.get $batch)))
        (local.set $c (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $c) (local.get $channels)))
            (local.set $plane (i32.shl
              (i32.mul (i32.add (i32.mul (local.get $n) (local.get $channels)) (local.get $c)) (local.get $spatial))
              (i32.const 2)))
            (local.set $at (i32.add (local.get $coefficients) (i32.shl (local.get $c) (i32.const 2))))
            (call $affine
              (i32.add (local.get $x) (local.get $plane)) (i32.add (local.get $y) (local.get $plane)) (local.get $spatial)
              (f32.load (local.get $at))
              (f32.load (i32.add (local.get $at) (local.get $stride)))
              (f32.load (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 1))))
              (f32.load (i32.add (local.get $at) (i32.mul (local.get $stride) (i32.const 3)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $next)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nextSample))))

  ;; Per channel of [batch, channels, spatial] x and g: Σ g and Σ g · (x − center[c]),
  ;; added to the float64 at sumG and sumGX (so a batch can come in chunks of samples).
  (func (export "channelGradientSums")
    (param $x i32) (param $g i32) (param $batch i32) (param $channels i32) (param $spatial i32)
    (param $coefficients i32) (param $sumG i32) (param $sumGX i32)
    (local $c i32) (local $n i32) (local $plane i32) (local $m f32) (local $ml f32) (local $gs f64) (local $ps f64)
    (block $channelsDone
      (loop $nextChannel
        (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $channels)))
        (local.set $m (f32.load (i32.add (local.get $coefficients) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $ml (f32.load (i32.add (local.get $coefficients) (i32.shl (i32.add (local.get $c) (local.get $channels)) (i32.const 2)))))
        (local.set $gs (f64.load (i32.add (local.get $sumG) (i32.shl (local.get $c) (i32.const 3)))))
        (local.set $ps (f64.load (i32.add (local.get $sumGX) (i32.shl (local.get $c) (i32.const 3)))))
        (local.set $n (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $n) (local.get $batch)))
            (local.set $plane (i32.shl
              (i32.mul (i32.add (i32.mul (local.get $n) (local.get $channels)) (local.get $c)) (local.get $spatial))
              (i32.const 2)))
            (call $gradientSums
              (i32.add (local.get $x) (local.get $plane)) (i32.add (local.get $g) (local.get $plane)) (local.get $spatial)
              (local.get $m) (local.get $ml))
            (local.set $gs (f64.add (local.get $gs) (f64.load (i32.const 0))))
            (local.set $ps (f64.add (local.get $ps) (f64.load (i32.const 8))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $next)))
        (f64.store (i32.add (local.get $sumG) (i32.shl (local.get $c) (i32.const 3))) (local.get $gs))
        (f64.store (i32.add (local.get $sumGX) (i32.shl (local.get $c) (i32.const 3))) (local.get $ps))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $nextChannel))))

  ;; out = g · a[c] + (x − center[c]) · b[c] + k[c] on every plane (out may be g);
  ;; a at 8C, b at 12C, k at 16C of the coefficients.
  (func (export "channelBackwardInput")
    (param $x i32) (param $g i32) (param $out i32) (param $batch i32) (param $channels i32) (param $spatial i32)
    (param $coefficients i32)
    (local $n i32) (local $c i32) (local $plane i32) (local $at i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $channels) (i32.const 2)))
    (block $batchDone
      (loop $nextSample
        (br_if $batchDone (i32.ge_u (local.get $n) (local.get $batch)))
        (local.set $c (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $c) (local.get $channels)))
            (local.set $plane (i32.shl
              (i32.mul (i32.add (i32.mul (local.get $n) (local.get $channels)) (local.get $c)) (local.get $spatial))
              (i32.const 2)))
            (local.set $at (i32.add (local.get $coefficients) (i32.shl (local.get $c) (i32.const 2))))
            (call $backwardInput
              (i32.add (local.get $x) (local.get $plane)) (i32.add (local.get $g) (local.get $plane))
              (i32.add (local.get $out) (local.get $plane)) (local.get $spatial)
              (f32.load (local.get $at))
              (f32.load (i32.add (local.get $at) (local.get $stride)))
              (f32.load (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 1))))
              (f32.load (i32.add (local.get $at) (i32.mul (local.get $stride) (i32.const 3))))
              (f32.load (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 2)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $next)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nextSample))))
)
