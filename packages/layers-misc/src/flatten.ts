/**
 * Reshaping layers: `Flatten` and `Unflatten`, like PyTorch's
 * `torch/nn/modules/flatten.py`. Both return views when the input's layout
 * allows (always, for `Unflatten`).
 */
import { Module, formatPythonTuple } from '@strata/module';
import { ShapeError, type Tensor, checkTensor, formatShape, normalizeDim } from '@strata/tensor';
import { checkSize, describeOption } from './options.js';

function checkDimArgument(name: string, argument: string, value: unknown): number {
  if (!Number.isInteger(value)) throw new RangeError(`${name}: ${argument} must be an integer, got ${describeOption(value)}`);
  return value as number;
}

/**
 * Flattens a contiguous range of dimensions into one, like `torch.nn.Flatten`
 * (whose defaults keep the batch dimension: `startDim` 1, `endDim` −1).
 *
 * **Shape**: input `[*, S_start, ..., S_end, *]` → output
 * `[*, S_start · ... · S_end, *]`.
 *
 * @example
 * ```ts
 * new Flatten().forward(randn([32, 1, 5, 5])).shape;     // [32, 25]
 * new Flatten(0, 2).forward(randn([32, 1, 5, 5])).shape; // [160, 5]
 * ```
 */
export class Flatten extends Module {
  /** The first dimension flattened, as given (negative counts from the end); PyTorch's `start_dim`, 1 by default. */
  readonly startDim: number;
  /** The last dimension flattened, as given (negative counts from the end); PyTorch's `end_dim`, −1 by default. */
  readonly endDim: number;

  /** @throws RangeError for a non-integer dim. */
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = checkDimArgument('Flatten', 'startDim', startDim);
    this.endDim = checkDimArgument('Flatten', 'endDim', endDim);
  }

  /** @throws RangeError when a dim is out of range for the input, or `startDim` comes after `endDim`. */
  forward(input: Tensor): Tensor {
    checkTensor('Flatten', 'input', input);
    const start = normalizeDim(this.startDim, input.ndim, 'Flatten');
    const end = normalizeDim(this.endDim, input.ndim, 'Flatten');
    if (start > end) {
      throw new RangeError(`Flatten: startDim (${this.startDim}) cannot come after endDim (${this.endDim}) for an input of shape ${formatShape(input.shape)}`);
    }
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Unflattens one dimension into several, like `torch.nn.Unflatten`; one
 * entry of `unflattenedSize` may be −1 (inferred).
 *
 * **Shape**: input `[*, S_dim, *]` → output `[*, U_1, ..., U_n, *]` with
 * `U_1 · ... · U_n = S_dim`.
 *
 * @example
 * ```ts
 * new Unflatten(1, [2, 5, 5]).forward(randn([2, 50])).shape; // [2, 2, 5, 5]
 * ```
 */
export class Unflatten extends Module {
  /** The dimension that is unflattened, as given (negative counts from the end); PyTorch's `dim`. */
  readonly dim: number;
  /** The sizes that replace `dim`, frozen; at most one is −1 (inferred). PyTorch's `unflattened_size`. */
  readonly unflattenedSize: readonly number[];

  /** @throws RangeError for a non-integer dim, or sizes that are not integers (at most one −1, the rest non-negative). */
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = checkDimArgument('Unflatten', 'dim', dim);
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0) {
      throw new RangeError(`Unflatten: unflattenedSize must be a non-empty array of integers, got ${describeOption(unflattenedSize)}`);
    }
    unflattenedSize.forEach((size, position) => {
      if (size !== -1) checkSize('Unflatten', `unflattenedSize[${position}]`, size);
    });
    if (unflattenedSize.filter((size) => size === -1).length > 1) {
      throw new RangeError(`Unflatten: only one size can be inferred (-1), got ${describeOption(unflattenedSize)}`);
    }
    this.unflattenedSize = Object.freeze([...unflattenedSize]);
  }

  /**
   * @throws RangeError when `dim` is out of range for the input.
   * @throws ShapeError when the sizes don't multiply up to the size of `dim`.
   */
  forward(input: Tensor): Tensor {
    checkTensor('Unflatten', 'input', input);
    const dim = normalizeDim(this.dim, input.ndim, 'Unflatten');
    const size = input.ndim === 0 ? 1 : input.shape[dim]!;
    const known = this.unflattenedSize.reduce((product, part) => (part === -1 ? product : product * part), 1);
    const inferred = this.unflattenedSize.includes(-1);
    if (inferred ? known === 0 || size % known !== 0 : known !== size) {
      throw new ShapeError(
        `Unflatten: provided sizes ${formatShape(this.unflattenedSize)} don't multiply up to the size of dim ${this.dim} (${size}) in the input of shape ${formatShape(input.shape)}`,
      );
    }
    const sizes = this.unflattenedSize.map((part) => (part === -1 ? size / known : part));
    return input.reshape([...input.shape.slice(0, dim), ...sizes, ...input.shape.slice(dim + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${formatPythonTuple(this.unflattenedSize)}`;
  }
}
