/**
 * The options of the normalization layers and their validation: one options
 * interface per family, one `resolve…Options()` that checks every value and
 * returns a frozen, fully spelled-out copy. Messages name the layer, the
 * argument, what was expected and what came. Also the printing helpers that
 * make `extraRepr()` read like PyTorch's `extra_repr`.
 */
import { checkOptionNames, describeOption } from '@strata/module';

/** Options of `BatchNorm1d`, `BatchNorm2d`, `BatchNorm3d` (PyTorch's keyword arguments in camelCase). */
export interface BatchNormOptions {
  /**
   * Added to the variance before its square root, for numerical stability.
   * @defaultValue `1e-5`
   */
  eps?: number;
  /**
   * The weight of the new batch in the running statistics:
   * `running = (1 − momentum) · running + momentum · batch`. `null` gives the
   * cumulative average (the factor is `1 / numBatchesTracked`).
   * @defaultValue `0.1`
   */
  momentum?: number | null;
  /**
   * Whether the layer has a learnable per-channel `weight` (ones) and `bias` (zeros).
   * @defaultValue `true`
   */
  affine?: boolean;
  /**
   * Whether the layer keeps `running_mean`, `running_var` and
   * `num_batches_tracked` and normalizes with them in evaluation mode.
   * Without them it always uses the batch's statistics.
   * @defaultValue `true`
   */
  trackRunningStats?: boolean;
}

/** Options of `InstanceNorm1d`, `InstanceNorm2d`, `InstanceNorm3d`: PyTorch's defaults differ from batch norm's. */
export interface InstanceNormOptions {
  /**
   * Added to the variance before its square root.
   * @defaultValue `1e-5`
   */
  eps?: number;
  /**
   * The weight of the new batch in the running statistics (a number; PyTorch's
   * instance norm has no cumulative average).
   * @defaultValue `0.1`
   */
  momentum?: number;
  /**
   * Whether the layer has a learnable per-channel `weight` and `bias`.
   * @defaultValue `false`
   */
  affine?: boolean;
  /**
   * Whether the layer keeps running statistics (the average over samples of
   * each instance's statistics) and uses them in evaluation mode.
   * @defaultValue `false`
   */
  trackRunningStats?: boolean;
}

/** Options of `LayerNorm`. */
export interface LayerNormOptions {
  /**
   * Added to the variance before its square root.
   * @defaultValue `1e-5`
   */
  eps?: number;
  /**
   * Whether the layer has a learnable elementwise `weight` (ones) and, unless
   * `bias` is false, `bias` (zeros), both of shape `normalizedShape`.
   * @defaultValue `true`
   */
  elementwiseAffine?: boolean;
  /**
   * Whether the affine map has a bias (PyTorch 2.1+); `false` leaves `bias` null.
   * @defaultValue `true`
   */
  bias?: boolean;
}

/** Options of `GroupNorm`. */
export interface GroupNormOptions {
  /**
   * Added to the variance before its square root.
   * @defaultValue `1e-5`
   */
  eps?: number;
  /**
   * Whether the layer has a learnable per-channel `weight` (ones) and `bias` (zeros).
   * @defaultValue `true`
   */
  affine?: boolean;
}

/** Options of `RMSNorm` (PyTorch 2.4+). */
export interface RMSNormOptions {
  /**
   * Added to the mean square before its square root; `null` is the machine
   * epsilon of the input's dtype (`2⁻²³` for float32, `2⁻⁵²` for float64), as
   * PyTorch's `torch.finfo(x.dtype).eps`.
   * @defaultValue `null`
   */
  eps?: number | null;
  /**
   * Whether the layer has a learnable elementwise `weight` (ones) of shape `normalizedShape`.
   * @defaultValue `true`
   */
  elementwiseAffine?: boolean;
}

/** Options of `LocalResponseNorm` and `localResponseNorm`. */
export interface LocalResponseNormOptions {
  /**
   * The multiplier of the averaged squares.
   * @defaultValue `1e-4`
   */
  alpha?: number;
  /**
   * The exponent of the denominator.
   * @defaultValue `0.75`
   */
  beta?: number;
  /**
   * The additive constant of the denominator.
   * @defaultValue `1`
   */
  k?: number;
}

