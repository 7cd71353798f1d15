/**
 * Max unpooling: the functional ops `maxUnpool1d/2d/3d` and the layers
 * `MaxUnpool1d/2d/3d`, like PyTorch's `F.max_unpool*d` and
 * `nn.MaxUnpool*d`: the partial inverse of max pooling, which puts each
 * value back at the position its index names and zeros elsewhere.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module } from '@strata/module';
import { DTypeError, ShapeError, Tensor, checkTensor, formatShape, getKernel, registerKernel } from '@strata/tensor';
import { maxUnpoolKernel } from './kernels/pooling-max.js';
import { type SizeArgument, describeOption } from './options.js';
import { checkPoolingInput, gatherAtIndices } from './pooling.js';
import {
  type MaxUnpoolFunctionalOptions,
  type MaxUnpoolOptions,
  type ResolvedMaxUnpoolOptions,
  pythonRepr,
  resolveMaxUnpoolOptions,
} from './pooling-options.js';

declare module '@strata/tensor' {
  // The max unpooling kernel, shared by every rank.
  interface KernelRegistry {
    /**
     * Zeros of `shape` with each plane of `values` written at its int32
     * `indices` (in range; the last `rank` dimensions make a plane).
     */
    maxUnpool: (values: Tensor, indices: Tensor, shape: readonly number[], rank: number) => Tensor;
  }
}

registerKernel('maxUnpool', maxUnpoolKernel);

type UnpoolOp = (input: Tensor, indices: Tensor, shape: readonly number[], rank: number) => Tensor;

function unpoolOp(name: string): UnpoolOp {
  return defineOp({
    name,
    forward(ctx: OpContext<{ rank: number }>, input: Tensor, indices: Tensor, shape: readonly number[], rank: number) {
      ctx.saveForBackward(indices);
      ctx.state.rank = rank;
      return getKernel('maxUnpool')(input, indices, shape, rank);
    },
    backward(ctx, gradOutput) {
      const [indices] = ctx.savedTensors as [Tensor];
      return [gatherAtIndices(gradOutput, indices, ctx.state.rank)];
    },
  });
}

const unpoolOps: readonly UnpoolOp[] = [unpoolOp('maxUnpool1d'), unpoolOp('maxUnpool2d'), unpoolOp('maxUnpool3d')];

/**
 * The spatial output size: the default `(in − 1)·stride − 2·padding + kernelSize`,
 * or `outputSize` (spatial sizes or a full `[N, C, ...]` shape) when it lies
 * strictly within `stride` of it.
 */
function unpoolOutputSize(
  name: string, rank: number, input: Tensor, options: ResolvedMaxUnpoolOptions, outputSize: readonly number[] | null | undefined,
): readonly number[] {
  const { kernelSize, stride, padding } = options;
  const inputSize = input.shape.slice(input.ndim - rank);
  const defaults = inputSize.map((size, d) => (size - 1) * stride[d]! - 2 * padding[d]! + kernelSize[d]!);
  let result = defaults;
  if (outputSize !== null && outputSize !== undefined) {
    if (!Array.isArray(outputSize) || (outputSize.length !== rank && outputSize.length !== rank + 2)) {
      throw new RangeError(`${name}: outputSize must have ${rank} or ${rank + 2} elements, got ${describeOption(outputSize)}`);
    }
    const requested = outputSize.slice(outputSize.length - rank) as number[];
    requested.forEach((size, d) => {
      const low = defaults[d]! - stride[d]!;
      const high = defaults[d]! + stride[d]!;
      if (!Number.isInteger(size) || size <= low || size >= high) {
        throw new RangeError(
          `${name}: invalid outputSize ${describeOption(outputSize)} (dim ${d} must be strictly between ${low} and ${high})`,
        );
      }
    });
    result = requested;
  }
  if (result.some((size) => size < 1)) {
    throw new ShapeError(
      `${name}: the calculated output size ${formatShape(result)} is too small for input spatial size ${formatShape(inputSize)} ` +
        `(kernelSize ${formatShape(kernelSize)}, stride ${formatShape(stride)}, padding ${formatShape(padding)})`,
    );
  }
  return result;
}

