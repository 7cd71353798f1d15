/**
 * The CPU reference matrix product for float32 and float64 typed arrays,
 * single-threaded, summing in float64. It is what the `gemm` kernel of the
 * `cpu` backend runs (kernels/gemm.ts); the `wasm` backend
 * (backends/wasm/) registers a WebAssembly SIMD `gemm` over it for float32
 * products, which sums in float32 like every SIMD BLAS.
 *
 * It follows the Goto/BLIS scheme, as the wasm one does:
 * a KC×NC block of B and an MC×KC block of A are copied ("packed") into
 * contiguous scratch so that a 4×4 register-tiled micro-kernel streams both
 * operands with unit stride.
 * Packing is also where arbitrary strides are absorbed, which is why a
 * transposed view costs nothing extra.
 *
 * Why these choices, measured in V8 (Node 20) on a 2-core AMD EPYC VM:
 * - Every typed-array load costs six to eight instructions (map check, bounds
 *   check, index widening), so the kernel is bound by instruction count, not
 *   by memory: block sizes barely matter, the loads per multiply-add do.
 *   Wider tiles need fewer loads but spill, because V8 schedules all the
 *   multiplications of an iteration ahead of the additions. In cache, 4×4,
 *   3×3, 3×4 and 6×4 tied at ~4.3 GFLOP/s; 4×8 and 8×4 were ~7% slower, 6×8
 *   and 8×8 15–20% slower; unrolling k by 2 lost ~8%. 4×4 also keeps the
 *   zero padding of edge tiles small.
 * - Packing into Float64Array for both dtypes keeps the hot loop monomorphic
 *   and skips a float32→float64 conversion per load; a Float32Array pack was
 *   10–25% slower.
 * - A and B share one scratch array, so the kernel pays the per-iteration map
 *   and length checks once instead of twice (~10% faster).
 */

type FloatArray = Float32Array | Float64Array;

/** Micro-tile height and width; the kernel body below is written for 4×4. */
const MR = 4;
const NR = 4;
/** Depth of one packed block: a 4-wide B micro-panel (8 KiB) stays in L1. */
const KC = 256;
/** Rows of A per packed block: MC×KC doubles (192 KiB) stay in L2. */
const MC = 96;
/** Columns of B per packed block; bounds the scratch for very wide products. */
const NC = 2048;
/** Below this many multiply-adds, packing costs more than it saves. */
const DIRECT_THRESHOLD = 1024;

/**
 * Scratch for the packed A block (first `MC*KC` entries) and the packed B
 * block (after it). Allocated once and grown, never shrunk, so steady-state
 * calls allocate nothing.
 */
let packed = new Float64Array(0);
/** Receives edge tiles so the kernel can always write a full 4×4 tile. */
const edgeTile = new Float64Array(MR * NR);

/**
 * C[m×n] (+)= A[m×k] · B[k×n], all row-major with explicit row strides and
 * offsets, so that transposed views can be passed without copying:
 * element A[i][p] is a[aOffset + i*aRowStride + p*aColStride], likewise B.
 * If accumulate is false, C is overwritten; else added to.
 * c is written densely: c[cOffset + i*n + j].
 *
 * Products are summed in float64 within each KC-deep block of k, then added
 * into `c`, so a product's value does not depend on where its tile lies: the
 * rows of a product equal the same rows computed alone.
 * Strides may be zero (broadcast) or negative.
 * `c` must not overlap `a` or `b`.
 *
 * @example
 * ```ts
 * // C = Aᵀ·B for a row-major 3×2 array A: swap A's strides.
 * gemmStrided(2, 4, 3, a, 0, 1, 2, b, 0, 4, 1, c, 0, false);
 * ```
 */