/** `BatchNormOptions` checked, with the feature count. */
export interface ResolvedBatchNormOptions {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
}

/** `LayerNormOptions` checked, with the normalized shape as a list. */
export interface ResolvedLayerNormOptions {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly bias: boolean;
}

/** `GroupNormOptions` checked, with the group and channel counts. */
export interface ResolvedGroupNormOptions {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
}

/** `RMSNormOptions` checked, with the normalized shape as a list. */
export interface ResolvedRMSNormOptions {
  readonly normalizedShape: readonly number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
}

/** `LocalResponseNormOptions` checked, with the window size. */
export interface ResolvedLocalResponseNormOptions {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
}

export { describeOption };

/**
 * A count: an integer ≥ `minimum`.
 * @throws RangeError `BatchNorm2d: numFeatures must be a non-negative integer, got -1`
 */
export function checkCount(name: string, argument: string, value: unknown, minimum: 0 | 1): number {
  if (Number.isInteger(value) && (value as number) >= minimum) return value as number;
  const kind = minimum === 1 ? 'a positive integer' : 'a non-negative integer';
  throw new RangeError(`${name}: ${argument} must be ${kind}, got ${describeOption(value)}`);
}

/**
 * `eps`: a finite number ≥ 0.
 * @throws RangeError `LayerNorm: eps must be a non-negative finite number, got -1`
 */
export function checkEps(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new RangeError(`${name}: eps must be a non-negative finite number, got ${describeOption(value)}`);
}

/**
 * A finite number (momentum, alpha, beta, k).
 * @throws RangeError `BatchNorm1d: momentum must be a finite number or null, got NaN`
 */
export function checkFinite(name: string, argument: string, value: unknown, nullable = false): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new RangeError(`${name}: ${argument} must be a finite number${nullable ? ' or null' : ''}, got ${describeOption(value)}`);
}

/**
 * A flag.
 * @throws RangeError `GroupNorm: affine must be a boolean, got 1`
 */
export function checkBoolean(name: string, argument: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new RangeError(`${name}: ${argument} must be a boolean, got ${describeOption(value)}`);
}

const BATCH_NORM_OPTION_NAMES = ['eps', 'momentum', 'affine', 'trackRunningStats'] as const;

/**
 * A normalized shape: one size or a list of sizes (each a non-negative integer).
 * @throws RangeError `LayerNorm: normalizedShape must be a non-negative integer or a list of them, got [2, -1]`
 */
export function checkNormalizedShape(name: string, value: unknown): readonly number[] {
  const valid = (item: unknown): item is number => Number.isInteger(item) && (item as number) >= 0;
  if (valid(value)) return Object.freeze([value]);
  if (Array.isArray(value) && value.every(valid)) return Object.freeze([...(value as number[])]);
  throw new RangeError(`${name}: normalizedShape must be a non-negative integer or a list of them, got ${describeOption(value)}`);
}

/**
 * Checks and freezes the options of a batch norm layer (or, with
 * `instance`, an instance norm layer and its defaults).
 * @throws RangeError naming `name`, the argument, what was expected and what came.
 */
export function resolveBatchNormOptions(name: string, numFeatures: unknown, options: BatchNormOptions = {}): ResolvedBatchNormOptions {
  checkOptionNames(name, options, BATCH_NORM_OPTION_NAMES);
  const features = checkCount(name, 'numFeatures', numFeatures, 0);
  const eps = checkEps(name, options.eps ?? 1e-5);
  const momentumValue = options.momentum === undefined ? 0.1 : options.momentum;
  const momentum = momentumValue === null ? null : checkFinite(name, 'momentum', momentumValue, true);
  const affine = checkBoolean(name, 'affine', options.affine ?? true);
  const trackRunningStats = checkBoolean(name, 'trackRunningStats', options.trackRunningStats ?? true);
  return Object.freeze({ numFeatures: features, eps, momentum, affine, trackRunningStats });
}