/**
 * Checks the indices: an int32 tensor of the input's shape whose values lie
 * inside an output plane (checked before anything is written).
 * @throws RangeError `maxUnpool2d: found an invalid max index 35 (the output planes are of size 4x4)`
 */
function checkIndices(name: string, input: Tensor, indices: unknown, outputSize: readonly number[]): Tensor {
  checkTensor(name, 'indices', indices);
  if (indices.dtype !== 'int32') throw new DTypeError(`${name}: expected int32 indices, got ${indices.dtype}`);
  if (indices.shape.length !== input.shape.length || indices.shape.some((size, d) => size !== input.shape[d])) {
    throw new ShapeError(`${name}: expected indices of the input's shape ${formatShape(input.shape)}, got shape ${formatShape(indices.shape)}`);
  }
  const planeSize = outputSize.reduce((product, size) => product * size, 1);
  const values = indices.contiguousData() as Int32Array;
  for (let i = 0; i < values.length; i++) {
    const index = values[i]!;
    if (index < 0 || index >= planeSize) {
      throw new RangeError(`${name}: found an invalid max index ${index} (the output planes are of size ${outputSize.join('x')})`);
    }
  }
  return indices;
}

/**
 * The N-d max unpooling behind the functional ops and the layers, with
 * options already resolved; `name` is what error messages call it.
 */
export function maxUnpoolNd(
  name: string, rank: number, input: unknown, indices: unknown, options: ResolvedMaxUnpoolOptions,
  outputSize: readonly number[] | null | undefined,
): Tensor {
  const x = checkPoolingInput(name, rank, input);
  const size = unpoolOutputSize(name, rank, x, options, outputSize);
  const at = checkIndices(name, x, indices, size);
  return unpoolOps[rank - 1]!(x, at, [...x.shape.slice(0, x.ndim - rank), ...size], rank);
}

/**
 * Computes a partial inverse of `maxPool1d`, like `torch.nn.functional.max_unpool1d`:
 * zeros with each input value at the position its index (from `maxPool1d`
 * with `returnIndices`) names in its `(N, C)` plane. Of two values sent to
 * one position the later one stays.
 *
 * **Shape**: input and indices `[N, C, L]` or `[C, L]`; output `[N, C, L_out]` with
 * `L_out = (L − 1)·stride − 2·padding + kernelSize`, or `outputSize`.
 *
 * @throws ShapeError for an input of the wrong rank, indices of another shape, or an output size below 1.
 * @throws DTypeError for an integer input or indices that are not int32.
 * @throws RangeError for invalid options or `outputSize`, or an index outside the output plane.
 *
 * @example
 * ```ts
 * const [pooled, indices] = maxPool1d(tensor([[[1, 3, 2, 5]]]), 2, { returnIndices: true });
 * maxUnpool1d(pooled, indices, 2).tolist(); // [[[0, 3, 0, 5]]]
 * ```
 */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: SizeArgument, options: MaxUnpoolFunctionalOptions = {}): Tensor {
  return maxUnpoolNd('maxUnpool1d', 1, input, indices, resolveMaxUnpoolOptions('maxUnpool1d', 1, kernelSize, options), options.outputSize);
}

/**
 * Computes a partial inverse of `maxPool2d`, like `torch.nn.functional.max_unpool2d` (see {@link maxUnpool1d}).
 *
 * **Shape**: input and indices `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]` with
 * `H_out = (H − 1)·stride[0] − 2·padding[0] + kernelSize[0]`, likewise `W_out`, or `outputSize`.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link maxUnpool1d}.
 */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: SizeArgument, options: MaxUnpoolFunctionalOptions = {}): Tensor {
  return maxUnpoolNd('maxUnpool2d', 2, input, indices, resolveMaxUnpoolOptions('maxUnpool2d', 2, kernelSize, options), options.outputSize);
}

