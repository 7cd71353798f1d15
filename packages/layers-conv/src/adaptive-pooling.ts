/**
 * Adaptive pooling: the functional ops `adaptiveAvgPool1d/2d/3d`,
 * `adaptiveMaxPool1d/2d/3d` and their layers, like PyTorch's
 * `F.adaptive_*_pool*d` and `nn.Adaptive*Pool*d`: the windows are chosen so
 * that the output has the requested size, whatever the input's.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module } from '@strata/module';
import { type Tensor, checkOptionNames, getKernel, registerKernel } from '@strata/tensor';
import { adaptiveAvgPoolBackwardKernel, adaptiveAvgPoolKernel, adaptiveMaxPoolKernel } from './kernels/pooling-adaptive.js';
import type { IndicesOf, PoolResult } from './max-pooling.js';
import { describeOption } from './options.js';
import { checkPoolingInput, scatterAtIndices } from './pooling.js';
import {
  type AdaptiveMaxPoolOptions,
  type AdaptiveOutputSize,
  keepArgument,
  pythonRepr,
  resolveAdaptiveOutputSize,
} from './pooling-options.js';
import { COMPOSITE_BACKEND, adaptiveAvgPoolBackwardComposite } from './reference-backward.js';

declare module '@strata/tensor' {
  // The adaptive pooling kernels, shared by every rank (1 to 3).
  interface KernelRegistry {
    /** The average of each adaptive window of every plane of `input`, to the spatial `outputSize`. */
    adaptiveAvgPool: (input: Tensor, outputSize: readonly number[]) => Tensor;
    /** The adjoint of `adaptiveAvgPool`: back to the spatial `inputSize`. */
    adaptiveAvgPoolBackward: (gradOutput: Tensor, inputSize: readonly number[]) => Tensor;
    /** The maximum of each adaptive window of every plane of `input` and its int32 index within the plane. */
    adaptiveMaxPool: (input: Tensor, outputSize: readonly number[]) => { values: Tensor; indices: Tensor };
  }
}

