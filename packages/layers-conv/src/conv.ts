/**
 * Convolution: the functional ops `conv1d`, `conv2d`, `conv3d` and the
 * layers `Conv1d`, `Conv2d`, `Conv3d`, like PyTorch's `F.conv*d` and
 * `nn.Conv*d`.
 */
import { Module, Parameter, calculateFanInAndFanOut, formatPythonTuple, kaimingUniform_, uniform_ } from '@strata/module';
import { type Tensor, empty } from '@strata/tensor';
import { checkBias, checkInput, checkKernelFits, checkPaddingMode, checkTensors, checkWeight } from './checks.js';
import { convolutionOf, convolutionPad } from './convolution.js';
import type { ConvolutionGeometry } from './kernels/geometry.js';
import {
  type ConvFunctionalOptions,
  type ConvOptions,
  type PaddingMode,
  type ResolvedConvOptions,
  OPTION_NAMES,
  type SizeArgument,
  resolveConvOptions,
  resolveLayerSizes,
} from './options.js';

/**
 * The N-d convolution behind the functional ops and the layers, with
 * options already resolved; `name` is what error messages call it.
 */
export function convolutionNd(
  name: string, rank: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ResolvedConvOptions,
): Tensor {
  checkTensors(name, input, weight, bias);
  const { groups, stride, dilation, paddingMode } = options;
  checkWeight(name, rank, weight, groups, false);
  const outChannels = weight.shape[0]!;
  const batched = checkInput(name, rank, input, weight.shape[1]! * groups);
  checkBias(name, bias ?? null, outChannels);
  const x = batched ? input : input.unsqueeze(0);
  const spatial = x.shape.slice(2);
  const kernelSize = weight.shape.slice(2);
  const dilatedKernel = kernelSize.map((size, d) => dilation[d]! * (size - 1) + 1);
  let before: readonly number[];
  let after: readonly number[];
  if (options.padding === 'valid') {
    before = after = new Array<number>(rank).fill(0);
  } else if (options.padding === 'same') {
    // PyTorch puts the odd element of an even total on the right.
    before = dilatedKernel.map((size) => Math.floor((size - 1) / 2));
    after = dilatedKernel.map((size, d) => size - 1 - before[d]!);
  } else {
    before = after = options.padding;
  }
  checkKernelFits(name, spatial, before, after, dilatedKernel);
  let source = x;
  let inputSize = spatial;
  let padding = before;
  if (paddingMode !== 'zeros' && (before.some((amount) => amount > 0) || after.some((amount) => amount > 0))) {
    checkPaddingMode(name, paddingMode, spatial, before, after);
    source = convolutionPad(x, Object.freeze({ before, after, mode: paddingMode }));
    inputSize = source.shape.slice(2);
    padding = after = new Array<number>(rank).fill(0);
  }
  const outputSize = inputSize.map(
    (size, d) => Math.floor((size + padding[d]! + after[d]! - dilatedKernel[d]!) / stride[d]!) + 1,
  );
  const geometry: ConvolutionGeometry = Object.freeze({
    inputSize: Object.freeze(inputSize), outputSize: Object.freeze(outputSize), kernelSize: Object.freeze(kernelSize),
    stride, padding: Object.freeze([...padding]), dilation, groups,
  });
  const output = convolutionOf(geometry)(source, weight, bias ?? null, geometry);
  return batched ? output : output.squeeze(0);
}

