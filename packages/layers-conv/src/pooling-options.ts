/**
 * The options of the pooling family (max, min, average, adaptive, LP, max
 * unpooling) and of fold/unfold, and their validation: one `resolve…()` per
 * kind that checks every value and returns a frozen, spelled-out copy (one
 * entry per spatial dimension). Messages name the layer or op, the
 * argument, what was expected and what came; a size argument is checked by
 * the convolution family's `expandSize`, so both families word it alike.
 */
import { checkOptionNames } from '@strata/module';
import { type SizeArgument, describeOption, expandSize } from './options.js';

/** Options of `MaxPool1d/2d/3d` and `MinPool1d/2d/3d` and their functional forms. */
export interface MaxPoolOptions {
  /**
   * The step of the window, per spatial dimension.
   * @defaultValue `kernelSize`
   */
  stride?: SizeArgument | null;
  /**
   * Implicit padding on both sides of each spatial dimension, which never
   * wins (−∞ for max pooling, +∞ for min pooling); at most half the kernel size.
   * @defaultValue `0`
   */
  padding?: SizeArgument;
  /**
   * The spacing between the elements of a window.
   * @defaultValue `1`
   */
  dilation?: SizeArgument;
  /**
   * Also return the int32 index of each window's winner within its
   * `(N, C)` plane (what `maxUnpool` takes): the result is `[output, indices]`.
   * @defaultValue `false`
   */
  returnIndices?: boolean;
  /**
   * Round the output size up instead of down, so that a last, partial
   * window is kept when it starts inside the input or the left padding.
   * @defaultValue `false`
   */
  ceilMode?: boolean;
}

/** Options of `MinPool1d/2d/3d`: those of max pooling. */
export type MinPoolOptions = MaxPoolOptions;

/** Options of `AvgPool1d/2d/3d` and their functional forms. */
export interface AvgPoolOptions {
  /**
   * The step of the window, per spatial dimension.
   * @defaultValue `kernelSize`
   */
  stride?: SizeArgument | null;
  /**
   * Implicit zeros on both sides of each spatial dimension; at most half the kernel size.
   * @defaultValue `0`
   */
  padding?: SizeArgument;
  /**
   * Round the output size up instead of down (see `MaxPoolOptions.ceilMode`).
   * @defaultValue `false`
   */
  ceilMode?: boolean;
  /**
   * Count the padding's zeros in the divisor of a window.
   * @defaultValue `true`
   */
  countIncludePad?: boolean;
  /**
   * Divide every window's sum by this nonzero integer instead of its size.
   * @defaultValue `null`
   */
  divisorOverride?: number | null;
}

/** Options of `AdaptiveMaxPool1d/2d/3d` and their functional forms. */
export interface AdaptiveMaxPoolOptions {
  /**
   * Also return the int32 index of each maximum within its `(N, C)` plane:
   * the result is `[output, indices]`.
   * @defaultValue `false`
   */
  returnIndices?: boolean;
}

/**
 * The output size of an adaptive pooling: one size for every spatial
 * dimension, or one each, where `null` keeps that dimension's input size.
 */
export type AdaptiveOutputSize = number | null | readonly (number | null)[];

/** Options of `MaxUnpool1d/2d/3d`: those of the max pooling being inverted. */
export interface MaxUnpoolOptions {
  /**
   * The stride of the max pooling.
   * @defaultValue `kernelSize`
   */
  stride?: SizeArgument | null;
  /**
   * The padding of the max pooling.
   * @defaultValue `0`
   */
  padding?: SizeArgument;
}

/** Options of `maxUnpool1d/2d/3d`: the layer's options and `forward`'s output size. */
export interface MaxUnpoolFunctionalOptions extends MaxUnpoolOptions {
  /**
   * The output's spatial sizes, or its full shape `[N, C, ...spatial]`, to
   * pick among the sizes that pool to the input's; each must lie strictly
   * within `stride` of the default size `(in − 1)·stride − 2·padding + kernelSize`.
   * @defaultValue `null` (the default size)
   */
  outputSize?: readonly number[] | null;
}

