/**
 * Max and min pooling: the functional ops `maxPool1d/2d/3d`,
 * `minPool1d/2d/3d` and the layers `MaxPool1d/2d/3d`, `MinPool1d/2d/3d`,
 * like PyTorch's `F.max_pool*d` and `nn.MaxPool*d` (PyTorch has no min
 * pooling: it is `-maxPool(-x)`, indices included).
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module } from '@strata/module';
import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import type { ConvolutionGeometry } from './kernels/geometry.js';
import { maxPoolKernel } from './kernels/pooling-max.js';
import type { SizeArgument } from './options.js';
import { checkPoolingInput, poolingGeometry, scatterAtIndices } from './pooling.js';
import {
  type MaxPoolOptions,
  type MinPoolOptions,
  type ResolvedMaxPoolOptions,
  keepArgument,
  pythonRepr,
  resolveMaxPoolOptions,
} from './pooling-options.js';

declare module '@strata/tensor' {
  // The max pooling kernel; every rank, and min pooling, share it.
  interface KernelRegistry {
    /**
     * The maximum (with `minimum`, the minimum) of each window of `geometry`
     * in every plane of `input`, and its int32 index within the plane.
     */
    maxPool: (input: Tensor, geometry: ConvolutionGeometry, minimum: boolean) => { values: Tensor; indices: Tensor };
  }
}

registerKernel('maxPool', maxPoolKernel);

/** What a max pooling returns: the output, or `[output, indices]` with `returnIndices`. */
export type PoolResult<ReturnIndices extends boolean> = ReturnIndices extends true ? [Tensor, Tensor] : Tensor;

type ExtremumOp = (input: Tensor, geometry: ConvolutionGeometry, minimum: boolean) => readonly [Tensor, Tensor];

function extremumOp(name: string): ExtremumOp {
  return defineOp({
    name,
    forward(ctx: OpContext<{ shape: readonly number[]; rank: number }>, input: Tensor, geometry: ConvolutionGeometry, minimum: boolean) {
      const { values, indices } = getKernel('maxPool')(input, geometry, minimum);
      ctx.markNonDifferentiable(indices);
      ctx.saveForBackward(indices);
      Object.assign(ctx.state, { shape: input.shape, rank: geometry.kernelSize.length });
      return [values, indices] as const;
    },
    backward(ctx, [gradValues]) {
      // Each window's gradient goes to its winner; overlapping windows add up.
      const [indices] = ctx.savedTensors as [Tensor];
      return [scatterAtIndices(gradValues, indices, ctx.state.shape, ctx.state.rank)];
    },
  });
}

const maxOps: readonly ExtremumOp[] = [extremumOp('maxPool1d'), extremumOp('maxPool2d'), extremumOp('maxPool3d')];
const minOps: readonly ExtremumOp[] = [extremumOp('minPool1d'), extremumOp('minPool2d'), extremumOp('minPool3d')];

/**
 * The N-d max (or, with `minimum`, min) pooling behind the functional ops
 * and the layers, with options already resolved; `name` is what error
 * messages call it.
 */
export function extremumPoolNd(
  name: string, rank: number, input: unknown, options: ResolvedMaxPoolOptions, minimum: boolean,
): Tensor | [Tensor, Tensor] {
  const x = checkPoolingInput(name, rank, input);
  const geometry = poolingGeometry(name, rank, x, options);
  const [values, indices] = (minimum ? minOps : maxOps)[rank - 1]!(x, geometry, minimum);
  return options.returnIndices ? [values, indices] : values;
}

/** The `returnIndices` an options type carries: `true`, `false`, or `boolean` when not known statically. */
export type IndicesOf<Options> = Options extends { returnIndices?: infer ReturnIndices }
  ? ReturnIndices extends boolean ? ReturnIndices : false
  : false;

