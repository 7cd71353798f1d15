/**
 * The activation layers along one dimension: `Softmax`, `LogSoftmax`,
 * `Softmin` and `GLU`, like PyTorch's `torch/nn/modules/activation.py`.
 */
import { Module } from '@strata/module';
import { ShapeError, type Tensor, formatShape, glu, logSoftmax, normalizeDim, softmax, softmin } from '@strata/tensor';
import { checkActivationInput } from './activation-base.js';
import { describeOption } from './options.js';
import { warnOnce } from './warnings.js';

function checkDim(name: string, dim: unknown, nullable: boolean): number | null {
  if (nullable && (dim === null || dim === undefined)) return null;
  if (!Number.isInteger(dim)) throw new RangeError(`${name}: dim must be an integer${nullable ? ' or null' : ''}, got ${describeOption(dim)}`);
  return dim as number;
}

/**
 * The dim of a softmax layer: its own, or for `dim: null` PyTorch's legacy
 * implicit choice (0 for inputs of 0, 1 or 3 dimensions, else 1), with
 * PyTorch's deprecation warning.
 */
function resolveSoftmaxDim(name: string, functionName: string, dim: number | null, input: Tensor): number {
  if (dim === null) {
    warnOnce(`Implicit dimension choice for ${functionName} has been deprecated. Change the call to include dim=X as an argument.`);
    return input.ndim === 0 || input.ndim === 1 || input.ndim === 3 ? 0 : 1;
  }
  return normalizeDim(dim, input.ndim, name);
}

/** The base of `Softmax`, `LogSoftmax` and `Softmin`: a dim (or `null`) and `dim=...` in the printout. */
abstract class SoftmaxFamily extends Module {
  /** The dimension the distribution runs along, or `null` for PyTorch's legacy implicit choice. */
  readonly dim: number | null;
  protected readonly layerName: string;

  protected constructor(layerName: string, dim: number | null) {
    super();
    this.layerName = layerName;
    this.dim = checkDim(layerName, dim, true);
  }

  override extraRepr(): string {
    return `dim=${this.dim === null ? 'None' : this.dim}`;
  }
}

/**
 * exp(x) / Σ exp(x) along `dim`, like `torch.nn.Softmax`: each slice along
 * `dim` becomes a probability distribution.
 *
 * **Shape**: any; the output has the input's shape.
 *
 * @example
 * ```ts
 * new Softmax(1).forward(randn([2, 3])).sum(1).tolist(); // [1, 1]
 * ```
 */
export class Softmax extends SoftmaxFamily {
  /** @throws RangeError for a non-integer dim. */
  constructor(dim: number | null = null) {
    super('Softmax', dim);
  }

  /** @throws DTypeError for an integer input; RangeError for a dim out of range. */
  forward(input: Tensor): Tensor {
    checkActivationInput(this.layerName, input, 'float');
    return softmax(input, resolveSoftmaxDim(this.layerName, 'softmax', this.dim, input));
  }
}

/** log(softmax(x)) along `dim`, computed directly, like `torch.nn.LogSoftmax`. **Shape**: any. */
export class LogSoftmax extends SoftmaxFamily {
  /** @throws RangeError for a non-integer dim. */
  constructor(dim: number | null = null) {
    super('LogSoftmax', dim);
  }

  /** @throws DTypeError for an integer input; RangeError for a dim out of range. */
  forward(input: Tensor): Tensor {
    checkActivationInput(this.layerName, input, 'float');
    return logSoftmax(input, resolveSoftmaxDim(this.layerName, 'log_softmax', this.dim, input));
  }
}

/** softmax(−x) along `dim`, like `torch.nn.Softmin`. **Shape**: any. */
export class Softmin extends SoftmaxFamily {
  /** @throws RangeError for a non-integer dim. */
  constructor(dim: number | null = null) {
    super('Softmin', dim);
  }

  /** @throws DTypeError for an integer input; RangeError for a dim out of range. */
  forward(input: Tensor): Tensor {
    checkActivationInput(this.layerName, input, 'float');
    return softmin(input, resolveSoftmaxDim(this.layerName, 'softmin', this.dim, input));
  }
}

/**
 * The gated linear unit, like `torch.nn.GLU`: `dim` is split into halves
 * a and b, and the result is a · sigmoid(b).
 *
 * **Shape**: input `[*, N, *]` → output `[*, N / 2, *]` (N even).
 *
 * @example
 * ```ts
 * new GLU().forward(randn([4, 2])).shape; // [4, 1]
 * ```
 */
export class GLU extends Module {
  /** The dimension split into the halves a and b, as given (negative counts from the end); −1 by default. */
  readonly dim: number;

  /** @throws RangeError for a non-integer dim. */
  constructor(dim = -1) {
    super();
    this.dim = checkDim('GLU', dim, false)!;
  }

  /**
   * @throws ShapeError for a 0-d input or an odd size along `dim`.
   * @throws DTypeError for an integer input; RangeError for a dim out of range.
   */
  forward(input: Tensor): Tensor {
    checkActivationInput('GLU', input, 'float');
    if (input.ndim === 0) throw new ShapeError('GLU: does not support 0-d tensors because halving size must be even, got shape []');
    const dim = normalizeDim(this.dim, input.ndim, 'GLU');
    if (input.shape[dim]! % 2 !== 0) {
      throw new ShapeError(
        `GLU: halving dimension must be even, but dimension ${dim} is size ${input.shape[dim]} (shape ${formatShape(input.shape)})`,
      );
    }
    return glu(input, dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