/** Options of `LPPool1d/2d` and their functional forms. */
export interface LPPoolOptions {
  /**
   * The step of the window, per spatial dimension.
   * @defaultValue `kernelSize`
   */
  stride?: SizeArgument | null;
  /**
   * Round the output size up instead of down (see `MaxPoolOptions.ceilMode`).
   * @defaultValue `false`
   */
  ceilMode?: boolean;
}

/** Options of `Fold` and `Unfold` and their functional forms. */
export interface FoldOptions {
  /**
   * The spacing between the elements of a block.
   * @defaultValue `1`
   */
  dilation?: SizeArgument;
  /**
   * Implicit zeros on both sides of each spatial dimension.
   * @defaultValue `0`
   */
  padding?: SizeArgument;
  /**
   * The step between blocks.
   * @defaultValue `1`
   */
  stride?: SizeArgument;
}

/** A pooling window spelled out: one entry per spatial dimension. */
export interface ResolvedPoolWindow {
  /** The size of the window, one entry per spatial dimension (PyTorch's `kernel_size`). */
  readonly kernelSize: readonly number[];
  /** The step of the window, one entry per spatial dimension; the kernel size when none was given. */
  readonly stride: readonly number[];
  /** The implicit padding on both sides of each spatial dimension, at most half the kernel (0 by default). */
  readonly padding: readonly number[];
  /**
   * The spacing between the elements of a window, one entry per
   * spatial dimension (1 by default; always 1 for average pooling).
   */
  readonly dilation: readonly number[];
  /**
   * Whether output sizes are rounded up, keeping a last partial
   * window (PyTorch's `ceil_mode`; `false` by default).
   */
  readonly ceilMode: boolean;
}

/** `MaxPoolOptions` checked and spelled out. */
export interface ResolvedMaxPoolOptions extends ResolvedPoolWindow {
  /**
   * Whether the op also returns the int32 index of each window's
   * winner within its `(N, C)` plane (`false` by default).
   */
  readonly returnIndices: boolean;
}

/** `AvgPoolOptions` checked and spelled out (the dilation is 1). */
export interface ResolvedAvgPoolOptions extends ResolvedPoolWindow {
  /**
   * Whether the padding's zeros count in the divisor of a window
   * (PyTorch's `count_include_pad`; `true` by default).
   */
  readonly countIncludePad: boolean;
  /** A nonzero integer every window's sum is divided by instead of its size, or `null` (the default). */
  readonly divisorOverride: number | null;
}

/** `LPPoolOptions` checked and spelled out, with the norm's exponent. */
export interface ResolvedLPPoolOptions {
  /**
   * The p of `(Σ_window xᵖ)^(1/p)`, nonzero; 1 is sum pooling (PyTorch's `norm_type`).
   */
  readonly normType: number;
  /** The size of the window, one entry per spatial dimension (PyTorch's `kernel_size`). */
  readonly kernelSize: readonly number[];
  /** The step of the window, one entry per spatial dimension; the kernel size when none was given. */
  readonly stride: readonly number[];
  /** Whether output sizes are rounded up, keeping a last partial window (`false` by default). */
  readonly ceilMode: boolean;
}

/** `MaxUnpoolOptions` checked and spelled out. */
export interface ResolvedMaxUnpoolOptions {
  /** The window size of the max pooling being inverted, one entry per spatial dimension. */
  readonly kernelSize: readonly number[];
  /**
   * The stride of the max pooling being inverted, one entry per
   * spatial dimension; the kernel size when none was given.
   */
  readonly stride: readonly number[];
  /** The padding of the max pooling being inverted, one entry per spatial dimension (0 by default). */
  readonly padding: readonly number[];
}

