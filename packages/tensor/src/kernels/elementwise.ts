import { numelOf } from '../shape.js';
import type { Tensor } from '../tensor.js';

/**
 * The strides that read `tensor` as if it had been broadcast to `shape`: the
 * dimensions align on the right, and a dimension the tensor lacks or has with
 * size 1 gets stride 0, so every output index maps to a storage index.
 */
export function broadcastStrides(tensor: Tensor, shape: readonly number[]): number[] {
  const rank = shape.length;
  const lead = rank - tensor.shape.length;
  const strides = new Array<number>(rank);
  for (let d = 0; d < rank; d++) {
    const inputDim = d - lead;
    strides[d] = inputDim < 0 || tensor.shape[inputDim] === 1 ? 0 : tensor.strides[inputDim]!;
  }
  return strides;
}

/**
 * A walk over an elementwise operation's output in row-major order, one row
 * (run of the innermost dimension) at a time, keeping each operand's storage
 * position. The output is contiguous; operands may be any strided views,
 * broadcast ones included (stride 0).
 *
 * Size-1 dimensions are dropped and neighbouring dimensions that every
 * operand walks contiguously are merged first, so a contiguous operand adds
 * no rows and the rows are as long as the layouts allow.
 */
export class RowWalk {
  /** The number of elements in each row. */
  readonly rowLength: number;
  /** The number of rows. */
  readonly rowCount: number;
  /** Per operand, the stride along a row. */
  readonly rowStrides: number[];
  /** Per operand, the storage index where the current row starts. */
  readonly positions: number[];
  private readonly outerShape: number[];
  private readonly outerStrides: number[][];
  private readonly index: number[];

  /**
   * @param shape - the output shape (at least one element)
   * @param strides - per operand, its strides over `shape` (see {@link broadcastStrides})
   * @param offsets - per operand, the storage index of its first element
   */
  constructor(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[]) {
    const operandCount = strides.length;
    const mergedShape: number[] = [];
    const mergedStrides: number[][] = strides.map(() => []);
    for (let d = 0; d < shape.length; d++) {
      const size = shape[d]!;
      if (size === 1) continue;
      const last = mergedShape.length - 1;
      let mergeable = last >= 0;
      for (let k = 0; k < operandCount && mergeable; k++) {
        // The previous (outer) dimension continues this one exactly when its
        // stride is this one's stride times this one's size.
        mergeable = mergedStrides[k]![last] === strides[k]![d]! * size;
      }
      if (mergeable) {
        mergedShape[last] = mergedShape[last]! * size;
        for (let k = 0; k < operandCount; k++) mergedStrides[k]![last] = strides[k]![d]!;
      } else {
        mergedShape.push(size);
        for (let k = 0; k < operandCount; k++) mergedStrides[k]!.push(strides[k]![d]!);
      }
    }
    if (mergedShape.length === 0) {
      mergedShape.push(1);
      for (let k = 0; k < operandCount; k++) mergedStrides[k]!.push(0);
    }
    const inner = mergedShape.length - 1;
    this.rowLength = mergedShape[inner]!;
    this.rowCount = numelOf(shape) / this.rowLength;
    this.rowStrides = mergedStrides.map((operandStrides) => operandStrides[inner]!);
    this.positions = [...offsets];
    this.outerShape = mergedShape.slice(0, inner);
    this.outerStrides = mergedStrides.map((operandStrides) => operandStrides.slice(0, inner));
    this.index = new Array<number>(inner).fill(0);
  }

  /** Moves `positions` to the start of the next row (an odometer over the outer dimensions). */
  advance(): void {
    const positions = this.positions;
    const operandCount = positions.length;
    for (let d = this.outerShape.length - 1; d >= 0; d--) {
      const size = this.outerShape[d]!;
      this.index[d]!++;
      if (this.index[d]! < size) {
        for (let k = 0; k < operandCount; k++) positions[k]! += this.outerStrides[k]![d]!;
        return;
      }
      this.index[d] = 0;
      for (let k = 0; k < operandCount; k++) positions[k]! -= this.outerStrides[k]![d]! * (size - 1);
    }
  }
}

/** Whether `tensor` is contiguous with exactly `shape` (so its elements are `data[offset ..]` in output order). */
export function isContiguousAs(tensor: Tensor, shape: readonly number[]): boolean {
  if (tensor.shape.length !== shape.length) return false;
  for (let d = 0; d < shape.length; d++) if (tensor.shape[d] !== shape[d]) return false;
  return tensor.isContiguous();
}
