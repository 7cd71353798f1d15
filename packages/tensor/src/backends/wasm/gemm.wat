;; Float32 matrix product for WebAssembly SIMD (128-bit, no FMA).
;;
;; The Goto/BLIS scheme of matmul.ts, with everything after the copy into
;; linear memory done here: B is packed in KC×NC blocks as 8-column
;; micro-panels and A in MC×KC blocks as 4-row micro-panels (both p-major,
;; edges zero-padded), and a 4×8 register tile (eight f32x4 accumulators, two
;; B vectors, one broadcast A value: 11 of the 16 vector registers) streams
;; them. Accumulation is in float32, as in every SIMD BLAS.
;;
;; Why 4×8: with no FMA each step is load32_splat + mul + add per half row,
;; so the kernel is bound by instruction issue; 4×8 does 64 FLOP per 6 loads
;; and stays spill-free in V8's register allocator.
;;
;; Addresses are byte offsets, strides are in elements (i32, may be zero or
;; negative: i32 arithmetic wraps, and the final address is always in range).
;; Each thread passes its own 128-byte edge-tile scratch and packing buffers.
;;
;; Threads: the memory is imported, shared between the main thread and the
;; workers of the pool (threads/pool.ts). A product is cut into tasks that
;; write disjoint tiles of C, and the exported *Task functions run one task
;; each, decoding it from a job descriptor in memory (see the layout at
;; $packTask). No task splits the depth k, so every element of C is summed in
;; the same order whatever the number of threads: results are bit-identical.
;; Where SharedArrayBuffer is missing, gemm-wasm.ts clears the import's
;; shared flag (one byte, located by scripts/build-wasm.mjs): one thread.
(module
  (import "env" "memory" (memory 1 32767 shared))

  ;; The 4×8 tile: C[cp + i*ldcBytes + j*4] += Σ_p A[i][p]·B[p][j] over kc
  ;; steps of one packed A micro-panel (ap) and B micro-panel (bp); with
  ;; $overwrite set, C = Σ instead (the first depth block of a product that
  ;; does not accumulate: C is neither zero-filled first nor read).
  (func $kernel (param $kc i32) (param $ap i32) (param $bp i32) (param $cp i32) (param $ldc i32) (param $overwrite i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $row i32)
    (loop $steps
      (local.set $b0 (v128.load (local.get $bp)))
      (local.set $b1 (v128.load offset=16 (local.get $bp)))
      (local.set $a (v128.load32_splat (local.get $ap)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=4 (local.get $ap)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=8 (local.get $ap)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load32_splat offset=12 (local.get $ap)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
      (local.set $ap (i32.add (local.get $ap) (i32.const 16)))
      (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
      (br_if $steps (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    (local.set $row (local.get $cp))
    (if (local.get $overwrite)
      (then
        (v128.store (local.get $row) (local.get $c00))
        (v128.store offset=16 (local.get $row) (local.get $c01))
        (local.set $row (i32.add (local.get $row) (local.get $ldc)))
        (v128.store (local.get $row) (local.get $c10))
        (v128.store offset=16 (local.get $row) (local.get $c11))
        (local.set $row (i32.add (local.get $row) (local.get $ldc)))
        (v128.store (local.get $row) (local.get $c20))
        (v128.store offset=16 (local.get $row) (local.get $c21))
        (local.set $row (i32.add (local.get $row) (local.get $ldc)))
        (v128.store (local.get $row) (local.get $c30))
        (v128.store offset=16 (local.get $row) (local.get $c31))
        (return)))
    (v128.store (local.get $row) (f32x4.add (v128.load (local.get $row)) (local.get $c00)))
    (v128.store offset=16 (local.get $row) (f32x4.add (v128.load offset=16 (local.get $row)) (local.get $c01)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (f32x4.add (v128.load (local.get $row)) (local.get $c10)))
    (v128.store offset=16 (local.get $row) (f32x4.add (v128.load offset=16 (local.get $row)) (local.get $c11)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (f32x4.add (v128.load (local.get $row)) (local.get $c20)))
    (v128.store offset=16 (local.get $row) (f32x4.add (v128.load offset=16 (local.get $row)) (local.get $c21)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (f32x4.add (v128.load (local.get $row)) (local.get $c30)))
    (v128.store offset=16 (local.get $row) (f32x4.add (v128.load offset=16 (local.get $row)) (local.get $c31))))

;; Reads four vectors (four consecutive elements of four rows or columns,
  ;; at r0..r3) and stores them transposed: element q of each, in order, as
  ;; the vector at t + q*stride. What packs a row-major A or a column-major B
  ;; four steps at a time instead of element by element.
  (func $transpose4 (param $r0 i32) (param $r1 i32) (param $r2 i32) (param $r3 i32) (param $t i32) (param $stride i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $low v128) (local $high v128)
    (local.set $v0 (v128.load (local.get $r0)))
    (local.set $v1 (v128.load (local.get $r1)))
    (local.set $v2 (v128.load (local.get $r2)))
    (local.set $v3 (v128.load (local.get $r3)))
    ;; [a0 b0 a1 b1] and [a2 b2 a3 b3] of the first two; then the same of the last two
    (local.set $low (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
    (local.set $high (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
    (local.set $v0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
    (local.set $v1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
    (v128.store (local.get $t) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $low) (local.get $v0)))
    (local.set $t (i32.add (local.get $t) (local.get $stride)))
    (v128.store (local.get $t) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $low) (local.get $v0)))
    (local.set $t (i32.add (local.get $t) (local.get $stride)))
    (v128.store (local.get $t) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $high) (local.get $v1)))
    (local.set $t (i32.add (local.get $t) (local.get $stride)))
    (v128.store (local.get $t) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $high) (local.get $v1))))

  ;; Copies an mc×kc block of A (element [i][p] at src + 4*(i*rs + p*cs)) to
  ;; dst as 4-row micro-panels, p-major, padding the last panel with zeros.
  (func $packA (param $src i32) (param $rs i32) (param $cs i32) (param $mc i32) (param $kc i32) (param $dst i32)
    (local $i0 i32) (local $i i32) (local $rows i32) (local $p i32) (local $s i32) (local $t i32)
    (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local.set $rs (i32.shl (local.get $rs) (i32.const 2)))
    (local.set $cs (i32.shl (local.get $cs) (i32.const 2)))
    (block $done
      (loop $panels
        (br_if $done (i32.ge_s (local.get $i0) (local.get $mc)))
        (local.set $rows (i32.sub (local.get $mc) (local.get $i0)))
        (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
        (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $rs) (i32.const 4)))
          (then
            ;; Column-major A (a transposed view): one vector per step.
            (local.set $s (i32.add (local.get $src) (i32.mul (local.get $i0) (local.get $rs))))
            (local.set $t (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $i0) (local.get $kc)) (i32.const 2))))
            (local.set $p (local.get $kc))
            (loop $steps
              (v128.store (local.get $t) (v128.load (local.get $s)))
              (local.set $s (i32.add (local.get $s) (local.get $cs)))
              (local.set $t (i32.add (local.get $t) (i32.const 16)))
              (br_if $steps (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
          (else
            (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $cs) (i32.const 4)))
              (then
                ;; Row-major A: four steps of the four rows a pass, read as one vector
                ;; a row and transposed in registers. Measured on a 4096×8×1024
                ;; product, where packing A is most of the work: 7.9 → 5.4 ms.
                (local.set $s (i32.add (local.get $src) (i32.mul (local.get $i0) (local.get $rs))))
                (local.set $r1 (i32.add (local.get $s) (local.get $rs)))
                (local.set $r2 (i32.add (local.get $r1) (local.get $rs)))
                (local.set $r3 (i32.add (local.get $r2) (local.get $rs)))
                (local.set $t (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $i0) (local.get $kc)) (i32.const 2))))
                (local.set $p (local.get $kc))
                (block $quadsDone
                  (loop $quads
                    (br_if $quadsDone (i32.lt_s (local.get $p) (i32.const 4)))
                    (call $transpose4 (local.get $s) (local.get $r1) (local.get $r2) (local.get $r3) (local.get $t) (i32.const 16))
                    (local.set $s (i32.add (local.get $s) (i32.const 16)))
                    (local.set $r1 (i32.add (local.get $r1) (i32.const 16)))
                    (local.set $r2 (i32.add (local.get $r2) (i32.const 16)))
                    (local.set $r3 (i32.add (local.get $r3) (i32.const 16)))
                    (local.set $t (i32.add (local.get $t) (i32.const 64)))
                    (local.set $p (i32.sub (local.get $p) (i32.const 4)))
                    (br $quads)))
                ;; The last kc mod 4 steps one element a row.
                (block $tailDone
                  (loop $tail
                    (br_if $tailDone (i32.eqz (local.get $p)))
                    (f32.store (local.get $t) (f32.load (local.get $s)))
                    (f32.store offset=4 (local.get $t) (f32.load (local.get $r1)))
                    (f32.store offset=8 (local.get $t) (f32.load (local.get $r2)))
                    (f32.store offset=12 (local.get $t) (f32.load (local.get $r3)))
                    (local.set $s (i32.add (local.get $s) (i32.const 4)))
                    (local.set $r1 (i32.add (local.get $r1) (i32.const 4)))
                    (local.set $r2 (i32.add (local.get $r2) (i32.const 4)))
                    (local.set $r3 (i32.add (local.get $r3) (i32.const 4)))
                    (local.set $t (i32.add (local.get $t) (i32.const 16)))
                    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                    (br $tail))))
              (else
                (local.set $i (i32.const 0))
                (loop $rowsLoop
                  (local.set $t (i32.add (local.get $dst)
                    (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $kc)) (local.get $i)) (i32.const 2))))
                  (local.set $p (local.get $kc))
                  (if (i32.lt_s (local.get $i) (local.get $rows))
                    (then
                      ;; Walk one row of A along p, so a row-major A reads contiguously.
                      (local.set $s (i32.add (local.get $src)
                        (i32.mul (i32.add (local.get $i0) (local.get $i)) (local.get $rs))))
                      (loop $steps
                        (f32.store (local.get $t) (f32.load (local.get $s)))
                        (local.set $s (i32.add (local.get $s) (local.get $cs)))
                        (local.set $t (i32.add (local.get $t) (i32.const 16)))
                        (br_if $steps (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
                    (else
                      (loop $zeros
                        (f32.store (local.get $t) (f32.const 0))
                        (local.set $t (i32.add (local.get $t) (i32.const 16)))
                        (br_if $zeros (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))
                  (br_if $rowsLoop (i32.lt_s
                    (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 4))))))))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
        (br $panels))))

  ;; Copies a kc×nc block of B (element [p][j] at src + 4*(p*rs + j*cs)) to
  ;; dst as 8-column micro-panels, p-major, padding the last panel with zeros.
  (func $packB (param $src i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $nc i32) (param $dst i32)
    (local $j0 i32) (local $j i32) (local $columns i32) (local $p i32) (local $s i32) (local $t i32)
    (local.set $rs (i32.shl (local.get $rs) (i32.const 2)))
    (local.set $cs (i32.shl (local.get $cs) (i32.const 2)))
    (block $done
      (loop $panels
        (br_if $done (i32.ge_s (local.get $j0) (local.get $nc)))
        (local.set $columns (i32.sub (local.get $nc) (local.get $j0)))
        (local.set $s (i32.add (local.get $src) (i32.mul (local.get $j0) (local.get $cs))))
        (local.set $t (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $j0) (local.get $kc)) (i32.const 2))))
        (local.set $p (local.get $kc))
        (if (i32.ge_s (local.get $columns) (i32.const 8))
          (then
            (if (i32.eq (local.get $cs) (i32.const 4))
              (then
                ;; Row-major B: two vectors per step.
                (loop $steps
                  (v128.store (local.get $t) (v128.load (local.get $s)))
                  (v128.store offset=16 (local.get $t) (v128.load offset=16 (local.get $s)))
                  (local.set $s (i32.add (local.get $s) (local.get $rs)))
                  (local.set $t (i32.add (local.get $t) (i32.const 32)))
                  (br_if $steps (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
              (else
                (if (i32.eq (local.get $rs) (i32.const 4))
                  (then
                    ;; Column-major B (a transposed view): four steps of the eight
                    ;; columns a pass, as two transposed 4×4 blocks. Measured on an
                    ;; 8×4096×1024 product with B a transposed weight: 7.4 → 6.0 ms.
                    (block $quadsDone
                      (loop $quads
                        (br_if $quadsDone (i32.lt_s (local.get $p) (i32.const 4)))
                        (call $transpose4
                          (local.get $s) (i32.add (local.get $s) (local.get $cs))
                          (i32.add (local.get $s) (i32.shl (local.get $cs) (i32.const 1)))
                          (i32.add (local.get $s) (i32.mul (local.get $cs) (i32.const 3)))
                          (local.get $t) (i32.const 32))
                        (call $transpose4
                          (i32.add (local.get $s) (i32.shl (local.get $cs) (i32.const 2)))
                          (i32.add (local.get $s) (i32.mul (local.get $cs) (i32.const 5)))
                          (i32.add (local.get $s) (i32.mul (local.get $cs) (i32.const 6)))
                          (i32.add (local.get $s) (i32.mul (local.get $cs) (i32.const 7)))
                          (i32.add (local.get $t) (i32.const 16)) (i32.const 32))
                        (local.set $s (i32.add (local.get $s) (i32.const 16)))
                        (local.set $t (i32.add (local.get $t) (i32.const 128)))
                        (local.set $p (i32.sub (local.get $p) (i32.const 4)))
                        (br $quads)))))
                ;; What is left (all of it for other strides) lane by lane.
                (block $stepsDone
                  (loop $steps
                    (br_if $stepsDone (i32.eqz (local.get $p)))
                    (local.set $j (i32.const 0))
                    (loop $lanes
                      (f32.store (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 2)))
                        (f32.load (i32.add (local.get $s) (i32.mul (local.get $j) (local.get $cs)))))
                      (br_if $lanes (i32.lt_s
                        (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 8))))
                    (local.set $s (i32.add (local.get $s) (local.get $rs)))
                    (local.set $t (i32.add (local.get $t) (i32.const 32)))
                    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                    (br $steps))))))
          (else
            (loop $steps
              (local.set $j (i32.const 0))
              (loop $lanes
                (f32.store (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 2)))
                  (if (result f32) (i32.lt_s (local.get $j) (local.get $columns))
                    (then (f32.load (i32.add (local.get $s) (i32.mul (local.get $j) (local.get $cs)))))
                    (else (f32.const 0))))
                (br_if $lanes (i32.lt_s
                  (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 8))))
              (local.set $s (i32.add (local.get $s) (local.get $rs)))
              (local.set $t (i32.add (local.get $t) (i32.const 32)))
              (br_if $steps (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 8)))
        (br $panels))))

  ;; Every 4×8 tile of one packed A block (mc×kc) times one packed B block
  ;; (kc×nc), added into C at c with row stride ldc elements (stored, with
  ;; $overwrite). Edge tiles go through the 128-byte scratch so the kernel
  ;; always writes a full tile.
  (func $macro (param $mc i32) (param $nc i32) (param $kc i32) (param $aPack i32) (param $bPack i32)
    (param $c i32) (param $ldc i32) (param $scratch i32) (param $overwrite i32)
    (local $i0 i32) (local $j0 i32) (local $rows i32) (local $columns i32) (local $bp i32) (local $cp i32)
    (local $i i32) (local $j i32) (local $target i32)
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    ;; B micro-panel outer, so it stays in L1 while A's panels stream from L2.
    (block $columnsDone
      (loop $columnPanels
        (br_if $columnsDone (i32.ge_s (local.get $j0) (local.get $nc)))
        (local.set $columns (i32.sub (local.get $nc) (local.get $j0)))
        (local.set $bp (i32.add (local.get $bPack) (i32.shl (i32.mul (local.get $j0) (local.get $kc)) (i32.const 2))))
        (local.set $i0 (i32.const 0))
        (block $rowsDone
          (loop $rowPanels
            (br_if $rowsDone (i32.ge_s (local.get $i0) (local.get $mc)))
            (local.set $rows (i32.sub (local.get $mc) (local.get $i0)))
            (local.set $cp (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $i0) (local.get $ldc)) (i32.shl (local.get $j0) (i32.const 2)))))
            (if (i32.and (i32.ge_s (local.get $rows) (i32.const 4)) (i32.ge_s (local.get $columns) (i32.const 8)))
              (then
                (call $kernel (local.get $kc)
                  (i32.add (local.get $aPack) (i32.shl (i32.mul (local.get $i0) (local.get $kc)) (i32.const 2)))
                  (local.get $bp) (local.get $cp) (local.get $ldc) (local.get $overwrite)))
              (else
                (local.set $i (i32.const 0))
                (loop $clear
                  (v128.store (i32.add (local.get $scratch) (local.get $i)) (v128.const i32x4 0 0 0 0))
                  (br_if $clear (i32.lt_s
                    (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 128))))
                (call $kernel (local.get $kc)
                  (i32.add (local.get $aPack) (i32.shl (i32.mul (local.get $i0) (local.get $kc)) (i32.const 2)))
                  (local.get $bp) (local.get $scratch) (i32.const 32) (i32.const 0))
                (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
                (if (i32.gt_s (local.get $columns) (i32.const 8)) (then (local.set $columns (i32.const 8))))
                (local.set $i (i32.const 0))
                (loop $tileRows
                  (local.set $j (i32.const 0))
                  (loop $tileColumns
                    (local.set $target (i32.add (local.get $cp)
                      (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))))
                    (f32.store (local.get $target) (f32.add
                      (if (result f32) (local.get $overwrite) (then (f32.const 0)) (else (f32.load (local.get $target))))
                      (f32.load (i32.add (local.get $scratch)
                        (i32.shl (i32.add (i32.shl (local.get $i) (i32.const 3)) (local.get $j)) (i32.const 2))))))
                    (br_if $tileColumns (i32.lt_s
                      (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $columns))))
                  (br_if $tileRows (i32.lt_s
                    (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $rows))))
                (local.set $columns (i32.sub (local.get $nc) (local.get $j0)))))
            (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
            (br $rowPanels)))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 8)))
        (br $columnPanels))))

  ;; C[m×n] += A[m×k]·B[k×n] (C = A·B with $overwrite); a and b address
  ;; element [0][0], c is dense with row stride n. aPack and bPack are scratch for one mcBlock×kcBlock block
  ;; of A and one kcBlock×ncBlock block of B (rounded up to whole panels).
  ;; This is one thread's whole product (batchTask).
  (func $gemm (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $ars i32) (param $acs i32)
    (param $b i32) (param $brs i32) (param $bcs i32)
    (param $c i32) (param $aPack i32) (param $bPack i32) (param $scratch i32)
    (param $mcBlock i32) (param $kcBlock i32) (param $ncBlock i32) (param $overwrite i32)
    (local $jc i32) (local $pc i32) (local $ic i32) (local $mc i32) (local $nc i32) (local $kc i32)
    (block $columnsDone
      (loop $columnBlocks
        (br_if $columnsDone (i32.ge_s (local.get $jc) (local.get $n)))
        (local.set $nc (i32.sub (local.get $n) (local.get $jc)))
        (if (i32.gt_s (local.get $nc) (local.get $ncBlock)) (then (local.set $nc (local.get $ncBlock))))
        (local.set $pc (i32.const 0))
        (block $depthDone
          (loop $depthBlocks
            (br_if $depthDone (i32.ge_s (local.get $pc) (local.get $k)))
            (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
            (if (i32.gt_s (local.get $kc) (local.get $kcBlock)) (then (local.set $kc (local.get $kcBlock))))
            (call $packB
              (i32.add (local.get $b) (i32.shl
                (i32.add (i32.mul (local.get $pc) (local.get $brs)) (i32.mul (local.get $jc) (local.get $bcs)))
                (i32.const 2)))
              (local.get $brs) (local.get $bcs) (local.get $kc) (local.get $nc) (local.get $bPack))
            (local.set $ic (i32.const 0))
            (block $rowsDone
              (loop $rowBlocks
                (br_if $rowsDone (i32.ge_s (local.get $ic) (local.get $m)))
                (local.set $mc (i32.sub (local.get $m) (local.get $ic)))
                (if (i32.gt_s (local.get $mc) (local.get $mcBlock)) (then (local.set $mc (local.get $mcBlock))))
                (call $packA
                  (i32.add (local.get $a) (i32.shl
                    (i32.add (i32.mul (local.get $ic) (local.get $ars)) (i32.mul (local.get $pc) (local.get $acs)))
                    (i32.const 2)))
                  (local.get $ars) (local.get $acs) (local.get $mc) (local.get $kc) (local.get $aPack))
                (call $macro (local.get $mc) (local.get $nc) (local.get $kc) (local.get $aPack) (local.get $bPack)
                  (i32.add (local.get $c) (i32.shl
                    (i32.add (i32.mul (local.get $ic) (local.get $n)) (local.get $jc)) (i32.const 2)))
                  (local.get $n) (local.get $scratch)
                  (i32.and (local.get $overwrite) (i32.eqz (local.get $pc))))
                (local.set $ic (i32.add (local.get $ic) (local.get $mcBlock)))
                (br $rowBlocks)))
            (local.set $pc (i32.add (local.get $pc) (local.get $kcBlock)))
            (br $depthBlocks)))
        (local.set $jc (i32.add (local.get $jc) (local.get $ncBlock)))
        (br $columnBlocks))))

  ;; Threaded products. A job descriptor at $job holds i32 fields (byte offsets):
  ;;   0 m, 4 n, 8 k, 12 aRowStride, 16 aColStride, 20 bRowStride, 24 bColStride,
  ;;   28 nPad (n rounded up to 8), 32 tileRows, 36 tileColumns, 40 rowTiles,
  ;;   44 columnTiles, 48 packColumns, 52 packChunks, 56 kBlocks, 60 table,
  ;;   64 privateBase, 68 privateStride, 72 batches, 76 batchesPerTask,
  ;;   80 mcBlock, 84 kcBlock, 88 ncBlock, 92 overwrite (1: C = A·B, C's
  ;;   prior contents never read; 0: C += A·B).
  ;; The table has 16 bytes per batch: the addresses of A[0][0], B[0][0], the
  ;; dense C, and B packed whole (k×nPad floats, kcBlock-deep blocks of
  ;; 8-column panels). Thread `slot` owns 128 bytes of edge scratch at
  ;; privateBase + slot*privateStride, then an mcBlock×kcBlock A buffer, then
  ;; (batchTask only) a kcBlock×ncBlock B buffer.

  ;; Task t of the packing phase: one kcBlock-deep, packColumns-wide piece of
  ;; one batch's B, packed into its place in the whole packed B.
  (func (export "packTask") (param $job i32) (param $t i32)
    (local $per i32) (local $chunks i32) (local $r i32) (local $pc i32) (local $kc i32)
    (local $j0 i32) (local $nc i32) (local $entry i32) (local $kcBlock i32) (local $cols i32)
    (local.set $chunks (i32.load offset=52 (local.get $job)))
    (local.set $per (i32.mul (local.get $chunks) (i32.load offset=56 (local.get $job))))
    (local.set $entry (i32.add (i32.load offset=60 (local.get $job))
      (i32.shl (i32.div_u (local.get $t) (local.get $per)) (i32.const 4))))
    (local.set $r (i32.rem_u (local.get $t) (local.get $per)))
    (local.set $kcBlock (i32.load offset=84 (local.get $job)))
    (local.set $pc (i32.mul (i32.div_u (local.get $r) (local.get $chunks)) (local.get $kcBlock)))
    (local.set $kc (i32.sub (i32.load offset=8 (local.get $job)) (local.get $pc)))
    (if (i32.gt_s (local.get $kc) (local.get $kcBlock)) (then (local.set $kc (local.get $kcBlock))))
    (local.set $cols (i32.load offset=48 (local.get $job)))
    (local.set $j0 (i32.mul (i32.rem_u (local.get $r) (local.get $chunks)) (local.get $cols)))
    (local.set $nc (i32.sub (i32.load offset=4 (local.get $job)) (local.get $j0)))
    (if (i32.gt_s (local.get $nc) (local.get $cols)) (then (local.set $nc (local.get $cols))))
    (call $packB
      (i32.add (i32.load offset=4 (local.get $entry)) (i32.shl
        (i32.add (i32.mul (local.get $pc) (i32.load offset=20 (local.get $job)))
          (i32.mul (local.get $j0) (i32.load offset=24 (local.get $job))))
        (i32.const 2)))
      (i32.load offset=20 (local.get $job)) (i32.load offset=24 (local.get $job))
      (local.get $kc) (local.get $nc)
      (i32.add (i32.load offset=12 (local.get $entry)) (i32.shl
        (i32.add (i32.mul (local.get $pc) (i32.load offset=28 (local.get $job)))
          (i32.mul (local.get $j0) (local.get $kc)))
        (i32.const 2)))))

  ;; Task t of the compute phase: one tileRows×tileColumns tile of one
  ;; batch's C, over the whole depth, from the B packed by the packing phase.
  (func (export "tileTask") (param $job i32) (param $t i32) (param $slot i32)
    (local $per i32) (local $columnTiles i32) (local $r i32) (local $i0 i32) (local $j0 i32)
    (local $mc i32) (local $nc i32) (local $entry i32) (local $a i32) (local $c i32)
    (local $private i32) (local $pc i32) (local $kc i32) (local $k i32) (local $kcBlock i32) (local $n i32)
    (local.set $columnTiles (i32.load offset=44 (local.get $job)))
    (local.set $per (i32.mul (local.get $columnTiles) (i32.load offset=40 (local.get $job))))
    (local.set $entry (i32.add (i32.load offset=60 (local.get $job))
      (i32.shl (i32.div_u (local.get $t) (local.get $per)) (i32.const 4))))
    (local.set $r (i32.rem_u (local.get $t) (local.get $per)))
    (local.set $i0 (i32.mul (i32.div_u (local.get $r) (local.get $columnTiles)) (i32.load offset=32 (local.get $job))))
    (local.set $j0 (i32.mul (i32.rem_u (local.get $r) (local.get $columnTiles)) (i32.load offset=36 (local.get $job))))
    (local.set $n (i32.load offset=4 (local.get $job)))
    (local.set $mc (i32.sub (i32.load (local.get $job)) (local.get $i0)))
    (if (i32.gt_s (local.get $mc) (i32.load offset=32 (local.get $job)))
      (then (local.set $mc (i32.load offset=32 (local.get $job)))))
    (local.set $nc (i32.sub (local.get $n) (local.get $j0)))
    (if (i32.gt_s (local.get $nc) (i32.load offset=36 (local.get $job)))
      (then (local.set $nc (i32.load offset=36 (local.get $job)))))
    (local.set $a (i32.add (i32.load (local.get $entry))
      (i32.shl (i32.mul (local.get $i0) (i32.load offset=12 (local.get $job))) (i32.const 2))))
    (local.set $c (i32.add (i32.load offset=8 (local.get $entry))
      (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $n)) (local.get $j0)) (i32.const 2))))
    (local.set $private (i32.add (i32.load offset=64 (local.get $job))
      (i32.mul (local.get $slot) (i32.load offset=68 (local.get $job)))))
    (local.set $k (i32.load offset=8 (local.get $job)))
    (local.set $kcBlock (i32.load offset=84 (local.get $job)))
    (block $depthDone
      (loop $depthBlocks
        (br_if $depthDone (i32.ge_s (local.get $pc) (local.get $k)))
        (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
        (if (i32.gt_s (local.get $kc) (local.get $kcBlock)) (then (local.set $kc (local.get $kcBlock))))
        (call $packA
          (i32.add (local.get $a) (i32.shl (i32.mul (local.get $pc) (i32.load offset=16 (local.get $job))) (i32.const 2)))
          (i32.load offset=12 (local.get $job)) (i32.load offset=16 (local.get $job))
          (local.get $mc) (local.get $kc) (i32.add (local.get $private) (i32.const 128)))
        (call $macro (local.get $mc) (local.get $nc) (local.get $kc) (i32.add (local.get $private) (i32.const 128))
          (i32.add (i32.load offset=12 (local.get $entry)) (i32.shl
            (i32.add (i32.mul (local.get $pc) (i32.load offset=28 (local.get $job))) (i32.mul (local.get $j0) (local.get $kc)))
            (i32.const 2)))
          (local.get $c) (local.get $n) (local.get $private)
          (i32.and (i32.load offset=92 (local.get $job)) (i32.eqz (local.get $pc))))
        (local.set $pc (i32.add (local.get $pc) (local.get $kcBlock)))
        (br $depthBlocks))))

  ;; Task t of a job cut by batch: batchesPerTask whole products, each packed
  ;; and computed by this thread alone (the one-thread path is this too).
  (func (export "batchTask") (param $job i32) (param $t i32) (param $slot i32)
    (local $batch i32) (local $end i32) (local $entry i32) (local $private i32) (local $aPack i32)
    (local.set $batch (i32.mul (local.get $t) (i32.load offset=76 (local.get $job))))
    (local.set $end (i32.add (local.get $batch) (i32.load offset=76 (local.get $job))))
    (if (i32.gt_s (local.get $end) (i32.load offset=72 (local.get $job)))
      (then (local.set $end (i32.load offset=72 (local.get $job)))))
    (local.set $private (i32.add (i32.load offset=64 (local.get $job))
      (i32.mul (local.get $slot) (i32.load offset=68 (local.get $job)))))
    (local.set $aPack (i32.add (local.get $private) (i32.const 128)))
    (block $done
      (loop $batches
        (br_if $done (i32.ge_s (local.get $batch) (local.get $end)))
        (local.set $entry (i32.add (i32.load offset=60 (local.get $job)) (i32.shl (local.get $batch) (i32.const 4))))
        (call $gemm
          (i32.load (local.get $job)) (i32.load offset=4 (local.get $job)) (i32.load offset=8 (local.get $job))
          (i32.load (local.get $entry)) (i32.load offset=12 (local.get $job)) (i32.load offset=16 (local.get $job))
          (i32.load offset=4 (local.get $entry)) (i32.load offset=20 (local.get $job)) (i32.load offset=24 (local.get $job))
          (i32.load offset=8 (local.get $entry)) (local.get $aPack)
          (i32.add (local.get $aPack) (i32.shl (i32.mul (i32.load offset=80 (local.get $job)) (i32.load offset=84 (local.get $job))) (i32.const 2)))
          (local.get $private)
          (i32.load offset=80 (local.get $job)) (i32.load offset=84 (local.get $job)) (i32.load offset=88 (local.get $job))
          (i32.load offset=92 (local.get $job)))
        (local.set $batch (i32.add (local.get $batch) (i32.const 1)))
        (br $batches)))))