/** `FoldOptions` checked and spelled out, with the kernel size. */
export interface ResolvedFoldOptions {
  /** The size of the sliding blocks `[kH, kW]` (PyTorch's `kernel_size`). */
  readonly kernelSize: readonly number[];
  /** The spacing between the elements of a block `[dH, dW]` (1 by default). */
  readonly dilation: readonly number[];
  /** The implicit zeros on both sides of each spatial dimension `[pH, pW]` (0 by default). */
  readonly padding: readonly number[];
  /** The step between blocks `[sH, sW]` (1 by default). */
  readonly stride: readonly number[];
}

function checkBoolean(name: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new RangeError(`${name}: ${argument} must be a boolean, got ${describeOption(value)}`);
  return value;
}

/**
 * Checks that the padding is at most half the kernel, as PyTorch's
 * `pooling_output_shape` (half the dilated kernel) and shape checks (half
 * the kernel itself) require.
 * @throws RangeError `MaxPool2d: pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1`
 */
function checkPoolPadding(name: string, window: Omit<ResolvedPoolWindow, 'ceilMode'>): void {
  const { kernelSize, padding, dilation } = window;
  for (let d = 0; d < kernelSize.length; d++) {
    const kernel = kernelSize[d]!;
    const pad = padding[d]!;
    if (pad > Math.trunc(((kernel - 1) * dilation[d]! + 1) / 2)) {
      throw new RangeError(
        `${name}: pad should be at most half of effective kernel size, but got pad=${pad}, kernel_size=${kernel} and dilation=${dilation[d]}`,
      );
    }
    if (pad > Math.trunc(kernel / 2)) {
      throw new RangeError(`${name}: pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${kernel}`);
    }
  }
}

function resolveWindow(
  name: string, rank: number, kernelSize: unknown, stride: unknown, padding: unknown, dilation: unknown, ceilMode: unknown,
): ResolvedPoolWindow {
  const kernel = expandSize(name, 'kernelSize', kernelSize, rank, 1);
  const window = {
    kernelSize: kernel,
    stride: stride === null || stride === undefined ? kernel : expandSize(name, 'stride', stride, rank, 1),
    padding: expandSize(name, 'padding', padding ?? 0, rank, 0),
    dilation: expandSize(name, 'dilation', dilation ?? 1, rank, 1),
    ceilMode: checkBoolean(name, 'ceilMode', ceilMode ?? false),
  };
  checkPoolPadding(name, window);
  return window;
}

/**
 * Checks and freezes the options of an N-d max (or min) pooling.
 * @throws RangeError naming `name`, the argument, what was expected and what came.
 */
