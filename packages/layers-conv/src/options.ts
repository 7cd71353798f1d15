/**
 * The options of the convolution family and their validation: one options
 * interface per family, one `resolve…Options()` that checks every value and
 * returns a frozen, fully spelled-out copy (tuples expanded to one entry per
 * spatial dimension). Messages name the layer or op, the argument, what was
 * expected and what came.
 */
import { checkOptionNames, describeOption } from '@strata/module';

/** A size per spatial dimension: one number for all of them, or one each. */
export type SizeArgument = number | readonly number[];

/** How a convolution pads its input: PyTorch's `padding_mode`. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** The padding of a convolution: an amount per dimension, or `'same'` / `'valid'`. */
export type ConvPadding = SizeArgument | 'same' | 'valid';

/** Options of `Conv1d`, `Conv2d`, `Conv3d` (PyTorch's keyword arguments in camelCase). */
export interface ConvOptions {
  /**
   * The step of the kernel over the input, per spatial dimension.
   * @defaultValue `1`
   */
  stride?: SizeArgument;
  /**
   * Padding added to both sides of each spatial dimension; `'valid'` is no
   * padding, `'same'` pads so the output has the input's size (stride 1
   * only; with an even dilated kernel the extra element goes on the right).
   * @defaultValue `0`
   */
  padding?: ConvPadding;
  /**
   * The spacing between kernel elements (à trous).
   * @defaultValue `1`
   */
  dilation?: SizeArgument;
  /**
   * The number of blocked connections from input to output channels: both
   * channel counts must be divisible by it. `groups = inChannels` is a
   * depthwise convolution.
   * @defaultValue `1`
   */
  groups?: number;
  /**
   * Whether the layer has a learnable bias (functional ops take the bias tensor instead).
   * @defaultValue `true`
   */
  bias?: boolean;
  /**
   * What the padding holds: zeros, the input mirrored without its edge
   * (`'reflect'`), the edge repeated (`'replicate'`) or the input wrapped
   * around (`'circular'`).
   * @defaultValue `'zeros'`
   */
  paddingMode?: PaddingMode;
}

/** Options of `ConvTranspose1d`, `ConvTranspose2d`, `ConvTranspose3d`. */
export interface ConvTransposeOptions {
  /**
   * The stride of the convolution this one transposes: the output grows by it per input step.
   * @defaultValue `1`
   */
  stride?: SizeArgument;
  /**
   * `dilation · (kernelSize − 1) − padding` zeros are added to both sides of
   * the input, so the output loses `padding` elements on each side.
   * @defaultValue `0`
   */
  padding?: SizeArgument;
  /**
   * Extra size added to one side of each output dimension, to pick among the
   * output sizes a strided convolution maps to the same input size. Must be
   * smaller than the stride or the dilation.
   * @defaultValue `0`
   */
  outputPadding?: SizeArgument;
  /**
   * Blocked connections from input to output channels, as for `ConvOptions`.
   * @defaultValue `1`
   */
  groups?: number;
  /**
   * Whether the layer has a learnable bias.
   * @defaultValue `true`
   */
  bias?: boolean;
  /**
   * The spacing between kernel elements.
   * @defaultValue `1`
   */
  dilation?: SizeArgument;
  /**
   * Only `'zeros'` is supported, as in PyTorch.
   * @defaultValue `'zeros'`
   */
  paddingMode?: 'zeros';
}

/** Options of `conv1d`, `conv2d`, `conv3d`: the layer's options less `bias` (the bias is an argument). */
export type ConvFunctionalOptions = Omit<ConvOptions, 'bias'>;

/** Options of `convTranspose1d`, `convTranspose2d`, `convTranspose3d`. */
export interface ConvTransposeFunctionalOptions extends Omit<ConvTransposeOptions, 'bias' | 'paddingMode'> {
  /**
   * The output's spatial sizes (or its full shape), from which the output
   * padding is computed as `ConvTransposeNd.forward` does; overrides
   * `outputPadding`.
   * @defaultValue `null`
   */
  outputSize?: readonly number[] | null;
}

