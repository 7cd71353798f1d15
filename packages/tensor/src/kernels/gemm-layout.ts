/**
 * Turns a `gemm` kernel call (tensors and options) into the flat arrays,
 * offsets and strides a matrix-product loop works on, and applies the
 * epilogue. Every backend's `gemm` needs exactly this, so it is part of the
 * backend contract (`@strata/tensor/backend`) rather than copied into each.
 */
import { allocate, allocateForOverwrite } from '../dtype.js';
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import type { GemmOptions } from '../kernel-signatures.js';
import { numelOf } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';

/** One `gemm` call laid out as flat arrays: product `batch` reads `a` from `aOffsets[batch]` and so on. */
export interface GemmLayout {
  /** Rows of each product (and of A). */
  m: number;
  /** Columns of each product (and of B). */
  n: number;
  /** The inner size: columns of A, rows of B. */
  k: number;
  /** A's storage: A[i][p] of product `batch` is `a[aOffsets[batch] + i*aRowStride + p*aColStride]`. */
  a: Float32Array | Float64Array;
  /** Where each product's A starts in `a`. */
  aOffsets: readonly number[];
  /** A's step between rows (any sign, or 0 to broadcast). */
  aRowStride: number;
  /** A's step between columns. */
  aColStride: number;
  /** B's storage, addressed like `a`. */
  b: Float32Array | Float64Array;
  /** Where each product's B starts in `b`. */
  bOffsets: readonly number[];
  /** B's step between rows. */
  bRowStride: number;
  /** B's step between columns. */
  bColStride: number;
  /** The output's storage; product `batch` fills `c[cOffsets[batch] + i*n + j]`. */
  c: Float32Array | Float64Array;
  /** Where each product's dense C starts in `c`. */
  cOffsets: readonly number[];
  /** Whether the product is added onto what `c` holds (the bias, or `out` with `accumulate`). */
  accumulate: boolean;
  /**
   * The bias still to be applied: set only when `layOutGemm` was asked to
   * leave it to the kernel (`deferBias`), which then writes it itself
   * (where its product starts, say) or with {@link writeGemmBias}.
   */
  bias: GemmBias | null;
  /** The tensor the kernel returns. */
  out: Tensor;
  /** Applied by `finishGemm`. */
  activation: 'none' | 'relu';
}

/** A bias broadcast to [m, n]: element [i][j] is `values[offset + i*rowStride + j*columnStride]` (strides 0 where broadcast). */
export interface GemmBias {
  /** The bias tensor's storage. */
  values: Float32Array | Float64Array;
  /** Where element [0][0] lies in `values`. */
  offset: number;
  /** The step between rows of the broadcast [m, n] bias: 0 for a bias per column. */
  rowStride: number;
  /** The step between columns: 0 for a bias per row. */
  columnStride: number;
}

/** How a backend's `gemm` wants its layout. */
export interface GemmLayoutRequest {
  /**
   * Leave the bias to the kernel (returned as `bias`, with `accumulate`
   * unchanged) instead of writing it into the output first.
   * @defaultValue `false`
   */
  deferBias?: boolean;
  /**
   * The kernel writes every element of a new output itself (it does not
   * accumulate onto it), so a new output need not be zero-filled first.
   * @defaultValue `false`
   */
  overwritesOutput?: boolean;
}

function floatData(tensor: Tensor, argument: string): Float32Array | Float64Array {
  const data = tensor.storage.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new DTypeError(`gemm: expected ${argument} to be float32 or float64, got ${tensor.dtype}`);
  }
  return data;
}

/**
 * Checks a `gemm` call, allocates its output (or checks `options.out`),
 * writes the bias into it (unless `request.deferBias`), and returns the
 * flat layout of every product.
 * @throws ShapeError, DTypeError when the operands do not fit the `gemm` contract.
 */