/**
 * Checks and freezes the options of an instance norm layer (PyTorch's
 * defaults: `affine` and `trackRunningStats` false; `momentum` a number).
 * @throws RangeError naming `name`, the argument, what was expected and what came.
 */
export function resolveInstanceNormOptions(name: string, numFeatures: unknown, options: InstanceNormOptions = {}): ResolvedBatchNormOptions {
  checkOptionNames(name, options, BATCH_NORM_OPTION_NAMES);
  const momentum = checkFinite(name, 'momentum', options.momentum === undefined ? 0.1 : options.momentum);
  return resolveBatchNormOptions(name, numFeatures, {
    eps: options.eps,
    momentum,
    affine: options.affine ?? false,
    trackRunningStats: options.trackRunningStats ?? false,
  });
}

/**
 * Checks and freezes the options of `LayerNorm`.
 * @throws RangeError naming the argument, what was expected and what came.
 */
export function resolveLayerNormOptions(name: string, normalizedShape: unknown, options: LayerNormOptions = {}): ResolvedLayerNormOptions {
  checkOptionNames(name, options, ['eps', 'elementwiseAffine', 'bias']);
  return Object.freeze({
    normalizedShape: checkNormalizedShape(name, normalizedShape),
    eps: checkEps(name, options.eps ?? 1e-5),
    elementwiseAffine: checkBoolean(name, 'elementwiseAffine', options.elementwiseAffine ?? true),
    bias: checkBoolean(name, 'bias', options.bias ?? true),
  });
}

/**
 * Checks and freezes the options of `GroupNorm`.
 * @throws RangeError `GroupNorm: numChannels (6) must be divisible by numGroups (4)`, or naming another argument.
 */
export function resolveGroupNormOptions(
  name: string,
  numGroups: unknown,
  numChannels: unknown,
  options: GroupNormOptions = {},
): ResolvedGroupNormOptions {
  checkOptionNames(name, options, ['eps', 'affine']);
  const groups = checkCount(name, 'numGroups', numGroups, 1);
  const channels = checkCount(name, 'numChannels', numChannels, 0);
  if (channels % groups !== 0) {
    throw new RangeError(`${name}: numChannels (${channels}) must be divisible by numGroups (${groups})`);
  }
  return Object.freeze({
    numGroups: groups,
    numChannels: channels,
    eps: checkEps(name, options.eps ?? 1e-5),
    affine: checkBoolean(name, 'affine', options.affine ?? true),
  });
}

/**
 * Checks and freezes the options of `RMSNorm`.
 * @throws RangeError naming the argument, what was expected and what came.
 */
export function resolveRMSNormOptions(name: string, normalizedShape: unknown, options: RMSNormOptions = {}): ResolvedRMSNormOptions {
  checkOptionNames(name, options, ['eps', 'elementwiseAffine']);
  const epsValue = options.eps === undefined ? null : options.eps;
  return Object.freeze({
    normalizedShape: checkNormalizedShape(name, normalizedShape),
    eps: epsValue === null ? null : checkEps(name, epsValue),
    elementwiseAffine: checkBoolean(name, 'elementwiseAffine', options.elementwiseAffine ?? true),
  });
}

/**
 * Checks and freezes the options of a local response normalization.
 * @throws RangeError naming the argument, what was expected and what came.
 */
export function resolveLocalResponseNormOptions(
  name: string,
  size: unknown,
  options: LocalResponseNormOptions = {},
): ResolvedLocalResponseNormOptions {
  checkOptionNames(name, options, ['alpha', 'beta', 'k']);
  return Object.freeze({
    size: checkCount(name, 'size', size, 1),
    alpha: checkFinite(name, 'alpha', options.alpha ?? 1e-4),
    beta: checkFinite(name, 'beta', options.beta ?? 0.75),
    k: checkFinite(name, 'k', options.k ?? 1),
  });
}