registerKernel('adaptiveAvgPool', adaptiveAvgPoolKernel);
// The default composed of forward ops, then the fused CPU loop over it.
registerKernel('adaptiveAvgPoolBackward', adaptiveAvgPoolBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('adaptiveAvgPoolBackward', adaptiveAvgPoolBackwardKernel, { override: true });
registerKernel('adaptiveMaxPool', adaptiveMaxPoolKernel);

type ResizeOp = (input: Tensor, size: readonly number[]) => Tensor;

// The pooling and its gradient are linear and each other's adjoint, so each is the other's backward.
function adaptiveAvgOp(name: string): ResizeOp {
  return defineOp({
    name,
    forward(ctx: OpContext<{ inputSize: readonly number[] }>, input: Tensor, outputSize: readonly number[]) {
      ctx.state.inputSize = input.shape.slice(input.ndim - outputSize.length);
      return getKernel('adaptiveAvgPool')(input, outputSize);
    },
    backward(ctx, gradOutput) {
      return [adaptiveAvgBackward(gradOutput, ctx.state.inputSize)];
    },
  });
}

const adaptiveAvgOps: readonly ResizeOp[] = [
  adaptiveAvgOp('adaptiveAvgPool1d'), adaptiveAvgOp('adaptiveAvgPool2d'), adaptiveAvgOp('adaptiveAvgPool3d'),
];

const adaptiveAvgBackward: ResizeOp = defineOp({
  name: 'adaptiveAvgPoolBackward',
  forward(ctx: OpContext<{ outputSize: readonly number[] }>, gradOutput: Tensor, inputSize: readonly number[]) {
    ctx.state.outputSize = gradOutput.shape.slice(gradOutput.ndim - inputSize.length);
    return getKernel('adaptiveAvgPoolBackward')(gradOutput, inputSize);
  },
  backward(ctx, gradGradInput) {
    const outputSize = ctx.state.outputSize;
    return [adaptiveAvgOps[outputSize.length - 1]!(gradGradInput, outputSize)];
  },
});

type AdaptiveMaxOp = (input: Tensor, outputSize: readonly number[]) => readonly [Tensor, Tensor];

function adaptiveMaxOp(name: string): AdaptiveMaxOp {
  return defineOp({
    name,
    forward(ctx: OpContext<{ shape: readonly number[]; rank: number }>, input: Tensor, outputSize: readonly number[]) {
      const { values, indices } = getKernel('adaptiveMaxPool')(input, outputSize);
      ctx.markNonDifferentiable(indices);
      ctx.saveForBackward(indices);
      Object.assign(ctx.state, { shape: input.shape, rank: outputSize.length });
      return [values, indices] as const;
    },
    backward(ctx, [gradValues]) {
      const [indices] = ctx.savedTensors as [Tensor];
      return [scatterAtIndices(gradValues, indices, ctx.state.shape, ctx.state.rank)];
    },
  });
}

const adaptiveMaxOps: readonly AdaptiveMaxOp[] = [
  adaptiveMaxOp('adaptiveMaxPool1d'), adaptiveMaxOp('adaptiveMaxPool2d'), adaptiveMaxOp('adaptiveMaxPool3d'),
];

/** The output size with each `null` replaced by the input's size. */
function outputSizeFor(input: Tensor, outputSize: readonly (number | null)[]): readonly number[] {
  const rank = outputSize.length;
  return outputSize.map((size, d) => size ?? input.shape[input.ndim - rank + d]!);
}

/**
 * The N-d adaptive average pooling behind the functional ops and the
 * layers, with the output size already resolved; `name` is what error messages call it.
 */
export function adaptiveAvgPoolNd(name: string, rank: number, input: unknown, outputSize: readonly (number | null)[]): Tensor {
  const x = checkPoolingInput(name, rank, input);
  return adaptiveAvgOps[rank - 1]!(x, outputSizeFor(x, outputSize));
}

/** The N-d adaptive max pooling behind the functional ops and the layers. */
export function adaptiveMaxPoolNd(
  name: string, rank: number, input: unknown, outputSize: readonly (number | null)[], returnIndices: boolean,
): Tensor | [Tensor, Tensor] {
  const x = checkPoolingInput(name, rank, input);
  const [values, indices] = adaptiveMaxOps[rank - 1]!(x, outputSizeFor(x, outputSize));
  return returnIndices ? [values, indices] : values;
}

/**
 * Applies a 1-D adaptive average pooling, like
 * `torch.nn.functional.adaptive_avg_pool1d`: output position `o` averages
 * the input range `[floor(o·L/L_out), ceil((o+1)·L/L_out))`, so windows may
 * differ in size and overlap.
 *
 * **Shape**: input `[N, C, L]` or `[C, L]`; output `[N, C, outputSize]` (`null` keeps `L`).
 *
 * @throws ShapeError for an input of the wrong rank or an empty non-batch dimension.
 * @throws DTypeError for an integer input.
 * @throws RangeError for an output size that is not a non-negative integer (or null).
 *
 * @example
 * ```ts
 * adaptiveAvgPool1d(tensor([[[1, 2, 3, 4, 5]]]), 2).tolist(); // [[[2, 4]]]
 * ```
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: AdaptiveOutputSize): Tensor {
  return adaptiveAvgPoolNd('adaptiveAvgPool1d', 1, input, resolveAdaptiveOutputSize('adaptiveAvgPool1d', 1, outputSize));
}

/**
 * Applies a 2-D adaptive average pooling, like `torch.nn.functional.adaptive_avg_pool2d` (see {@link adaptiveAvgPool1d}).
 *
 * **Shape**: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, ...outputSize]`.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link adaptiveAvgPool1d}.
 *
 * @example
 * ```ts
 * adaptiveAvgPool2d(randn([8, 64, 7, 9]), 1).shape; // [8, 64, 1, 1]: global average pooling
 * adaptiveAvgPool2d(randn([8, 64, 7, 9]), [null, 3]).shape; // [8, 64, 7, 3]
 * ```
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveOutputSize): Tensor {
  return adaptiveAvgPoolNd('adaptiveAvgPool2d', 2, input, resolveAdaptiveOutputSize('adaptiveAvgPool2d', 2, outputSize));
}

/**
 * Applies a 3-D adaptive average pooling, like `torch.nn.functional.adaptive_avg_pool3d` (see {@link adaptiveAvgPool1d}).
 *
 * **Shape**: input `[N, C, D, H, W]` or `[C, D, H, W]`; output `[N, C, ...outputSize]`.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link adaptiveAvgPool1d}.
 */
export function adaptiveAvgPool3d(input: Tensor, outputSize: AdaptiveOutputSize): Tensor {
  return adaptiveAvgPoolNd('adaptiveAvgPool3d', 3, input, resolveAdaptiveOutputSize('adaptiveAvgPool3d', 3, outputSize));
}

/**
 * Applies a 1-D adaptive max pooling, like
 * `torch.nn.functional.adaptive_max_pool1d`: the maximum of each adaptive
 * window (see {@link adaptiveAvgPool1d}); the first of equal values wins, and NaN wins over numbers.
 *
 * **Shape**: as {@link adaptiveAvgPool1d}.
 *
 * @returns the output, or `[output, indices]` with `returnIndices` (int32, within each `(N, C)` plane).
 * @throws ShapeError, DTypeError, RangeError as {@link adaptiveAvgPool1d}.
 */
export function adaptiveMaxPool1d<Options extends AdaptiveMaxPoolOptions = Record<never, never>>(
  input: Tensor, outputSize: AdaptiveOutputSize, options?: Options,
): PoolResult<IndicesOf<Options>> {
  const size = resolveAdaptiveOutputSize('adaptiveMaxPool1d', 1, outputSize);
  return adaptiveMaxPoolNd('adaptiveMaxPool1d', 1, input, size, returnIndicesOf('adaptiveMaxPool1d', options)) as PoolResult<IndicesOf<Options>>;
}

/**
 * Applies a 2-D adaptive max pooling, like `torch.nn.functional.adaptive_max_pool2d` (see {@link adaptiveMaxPool1d}).
 *
 * **Shape**: as {@link adaptiveAvgPool2d}.
 *
 * @returns the output, or `[output, indices]` with `returnIndices`.
 * @throws ShapeError, DTypeError, RangeError as {@link adaptiveAvgPool1d}.
 */
export function adaptiveMaxPool2d<Options extends AdaptiveMaxPoolOptions = Record<never, never>>(
  input: Tensor, outputSize: AdaptiveOutputSize, options?: Options,
): PoolResult<IndicesOf<Options>> {
  const size = resolveAdaptiveOutputSize('adaptiveMaxPool2d', 2, outputSize);
  return adaptiveMaxPoolNd('adaptiveMaxPool2d', 2, input, size, returnIndicesOf('adaptiveMaxPool2d', options)) as PoolResult<IndicesOf<Options>>;
}

/**
 * Applies a 3-D adaptive max pooling, like `torch.nn.functional.adaptive_max_pool3d` (see {@link adaptiveMaxPool1d}).
 *
 * **Shape**: as {@link adaptiveAvgPool3d}.
 *
 * @returns the output, or `[output, indices]` with `returnIndices`.
 * @throws ShapeError, DTypeError, RangeError as {@link adaptiveAvgPool1d}.
 */
export function adaptiveMaxPool3d<Options extends AdaptiveMaxPoolOptions = Record<never, never>>(
  input: Tensor, outputSize: AdaptiveOutputSize, options?: Options,
): PoolResult<IndicesOf<Options>> {
  const size = resolveAdaptiveOutputSize('adaptiveMaxPool3d', 3, outputSize);
  return adaptiveMaxPoolNd('adaptiveMaxPool3d', 3, input, size, returnIndicesOf('adaptiveMaxPool3d', options)) as PoolResult<IndicesOf<Options>>;
}

function returnIndicesOf(name: string, options: AdaptiveMaxPoolOptions | undefined): boolean {
  const value: unknown = options?.returnIndices ?? false;
  if (typeof value !== 'boolean') throw new RangeError(`${name}: returnIndices must be a boolean, got ${describeOption(value)}`);
  return value;
}

/** The base of the adaptive average pooling layers. */
export abstract class AdaptiveAvgPoolNd extends Module {
  /** The output size, as given (`null` keeps a dimension's input size). */
  readonly outputSize: AdaptiveOutputSize;
  /** The class name messages use (`AdaptiveAvgPool2d`). */
  protected readonly layerName: string;
  private readonly rank: number;
  private readonly resolved: readonly (number | null)[];

  protected constructor(layerName: string, rank: number, outputSize: AdaptiveOutputSize) {
    super();
    this.resolved = resolveAdaptiveOutputSize(layerName, rank, outputSize);
    this.outputSize = keepArgument(outputSize);
    this.layerName = layerName;
    this.rank = rank;
  }

  /**
   * Pools `input` (`[N, C, ...spatial]` or `[C, ...spatial]`).
   * @throws ShapeError, DTypeError for an input that does not fit (see {@link adaptiveAvgPool1d}).
   */
  forward(input: Tensor): Tensor {
    return adaptiveAvgPoolNd(this.layerName, this.rank, input, this.resolved);
  }

  /** PyTorch's `extra_repr`: `output_size=(None, 7)`. */
  override extraRepr(): string {
    return `output_size=${pythonRepr(this.outputSize)}`;
  }
}

/** A 1-D adaptive average pooling layer, like `torch.nn.AdaptiveAvgPool1d` (see {@link adaptiveAvgPool1d}). */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  /** @throws RangeError for an invalid output size. */
  constructor(outputSize: AdaptiveOutputSize) {
    super('AdaptiveAvgPool1d', 1, outputSize);
  }
}

