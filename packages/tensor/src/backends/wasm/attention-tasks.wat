  ;; Attention products and their softmax, per (sample, head), on the
  ;; functions of gemm.wat: scripts/build-wasm.mjs splices this file into
  ;; gemm.wat's module, so the tasks share its packing, micro-kernel, shared
  ;; memory and worker pool. One task computes whole heads, so the scores
  ;; [L, S] of a head go from the product to the softmax to the next product
  ;; inside wasm memory, never through JavaScript arrays.
  ;;
  ;; The softmax works in base 2, in float32 as PyTorch's vectorized CPU
  ;; softmax does: the row is scaled by a = scale·log₂e (so e^(scale·x − max)
  ;; = 2^(y − max y)), y is split into an integer n (rounded with the 1.5·2²³
  ;; trick, whose bits also give 2ⁿ) and f ∈ [−½, ½], and 2ᶠ is Cephes
  ;; exp2f's degree-6 polynomial, good to 1e-7 relative.
  ;;
  ;; An attention job descriptor at $job holds (byte offsets; i32 unless said):
  ;;   0 L, 4 S, 8 E (query and key features), 12 Ev (value features),
  ;;   16/20 query row/column stride, 24/28 key's, 32/36 value's,
  ;;   40/44 first mask's, 48/52 second mask's (elements), 56 masks (0, 1 or 2),
  ;;   60 table, 64 privateBase, 68 privateStride, 72 batches, 76 batchesPerTask,
  ;;   80 mcBlock, 84 kcBlock, 88 ncBlock, 92 scale (f32),
  ;;   96/100 output gradient's row/column stride (backward), 104 dropout (1:
  ;;   the weights are multiplied by the dropout noise before ·v).
  ;; The table has 48 bytes per head: the addresses of q, k, v, the output
  ;; (forward) or dq (backward), the weights [L, S] (dense rows: written by
  ;; the forward, read by the backward; before dropout), the first mask or
  ;; (backward) the output gradient, the second mask or dk, dv, and the
  ;; dropout noise [L, S] (dense rows: 0 or 1/(1 − p)). Thread `slot` owns
  ;; 128 bytes of edge scratch at privateBase + slot·privateStride, an
  ;; mcBlock×kcBlock A buffer, a kcBlock×ncBlock B buffer, then (backward)
  ;; an L×S buffer for the scores' gradient and (with dropout) an L×S buffer
  ;; for the weights after dropout.

  ;; 2ʸ, lane by lane, for y ≤ 0, −∞ or NaN: NaN stays NaN, anything at or
  ;; below −126.5 (where 2ʸ is under float32's smallest normal) gives 0. The
  ;; vector loop of $softmaxRows has it written out; this serves the rows'
  ;; last, scalar, elements.
  (func $exp2 (param $y v128) (result v128)
    (local $t v128) (local $f v128) (local $p v128)
    ;; pmax(y, c) = y < c ? c : y clamps −∞ and keeps NaN (the comparison is
    ;; false); unlike f32x4.max it is one maxps on x64.
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
    ;; 2ⁿ from t's bits: (n + 127) << 23 (n = −127 gives the bits of 0).
    (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $t) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; The largest of four lanes (NaN if any is), and the sum of four lanes.
  (func $laneMax (param $v v128) (result f32)
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.max (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))
  (func $laneSum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Each of `rows` dense rows of `width` float32 at x becomes
  ;; softmax(scale · row), max-shifted; $a is scale·log₂e.
  (func $softmaxRows (param $x i32) (param $rows i32) (param $width i32) (param $a f32)
    (local $row i32) (local $p i32) (local $end i32) (local $vectorEnd i32)
    (local $s v128) (local $m v128) (local $sum v128) (local $e v128) (local $y v128) (local $t v128) (local $f v128)
    (local $max f32) (local $total f32) (local $inverse f32)
    (local.set $s (f32x4.splat (local.get $a)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $end (i32.add (local.get $x) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $vectorEnd (i32.add (local.get $x) (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2))))
        ;; The row's largest y. pmax skips a NaN y, which is fine: its
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
            ;; $exp2, written out: V8 does not inline wasm calls, and a call costs as much as the exponential.
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

  ;; scale · scores + masks over the L×S dense scores at x: mask q's element
  ;; [i][j] at mq + 4·(i·rsq + j·csq); the second mask only when $masks is 2.
  (func $addMasks (param $x i32) (param $rows i32) (param $width i32) (param $scale f32) (param $masks i32)
    (param $m1 i32) (param $rs1 i32) (param $cs1 i32) (param $m2 i32) (param $rs2 i32) (param $cs2 i32)
    (local $i i32) (local $j i32) (local $p i32) (local $q1 i32) (local $q2 i32) (local $value f32)
    (local.set $rs1 (i32.shl (local.get $rs1) (i32.const 2)))
    (local.set $cs1 (i32.shl (local.get $cs1) (i32.const 2)))
    (local.set $rs2 (i32.shl (local.get $rs2) (i32.const 2)))
    (local.set $cs2 (i32.shl (local.get $cs2) (i32.const 2)))
    (local.set $p (local.get $x))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $q1 (i32.add (local.get $m1) (i32.mul (local.get $i) (local.get $rs1))))
        (local.set $q2 (i32.add (local.get $m2) (i32.mul (local.get $i) (local.get $rs2))))
        (local.set $j (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $j) (local.get $width)))
            (local.set $value (f32.add (f32.mul (f32.load (local.get $p)) (local.get $scale)) (f32.load (local.get $q1))))
            (if (i32.eq (local.get $masks) (i32.const 2))
              (then (local.set $value (f32.add (local.get $value) (f32.load (local.get $q2))))))
            (f32.store (local.get $p) (local.get $value))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $q1 (i32.add (local.get $q1) (local.get $cs1)))
            (local.set $q2 (i32.add (local.get $q2) (local.get $cs2)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $next)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextRow))))

  ;; The softmax gradient, in place over the dense rows at g (the weights'
  ;; gradient) with the weights y: scale · y · (g − Σ g·y), row by row.
  (func $softmaxBackwardRows (param $g i32) (param $y i32) (param $rows i32) (param $width i32) (param $scale f32)
    (local $row i32) (local $p i32) (local $q i32) (local $end i32) (local $vectorEnd i32)
    (local $s v128) (local $t v128) (local $d v128) (local $dot f32)
    (local.set $s (f32x4.splat (local.get $scale)))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $end (i32.add (local.get $g) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $vectorEnd (i32.add (local.get $g) (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2))))
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

  ;; dst[i] = a[i]·b[i] for `count` float32 (dst may be a).
  (func $multiplyInto (param $dst i32) (param $a i32) (param $b i32) (param $count i32)
    (local $end i32) (local $vectorEnd i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $vectorEnd (i32.add (local.get $dst) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $vectorEnd)))
        (v128.store (local.get $dst) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $next)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $next))))

  ;; The first L×S buffer after a thread's edge scratch and packing buffers.
  (func $headBuffer (param $job i32) (param $private i32) (result i32)
    (i32.add (local.get $private) (i32.add (i32.const 128) (i32.shl
      (i32.add (i32.mul (i32.load offset=80 (local.get $job)) (i32.load offset=84 (local.get $job)))
        (i32.mul (i32.load offset=84 (local.get $job)) (i32.load offset=88 (local.get $job))))
      (i32.const 2)))))

  ;; L·S rounded up to whole vectors: the floats of one L×S buffer.
  (func $headFloats (param $job i32) (result i32)
    (i32.and (i32.add (i32.mul (i32.load (local.get $job)) (i32.load offset=4 (local.get $job))) (i32.const 3)) (i32.const -4)))

  ;; C = A·B, one thread's whole product, with this thread's buffers of the job.
  (func $attentionProduct (param $job i32) (param $private i32) (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $ars i32) (param $acs i32) (param $b i32) (param $brs i32) (param $bcs i32) (param $c i32)
    (local $aPack i32)
    (local.set $aPack (i32.add (local.get $private) (i32.const 128)))
    (call $gemm (local.get $m) (local.get $n) (local.get $k)
      (local.get $a) (local.get $ars) (local.get $acs) (local.get $b) (local.get $brs) (local.get $bcs)
      (local.get $c) (local.get $aPack)
      (i32.add (local.get $aPack) (i32.shl (i32.mul (i32.load offset=80 (local.get $job)) (i32.load offset=84 (local.get $job))) (i32.const 2)))
      (local.get $private)
      (i32.load offset=80 (local.get $job)) (i32.load offset=84 (local.get $job)) (i32.load offset=88 (local.get $job))
      (i32.const 1)))

  ;; Task t of an attention forward: batchesPerTask heads, each
  ;; weights = softmax(q·kᵀ·scale + masks) and output = (weights ⊙ noise)·v
  ;; (weights·v without dropout).
  (func (export "attentionForwardTask") (param $job i32) (param $t i32) (param $slot i32)
    (local $batch i32) (local $end i32) (local $entry i32) (local $private i32)
    (local $l i32) (local $s i32) (local $weights i32) (local $scale f32) (local $kept i32)
    (local.set $batch (i32.mul (local.get $t) (i32.load offset=76 (local.get $job))))
    (local.set $end (i32.add (local.get $batch) (i32.load offset=76 (local.get $job))))
    (if (i32.gt_s (local.get $end) (i32.load offset=72 (local.get $job)))
      (then (local.set $end (i32.load offset=72 (local.get $job)))))
    (local.set $private (i32.add (i32.load offset=64 (local.get $job))
      (i32.mul (local.get $slot) (i32.load offset=68 (local.get $job)))))
    (local.set $l (i32.load (local.get $job)))
    (local.set $s (i32.load offset=4 (local.get $job)))
    (local.set $scale (f32.load offset=92 (local.get $job)))
    (block $done
      (loop $heads
        (br_if $done (i32.ge_s (local.get $batch) (local.get $end)))
        (local.set $entry (i32.add (i32.load offset=60 (local.get $job)) (i32.mul (local.get $batch) (i32.const 48))))
        (local.set $weights (i32.load offset=16 (local.get $entry)))
        ;; scores = q·kᵀ: kᵀ is k read with its strides swapped.
        (call $attentionProduct (local.get $job) (local.get $private)
          (local.get $l) (local.get $s) (i32.load offset=8 (local.get $job))
          (i32.load (local.get $entry)) (i32.load offset=16 (local.get $job)) (i32.load offset=20 (local.get $job))
          (i32.load offset=4 (local.get $entry)) (i32.load offset=28 (local.get $job)) (i32.load offset=24 (local.get $job))
          (local.get $weights))
        (if (i32.load offset=56 (local.get $job))
          (then
            ;; With masks the scale goes in with them, and the softmax scales by 1.
            (call $addMasks (local.get $weights) (local.get $l) (local.get $s) (local.get $scale) (i32.load offset=56 (local.get $job))
              (i32.load offset=20 (local.get $entry)) (i32.load offset=40 (local.get $job)) (i32.load offset=44 (local.get $job))
              (i32.load offset=24 (local.get $entry)) (i32.load offset=48 (local.get $job)) (i32.load offset=52 (local.get $job)))
            (call $softmaxRows (local.get $weights) (local.get $l) (local.get $s) (f32.const 1.4426950408889634)))
          (else
            (call $softmaxRows (local.get $weights) (local.get $l) (local.get $s)
              (f32.demote_f64 (f64.mul (f64.promote_f32 (local.get $scale)) (f64.const 1.4426950408889634))))))
        (local.set $kept (local.get $weights))
        (if (i32.load offset=104 (local.get $job))
          (then
            (local.set $kept (call $headBuffer (local.get $job) (local.get $private)))
            (call $multiplyInto (local.get $kept) (local.get $weights) (i32.load offset=32 (local.get $entry))
              (i32.mul (local.get $l) (local.get $s)))))
        (call $attentionProduct (local.get $job) (local.get $private)
          (local.get $l) (i32.load offset=12 (local.get $job)) (local.get $s)
          (local.get $kept) (local.get $s) (i32.const 1)
          (i32.load offset=8 (local.get $entry)) (i32.load offset=32 (local.get $job)) (i32.load offset=36 (local.get $job))
          (i32.load offset=12 (local.get $entry)))
        (local.set $batch (i32.add (local.get $batch) (i32.const 1)))
        (br $heads))))

  ;; Task t of an attention backward: for batchesPerTask heads, from the
  ;; output gradient g, the weights w and (with dropout) the noise n, with
  ;; w' = w ⊙ n (w without dropout): dw' = g·vᵀ, dw = dw' ⊙ n,
  ;; ds = scale·w·(dw − Σ dw·w) (in this thread's L×S buffer), dq = ds·k,
  ;; dk = dsᵀ·q, dv = w'ᵀ·g.
  (func (export "attentionBackwardTask") (param $job i32) (param $t i32) (param $slot i32)
    (local $batch i32) (local $end i32) (local $entry i32) (local $private i32)
    (local $l i32) (local $s i32) (local $e i32) (local $ev i32) (local $ds i32) (local $weights i32) (local $g i32)
    (local $kept i32) (local $noise i32)
    (local.set $batch (i32.mul (local.get $t) (i32.load offset=76 (local.get $job))))
    (local.set $end (i32.add (local.get $batch) (i32.load offset=76 (local.get $job))))
    (if (i32.gt_s (local.get $end) (i32.load offset=72 (local.get $job)))
      (then (local.set $end (i32.load offset=72 (local.get $job)))))
    (local.set $private (i32.add (i32.load offset=64 (local.get $job))
      (i32.mul (local.get $slot) (i32.load offset=68 (local.get $job)))))
    ;; The scores' gradient lies after the edge scratch and the two packing buffers, the kept weights after it.
    (local.set $ds (call $headBuffer (local.get $job) (local.get $private)))
    (local.set $l (i32.load (local.get $job)))
    (local.set $s (i32.load offset=4 (local.get $job)))
    (local.set $e (i32.load offset=8 (local.get $job)))
    (local.set $ev (i32.load offset=12 (local.get $job)))
    (block $done
      (loop $heads
        (br_if $done (i32.ge_s (local.get $batch) (local.get $end)))
        (local.set $entry (i32.add (i32.load offset=60 (local.get $job)) (i32.mul (local.get $batch) (i32.const 48))))
        (local.set $weights (i32.load offset=16 (local.get $entry)))
        (local.set $g (i32.load offset=20 (local.get $entry)))
        (call $attentionProduct (local.get $job) (local.get $private) (local.get $l) (local.get $s) (local.get $ev)
          (local.get $g) (i32.load offset=96 (local.get $job)) (i32.load offset=100 (local.get $job))
          (i32.load offset=8 (local.get $entry)) (i32.load offset=36 (local.get $job)) (i32.load offset=32 (local.get $job))
          (local.get $ds))
        (local.set $kept (local.get $weights))
        (if (i32.load offset=104 (local.get $job))
          (then
            (local.set $noise (i32.load offset=32 (local.get $entry)))
            (call $multiplyInto (local.get $ds) (local.get $ds) (local.get $noise) (i32.mul (local.get $l) (local.get $s)))
            (local.set $kept (i32.add (local.get $ds) (i32.shl (call $headFloats (local.get $job)) (i32.const 2))))
            (call $multiplyInto (local.get $kept) (local.get $weights) (local.get $noise) (i32.mul (local.get $l) (local.get $s)))))
        (call $softmaxBackwardRows (local.get $ds) (local.get $weights) (local.get $l) (local.get $s) (f32.load offset=92 (local.get $job)))
        (call $attentionProduct (local.get $job) (local.get $private) (local.get $l) (local.get $e) (local.get $s)
          (local.get $ds) (local.get $s) (i32.const 1)
          (i32.load offset=4 (local.get $entry)) (i32.load offset=24 (local.get $job)) (i32.load offset=28 (local.get $job))
          (i32.load offset=12 (local.get $entry)))
        (call $attentionProduct (local.get $job) (local.get $private) (local.get $s) (local.get $e) (local.get $l)
          (local.get $ds) (i32.const 1) (local.get $s)
          (i32.load (local.get $entry)) (i32.load offset=16 (local.get $job)) (i32.load offset=20 (local.get $job))
          (i32.load offset=24 (local.get $entry)))
        (call $attentionProduct (local.get $job) (local.get $private) (local.get $s) (local.get $ev) (local.get $l)
          (local.get $kept) (i32.const 1) (local.get $s)
          (local.get $g) (i32.load offset=96 (local.get $job)) (i32.load offset=100 (local.get $job))
          (i32.load offset=28 (local.get $entry)))
        (local.set $batch (i32.add (local.get $batch) (i32.const 1)))
        (br $heads))))
