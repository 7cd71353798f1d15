/**
 * Transposed convolution: the functional ops `convTranspose1d/2d/3d` and the
 * layers `ConvTranspose1d/2d/3d`, like PyTorch's `F.conv_transpose*d` and
 * `nn.ConvTranspose*d`. A transposed convolution is the gradient of the
 * convolution with respect to its input, and runs on the same kernels.
 */
import { Module, Parameter } from '@strata/module';
import { ShapeError, type Tensor, checkElementCount, empty, formatShape } from '@strata/tensor';
import { checkBias, checkInput, checkTensors, checkWeight } from './checks.js';
import { convExtraRepr, resetConvParameters } from './conv.js';
import { transposeOf } from './convolution.js';
import type { ConvolutionGeometry } from './kernels/geometry.js';
import {
  type ConvTransposeFunctionalOptions,
  type ConvTransposeOptions,
  type ResolvedConvTransposeOptions,
  OPTION_NAMES,
  type SizeArgument,
  describeOption,
  resolveConvTransposeOptions,
  resolveLayerSizes,
} from './options.js';

/**
 * The output padding that makes the output `outputSize`, as PyTorch's
 * `_ConvTransposeNd._output_padding` computes it: `outputSize` holds the
 * spatial sizes or the full shape, and each size must lie between the
 * smallest output this input gives and that plus `stride − 1`.
 * @throws ShapeError when `outputSize` has the wrong number of elements.
 * @throws RangeError when a size is out of the valid range.
 */
export function outputPaddingFor(
  name: string, input: Tensor, outputSize: readonly number[], options: ResolvedConvTransposeOptions, kernelSize: readonly number[],
): number[] {
  const rank = kernelSize.length;
  const nonSpatial = input.ndim === rank + 2 ? 2 : 1;
  if (!Array.isArray(outputSize) || !outputSize.every((size) => Number.isInteger(size))) {
    throw new RangeError(`${name}: outputSize must be an array of integers, got ${describeOption(outputSize)}`);
  }
  const requested = outputSize.length === rank + nonSpatial ? outputSize.slice(nonSpatial) : outputSize;
  if (requested.length !== rank) {
    throw new ShapeError(
      `${name}: for a ${input.ndim}-D input, outputSize must have ${rank} or ${rank + nonSpatial} elements, ` +
        `got ${outputSize.length} (${describeOption(outputSize)})`,
    );
  }
  const spatial = input.shape.slice(nonSpatial);
  const { stride, padding, dilation } = options;
  const minimum = spatial.map((size, d) => (size - 1) * stride[d]! - 2 * padding[d]! + dilation[d]! * (kernelSize[d]! - 1) + 1);
  const maximum = minimum.map((size, d) => size + stride[d]! - 1);
  if (requested.some((size, d) => size < minimum[d]! || size > maximum[d]!)) {
    throw new RangeError(
      `${name}: requested an output size of ${describeOption(requested)}, but valid sizes range from ` +
        `${describeOption(minimum)} to ${describeOption(maximum)} (for an input of ${formatShape(spatial)})`,
    );
  }
  return requested.map((size, d) => size - minimum[d]!);
}

/**
 * The N-d transposed convolution behind the functional ops and the layers,
 * with options already resolved; `name` is what error messages call it.
 */
