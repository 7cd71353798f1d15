;; The float32 convolution forward in WebAssembly SIMD, straight from a
;; zero-padded copy of each sample: no column matrix. conv-wasm.ts copies the
;; batch in, runs sampleTask once a sample (padSample, then convolveSample),
;; and copies the output out.
;;
;; The register tile is 4 output channels by 8 consecutive output positions
;; along the last dimension (eight f32x4 sums, eleven of the sixteen SIMD
;; registers x64 has with the two input vectors and a weight splat). Without
;; a fused multiply-add in WebAssembly SIMD (relaxed SIMD is not in Node 20),
;; the multiplies and adds are what bounds it: about 36 GFLOP/s on one
;; thread of the bench machine. Each tap (input channel and
;; kernel offset) adds w[o][tap] · x[position + tap offset] for the tile: two
;; unaligned loads of the padded input, four splat loads of the packed
;; weights, eight multiplies and eight adds. The tap offsets come from a
;; table, so any kernel size, dilation and number of spatial dimensions runs
;; the same loop. Sums start from the bias and run in float32 over the taps
;; in order (input channel, then kernel offset), as im2col's product does.
;; Pointers are byte offsets.
;;
;; Threads: the memory is imported and shared with the workers of
;; a WasmTaskPool (@strata/tensor/backend), each running sampleTask on samples it claims, with a padded
;; copy of its own (`slot`); the job descriptor in memory holds the rest.
;; Where shared memory is missing, conv-wasm.ts clears the import's shared
;; flag and runs every sample on the calling thread.
(module
  (import "env" "memory" (memory 1 16384 shared))

  ;; Sample `sample` of the job described at `job` (i32 words, see conv-wasm.ts:
  ;; JOB_FIELDS), on the padded copy of `slot`: padSample, then convolveSample.
  (func (export "sampleTask") (param $job i32) (param $sample i32) (param $slot i32)
    (local $padded i32)
    (local.set $padded
      (i32.add (i32.load offset=16 (local.get $job)) (i32.mul (local.get $slot) (i32.load offset=20 (local.get $job)))))
    (call $padSample
      (i32.add (i32.load offset=0 (local.get $job)) (i32.mul (local.get $sample) (i32.load offset=4 (local.get $job))))
      (i32.add (local.get $padded) (i32.load offset=24 (local.get $job)))
      (i32.load offset=28 (local.get $job)) (i32.load offset=32 (local.get $job)) (i32.load offset=36 (local.get $job))
      (i32.load offset=40 (local.get $job)) (i32.load offset=44 (local.get $job)) (i32.load offset=48 (local.get $job))
      (i32.load offset=52 (local.get $job)))
    (call $convolveSample
      (local.get $padded)
      (i32.add (i32.load offset=8 (local.get $job)) (i32.mul (local.get $sample) (i32.load offset=12 (local.get $job))))
      (i32.load offset=56 (local.get $job)) (i32.load offset=60 (local.get $job)) (i32.load offset=64 (local.get $job))
      (i32.load offset=68 (local.get $job)) (i32.load offset=72 (local.get $job)) (i32.load offset=76 (local.get $job))
      (i32.load offset=80 (local.get $job)) (i32.load offset=84 (local.get $job))))

  ;; Copies a sample's `outer`×`middle`×`rows` rows of `length` float32 from
  ;; `source` (dense) into `target`, row (a, b, r) going to target + a·outerStride
  ;; + b·middleStride + r·rowStride (bytes). The padding around them is left as is.
  (func $padSample
    (param $source i32) (param $target i32) (param $outer i32) (param $middle i32) (param $rows i32) (param $length i32)
    (param $outerStride i32) (param $middleStride i32) (param $rowStride i32)
    (local $a i32) (local $b i32) (local $r i32) (local $to i32) (local $end i32) (local $vectorEnd i32) (local $rowStart i32)
    (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $length) (i32.const 2)))
    (block $outerDone
      (loop $nextOuter
        (br_if $outerDone (i32.ge_u (local.get $a) (local.get $outer)))
        (local.set $b (i32.const 0))
        (block $middleDone
          (loop $nextMiddle
            (br_if $middleDone (i32.ge_u (local.get $b) (local.get $middle)))
            (local.set $rowStart
              (i32.add (local.get $target)
                (i32.add (i32.mul (local.get $a) (local.get $outerStride)) (i32.mul (local.get $b) (local.get $middleStride)))))
            (local.set $r (i32.const 0))
            (block $rowsDone
              (loop $nextRow
                (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
                (local.set $to (local.get $rowStart))
                (local.set $end (i32.add (local.get $source) (local.get $bytes)))
                (local.set $vectorEnd (i32.add (local.get $source) (i32.and (local.get $bytes) (i32.const -16))))
                (block $done
                  (loop $next
                    (br_if $done (i32.ge_u (local.get $source) (local.get $vectorEnd)))
                    (v128.store (local.get $to) (v128.load (local.get $source)))
                    (local.set $source (i32.add (local.get $source) (i32.const 16)))
                    (local.set $to (i32.add (local.get $to) (i32.const 16)))
                    (br $next)))
                (block $done
                  (loop $next
                    (br_if $done (i32.ge_u (local.get $source) (local.get $end)))
                    (f32.store (local.get $to) (f32.load (local.get $source)))
                    (local.set $source (i32.add (local.get $source) (i32.const 4)))
                    (local.set $to (i32.add (local.get $to) (i32.const 4)))
                    (br $next)))
                (local.set $rowStart (i32.add (local.get $rowStart) (local.get $rowStride)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $nextRow)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $nextMiddle)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $nextOuter))))

  ;; The first `valid` (1 to 7) lanes of a, then b, to `out`.
  (func $storePart (param $out i32) (param $a v128) (param $b v128) (param $valid i32)
    (f32.store (local.get $out) (f32x4.extract_lane 0 (local.get $a)))
    (if (i32.le_u (local.get $valid) (i32.const 1)) (then (return)))
    (f32.store offset=4 (local.get $out) (f32x4.extract_lane 1 (local.get $a)))
    (if (i32.le_u (local.get $valid) (i32.const 2)) (then (return)))
    (f32.store offset=8 (local.get $out) (f32x4.extract_lane 2 (local.get $a)))
    (if (i32.le_u (local.get $valid) (i32.const 3)) (then (return)))
    (f32.store offset=12 (local.get $out) (f32x4.extract_lane 3 (local.get $a)))
    (if (i32.le_u (local.get $valid) (i32.const 4)) (then (return)))
    (f32.store offset=16 (local.get $out) (f32x4.extract_lane 0 (local.get $b)))
    (if (i32.le_u (local.get $valid) (i32.const 5)) (then (return)))
    (f32.store offset=20 (local.get $out) (f32x4.extract_lane 1 (local.get $b)))
    (if (i32.le_u (local.get $valid) (i32.const 6)) (then (return)))
    (f32.store offset=24 (local.get $out) (f32x4.extract_lane 2 (local.get $b))))

  ;; One sample's output [blocks·4][lines·width] at `output`, from its padded
  ;; copy at `padded`. Output line (l = (d, h) of the output) starts reading
  ;; the padded copy at padded + lineOffsets[l] (bytes, from the table at
  ;; `lineOffsets`); the tile at column j of the line reads from there + 4j
  ;; plus each tap's offset (the table at `tapOffsets`, `taps` i32, an even
  ;; count). The
  ;; weights at `weights` are [blocks][taps][4] float32, the bias at `bias`
  ;; [blocks·4]. A line's last tile may pass its end (`width` not a multiple
  ;; of 8): it reads past the line (the padded copy has slack at its end) and
  ;; stores only the positions inside it.
  (func $convolveSample
    (param $padded i32) (param $output i32) (param $weights i32) (param $bias i32) (param $tapOffsets i32) (param $taps i32)
    (param $lineOffsets i32) (param $lines i32) (param $width i32) (param $blocks i32)
    (local $line i32) (local $column i32) (local $block i32) (local $base i32) (local $w i32) (local $t i32) (local $tEnd i32)
    (local $x i32) (local $out i32) (local $plane i32) (local $position i32) (local $valid i32)
    (local $xa v128) (local $xb v128) (local $s v128)
    (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128)
    (local $a2 v128) (local $b2 v128) (local $a3 v128) (local $b3 v128)
    ;; Bytes of one output channel's plane.
    (local.set $plane (i32.shl (i32.mul (local.get $lines) (local.get $width)) (i32.const 2)))
    (local.set $tEnd (i32.add (local.get $tapOffsets) (i32.shl (local.get $taps) (i32.const 2))))
    (block $linesDone
      (loop $nextLine
        (br_if $linesDone (i32.ge_u (local.get $line) (local.get $lines)))
        (local.set $column (i32.const 0))
        (block $columnsDone
          (loop $nextColumn
            (br_if $columnsDone (i32.ge_u (local.get $column) (local.get $width)))
            (local.set $base
              (i32.add (local.get $padded)
                (i32.add (i32.load (i32.add (local.get $lineOffsets) (i32.shl (local.get $line) (i32.const 2))))
                  (i32.shl (local.get $column) (i32.const 2)))))
            ;; Byte offset of the tile within an output plane.
            (local.set $position
              (i32.shl (i32.add (i32.mul (local.get $line) (local.get $width)) (local.get $column)) (i32.const 2)))
            (local.set $valid (i32.sub (local.get $width) (local.get $column)))
            (if (i32.gt_u (local.get $valid) (i32.const 8)) (then (local.set $valid (i32.const 8))))
            (local.set $w (local.get $weights))
            (local.set $block (i32.const 0))
            (block $blocksDone
              (loop $nextBlock
                (br_if $blocksDone (i32.ge_u (local.get $block) (local.get $blocks)))
                (local.set $a0 (v128.load32_splat (i32.add (local.get $bias) (i32.shl (local.get $block) (i32.const 4)))))
                (local.set $a1 (v128.load32_splat offset=4 (i32.add (local.get $bias) (i32.shl (local.get $block) (i32.const 4)))))
                (local.set $a2 (v128.load32_splat offset=8 (i32.add (local.get $bias) (i32.shl (local.get $block) (i32.const 4)))))
                (local.set $a3 (v128.load32_splat offset=12 (i32.add (local.get $bias) (i32.shl (local.get $block) (i32.const 4)))))
                (local.set $b0 (local.get $a0))
                (local.set $b1 (local.get $a1))
                (local.set $b2 (local.get $a2))
                (local.set $b3 (local.get $a3))
                (local.set $t (local.get $tapOffsets))
                ;; Two taps an iteration (the table has an even length, conv-wasm.ts pads it with a zero tap).
                (loop $nextTap
                  (local.set $x (i32.add (local.get $base) (i32.load offset=0 (local.get $t))))
                  (local.set $xa (v128.load (local.get $x)))
                  (local.set $xb (v128.load offset=16 (local.get $x)))
                  (local.set $s (v128.load32_splat offset=0 (local.get $w)))
                  (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $xa))))
                  (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $s) (local.get $xb))))
                  (local.set $s (v128.load32_splat offset=4 (local.get $w)))
                  (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $xa))))
                  (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $s) (local.get $xb))))
                  (local.set $s (v128.load32_splat offset=8 (local.get $w)))
                  (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $xa))))
                  (local.set $b2 (f32x4.add (local.get $b2) (f32x4.mul (local.get $s) (local.get $xb))))
                  (local.set $s (v128.load32_splat offset=12 (local.get $w)))
                  (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $xa))))
                  (local.set $b3 (f32x4.add (local.get $b3) (f32x4.mul (local.get $s) (local.get $xb))))
                  (local.set $x (i32.add (local.get $base) (i32.load offset=4 (local.get $t))))
                  (local.set $xa (v128.load (local.get $x)))
                  (local.set $xb (v128.load offset=16 (local.get $x)))
                  (local.set $s (v128.load32_splat offset=16 (local.get $w)))
                  (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $xa))))
                  (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $s) (local.get $xb))))
                  (local.set $s (v128.load32_splat offset=20 (local.get $w)))
                  (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $xa))))
                  (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $s) (local.get $xb))))
                  (local.set $s (v128.load32_splat offset=24 (local.get $w)))
                  (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $xa))))
                  (local.set $b2 (f32x4.add (local.get $b2) (f32x4.mul (local.get $s) (local.get $xb))))
                  (local.set $s (v128.load32_splat offset=28 (local.get $w)))
                  (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $xa))))
                  (local.set $b3 (f32x4.add (local.get $b3) (f32x4.mul (local.get $s) (local.get $xb))))
                  (local.set $w (i32.add (local.get $w) (i32.const 32)))
                  (local.set $t (i32.add (local.get $t) (i32.const 8)))
                  (br_if $nextTap (i32.lt_u (local.get $t) (local.get $tEnd))))
                ;; Output channel 4·block + r of this tile: plane (4·block + r).
                (local.set $out
                  (i32.add (i32.add (local.get $output) (local.get $position))
                    (i32.mul (i32.shl (local.get $block) (i32.const 2)) (local.get $plane))))
                (if (i32.eq (local.get $valid) (i32.const 8))
                  (then
                    (v128.store (local.get $out) (local.get $a0))
                    (v128.store offset=16 (local.get $out) (local.get $b0))
                    (local.set $out (i32.add (local.get $out) (local.get $plane)))
                    (v128.store (local.get $out) (local.get $a1))
                    (v128.store offset=16 (local.get $out) (local.get $b1))
                    (local.set $out (i32.add (local.get $out) (local.get $plane)))
                    (v128.store (local.get $out) (local.get $a2))
                    (v128.store offset=16 (local.get $out) (local.get $b2))
                    (local.set $out (i32.add (local.get $out) (local.get $plane)))
                    (v128.store (local.get $out) (local.get $a3))
                    (v128.store offset=16 (local.get $out) (local.get $b3)))
                  (else
                    ;; The line's last tile, past its end: only the positions inside it.
                    (call $storePart (local.get $out) (local.get $a0) (local.get $b0) (local.get $valid))
                    (local.set $out (i32.add (local.get $out) (local.get $plane)))
                    (call $storePart (local.get $out) (local.get $a1) (local.get $b1) (local.get $valid))
                    (local.set $out (i32.add (local.get $out) (local.get $plane)))
                    (call $storePart (local.get $out) (local.get $a2) (local.get $b2) (local.get $valid))
                    (local.set $out (i32.add (local.get $out) (local.get $plane)))
                    (call $storePart (local.get $out) (local.get $a3) (local.get $b3) (local.get $valid))))
                (local.set $block (i32.add (local.get $block) (i32.const 1)))
                (br $nextBlock)))
            (local.set $column (i32.add (local.get $column) (i32.const 8)))
            (br $nextColumn)))
        (local.set $line (i32.add (local.get $line) (i32.const 1)))
        (br $nextLine))))
)