/**
 * A 2-D adaptive average pooling layer, like `torch.nn.AdaptiveAvgPool2d` (see {@link adaptiveAvgPool2d}).
 *
 * @example
 * ```ts
 * new AdaptiveAvgPool2d([5, 7]).forward(randn([1, 64, 8, 9])).shape; // [1, 64, 5, 7]
 * ```
 */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  /** @throws RangeError for an invalid output size. */
  constructor(outputSize: AdaptiveOutputSize) {
    super('AdaptiveAvgPool2d', 2, outputSize);
  }
}

/** A 3-D adaptive average pooling layer, like `torch.nn.AdaptiveAvgPool3d` (see {@link adaptiveAvgPool3d}). */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd {
  /** @throws RangeError for an invalid output size. */
  constructor(outputSize: AdaptiveOutputSize) {
    super('AdaptiveAvgPool3d', 3, outputSize);
  }
}

/** The base of the adaptive max pooling layers; `ReturnIndices` is inferred from the options. */
export abstract class AdaptiveMaxPoolNd<ReturnIndices extends boolean = false> extends Module {
  /** The output size, as given (`null` keeps a dimension's input size). */
  readonly outputSize: AdaptiveOutputSize;
  /** Whether `forward` returns `[output, indices]`. */
  readonly returnIndices: ReturnIndices;
  /** The class name messages use (`AdaptiveMaxPool2d`). */
  protected readonly layerName: string;
  private readonly rank: number;
  private readonly resolved: readonly (number | null)[];