export function convolutionTransposeNd(
  name: string, rank: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined,
  options: ResolvedConvTransposeOptions, outputSize: readonly number[] | null | undefined,
): Tensor {
  checkTensors(name, input, weight, bias);
  const { groups, stride, padding, dilation } = options;
  checkWeight(name, rank, weight, groups, true);
  const outChannels = weight.shape[1]! * groups;
  const batched = checkInput(name, rank, input, weight.shape[0]!);
  checkBias(name, bias ?? null, outChannels);
  const kernelSize = weight.shape.slice(2);
  const outputPadding =
    outputSize === null || outputSize === undefined ? options.outputPadding : outputPaddingFor(name, input, outputSize, options, kernelSize);
  const x = batched ? input : input.unsqueeze(0);
  const spatial = x.shape.slice(2);
  const size = spatial.map(
    (length, d) => (length - 1) * stride[d]! - 2 * padding[d]! + dilation[d]! * (kernelSize[d]! - 1) + outputPadding[d]! + 1,
  );
  if (size.some((length) => length <= 0)) {
    throw new ShapeError(
      `${name}: the output size ${formatShape(size)} is not positive (input ${formatShape(spatial)}, kernel ${formatShape(kernelSize)}, ` +
        `stride ${formatShape(stride)}, padding ${formatShape(padding)}, dilation ${formatShape(dilation)}, ` +
        `outputPadding ${formatShape(outputPadding)})`,
    );
  }
  checkElementCount(name, [x.shape[0]!, outChannels, ...size]);
  // The geometry of the convolution this one transposes: its input is our output.
  const geometry: ConvolutionGeometry = Object.freeze({
    inputSize: Object.freeze(size), outputSize: Object.freeze(spatial), kernelSize: Object.freeze(kernelSize),
    stride, padding, dilation, groups,
  });
  const output = transposeOf(geometry)(x, weight, bias ?? null, geometry);
  return batched ? output : output.squeeze(0);
}

/**
 * Applies a 1-D transposed convolution ("deconvolution"), like
 * `torch.nn.functional.conv_transpose1d`: the gradient of `conv1d` with
 * respect to its input, each input element spreading `weight` over the output.
 *
 * **Shape**: input `[N, C_in, L]` or `[C_in, L]`; weight `[C_in, C_out / groups, kL]`;
 * bias `[C_out]`; output `[N, C_out, L_out]` with
 * `L_out = (L − 1)·stride − 2·padding + dilation·(kL − 1) + outputPadding + 1`.
 *
 * @param options - stride, padding, outputPadding, groups, dilation, and
 * `outputSize` (a Strata addition: the output padding is then computed as
 * `ConvTranspose1d.forward` does).
 * @throws ShapeError for an input of the wrong rank or channel count, a
 * weight or bias of the wrong shape, an output size that is not positive or
 * an `outputSize` with the wrong number of elements.
 * @throws DTypeError for an integer input or mixed dtypes.
 * @throws RangeError for invalid options or an `outputSize` out of range.
 *
 * @example
 * ```ts
 * convTranspose1d(randn([4, 8, 10]), randn([8, 2, 3]), null, { stride: 2 }).shape; // [4, 2, 21]
 * ```
 */
export function convTranspose1d(
  input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeFunctionalOptions = {},
): Tensor {
  const resolved = resolveConvTransposeOptions('convTranspose1d', 1, options, OPTION_NAMES.convTransposeFunctional);
  return convolutionTransposeNd('convTranspose1d', 1, input, weight, bias, resolved, options.outputSize);
}

/**
 * Applies a 2-D transposed convolution, like `torch.nn.functional.conv_transpose2d`
 * (see {@link convTranspose1d}).
 *
 * **Shape**: input `[N, C_in, H, W]` or `[C_in, H, W]`; weight `[C_in, C_out / groups, kH, kW]`;
 * output `[N, C_out, H_out, W_out]`, `H_out = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kH − 1) + outputPadding[0] + 1`.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link convTranspose1d}.
 *
 * @example
 * ```ts
 * convTranspose2d(randn([16, 32, 16, 16]), randn([32, 16, 4, 4]), null, { stride: 2, padding: 1 }).shape; // [16, 16, 32, 32]
 * ```
 */
export function convTranspose2d(
  input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeFunctionalOptions = {},
): Tensor {
  const resolved = resolveConvTransposeOptions('convTranspose2d', 2, options, OPTION_NAMES.convTransposeFunctional);
  return convolutionTransposeNd('convTranspose2d', 2, input, weight, bias, resolved, options.outputSize);
}

