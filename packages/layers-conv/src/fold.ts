/**
 * Sliding blocks: the functional ops `unfold` (im2col) and `fold`
 * (col2im) and the layers `Unfold` and `Fold`, like PyTorch's `F.unfold`,
 * `F.fold`, `nn.Unfold` and `nn.Fold` (2 spatial dimensions, as PyTorch's).
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module } from '@strata/module';
import { DTypeError, ShapeError, Tensor, checkTensor, formatShape, getKernel, isFloatingPoint, registerKernel } from '@strata/tensor';
import { foldKernel, unfoldKernel } from './kernels/fold.js';
import type { ConvolutionGeometry } from './kernels/geometry.js';
import { type SizeArgument, expandSize } from './options.js';
import { type FoldOptions, type ResolvedFoldOptions, keepArgument, pythonRepr, resolveFoldOptions } from './pooling-options.js';

declare module '@strata/tensor' {
  // The sliding-block kernels, named as PyTorch's (`unfold` is also the
  // name of `Tensor.unfold`, a different op).
  interface KernelRegistry {
    /** The blocks of `input` `[N, C, ...geometry.inputSize]` as `[N, C·K, L]` (K the kernel volume, L the blocks). */
    im2col: (input: Tensor, geometry: ConvolutionGeometry) => Tensor;
    /** The adjoint of `im2col`: `[N, C·K, L]` summed into `[N, C, ...geometry.inputSize]`. */
    col2im: (columns: Tensor, geometry: ConvolutionGeometry) => Tensor;
  }
}

registerKernel('im2col', unfoldKernel);
registerKernel('col2im', foldKernel);

type BlockOp = (input: Tensor, geometry: ConvolutionGeometry) => Tensor;

// Unfold and fold are linear and each other's adjoint, so each is the other's backward.
const unfoldOp: BlockOp = defineOp({
  name: 'unfold',
  forward(ctx: OpContext<{ geometry: ConvolutionGeometry }>, input: Tensor, geometry: ConvolutionGeometry) {
    ctx.state.geometry = geometry;
    return getKernel('im2col')(input, geometry);
  },
  backward(ctx, gradOutput) {
    return [foldOp(gradOutput, ctx.state.geometry)];
  },
});

const foldOp: BlockOp = defineOp({
  name: 'fold',
  forward(ctx: OpContext<{ geometry: ConvolutionGeometry }>, input: Tensor, geometry: ConvolutionGeometry) {
    ctx.state.geometry = geometry;
    return getKernel('col2im')(input, geometry);
  },
  backward(ctx, gradOutput) {
    return [unfoldOp(gradOutput, ctx.state.geometry)];
  },
});

/** The number of sliding blocks along each dimension of an (unpadded) size. */
function blockCounts(size: readonly number[], options: ResolvedFoldOptions): number[] {
  const { kernelSize, dilation, padding, stride } = options;
  return size.map((extent, d) => Math.floor((extent + 2 * padding[d]! - dilation[d]! * (kernelSize[d]! - 1) - 1) / stride[d]!) + 1);
}

function geometryOf(inputSize: readonly number[], blocks: readonly number[], options: ResolvedFoldOptions): ConvolutionGeometry {
  const { kernelSize, dilation, padding, stride } = options;
  return Object.freeze({
    inputSize: Object.freeze([...inputSize]), outputSize: Object.freeze([...blocks]), kernelSize, stride, padding, dilation, groups: 1,
  });
}

/** Checks a tensor argument: its rank (one of two), non-empty non-batch dimensions, a float dtype. */
function checkBlockInput(name: string, input: unknown, rank: number, layout: string): Tensor {
  checkTensor(name, 'input', input);
  if (input.ndim !== rank && input.ndim !== rank + 1) {
    throw new ShapeError(`${name}: expected a ${rank}-D (unbatched) or ${rank + 1}-D (batched ${layout}) input, got shape ${formatShape(input.shape)}`);
  }
  if (input.shape.slice(input.ndim - rank).some((size) => size === 0)) {
    throw new ShapeError(`${name}: expected an input with non-zero sizes except the batch dimension, got shape ${formatShape(input.shape)}`);
  }
  if (!isFloatingPoint(input.dtype)) throw new DTypeError(`${name}: expected a floating-point input, got ${input.dtype}`);
  return input;
}