/**
 * Applies a 1-D max pooling over an input of several planes, like
 * `torch.nn.functional.max_pool1d`: `out[n, c, l] = max_k input[n, c, stride·l − padding + dilation·k]`
 * over `k < kernelSize`, the padding never winning. Of equal values the
 * first in the window wins, and NaN wins over numbers (the last NaN of a window).
 *
 * **Shape**: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]` with
 * `L_out = floor((L + 2·padding − dilation·(kernelSize − 1) − 1) / stride) + 1`
 * (`ceil` with `ceilMode`, dropping a last window that would start in the right padding).
 *
 * @returns the output, or `[output, indices]` with `returnIndices` (int32, the
 * index of each maximum within its `(N, C)` plane).
 * @throws ShapeError for an input of the wrong rank, an empty non-batch dimension, or an output size below 1.
 * @throws DTypeError for an integer input.
 * @throws RangeError for invalid options, such as a padding over half the kernel.
 *
 * @example
 * ```ts
 * maxPool1d(tensor([[[1, 3, 2, 5, 4]]]), 2).tolist(); // [[[3, 5]]]
 * ```
 */
export function maxPool1d<Options extends MaxPoolOptions = Record<never, never>>(input: Tensor, kernelSize: SizeArgument, options?: Options): PoolResult<IndicesOf<Options>> {
  return extremumPoolNd('maxPool1d', 1, input, resolveMaxPoolOptions('maxPool1d', 1, kernelSize, options), false) as PoolResult<IndicesOf<Options>>;
}

/**
 * Applies a 2-D max pooling, like `torch.nn.functional.max_pool2d` (see {@link maxPool1d}).
 *
 * **Shape**: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]` with
 * `H_out = floor((H + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0]) + 1`, likewise `W_out`.
 *
 * @returns the output, or `[output, indices]` with `returnIndices`.
 * @throws ShapeError, DTypeError, RangeError as {@link maxPool1d}.
 *
 * @example
 * ```ts
 * maxPool2d(randn([8, 16, 32, 32]), 2).shape; // [8, 16, 16, 16]
 * const [output, indices] = maxPool2d(randn([8, 16, 32, 32]), 3, { stride: 2, padding: 1, returnIndices: true });
 * ```
 */
export function maxPool2d<Options extends MaxPoolOptions = Record<never, never>>(input: Tensor, kernelSize: SizeArgument, options?: Options): PoolResult<IndicesOf<Options>> {
  return extremumPoolNd('maxPool2d', 2, input, resolveMaxPoolOptions('maxPool2d', 2, kernelSize, options), false) as PoolResult<IndicesOf<Options>>;
}

/**
 * Applies a 3-D max pooling, like `torch.nn.functional.max_pool3d` (see {@link maxPool1d}).
 *
 * **Shape**: input `[N, C, D, H, W]` or `[C, D, H, W]`; output `[N, C, D_out, H_out, W_out]`, each size as for `maxPool2d`.
 *
 * @returns the output, or `[output, indices]` with `returnIndices`.
 * @throws ShapeError, DTypeError, RangeError as {@link maxPool1d}.
 */
export function maxPool3d<Options extends MaxPoolOptions = Record<never, never>>(input: Tensor, kernelSize: SizeArgument, options?: Options): PoolResult<IndicesOf<Options>> {
  return extremumPoolNd('maxPool3d', 3, input, resolveMaxPoolOptions('maxPool3d', 3, kernelSize, options), false) as PoolResult<IndicesOf<Options>>;
}

/**
 * Applies a 1-D min pooling: the minimum of each window, which PyTorch
 * lacks. It equals `-maxPool1d(-input)`, indices included: of equal values
 * the first in the window wins, NaN wins over numbers, the padding never wins.
 *
 * **Shape**: as {@link maxPool1d}.
 *
 * @returns the output, or `[output, indices]` with `returnIndices`.
 * @throws ShapeError, DTypeError, RangeError as {@link maxPool1d}.
 *
 * @example
 * ```ts
 * minPool1d(tensor([[[1, 3, 2, 5, 4]]]), 2).tolist(); // [[[1, 2]]]
 * ```
 */
export function minPool1d<Options extends MinPoolOptions = Record<never, never>>(input: Tensor, kernelSize: SizeArgument, options?: Options): PoolResult<IndicesOf<Options>> {
  return extremumPoolNd('minPool1d', 1, input, resolveMaxPoolOptions('minPool1d', 1, kernelSize, options), true) as PoolResult<IndicesOf<Options>>;
}