/** `ConvOptions` checked and spelled out, one entry per spatial dimension. */
export interface ResolvedConvOptions {
  /** The step of the kernel over the input, one entry per spatial dimension (PyTorch's `stride`; 1 by default). */
  readonly stride: readonly number[];
  /**
   * The padding on both sides of each spatial dimension, one entry
   * each, or `'same'` / `'valid'` as given (0 by default).
   */
  readonly padding: readonly number[] | 'same' | 'valid';
  /** The spacing between kernel elements, one entry per spatial dimension (PyTorch's `dilation`; 1 by default). */
  readonly dilation: readonly number[];
  /** The number of blocked connections from input to output channels; divides both channel counts (1 by default). */
  readonly groups: number;
  /** Whether the layer has a learnable bias `[outChannels]` (`true` by default). */
  readonly bias: boolean;
  /**
   * What the padding holds: `'zeros'` (the default), `'reflect'`,
   * `'replicate'` or `'circular'` (PyTorch's `padding_mode`).
   */
  readonly paddingMode: PaddingMode;
}

/** `ConvTransposeOptions` checked and spelled out. */
export interface ResolvedConvTransposeOptions {
  /** The stride of the convolution this one transposes, one entry per spatial dimension (1 by default). */
  readonly stride: readonly number[];
  /**
   * What the output loses on each side of each spatial dimension, one entry each:
   * `dilation · (kernelSize − 1) − padding` zeros pad the input (0 by default).
   */
  readonly padding: readonly number[];
  /**
   * The extra size added to one side of each output dimension, smaller than the
   * stride or the dilation (PyTorch's `output_padding`; 0 by default).
   */
  readonly outputPadding: readonly number[];
  /** The spacing between kernel elements, one entry per spatial dimension (1 by default). */
  readonly dilation: readonly number[];
  /** The number of blocked connections from input to output channels; divides both channel counts (1 by default). */
  readonly groups: number;
  /** Whether the layer has a learnable bias `[outChannels]` (`true` by default). */
  readonly bias: boolean;
}

const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

export { describeOption };

/**
 * A size argument as one integer per spatial dimension, each at least `minimum`.
 * @throws RangeError `Conv2d: stride must be a positive integer or a tuple of 2 positive integers, got [1, 0]`
 */
export function expandSize(name: string, argument: string, value: unknown, rank: number, minimum: 0 | 1): readonly number[] {
  const valid = (item: unknown): item is number => Number.isInteger(item) && (item as number) >= minimum;
  if (valid(value)) return Object.freeze(new Array<number>(rank).fill(value));
  if (Array.isArray(value) && value.length === rank && value.every(valid)) return Object.freeze([...(value as number[])]);
  const kind = minimum === 1 ? 'positive' : 'non-negative';
  const what = rank === 1 ? `a ${kind} integer or a tuple of 1 ${kind} integer` : `a ${kind} integer or a tuple of ${rank} ${kind} integers`;
  throw new RangeError(`${name}: ${argument} must be ${what}, got ${describeOption(value)}`);
}

function checkGroups(name: string, groups: unknown): number {
  if (!Number.isInteger(groups) || (groups as number) < 1) {
    throw new RangeError(`${name}: groups must be a positive integer, got ${describeOption(groups)}`);
  }
  return groups as number;
}

function checkBias(name: string, bias: unknown): boolean {
  if (typeof bias !== 'boolean') throw new RangeError(`${name}: bias must be a boolean, got ${describeOption(bias)}`);
  return bias;
}

/** The option names of each form: the layers' (with `bias`) and the functional ops'. */
export const OPTION_NAMES = Object.freeze({
  conv: Object.freeze(['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']),
  convFunctional: Object.freeze(['stride', 'padding', 'dilation', 'groups', 'paddingMode']),
  convTranspose: Object.freeze(['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode']),
  convTransposeFunctional: Object.freeze(['stride', 'padding', 'outputPadding', 'groups', 'dilation', 'outputSize']),
});

/**
 * Checks and freezes the options of an N-d convolution (`rank` spatial
 * dimensions); `known` lists the option names the caller takes.
 * @throws RangeError naming `name`, the argument, what was expected and what came.
 */