/**
 * Applies a 3-D transposed convolution, like `torch.nn.functional.conv_transpose3d`
 * (see {@link convTranspose1d}).
 *
 * **Shape**: input `[N, C_in, D, H, W]` or `[C_in, D, H, W]`; weight
 * `[C_in, C_out / groups, kD, kH, kW]`; output `[N, C_out, D_out, H_out, W_out]`, each size as in {@link convTranspose2d}.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link convTranspose1d}.
 */
export function convTranspose3d(
  input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeFunctionalOptions = {},
): Tensor {
  const resolved = resolveConvTransposeOptions('convTranspose3d', 3, options, OPTION_NAMES.convTransposeFunctional);
  return convolutionTransposeNd('convTranspose3d', 3, input, weight, bias, resolved, options.outputSize);
}

/**
 * The base of `ConvTranspose1d/2d/3d`, like PyTorch's `_ConvTransposeNd`.
 * The weight is `[inChannels, outChannels / groups, ...kernelSize]`, and
 * is initialized as PyTorch does it, with the fan-in read from that shape
 * (`outChannels / groups · ∏kernelSize`).
 */
export abstract class ConvTransposeNd extends Module {
  /** The number of channels C_in of the input (PyTorch's `in_channels`); divisible by `groups`. */
  readonly inChannels: number;
  /** The number of channels C_out the layer produces (PyTorch's `out_channels`); divisible by `groups`. */
  readonly outChannels: number;
  /** The size of the filters, one entry per spatial dimension (PyTorch's `kernel_size`). */
  readonly kernelSize: readonly number[];
  /** The stride of the convolution this one transposes, one entry per spatial dimension (1 by default). */
  readonly stride: readonly number[];
  /**
   * What the output loses on each side of each spatial dimension,
   * one entry each (PyTorch's `padding`; 0 by default).
   */
  readonly padding: readonly number[];
  /** The extra size added to one side of each output dimension (PyTorch's `output_padding`; 0 by default). */
  readonly outputPadding: readonly number[];
  /** The spacing between kernel elements, one entry per spatial dimension (1 by default). */
  readonly dilation: readonly number[];
  /** The number of blocked connections from input to output channels (1 by default). */
  readonly groups: number;
  /** Always `'zeros'`: the only mode PyTorch's transposed convolutions support. */
  readonly paddingMode = 'zeros';
  /** The learnable filters, `[inChannels, outChannels / groups, ...kernelSize]`. */
  weight: Parameter;
  /** The learnable bias `[outChannels]`; `null` with `bias: false`. */
  bias!: Parameter | null;
  /** The options as resolved at construction (what `forward` uses). */
  protected readonly options: ResolvedConvTransposeOptions;
  /** The class name messages use (`ConvTranspose2d`). */
  protected readonly layerName: string;

  protected constructor(
    layerName: string, rank: number, inChannels: number, outChannels: number, kernelSize: SizeArgument, options: ConvTransposeOptions,
  ) {
    super();
    const resolved = resolveConvTransposeOptions(layerName, rank, options);
    const sizes = resolveLayerSizes(layerName, rank, inChannels, outChannels, kernelSize, resolved.groups);
    this.inChannels = sizes.inChannels;
    this.outChannels = sizes.outChannels;
    this.kernelSize = sizes.kernelSize;
    this.stride = resolved.stride;
    this.padding = resolved.padding;
    this.outputPadding = resolved.outputPadding;
    this.dilation = resolved.dilation;
    this.groups = resolved.groups;
    this.options = resolved;
    this.layerName = layerName;
    this.weight = new Parameter(empty([inChannels, outChannels / resolved.groups, ...sizes.kernelSize]));
    if (resolved.bias) this.bias = new Parameter(empty([outChannels]));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** PyTorch's initialization (see `ConvNd.resetParameters`), fan-in from the weight's dims 1 and up. */
  resetParameters(): void {
    resetConvParameters(this.weight, this.bias);
  }

  override extraRepr(): string {
    return convExtraRepr(this, this.outputPadding);
  }
}

/**
 * A 1-D transposed convolution layer, like `torch.nn.ConvTranspose1d`.
 *
 * **Shape**: input `[N, C_in, L]` or `[C_in, L]` → output `[N, C_out, L_out]`,
 * `L_out = (L − 1)·stride − 2·padding + dilation·(kernelSize − 1) + outputPadding + 1`.
 *
 * **Attributes**: `weight` `[inChannels, outChannels / groups, kernelSize]`, `bias` `[outChannels]`,
 * from U(−√k, √k) with k = groups / (outChannels · kernelSize).
 */
export class ConvTranspose1d extends ConvTransposeNd {
  /** @throws RangeError for invalid sizes or options. */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArgument, options: ConvTransposeOptions = {}) {
    super('ConvTranspose1d', 1, inChannels, outChannels, kernelSize, options);
  }