/**
 * Applies a 2-D min pooling, `-maxPool2d(-input)` (see {@link minPool1d}).
 *
 * **Shape**: as {@link maxPool2d}.
 *
 * @returns the output, or `[output, indices]` with `returnIndices`.
 * @throws ShapeError, DTypeError, RangeError as {@link maxPool1d}.
 */
export function minPool2d<Options extends MinPoolOptions = Record<never, never>>(input: Tensor, kernelSize: SizeArgument, options?: Options): PoolResult<IndicesOf<Options>> {
  return extremumPoolNd('minPool2d', 2, input, resolveMaxPoolOptions('minPool2d', 2, kernelSize, options), true) as PoolResult<IndicesOf<Options>>;
}

/**
 * Applies a 3-D min pooling, `-maxPool3d(-input)` (see {@link minPool1d}).
 *
 * **Shape**: as {@link maxPool3d}.
 *
 * @returns the output, or `[output, indices]` with `returnIndices`.
 * @throws ShapeError, DTypeError, RangeError as {@link maxPool1d}.
 */
export function minPool3d<Options extends MinPoolOptions = Record<never, never>>(input: Tensor, kernelSize: SizeArgument, options?: Options): PoolResult<IndicesOf<Options>> {
  return extremumPoolNd('minPool3d', 3, input, resolveMaxPoolOptions('minPool3d', 3, kernelSize, options), true) as PoolResult<IndicesOf<Options>>;
}

/**
 * The base of the max and min pooling layers, like PyTorch's `_MaxPoolNd`:
 * it checks the options at construction and prints them as PyTorch does.
 * `ReturnIndices` is inferred from the options (`{ returnIndices: true }`
 * makes `forward` return `[output, indices]`); it is never written by hand.
 */
export abstract class ExtremumPoolNd<ReturnIndices extends boolean = false> extends Module {
  /** The window size, as given. */
  readonly kernelSize: SizeArgument;
  /** The window's step, as given (the kernel size by default). */
  readonly stride: SizeArgument;
  /** The implicit padding, as given. */
  readonly padding: SizeArgument;
  /** The spacing between window elements, as given. */
  readonly dilation: SizeArgument;
  /** Whether `forward` returns `[output, indices]`. */
  readonly returnIndices: ReturnIndices;
  /** Whether output sizes round up. */
  readonly ceilMode: boolean;
  /** The options as resolved at construction (what `forward` uses). */
  protected readonly options: ResolvedMaxPoolOptions;
  /** The class name messages use (`MaxPool2d`), fixed so that minified builds keep it. */
  protected readonly layerName: string;
  private readonly rank: number;
  private readonly minimum: boolean;

  protected constructor(layerName: string, rank: number, minimum: boolean, kernelSize: SizeArgument, options: MaxPoolOptions) {
    super();
    this.options = resolveMaxPoolOptions(layerName, rank, kernelSize, options);
    this.kernelSize = keepArgument(kernelSize);
    this.stride = keepArgument(options.stride ?? kernelSize);
    this.padding = keepArgument(options.padding ?? 0);
    this.dilation = keepArgument(options.dilation ?? 1);
    this.returnIndices = this.options.returnIndices as ReturnIndices;
    this.ceilMode = this.options.ceilMode;
    this.layerName = layerName;
    this.rank = rank;
    this.minimum = minimum;
  }

  /**
   * Pools `input` (`[N, C, ...spatial]` or `[C, ...spatial]`).
   * @throws ShapeError, DTypeError for an input that does not fit (see {@link maxPool1d}).
   */
  forward(input: Tensor): PoolResult<ReturnIndices> {
    return extremumPoolNd(this.layerName, this.rank, input, this.options, this.minimum) as PoolResult<ReturnIndices>;
  }

  /** PyTorch's `extra_repr`: `kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False`. */
  override extraRepr(): string {
    return (
      `kernel_size=${pythonRepr(this.kernelSize)}, stride=${pythonRepr(this.stride)}, padding=${pythonRepr(this.padding)}, ` +
      `dilation=${pythonRepr(this.dilation)}, ceil_mode=${pythonRepr(this.ceilMode)}`
    );
  }
}