export function resolveConvOptions(
  name: string, rank: number, options: ConvOptions = {}, known: readonly string[] = OPTION_NAMES.conv,
): ResolvedConvOptions {
  checkOptionNames(name, options, known);
  const stride = expandSize(name, 'stride', options.stride ?? 1, rank, 1);
  const paddingValue = options.padding ?? 0;
  let padding: ResolvedConvOptions['padding'];
  if (paddingValue === 'same' || paddingValue === 'valid') {
    padding = paddingValue;
  } else if (typeof paddingValue === 'string') {
    throw new RangeError(`${name}: padding must be 'same', 'valid' or a non-negative integer or tuple, got ${describeOption(paddingValue)}`);
  } else {
    padding = expandSize(name, 'padding', paddingValue, rank, 0);
  }
  const dilation = expandSize(name, 'dilation', options.dilation ?? 1, rank, 1);
  const groups = checkGroups(name, options.groups ?? 1);
  const bias = checkBias(name, options.bias ?? true);
  const paddingMode = options.paddingMode ?? 'zeros';
  if (!PADDING_MODES.includes(paddingMode)) {
    throw new RangeError(
      `${name}: paddingMode must be one of ${PADDING_MODES.map((mode) => `'${mode}'`).join(', ')}, got ${describeOption(paddingMode)}`,
    );
  }
  if (padding === 'same' && stride.some((step) => step !== 1)) {
    throw new RangeError(`${name}: padding='same' is not supported for strided convolutions, got stride ${describeOption(stride)}`);
  }
  return Object.freeze({ stride, padding, dilation, groups, bias, paddingMode });
}

/**
 * Checks and freezes the options of an N-d transposed convolution.
 * @throws RangeError naming `name`, the argument, what was expected and what came.
 */
export function resolveConvTransposeOptions(
  name: string, rank: number, options: ConvTransposeOptions & ConvTransposeFunctionalOptions = {},
  known: readonly string[] = OPTION_NAMES.convTranspose,
): ResolvedConvTransposeOptions {
  checkOptionNames(name, options, known);
  const stride = expandSize(name, 'stride', options.stride ?? 1, rank, 1);
  const padding = expandSize(name, 'padding', options.padding ?? 0, rank, 0);
  const outputPadding = expandSize(name, 'outputPadding', options.outputPadding ?? 0, rank, 0);
  const dilation = expandSize(name, 'dilation', options.dilation ?? 1, rank, 1);
  const groups = checkGroups(name, options.groups ?? 1);
  const bias = checkBias(name, options.bias ?? true);
  const paddingMode: unknown = options.paddingMode ?? 'zeros';
  if (paddingMode !== 'zeros') {
    throw new RangeError(`${name}: only paddingMode 'zeros' is supported, got ${describeOption(paddingMode)}`);
  }
  if (outputPadding.some((extra, d) => extra >= stride[d]! && extra >= dilation[d]!)) {
    throw new RangeError(
      `${name}: outputPadding must be smaller than either stride or dilation, got outputPadding ${describeOption(outputPadding)}, ` +
        `stride ${describeOption(stride)}, dilation ${describeOption(dilation)}`,
    );
  }
  return Object.freeze({ stride, padding, outputPadding, dilation, groups, bias });
}

/**
 * Checks a layer's channel counts and kernel size against its groups.
 * @throws RangeError `Conv2d: inChannels must be divisible by groups, got inChannels=3, groups=2`
 */
export function resolveLayerSizes(
  name: string, rank: number, inChannels: unknown, outChannels: unknown, kernelSize: unknown, groups: number,
): { inChannels: number; outChannels: number; kernelSize: readonly number[] } {
  for (const [argument, value] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new RangeError(`${name}: ${argument} must be a positive integer, got ${describeOption(value)}`);
    }
  }
  const kernel = expandSize(name, 'kernelSize', kernelSize, rank, 1);
  for (const [argument, value] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
    if ((value as number) % groups !== 0) {
      throw new RangeError(`${name}: ${argument} must be divisible by groups, got ${argument}=${value}, groups=${groups}`);
    }
  }
  return { inChannels: inChannels as number, outChannels: outChannels as number, kernelSize: kernel };
}