/**
 * Applies a 1-D convolution over an input of several channels, like
 * `torch.nn.functional.conv1d`: `out[n, o] = bias[o] + Σ_c weight[o, c] ⋆ input[n, c]`
 * (⋆ the valid cross-correlation), each output channel seeing the input
 * channels of its group.
 *
 * **Shape**: input `[N, C_in, L]` or `[C_in, L]`; weight `[C_out, C_in / groups, kL]`;
 * bias `[C_out]`; output `[N, C_out, L_out]` with
 * `L_out = floor((L + 2·padding − dilation·(kL − 1) − 1) / stride) + 1`.
 *
 * @param bias - added to each output channel; `null` (the default) for none.
 * @param options - stride, padding (also `'same'` / `'valid'`), dilation,
 * groups and — a Strata addition — `paddingMode`, as the layer's.
 * @throws ShapeError for an input of the wrong rank or channel count, a
 * weight or bias of the wrong shape, or a kernel larger than the padded input.
 * @throws DTypeError for an integer input or mixed dtypes.
 * @throws RangeError for invalid options.
 *
 * @example
 * ```ts
 * conv1d(randn([20, 16, 50]), randn([33, 16, 3]), null, { stride: 2 }).shape; // [20, 33, 24]
 * ```
 */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvFunctionalOptions = {}): Tensor {
  const resolved = resolveConvOptions('conv1d', 1, options, OPTION_NAMES.convFunctional);
  return convolutionNd('conv1d', 1, input, weight, bias, resolved);
}

/**
 * Applies a 2-D convolution over an input of several channels, like
 * `torch.nn.functional.conv2d` (see {@link conv1d} for the formula).
 *
 * **Shape**: input `[N, C_in, H, W]` or `[C_in, H, W]`; weight
 * `[C_out, C_in / groups, kH, kW]`; bias `[C_out]`; output `[N, C_out, H_out, W_out]` with
 * `H_out = floor((H + 2·padding[0] − dilation[0]·(kH − 1) − 1) / stride[0]) + 1`, likewise `W_out`.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link conv1d}.
 *
 * @example
 * ```ts
 * const x = randn([8, 3, 32, 32]);
 * conv2d(x, randn([16, 3, 3, 3]), zeros([16]), { padding: 1 }).shape; // [8, 16, 32, 32]
 * conv2d(x, randn([3, 1, 5, 5]), null, { padding: 'same', groups: 3 }).shape; // depthwise: [8, 3, 32, 32]
 * ```
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvFunctionalOptions = {}): Tensor {
  const resolved = resolveConvOptions('conv2d', 2, options, OPTION_NAMES.convFunctional);
  return convolutionNd('conv2d', 2, input, weight, bias, resolved);
}

/**
 * Applies a 3-D convolution over an input of several channels, like
 * `torch.nn.functional.conv3d` (see {@link conv1d} for the formula).
 *
 * **Shape**: input `[N, C_in, D, H, W]` or `[C_in, D, H, W]`; weight
 * `[C_out, C_in / groups, kD, kH, kW]`; bias `[C_out]`; output
 * `[N, C_out, D_out, H_out, W_out]`, each size as in {@link conv2d}.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link conv1d}.
 */
export function conv3d(input: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvFunctionalOptions = {}): Tensor {
  const resolved = resolveConvOptions('conv3d', 3, options, OPTION_NAMES.convFunctional);
  return convolutionNd('conv3d', 3, input, weight, bias, resolved);
}

/**
 * The base of `Conv1d`, `Conv2d` and `Conv3d`, like PyTorch's `_ConvNd`:
 * validates the options, creates the parameters, initializes them and
 * prints them. Subclasses fix the number of spatial dimensions.
 */