/** The options of a max or min pooling layer, with `returnIndices` typed so that `forward`'s result follows it. */
export type ExtremumPoolLayerOptions<ReturnIndices extends boolean> = MaxPoolOptions & { returnIndices?: ReturnIndices };

/**
 * A 1-D max pooling layer, like `torch.nn.MaxPool1d` (see {@link maxPool1d}).
 *
 * **Shape**: `[N, C, L]` or `[C, L]` → `[N, C, L_out]` or `[C, L_out]`.
 *
 * @example
 * ```ts
 * const pool = new MaxPool1d(3, { stride: 2 });
 * pool.forward(randn([20, 16, 50])).shape; // [20, 16, 24]
 * ```
 */
export class MaxPool1d<ReturnIndices extends boolean = false> extends ExtremumPoolNd<ReturnIndices> {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: ExtremumPoolLayerOptions<ReturnIndices> = {}) {
    super('MaxPool1d', 1, false, kernelSize, options);
  }
}

/**
 * A 2-D max pooling layer, like `torch.nn.MaxPool2d` (see {@link maxPool2d}).
 *
 * **Shape**: `[N, C, H, W]` or `[C, H, W]` → `[N, C, H_out, W_out]` or `[C, H_out, W_out]`.
 *
 * @example
 * ```ts
 * new MaxPool2d(2).forward(randn([8, 32, 28, 28])).shape; // [8, 32, 14, 14]
 * new MaxPool2d(2).toString(); // 'MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)'
 * const [output, indices] = new MaxPool2d([3, 2], { stride: [2, 1], returnIndices: true }).forward(randn([1, 16, 50, 32]));
 * ```
 */
export class MaxPool2d<ReturnIndices extends boolean = false> extends ExtremumPoolNd<ReturnIndices> {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: ExtremumPoolLayerOptions<ReturnIndices> = {}) {
    super('MaxPool2d', 2, false, kernelSize, options);
  }
}

/**
 * A 3-D max pooling layer, like `torch.nn.MaxPool3d` (see {@link maxPool3d}).
 *
 * **Shape**: `[N, C, D, H, W]` or `[C, D, H, W]` → `[N, C, D_out, H_out, W_out]` or `[C, D_out, H_out, W_out]`.
 */
export class MaxPool3d<ReturnIndices extends boolean = false> extends ExtremumPoolNd<ReturnIndices> {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: ExtremumPoolLayerOptions<ReturnIndices> = {}) {
    super('MaxPool3d', 3, false, kernelSize, options);
  }
}

/**
 * A 1-D min pooling layer (PyTorch has none; see {@link minPool1d}): the
 * minimum of each window, `-MaxPool1d(-x)` with the same options.
 *
 * **Shape**: as `MaxPool1d`.
 */
export class MinPool1d<ReturnIndices extends boolean = false> extends ExtremumPoolNd<ReturnIndices> {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: ExtremumPoolLayerOptions<ReturnIndices> = {}) {
    super('MinPool1d', 1, true, kernelSize, options);
  }
}

/**
 * A 2-D min pooling layer (see {@link minPool2d}).
 *
 * **Shape**: as `MaxPool2d`.
 *
 * @example
 * ```ts
 * new MinPool2d(2).forward(tensor([[[1, 2], [3, 4]]])).tolist(); // [[[1]]]
 * ```
 */
export class MinPool2d<ReturnIndices extends boolean = false> extends ExtremumPoolNd<ReturnIndices> {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: ExtremumPoolLayerOptions<ReturnIndices> = {}) {
    super('MinPool2d', 2, true, kernelSize, options);
  }
}

/**
 * A 3-D min pooling layer (see {@link minPool3d}).
 *
 * **Shape**: as `MaxPool3d`.
 */
export class MinPool3d<ReturnIndices extends boolean = false> extends ExtremumPoolNd<ReturnIndices> {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: ExtremumPoolLayerOptions<ReturnIndices> = {}) {
    super('MinPool3d', 3, true, kernelSize, options);
  }
}