  protected constructor(layerName: string, rank: number, outputSize: AdaptiveOutputSize, options: AdaptiveMaxPoolOptions) {
    super();
    checkOptionNames(layerName, options, ['returnIndices']);
    this.resolved = resolveAdaptiveOutputSize(layerName, rank, outputSize);
    this.returnIndices = returnIndicesOf(layerName, options) as ReturnIndices;
    this.outputSize = keepArgument(outputSize);
    this.layerName = layerName;
    this.rank = rank;
  }

  /**
   * Pools `input` (`[N, C, ...spatial]` or `[C, ...spatial]`).
   * @throws ShapeError, DTypeError for an input that does not fit (see {@link adaptiveMaxPool1d}).
   */
  forward(input: Tensor): PoolResult<ReturnIndices> {
    return adaptiveMaxPoolNd(this.layerName, this.rank, input, this.resolved, this.returnIndices) as PoolResult<ReturnIndices>;
  }

  /** PyTorch's `extra_repr`: `output_size=(2, 3)`. */
  override extraRepr(): string {
    return `output_size=${pythonRepr(this.outputSize)}`;
  }
}

/** The options of an adaptive max pooling layer, with `returnIndices` typed so that `forward`'s result follows it. */
export type AdaptiveMaxPoolLayerOptions<ReturnIndices extends boolean> = AdaptiveMaxPoolOptions & { returnIndices?: ReturnIndices };

/** A 1-D adaptive max pooling layer, like `torch.nn.AdaptiveMaxPool1d` (see {@link adaptiveMaxPool1d}). */
export class AdaptiveMaxPool1d<ReturnIndices extends boolean = false> extends AdaptiveMaxPoolNd<ReturnIndices> {
  /** @throws RangeError for an invalid output size or option. */
  constructor(outputSize: AdaptiveOutputSize, options: AdaptiveMaxPoolLayerOptions<ReturnIndices> = {}) {
    super('AdaptiveMaxPool1d', 1, outputSize, options);
  }
}

/**
 * A 2-D adaptive max pooling layer, like `torch.nn.AdaptiveMaxPool2d` (see {@link adaptiveMaxPool2d}).
 *
 * @example
 * ```ts
 * const [output, indices] = new AdaptiveMaxPool2d(2, { returnIndices: true }).forward(randn([1, 3, 5, 5]));
 * ```
 */
export class AdaptiveMaxPool2d<ReturnIndices extends boolean = false> extends AdaptiveMaxPoolNd<ReturnIndices> {
  /** @throws RangeError for an invalid output size or option. */
  constructor(outputSize: AdaptiveOutputSize, options: AdaptiveMaxPoolLayerOptions<ReturnIndices> = {}) {
    super('AdaptiveMaxPool2d', 2, outputSize, options);
  }
}

/** A 3-D adaptive max pooling layer, like `torch.nn.AdaptiveMaxPool3d` (see {@link adaptiveMaxPool3d}). */
export class AdaptiveMaxPool3d<ReturnIndices extends boolean = false> extends AdaptiveMaxPoolNd<ReturnIndices> {
  /** @throws RangeError for an invalid output size or option. */
  constructor(outputSize: AdaptiveOutputSize, options: AdaptiveMaxPoolLayerOptions<ReturnIndices> = {}) {
    super('AdaptiveMaxPool3d', 3, outputSize, options);
  }
}
