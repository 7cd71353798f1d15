import { promoteTypes } from '../dtype.js';
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import { gemmAcceleratedKernel, gemmKernel } from '../kernels/gemm.js';
import { getKernel, registerKernel } from '../registry.js';
import { broadcastShapes } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { to } from './cast.js';
import { expand, squeeze, unsqueeze } from './views.js';

/**
 * The batched matrix product of `a` [..., m, k] and `b` [..., k, n] whose batch
 * dimensions are already equal (broadcast views with stride 0 are fine), on
 * the active `gemm`. Integer operands are multiplied as float64 and converted back.
 */
function matmulKernel(a: Tensor, b: Tensor): Tensor {
  if (a.dtype === 'float32' || a.dtype === 'float64') return getKernel('gemm')(a, b);
  return getKernel('copy')(getKernel('gemm')(asFloat64(a), asFloat64(b)), a.dtype);
}
registerKernel('matmul', matmulKernel);
registerKernel('gemm', gemmKernel);
registerKernel('gemmAccelerated', gemmAcceleratedKernel);

/** An integer tensor as float64 with the same shape and strides, so one product kernel serves every dtype. */
function asFloat64(tensor: Tensor): Tensor {
  return new Tensor(new Storage(Float64Array.from(tensor.storage.data)), tensor.shape, tensor.strides, tensor.offset);
}

/**
 * The matrix product with PyTorch's `matmul` rules: 1-D × 1-D is a dot
 * product (0-d result); 2-D × 2-D a matrix product; a 1-D argument is treated
 * as a row (left) or column (right) vector and its dimension removed after;
 * higher ranks are batches whose leading dimensions broadcast.
 *
 * @throws ShapeError when an argument is 0-d, the inner sizes differ
 * (`matmul: shapes [4, 3] and [5, 2] cannot be multiplied (3 != 5)`) or the
 * batch dimensions do not broadcast.
 * @throws DTypeError when an argument is bool
 *
 * @example
 * ```ts
 * matmul(randn([8, 4, 3]), randn([3, 5])).shape; // [8, 4, 5]
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  if (a.dtype === 'bool' || b.dtype === 'bool') {
    throw new DTypeError(`matmul: expected numeric tensors, got ${a.dtype} and ${b.dtype}`);
  }
  const k = a.shape[a.ndim - 1]!;
  const kOther = b.shape[b.ndim === 1 ? 0 : b.ndim - 2]!;
  if (k !== kOther) {
    throw new ShapeError(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${k} != ${kOther})`);
  }
  const leftBatch = a.shape.slice(0, -2);
  const rightBatch = b.shape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes(leftBatch, rightBatch, 'matmul');
  } catch {
    // Name both full shapes, not just their batch parts.
    throw new ShapeError(
      `matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (batch dimensions ${formatShape(leftBatch)} and ${formatShape(rightBatch)} do not broadcast)`,
    );
  }
  const dtype = promoteTypes(a.dtype, b.dtype);
  const left = a.ndim === 1 ? unsqueeze(to(a, dtype), 0) : to(a, dtype);
  const right = b.ndim === 1 ? unsqueeze(to(b, dtype), 1) : to(b, dtype);
  const leftBatched = expand(left, [...batchShape, ...left.shape.slice(-2)]);
  const rightBatched = expand(right, [...batchShape, ...right.shape.slice(-2)]);
  const product = getKernel('matmul')(leftBatched, rightBatched);
  recordOperation('matmul', [leftBatched, rightBatched], product, {});
  const squeezeDims: number[] = [];
  if (a.ndim === 1) squeezeDims.push(product.ndim - 2);
  if (b.ndim === 1) squeezeDims.push(product.ndim - 1);
  return squeezeDims.length === 0 ? product : squeeze(product, squeezeDims);
}

/** @throws ShapeError naming `op` when the inner sizes of two matrices (or batches of them) differ. */
function checkInnerSizes(op: string, a: Tensor, b: Tensor): void {
  const k = a.shape[a.ndim - 1]!;
  const kOther = b.shape[b.ndim - 2]!;
  if (k !== kOther) {
    throw new ShapeError(`${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${k} != ${kOther})`);
  }
}

/**
 * The product of two matrices, like `torch.mm` (no broadcasting).
 * @throws ShapeError when an argument is not 2-D or the inner sizes differ.
 * @example
 * ```ts
 * mm(ones([2, 3]), ones([3, 4])).shape; // [2, 4]
 * ```
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ShapeError(`mm: expected 2-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  checkInnerSizes('mm', a, b);
  return matmul(a, b);
}

/**
 * The batched product of [B, m, k] and [B, k, n], like `torch.bmm` (no broadcasting).
 * @throws ShapeError when an argument is not 3-D or the batch or inner sizes differ.
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3) {
    throw new ShapeError(`bmm: expected 3-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`bmm: batch sizes differ: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} (${a.shape[0]} != ${b.shape[0]})`);
  }
  checkInnerSizes('bmm', a, b);
  return matmul(a, b);
}