export abstract class ConvNd extends Module {
  /** The number of channels C_in of the input (PyTorch's `in_channels`); divisible by `groups`. */
  readonly inChannels: number;
  /** The number of channels C_out the convolution produces (PyTorch's `out_channels`); divisible by `groups`. */
  readonly outChannels: number;
  /** The size of the filters, one entry per spatial dimension (PyTorch's `kernel_size`). */
  readonly kernelSize: readonly number[];
  /** The step of the kernel over the input, one entry per spatial dimension (1 by default). */
  readonly stride: readonly number[];
  /** The padding on both sides of each spatial dimension, one entry each, or `'same'` / `'valid'` (0 by default). */
  readonly padding: readonly number[] | 'same' | 'valid';
  /** The spacing between kernel elements, one entry per spatial dimension (1 by default). */
  readonly dilation: readonly number[];
  /**
   * The number of blocked connections from input to output
   * channels; `inChannels` makes it depthwise (1 by default).
   */
  readonly groups: number;
  /**
   * What the padding holds: `'zeros'` (the default), `'reflect'`,
   * `'replicate'` or `'circular'` (PyTorch's `padding_mode`).
   */
  readonly paddingMode: PaddingMode;
  /**
   * The learnable filters, `[outChannels, inChannels / groups, ...kernelSize]`,
   * from U(−√k, √k) with k = groups / (inChannels · ∏kernelSize).
   */
  weight: Parameter;
  /** The learnable bias `[outChannels]`, from U(−√k, √k) like the weight; `null` with `bias: false`. */
  bias!: Parameter | null;
  /** The options as resolved at construction (what `forward` uses). */
  protected readonly options: ResolvedConvOptions;
  /** The class name messages use (`Conv2d`), fixed so that minified builds keep it. */
  protected readonly layerName: string;

  protected constructor(
    layerName: string, rank: number, inChannels: number, outChannels: number, kernelSize: SizeArgument, options: ConvOptions,
  ) {
    super();
    const resolved = resolveConvOptions(layerName, rank, options);
    const sizes = resolveLayerSizes(layerName, rank, inChannels, outChannels, kernelSize, resolved.groups);
    this.inChannels = sizes.inChannels;
    this.outChannels = sizes.outChannels;
    this.kernelSize = sizes.kernelSize;
    this.stride = resolved.stride;
    this.padding = resolved.padding;
    this.dilation = resolved.dilation;
    this.groups = resolved.groups;
    this.paddingMode = resolved.paddingMode;
    this.options = resolved;
    this.layerName = layerName;
    this.weight = new Parameter(empty([outChannels, inChannels / resolved.groups, ...sizes.kernelSize]));
    if (resolved.bias) this.bias = new Parameter(empty([outChannels]));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /**
   * PyTorch's initialization: the weight by Kaiming uniform with a = √5
   * (U(−1/√fanIn, 1/√fanIn)), the bias from U(−1/√fanIn, 1/√fanIn).
   */
  resetParameters(): void {
    resetConvParameters(this.weight, this.bias);
  }

  override extraRepr(): string {
    return convExtraRepr(this, null);
  }
}

/** PyTorch's `reset_parameters` of `_ConvNd` (shared with the transposed layers). */
export function resetConvParameters(weight: Parameter, bias: Parameter | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    if (fanIn !== 0) {
      const bound = 1 / Math.sqrt(fanIn);
      uniform_(bias, -bound, bound);
    }
  }
}

interface ReprFields {
  inChannels: number;
  outChannels: number;
  kernelSize: readonly number[];
  stride: readonly number[];
  padding: readonly number[] | string;
  dilation: readonly number[];
  groups: number;
  bias: Parameter | null;
  paddingMode: string;
}

/** PyTorch's `_ConvNd.extra_repr`: the channels, kernel and stride, then only the non-default options. */
export function convExtraRepr(layer: ReprFields, outputPadding: readonly number[] | null): string {
  let text = `${layer.inChannels}, ${layer.outChannels}, kernel_size=${formatPythonTuple(layer.kernelSize)}, stride=${formatPythonTuple(layer.stride)}`;
  if (typeof layer.padding === 'string') text += `, padding=${layer.padding}`;
  else if (layer.padding.some((amount) => amount !== 0)) text += `, padding=${formatPythonTuple(layer.padding)}`;
  if (layer.dilation.some((step) => step !== 1)) text += `, dilation=${formatPythonTuple(layer.dilation)}`;
  if (outputPadding !== null && outputPadding.some((extra) => extra !== 0)) text += `, output_padding=${formatPythonTuple(outputPadding)}`;
  if (layer.groups !== 1) text += `, groups=${layer.groups}`;
  if (layer.bias === null) text += ', bias=False';
  if (layer.paddingMode !== 'zeros') text += `, padding_mode=${layer.paddingMode}`;
  return text;
}