export function layOutGemm(a: Tensor, b: Tensor, options: GemmOptions = {}, request: GemmLayoutRequest = {}): GemmLayout {
  const rank = a.ndim;
  if (rank < 2 || b.ndim !== rank) {
    throw new ShapeError(`gemm: expected operands [...batch, m, k] and [...batch, k, n] of one rank, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const m = a.shape[rank - 2]!;
  const k = a.shape[rank - 1]!;
  const n = b.shape[rank - 1]!;
  const batchShape = a.shape.slice(0, rank - 2);
  if (b.shape[rank - 2] !== k || batchShape.some((size, d) => b.shape[d] !== size)) {
    throw new ShapeError(`gemm: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied`);
  }
  if (a.dtype !== b.dtype) throw new DTypeError(`gemm: expected operands of one dtype, got ${a.dtype} and ${b.dtype}`);
  const aData = floatData(a, 'a');
  const bData = floatData(b, 'b');
  const outShape = [...batchShape, m, n];
  let out = options.out ?? null;
  const bias = options.bias === undefined || options.bias === null ? null : biasLayout(options.bias, m, n);
  if (out === null) {
    // A zero-filled output only where something adds onto it: the bias written below, or a kernel that accumulates.
    const overwritten = request.overwritesOutput === true && options.accumulate !== true && (bias === null || request.deferBias === true);
    const length = numelOf(outShape);
    out = new Tensor(new Storage(overwritten ? allocateForOverwrite(a.dtype, length) : allocate(a.dtype, length)), outShape);
  } else if (out.dtype !== a.dtype || out.ndim !== outShape.length || out.shape.some((size, d) => size !== outShape[d]) || !out.isContiguous()) {
    throw new ShapeError(`gemm: expected out to be a contiguous ${a.dtype} tensor of shape ${formatShape(outShape)}, got ${out.dtype} ${formatShape(out.shape)}`);
  }
  const cData = out.storage.data as Float32Array | Float64Array;
  const batchCount = numelOf(batchShape);
  const aOffsets = new Array<number>(batchCount);
  const bOffsets = new Array<number>(batchCount);
  const cOffsets = new Array<number>(batchCount);
  const index = new Array<number>(batchShape.length).fill(0);
  for (let batch = 0; batch < batchCount; batch++) {
    let aOffset = a.offset;
    let bOffset = b.offset;
    for (let d = 0; d < batchShape.length; d++) {
      aOffset += index[d]! * a.strides[d]!;
      bOffset += index[d]! * b.strides[d]!;
    }
    aOffsets[batch] = aOffset;
    bOffsets[batch] = bOffset;
    cOffsets[batch] = out.offset + batch * m * n;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      if (++index[d]! < batchShape[d]!) break;
      index[d] = 0;
    }
  }
  const layout: GemmLayout = {
    m, n, k,
    a: aData, aOffsets, aRowStride: a.strides[rank - 2]!, aColStride: a.strides[rank - 1]!,
    b: bData, bOffsets, bRowStride: b.strides[rank - 2]!, bColStride: b.strides[rank - 1]!,
    c: cData, cOffsets, accumulate: options.accumulate === true, bias, out, activation: options.activation ?? 'none',
  };
  if (request.deferBias !== true) writeGemmBias(layout, 0);
  return layout;
}

/** Checks that `bias` broadcasts to [m, n] and returns how to read it. */
function biasLayout(bias: Tensor, m: number, n: number): GemmBias {
  const rows = bias.ndim === 2 ? bias.shape[0]! : 1;
  const columns = bias.ndim >= 1 ? bias.shape[bias.ndim - 1]! : 1;
  if (bias.ndim > 2 || (rows !== 1 && rows !== m) || (columns !== 1 && columns !== n)) {
    throw new ShapeError(`gemm: expected a bias broadcastable to [${m}, ${n}], got ${formatShape(bias.shape)}`);
  }
  return {
    values: floatData(bias, 'bias'),
    offset: bias.offset,
    rowStride: rows === 1 ? 0 : bias.strides[0]!,
    columnStride: columns === 1 ? 0 : bias.strides[bias.ndim - 1]!,
  };
}

/**
 * Writes the layout's pending bias into the products from `fromBatch` on
 * (added onto `c` where the layout accumulates, else overwriting it), then
 * marks the layout as accumulating with no bias pending: what `layOutGemm`
 * does itself unless asked to defer the bias, and what a kernel that
 * deferred it calls for the products it leaves to plain loops.
 */
export function writeGemmBias(layout: GemmLayout, fromBatch: number): void {
  const { bias, c, cOffsets, m, n } = layout;
  if (bias === null) return;
  const { values, offset, rowStride, columnStride } = bias;
  for (let batch = fromBatch; batch < cOffsets.length; batch++) {
    for (let i = 0; i < m; i++) {
      const row = cOffsets[batch]! + i * n;
      const source = offset + i * rowStride;
      if (layout.accumulate) for (let j = 0; j < n; j++) c[row + j]! += values[source + j * columnStride]!;
      else for (let j = 0; j < n; j++) c[row + j] = values[source + j * columnStride]!;
    }
  }
  layout.bias = null;
  layout.accumulate = true;
}

/** Applies the activation of a finished product and returns its output tensor. */
export function finishGemm(layout: GemmLayout): Tensor {
  if (layout.activation === 'relu') {
    const { c, cOffsets, m, n } = layout;
    for (const start of cOffsets) {
      for (let index = start; index < start + m * n; index++) if (c[index]! < 0) c[index] = 0;
    }
  }
  return layout.out;
}