export function resolveMaxPoolOptions(
  name: string, rank: number, kernelSize: SizeArgument, options: MaxPoolOptions = {},
): ResolvedMaxPoolOptions {
  checkOptionNames(name, options, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode']);
  const window = resolveWindow(name, rank, kernelSize, options.stride, options.padding, options.dilation, options.ceilMode);
  return Object.freeze({ ...window, returnIndices: checkBoolean(name, 'returnIndices', options.returnIndices ?? false) });
}

/**
 * Checks and freezes the options of an N-d average pooling.
 * @throws RangeError naming `name`, the argument, what was expected and what came.
 */
export function resolveAvgPoolOptions(
  name: string, rank: number, kernelSize: SizeArgument, options: AvgPoolOptions = {},
): ResolvedAvgPoolOptions {
  checkOptionNames(name, options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  const window = resolveWindow(name, rank, kernelSize, options.stride, options.padding, 1, options.ceilMode);
  const countIncludePad = checkBoolean(name, 'countIncludePad', options.countIncludePad ?? true);
  const divisorOverride = options.divisorOverride ?? null;
  if (divisorOverride !== null && (!Number.isInteger(divisorOverride) || divisorOverride === 0)) {
    throw new RangeError(`${name}: divisorOverride must be a nonzero integer or null, got ${describeOption(divisorOverride)}`);
  }
  return Object.freeze({ ...window, countIncludePad, divisorOverride });
}

/**
 * Checks and freezes the options of an N-d LP pooling.
 * @throws RangeError `LPPool2d: normType must be a nonzero number, got 0`, and as for the other arguments.
 */
export function resolveLPPoolOptions(
  name: string, rank: number, normType: number, kernelSize: SizeArgument, options: LPPoolOptions = {},
): ResolvedLPPoolOptions {
  if (typeof normType !== 'number' || Number.isNaN(normType) || normType === 0) {
    throw new RangeError(`${name}: normType must be a nonzero number, got ${describeOption(normType)}`);
  }
  checkOptionNames(name, options, ['stride', 'ceilMode']);
  const window = resolveWindow(name, rank, kernelSize, options.stride, 0, 1, options.ceilMode);
  return Object.freeze({ normType, kernelSize: window.kernelSize, stride: window.stride, ceilMode: window.ceilMode });
}

/**
 * Checks and freezes the options of an N-d max unpooling (the padding is
 * not limited to half the kernel: PyTorch's unpooling takes any).
 * @throws RangeError naming `name`, the argument, what was expected and what came.
 */
export function resolveMaxUnpoolOptions(
  name: string, rank: number, kernelSize: SizeArgument, options: MaxUnpoolOptions = {},
): ResolvedMaxUnpoolOptions {
  const kernel = expandSize(name, 'kernelSize', kernelSize, rank, 1);
  const stride = options.stride === null || options.stride === undefined ? kernel : expandSize(name, 'stride', options.stride, rank, 1);
  const padding = expandSize(name, 'padding', options.padding ?? 0, rank, 0);
  return Object.freeze({ kernelSize: kernel, stride, padding });
}

/**
 * Checks and freezes the options of fold/unfold (2 spatial dimensions).
 * @throws RangeError naming `name`, the argument, what was expected and what came.
 */
export function resolveFoldOptions(name: string, kernelSize: SizeArgument, options: FoldOptions = {}): ResolvedFoldOptions {
  checkOptionNames(name, options, ['dilation', 'padding', 'stride']);
  return Object.freeze({
    kernelSize: expandSize(name, 'kernelSize', kernelSize, 2, 1),
    dilation: expandSize(name, 'dilation', options.dilation ?? 1, 2, 1),
    padding: expandSize(name, 'padding', options.padding ?? 0, 2, 0),
    stride: expandSize(name, 'stride', options.stride ?? 1, 2, 1),
  });
}

/**
 * Checks an adaptive pooling's output size: non-negative integers, or
 * `null` to keep the input's size. Returns one entry per spatial dimension.
 * @throws RangeError `AdaptiveAvgPool2d: outputSize must be a non-negative integer or null, or a tuple of 2 of them, got [-1, 2]`
 */
export function resolveAdaptiveOutputSize(name: string, rank: number, outputSize: unknown): readonly (number | null)[] {
  const valid = (item: unknown): item is number | null => item === null || (Number.isInteger(item) && (item as number) >= 0);
  if (valid(outputSize)) return Object.freeze(new Array<number | null>(rank).fill(outputSize));
  if (Array.isArray(outputSize) && outputSize.length === rank && outputSize.every(valid)) {
    return Object.freeze([...(outputSize as (number | null)[])]);
  }
  const what = `a non-negative integer or null, or a tuple of ${rank} of them`;
  throw new RangeError(`${name}: outputSize must be ${what}, got ${describeOption(outputSize)}`);
}

/**
 * A value as Python prints it in PyTorch's `extra_repr`: `2`, `(2, 3)`,
 * `(3,)`, `(None, 7)`, `None`, `True`, `2.5`, `inf`.
 */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (value === Number.POSITIVE_INFINITY) return 'inf';
    if (value === Number.NEGATIVE_INFINITY) return '-inf';
    return String(value);
  }
  if (Array.isArray(value)) {
    const items = value.map(pythonRepr);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return String(value);
}

/** A size argument as given, frozen (an array copied), for a layer to keep and print. */
export function keepArgument<Value>(value: Value): Value {
  return (Array.isArray(value) ? Object.freeze([...(value as unknown[])]) : value) as Value;
}