/**
 * A 1-D convolution layer, like `torch.nn.Conv1d`.
 *
 * **Shape**: input `[N, C_in, L]` or `[C_in, L]` → output `[N, C_out, L_out]`
 * or `[C_out, L_out]`, `L_out = floor((L + 2·padding − dilation·(kernelSize − 1) − 1) / stride) + 1`.
 *
 * **Attributes**: `weight` `[outChannels, inChannels / groups, kernelSize]`, `bias` `[outChannels]`,
 * both from U(−√k, √k) with k = groups / (inChannels · kernelSize).
 *
 * @example
 * ```ts
 * const conv = new Conv1d(16, 33, 3, { stride: 2 });
 * conv.forward(randn([20, 16, 50])).shape; // [20, 33, 24]
 * ```
 */
export class Conv1d extends ConvNd {
  /** @throws RangeError for invalid sizes or options (the message names the argument). */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArgument, options: ConvOptions = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, options);
  }

  /** @throws ShapeError, DTypeError for an input that does not fit (see {@link conv1d}). */
  forward(input: Tensor): Tensor {
    return convolutionNd(this.layerName, 1, input, this.weight, this.bias, this.options);
  }
}

/**
 * A 2-D convolution layer, like `torch.nn.Conv2d`.
 *
 * **Shape**: input `[N, C_in, H, W]` or `[C_in, H, W]` → output `[N, C_out, H_out, W_out]`,
 * `H_out = floor((H + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0]) + 1`, likewise `W_out`.
 *
 * **Attributes**: `weight` `[outChannels, inChannels / groups, kH, kW]`, `bias` `[outChannels]`,
 * both from U(−√k, √k) with k = groups / (inChannels · kH · kW).
 *
 * @example
 * ```ts
 * const conv = new Conv2d(3, 16, 3, { padding: 1 });
 * conv.forward(randn([8, 3, 32, 32])).shape; // [8, 16, 32, 32]
 * conv.toString(); // 'Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))'
 * new Conv2d(16, 33, [3, 5], { stride: [2, 1], padding: [4, 2], dilation: [3, 1] });
 * new Conv2d(32, 32, 3, { groups: 32, padding: 'same', paddingMode: 'reflect' }); // depthwise
 * ```
 */
export class Conv2d extends ConvNd {
  /** @throws RangeError for invalid sizes or options (the message names the argument). */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArgument, options: ConvOptions = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, options);
  }

  /** @throws ShapeError, DTypeError for an input that does not fit (see {@link conv2d}). */
  forward(input: Tensor): Tensor {
    return convolutionNd(this.layerName, 2, input, this.weight, this.bias, this.options);
  }
}

/**
 * A 3-D convolution layer, like `torch.nn.Conv3d`.
 *
 * **Shape**: input `[N, C_in, D, H, W]` or `[C_in, D, H, W]` → output
 * `[N, C_out, D_out, H_out, W_out]`, each size as for `Conv2d`.
 *
 * **Attributes**: `weight` `[outChannels, inChannels / groups, kD, kH, kW]`, `bias` `[outChannels]`,
 * both from U(−√k, √k) with k = groups / (inChannels · kD · kH · kW).
 *
 * @example
 * ```ts
 * const conv = new Conv3d(16, 33, [3, 5, 2], { stride: [2, 1, 1], padding: [4, 2, 0] });
 * conv.forward(randn([2, 16, 10, 20, 30])).shape; // [2, 33, 8, 20, 29]
 * ```
 */
export class Conv3d extends ConvNd {
  /** @throws RangeError for invalid sizes or options (the message names the argument). */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArgument, options: ConvOptions = {}) {
    super('Conv3d', 3, inChannels, outChannels, kernelSize, options);
  }

  /** @throws ShapeError, DTypeError for an input that does not fit (see {@link conv3d}). */
  forward(input: Tensor): Tensor {
    return convolutionNd(this.layerName, 3, input, this.weight, this.bias, this.options);
  }
}