export function gemmStrided(
  m: number, n: number, k: number,
  a: Float32Array | Float64Array, aOffset: number, aRowStride: number, aColStride: number,
  b: Float32Array | Float64Array, bOffset: number, bRowStride: number, bColStride: number,
  c: Float32Array | Float64Array, cOffset: number,
  accumulate: boolean,
): void {
  if (m <= 0 || n <= 0) return;
  if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
  if (k <= 0) return;
  // A thin side wastes most of each padded 4-wide tile, so stay direct there.
  if (m * n * k < DIRECT_THRESHOLD || m < MR || n < NR) {
    if (n >= m) {
      gemmDirect(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, c, cOffset, n, 1);
    } else {
      gemmDirect(n, m, k, b, bOffset, bColStride, bRowStride, a, aOffset, aColStride, aRowStride, c, cOffset, 1, n);
    }
    return;
  }
  const blockRows = Math.min(m, MC);
  const blockDepth = Math.min(k, KC);
  const blockColumns = Math.min(n, NC);
  const bBase = roundUp(blockRows, MR) * blockDepth;
  const needed = bBase + blockDepth * roundUp(blockColumns, NR);
  if (packed.length < needed) packed = new Float64Array(needed);
  const scratch = packed;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(scratch, bBase, b, bOffset + pc * bRowStride + jc * bColStride, bRowStride, bColStride, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(scratch, a, aOffset + ic * aRowStride + pc * aColStride, aRowStride, aColStride, mc, kc);
        macroKernel(scratch, bBase, mc, nc, kc, c, cOffset + ic * n + jc, n);
      }
    }
  }
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * Copies an mc×kc block of A into `scratch[0..)` as MR-row micro-panels, each
 * laid out p-major (the MR values of one column of A together). The last
 * panel is padded so the kernel never needs a row count; the padded lanes'
 * results are discarded, and zeros keep them from computing on stale values
 * that might be subnormal (slow) or NaN.
 */
function packA(
  scratch: Float64Array, a: FloatArray, start: number, rowStride: number, colStride: number, mc: number, kc: number,
): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const panel = i0 * kc;
    const rows = Math.min(MR, mc - i0);
    // Walk each row of A along p so a row-major A is read contiguously.
    for (let i = 0; i < rows; i++) {
      let source = start + (i0 + i) * rowStride;
      let target = panel + i;
      for (let p = 0; p < kc; p++) {
        scratch[target] = a[source]!;
        source += colStride;
        target += MR;
      }
    }
    for (let i = rows; i < MR; i++) {
      for (let p = 0, target = panel + i; p < kc; p++, target += MR) scratch[target] = 0;
    }
  }
}

/**
 * Copies a kc×nc block of B into `scratch[base..)` as NR-column micro-panels,
 * each p-major, zero-padding the last panel as `packA` does.
 */
function packB(
  scratch: Float64Array, base: number, b: FloatArray, start: number, rowStride: number, colStride: number,
  kc: number, nc: number,
): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const columns = Math.min(NR, nc - j0);
    let target = base + j0 * kc;
    let rowStart = start + j0 * colStride;
    if (columns === NR) {
      for (let p = 0; p < kc; p++) {
        scratch[target] = b[rowStart]!;
        scratch[target + 1] = b[rowStart + colStride]!;
        scratch[target + 2] = b[rowStart + 2 * colStride]!;
        scratch[target + 3] = b[rowStart + 3 * colStride]!;
        target += NR;
        rowStart += rowStride;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) scratch[target + j] = j < columns ? b[rowStart + j * colStride]! : 0;
        target += NR;
        rowStart += rowStride;
      }
    }
  }
}