/**
 * The unfold behind the functional op and the layer, with options already
 * resolved; `name` is what error messages call it.
 */
export function unfoldNd(name: string, input: unknown, options: ResolvedFoldOptions): Tensor {
  const x = checkBlockInput(name, input, 3, '[N, C, H, W]');
  const spatial = x.shape.slice(x.ndim - 2);
  const blocks = blockCounts(spatial, options);
  if (blocks.some((count) => count < 1)) {
    throw new ShapeError(
      `${name}: given input spatial size ${formatShape(spatial)}, kernelSize ${formatShape(options.kernelSize)}, dilation ${formatShape(options.dilation)} ` +
        `and padding ${formatShape(options.padding)}, the calculated number of sliding blocks ${formatShape(blocks)} must be at least 1 in each dimension`,
    );
  }
  return unfoldOp(x, geometryOf(spatial, blocks, options));
}

/**
 * The fold behind the functional op and the layer, with options already
 * resolved; `name` is what error messages call it.
 */
export function foldNd(name: string, input: unknown, outputSize: readonly number[], options: ResolvedFoldOptions): Tensor {
  const x = checkBlockInput(name, input, 2, '[N, C·K, L]');
  const kernelVolume = options.kernelSize[0]! * options.kernelSize[1]!;
  const rows = x.shape[x.ndim - 2]!;
  if (rows % kernelVolume !== 0) {
    throw new ShapeError(
      `${name}: expected the input's dimension ${x.ndim - 2} (${rows}, shape ${formatShape(x.shape)}) to be divisible by the product of kernelSize ${formatShape(options.kernelSize)} (${kernelVolume})`,
    );
  }
  const blocks = blockCounts(outputSize, options);
  const length = x.shape[x.ndim - 1]!;
  if (blocks.some((count) => count < 1) || blocks[0]! * blocks[1]! !== length) {
    throw new ShapeError(
      `${name}: given outputSize ${formatShape(outputSize)}, kernelSize ${formatShape(options.kernelSize)}, dilation ${formatShape(options.dilation)}, ` +
        `padding ${formatShape(options.padding)} and stride ${formatShape(options.stride)}, expected the input's last dimension to be ` +
        `the number of sliding blocks ${blocks[0]} * ${blocks[1]} = ${blocks[0]! * blocks[1]!}, got ${length} (shape ${formatShape(x.shape)})`,
    );
  }
  return foldOp(x, geometryOf(outputSize, blocks, options));
}

/**
 * Extracts sliding local blocks, like `torch.nn.functional.unfold`
 * (im2col): column `l` of the result holds, for every channel, the
 * `kernelSize` block at the `l`-th position (row-major) of the padded
 * input, channel-major (`c·kH·kW + i·kW + j`).
 *
 * **Shape**: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C·kH·kW, L]` (or `[C·kH·kW, L]`) with
 * `L = Π_d floor((size[d] + 2·padding[d] − dilation[d]·(kernelSize[d] − 1) − 1) / stride[d]) + 1`.
 *
 * @throws ShapeError for an input of the wrong rank, an empty non-batch dimension, or no block fitting.
 * @throws DTypeError for an integer input.
 * @throws RangeError for invalid options.
 *
 * @example
 * ```ts
 * unfold(randn([2, 5, 3, 4]), [2, 3]).shape; // [2, 30, 4]
 * ```
 */
export function unfold(input: Tensor, kernelSize: SizeArgument, options: FoldOptions = {}): Tensor {
  return unfoldNd('unfold', input, resolveFoldOptions('unfold', kernelSize, options));
}

/**
 * Combines sliding local blocks into a tensor, like
 * `torch.nn.functional.fold` (col2im), the adjoint of {@link unfold}:
 * each block's values are added at their positions, overlaps summing, the
 * padding dropped. `fold(unfold(x))` is `x` times how many blocks cover each element.
 *
 * **Shape**: input `[N, C·kH·kW, L]` or `[C·kH·kW, L]`; output `[N, C, ...outputSize]`,
 * with `L` the number of blocks `outputSize` holds (as {@link unfold}).
 *
 * @throws ShapeError for an input of the wrong rank, a channel dimension not divisible
 * by the kernel volume, or a last dimension other than the number of blocks.
 * @throws DTypeError for an integer input.
 * @throws RangeError for invalid options or output size.
 *
 * @example
 * ```ts
 * fold(randn([1, 3 * 2 * 2, 12]), [4, 5], 2).shape; // [1, 3, 4, 5]
 * ```
 */