/**
 * Computes a partial inverse of `maxPool3d`, like `torch.nn.functional.max_unpool3d` (see {@link maxUnpool1d}).
 *
 * **Shape**: input and indices `[N, C, D, H, W]` or `[C, D, H, W]`; output `[N, C, D_out, H_out, W_out]` (as `maxUnpool2d`).
 *
 * @throws ShapeError, DTypeError, RangeError as {@link maxUnpool1d}.
 */
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: SizeArgument, options: MaxUnpoolFunctionalOptions = {}): Tensor {
  return maxUnpoolNd('maxUnpool3d', 3, input, indices, resolveMaxUnpoolOptions('maxUnpool3d', 3, kernelSize, options), options.outputSize);
}

/** The base of the max unpooling layers: checks the options at construction. */
export abstract class MaxUnpoolNd extends Module {
  /** The kernel size of the max pooling being inverted, one entry per spatial dimension. */
  readonly kernelSize: readonly number[];
  /** Its stride. */
  readonly stride: readonly number[];
  /** Its padding. */
  readonly padding: readonly number[];
  /** The options as resolved at construction. */
  protected readonly options: ResolvedMaxUnpoolOptions;
  /** The class name messages use (`MaxUnpool2d`). */
  protected readonly layerName: string;
  private readonly rank: number;

  protected constructor(layerName: string, rank: number, kernelSize: SizeArgument, options: MaxUnpoolOptions) {
    super();
    this.options = resolveMaxUnpoolOptions(layerName, rank, kernelSize, options);
    this.kernelSize = this.options.kernelSize;
    this.stride = this.options.stride;
    this.padding = this.options.padding;
    this.layerName = layerName;
    this.rank = rank;
  }

  /**
   * Unpools `input` with the `indices` of the max pooling; `outputSize`
   * (spatial sizes or the full shape) picks the output size.
   * @throws ShapeError, DTypeError, RangeError for arguments that do not fit (see {@link maxUnpool1d}).
   */
  forward(input: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return maxUnpoolNd(this.layerName, this.rank, input, indices, this.options, outputSize);
  }

  /** PyTorch's `extra_repr`: `kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)`. */
  override extraRepr(): string {
    return `kernel_size=${pythonRepr(this.kernelSize)}, stride=${pythonRepr(this.stride)}, padding=${pythonRepr(this.padding)}`;
  }
}

/** A 1-D max unpooling layer, like `torch.nn.MaxUnpool1d` (see {@link maxUnpool1d}). */
export class MaxUnpool1d extends MaxUnpoolNd {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: MaxUnpoolOptions = {}) {
    super('MaxUnpool1d', 1, kernelSize, options);
  }
}

/**
 * A 2-D max unpooling layer, like `torch.nn.MaxUnpool2d` (see {@link maxUnpool2d}).
 *
 * @example
 * ```ts
 * const pool = new MaxPool2d(2, { returnIndices: true });
 * const unpool = new MaxUnpool2d(2);
 * const [output, indices] = pool.forward(randn([1, 1, 5, 5]));
 * unpool.forward(output, indices, [5, 5]).shape; // [1, 1, 5, 5]
 * ```
 */
export class MaxUnpool2d extends MaxUnpoolNd {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: MaxUnpoolOptions = {}) {
    super('MaxUnpool2d', 2, kernelSize, options);
  }
}

/** A 3-D max unpooling layer, like `torch.nn.MaxUnpool3d` (see {@link maxUnpool3d}). */
export class MaxUnpool3d extends MaxUnpoolNd {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: MaxUnpoolOptions = {}) {
    super('MaxUnpool3d', 3, kernelSize, options);
  }
}