/** Runs the micro-kernel over every MR×NR tile of one packed A block × B block. */
function macroKernel(
  scratch: Float64Array, bBase: number, mc: number, nc: number, kc: number,
  c: FloatArray, cStart: number, cRowStride: number,
): void {
  // B micro-panel outer so it stays in L1 while A's panels stream from L2.
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const columns = Math.min(NR, nc - j0);
    const bIndex = bBase + j0 * kc;
    for (let i0 = 0; i0 < mc; i0 += MR) {
      const rows = Math.min(MR, mc - i0);
      const cIndex = cStart + i0 * cRowStride + j0;
      if (rows === MR && columns === NR) {
        microKernel(kc, scratch, i0 * kc, bIndex, c, cIndex, cRowStride);
      } else {
        edgeTile.fill(0);
        microKernel(kc, scratch, i0 * kc, bIndex, edgeTile, 0, NR);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < columns; j++) c[cIndex + i * cRowStride + j]! += edgeTile[i * NR + j]!;
        }
      }
    }
  }
}

/**
 * c[cIndex + i*cRowStride + j] += Σ_p A[i][p]·B[p][j] for one 4×4 tile, with
 * the 16 sums in locals (doubles) for the whole kc loop.
 */
function microKernel(
  kc: number, scratch: Float64Array, aIndex: number, bIndex: number,
  c: FloatArray, cIndex: number, cRowStride: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = scratch[aIndex]!, a1 = scratch[aIndex + 1]!, a2 = scratch[aIndex + 2]!, a3 = scratch[aIndex + 3]!;
    const b0 = scratch[bIndex]!, b1 = scratch[bIndex + 1]!, b2 = scratch[bIndex + 2]!, b3 = scratch[bIndex + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    aIndex += MR;
    bIndex += NR;
  }
  let row = cIndex;
  c[row]! += c00; c[row + 1]! += c01; c[row + 2]! += c02; c[row + 3]! += c03;
  row += cRowStride;
  c[row]! += c10; c[row + 1]! += c11; c[row + 2]! += c12; c[row + 3]! += c13;
  row += cRowStride;
  c[row]! += c20; c[row + 1]! += c21; c[row + 2]! += c22; c[row + 3]! += c23;
  row += cRowStride;
  c[row]! += c30; c[row + 1]! += c31; c[row + 2]! += c32; c[row + 3]! += c33;
}

/**
 * Unpacked path for small or thin products, where packing would cost more
 * than it saves (or pad a 1-wide side to 4): 1×4 tiles of C summed in doubles
 * straight from the strided inputs. C is addressed through strides too, so a
 * thin-n product can run transposed (Cᵀ = Bᵀ·Aᵀ) with its long side tiled.
 */
function gemmDirect(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, aRowStride: number, aColStride: number,
  b: FloatArray, bOffset: number, bRowStride: number, bColStride: number,
  c: FloatArray, cOffset: number, cRowStride: number, cColStride: number,
): void {
  const bColStride2 = 2 * bColStride;
  const bColStride3 = 3 * bColStride;
  const fullColumns = n - (n % NR);
  for (let i = 0; i < m; i++) {
    const aRow = aOffset + i * aRowStride;
    const cRow = cOffset + i * cRowStride;
    for (let j = 0; j < fullColumns; j += NR) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let aIndex = aRow;
      let bIndex = bOffset + j * bColStride;
      for (let p = 0; p < k; p++) {
        const aValue = a[aIndex]!;
        s0 += aValue * b[bIndex]!;
        s1 += aValue * b[bIndex + bColStride]!;
        s2 += aValue * b[bIndex + bColStride2]!;
        s3 += aValue * b[bIndex + bColStride3]!;
        aIndex += aColStride;
        bIndex += bRowStride;
      }
      const cIndex = cRow + j * cColStride;
      c[cIndex]! += s0;
      c[cIndex + cColStride]! += s1;
      c[cIndex + 2 * cColStride]! += s2;
      c[cIndex + 3 * cColStride]! += s3;
    }
    for (let j = fullColumns; j < n; j++) {
      let sum = 0;
      let aIndex = aRow;
      let bIndex = bOffset + j * bColStride;
      for (let p = 0; p < k; p++) {
        sum += a[aIndex]! * b[bIndex]!;
        aIndex += aColStride;
        bIndex += bRowStride;
      }
      c[cRow + j * cColStride]! += sum;
    }
  }
}