export function fold(input: Tensor, outputSize: SizeArgument, kernelSize: SizeArgument, options: FoldOptions = {}): Tensor {
  const size = expandSize('fold', 'outputSize', outputSize, 2, 1);
  return foldNd('fold', input, size, resolveFoldOptions('fold', kernelSize, options));
}

/**
 * The sliding-block extraction layer, like `torch.nn.Unfold` (see {@link unfold}).
 *
 * @example
 * ```ts
 * new Unfold([2, 3]).forward(randn([2, 5, 3, 4])).shape; // [2, 30, 4]
 * ```
 */
export class Unfold extends Module {
  /** The block size, as given. */
  readonly kernelSize: SizeArgument;
  /** The spacing between block elements, as given. */
  readonly dilation: SizeArgument;
  /** The implicit zero padding, as given. */
  readonly padding: SizeArgument;
  /** The step between blocks, as given. */
  readonly stride: SizeArgument;
  private readonly options: ResolvedFoldOptions;

  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: FoldOptions = {}) {
    super();
    this.options = resolveFoldOptions('Unfold', kernelSize, options);
    this.kernelSize = keepArgument(kernelSize);
    this.dilation = keepArgument(options.dilation ?? 1);
    this.padding = keepArgument(options.padding ?? 0);
    this.stride = keepArgument(options.stride ?? 1);
  }

  /** @throws ShapeError, DTypeError for an input that does not fit (see {@link unfold}). */
  forward(input: Tensor): Tensor {
    return unfoldNd('Unfold', input, this.options);
  }

  /** PyTorch's `extra_repr`: `kernel_size=2, dilation=1, padding=0, stride=1`. */
  override extraRepr(): string {
    return (
      `kernel_size=${pythonRepr(this.kernelSize)}, dilation=${pythonRepr(this.dilation)}, ` +
      `padding=${pythonRepr(this.padding)}, stride=${pythonRepr(this.stride)}`
    );
  }
}

/**
 * The sliding-block combination layer, like `torch.nn.Fold` (see {@link fold}).
 *
 * @example
 * ```ts
 * new Fold([4, 5], 2).forward(randn([1, 12, 12])).shape; // [1, 3, 4, 5]
 * ```
 */
export class Fold extends Module {
  /** The spatial output size, as given. */
  readonly outputSize: SizeArgument;
  /** The block size, as given. */
  readonly kernelSize: SizeArgument;
  /** The spacing between block elements, as given. */
  readonly dilation: SizeArgument;
  /** The implicit zero padding, as given. */
  readonly padding: SizeArgument;
  /** The step between blocks, as given. */
  readonly stride: SizeArgument;
  private readonly options: ResolvedFoldOptions;
  private readonly size: readonly number[];

  /** @throws RangeError for invalid sizes or options (the message names the argument). */
  constructor(outputSize: SizeArgument, kernelSize: SizeArgument, options: FoldOptions = {}) {
    super();
    this.size = expandSize('Fold', 'outputSize', outputSize, 2, 1);
    this.options = resolveFoldOptions('Fold', kernelSize, options);
    this.outputSize = keepArgument(outputSize);
    this.kernelSize = keepArgument(kernelSize);
    this.dilation = keepArgument(options.dilation ?? 1);
    this.padding = keepArgument(options.padding ?? 0);
    this.stride = keepArgument(options.stride ?? 1);
  }

  /** @throws ShapeError, DTypeError for an input that does not fit (see {@link fold}). */
  forward(input: Tensor): Tensor {
    return foldNd('Fold', input, this.size, this.options);
  }

  /** PyTorch's `extra_repr`: `output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1`. */
  override extraRepr(): string {
    return (
      `output_size=${pythonRepr(this.outputSize)}, kernel_size=${pythonRepr(this.kernelSize)}, dilation=${pythonRepr(this.dilation)}, ` +
      `padding=${pythonRepr(this.padding)}, stride=${pythonRepr(this.stride)}`
    );
  }
}