  /**
   * @param outputSize - the output's spatial size (or full shape), picking
   * the output padding among the sizes this input allows; else `outputPadding` applies.
   * @throws ShapeError, DTypeError, RangeError as {@link convTranspose1d}.
   */
  forward(input: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return convolutionTransposeNd(this.layerName, 1, input, this.weight, this.bias, this.options, outputSize);
  }
}

/**
 * A 2-D transposed convolution layer, like `torch.nn.ConvTranspose2d`.
 *
 * **Shape**: input `[N, C_in, H, W]` or `[C_in, H, W]` → output `[N, C_out, H_out, W_out]`,
 * `H_out = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kH − 1) + outputPadding[0] + 1`, likewise `W_out`.
 *
 * **Attributes**: `weight` `[inChannels, outChannels / groups, kH, kW]`, `bias` `[outChannels]`,
 * from U(−√k, √k) with k = groups / (outChannels · kH · kW).
 *
 * @example
 * ```ts
 * const down = new Conv2d(16, 16, 3, { stride: 2, padding: 1 });
 * const up = new ConvTranspose2d(16, 16, 3, { stride: 2, padding: 1 });
 * const x = randn([1, 16, 12, 12]);
 * const h = down.forward(x); // [1, 16, 6, 6]
 * up.forward(h).shape; // [1, 16, 11, 11]
 * up.forward(h, x.shape).shape; // [1, 16, 12, 12]
 * ```
 */
export class ConvTranspose2d extends ConvTransposeNd {
  /** @throws RangeError for invalid sizes or options. */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArgument, options: ConvTransposeOptions = {}) {
    super('ConvTranspose2d', 2, inChannels, outChannels, kernelSize, options);
  }

  /**
   * @param outputSize - the output's spatial sizes (or full shape); see {@link ConvTranspose1d.forward}.
   * @throws ShapeError, DTypeError, RangeError as {@link convTranspose1d}.
   */
  forward(input: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return convolutionTransposeNd(this.layerName, 2, input, this.weight, this.bias, this.options, outputSize);
  }
}

/**
 * A 3-D transposed convolution layer, like `torch.nn.ConvTranspose3d`.
 *
 * **Shape**: input `[N, C_in, D, H, W]` or `[C_in, D, H, W]` → output
 * `[N, C_out, D_out, H_out, W_out]`, each size as for `ConvTranspose2d`.
 *
 * **Attributes**: `weight` `[inChannels, outChannels / groups, kD, kH, kW]`, `bias` `[outChannels]`.
 */
export class ConvTranspose3d extends ConvTransposeNd {
  /** @throws RangeError for invalid sizes or options. */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArgument, options: ConvTransposeOptions = {}) {
    super('ConvTranspose3d', 3, inChannels, outChannels, kernelSize, options);
  }

  /**
   * @param outputSize - the output's spatial sizes (or full shape); see {@link ConvTranspose1d.forward}.
   * @throws ShapeError, DTypeError, RangeError as {@link convTranspose1d}.
   */
  forward(input: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return convolutionTransposeNd(this.layerName, 3, input, this.weight, this.bias, this.options, outputSize);
  }
}
