/**
 * The options of the losses and their validation: one options interface per
 * loss (PyTorch's keyword arguments in camelCase), one `resolve…Options()`
 * per interface that checks every value and returns a frozen, fully
 * spelled-out copy. Messages name the loss (`CrossEntropyLoss`) or the
 * functional op (`crossEntropy`), the option, what was expected and what came.
 */
import { DTypeError, ShapeError, Tensor, checkOptionNames, describeKind, describeValue, formatShape, isFloatingPoint } from '@strata/tensor';

/**
 * How the per-element losses are combined: kept as they are (`'none'`),
 * averaged (`'mean'`) or added up (`'sum'`).
 */
export type Reduction = 'none' | 'mean' | 'sum';

/** `KLDivLoss`'s reductions: the common ones and `'batchmean'` (the sum divided by the batch size). */
export type KLDivReduction = Reduction | 'batchmean';

/** Options of `MSELoss`, `L1Loss` and of every other loss: the reduction. */
export interface LossOptions {
  /**
   * How the per-element losses are combined: `'none'` keeps them, `'mean'`
   * averages them, `'sum'` adds them up.
   * @defaultValue `'mean'`
   */
  reduction?: Reduction;
}

/** Options of `SmoothL1Loss` / `smoothL1Loss`. */
export interface SmoothL1LossOptions extends LossOptions {
  /**
   * Where the loss changes from quadratic to linear (non-negative); `0` is the L1 loss.
   * @defaultValue `1`
   */
  beta?: number;
}

/** Options of `HuberLoss` / `huberLoss`. */
export interface HuberLossOptions extends LossOptions {
  /**
   * Where the loss changes from quadratic to linear (positive).
   * @defaultValue `1`
   */
  delta?: number;
}

/** Options of `NLLLoss` / `nllLoss`. */
export interface NLLLossOptions extends LossOptions {
  /**
   * A weight per class (1-D, `C` elements, the input's dtype); `null` weighs every class 1.
   * With `'mean'` the loss is divided by the sum of the weights of the targets.
   * @defaultValue `null`
   */
  weight?: Tensor | null;
  /**
   * A target value that is ignored: it adds nothing to the loss nor to the
   * divisor of `'mean'`, and its input gets no gradient.
   * @defaultValue `-100`
   */
  ignoreIndex?: number;
}

/** Options of `CrossEntropyLoss` / `crossEntropy`. */
export interface CrossEntropyLossOptions extends NLLLossOptions {
  /**
   * How much of the target is spread evenly over all classes, in `[0, 1]`:
   * the target becomes `(1 − labelSmoothing) · target + labelSmoothing / C`.
   * @defaultValue `0`
   */
  labelSmoothing?: number;
}

/** Options of `BCELoss` / `binaryCrossEntropy`. */
export interface BCELossOptions extends LossOptions {
  /**
   * A weight per element, broadcast to the input's shape; `null` weighs every element 1.
   * @defaultValue `null`
   */
  weight?: Tensor | null;
}

/** Options of `BCEWithLogitsLoss` / `binaryCrossEntropyWithLogits`. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /**
   * A weight of the positive examples, broadcast to the input's shape (a
   * `[C]` tensor weighs each class of the last dimension); `null` weighs them 1.
   * @defaultValue `null`
   */
  posWeight?: Tensor | null;
}

/** Options of `KLDivLoss` / `klDiv`. */
export interface KLDivLossOptions {
  /**
   * `'batchmean'` divides the sum by the batch size (the input's first
   * dimension), which is the mathematical KL divergence per sample; `'mean'`
   * averages over every element.
   * @defaultValue `'mean'`
   */
  reduction?: KLDivReduction;
  /**
   * Whether the target holds log-probabilities (like the input) instead of probabilities.
   * @defaultValue `false`
   */
  logTarget?: boolean;
}

/** Options of `CosineEmbeddingLoss` / `cosineEmbeddingLoss` and `MarginRankingLoss` / `marginRankingLoss`. */
export interface MarginLossOptions extends LossOptions {
  /**
   * The margin: a dissimilar pair (target −1) with cosine similarity above it
   * is penalized; a ranked pair must be ordered by at least it.
   * @defaultValue `0`
   */
  margin?: number;
}

/** Options of `CosineEmbeddingLoss` / `cosineEmbeddingLoss` (the margin defaults to 0). */
export type CosineEmbeddingLossOptions = MarginLossOptions;

/** Options of `MarginRankingLoss` / `marginRankingLoss` (the margin defaults to 0). */
export type MarginRankingLossOptions = MarginLossOptions;

/** Options of `TripletMarginLoss` / `tripletMarginLoss`. */
export interface TripletMarginLossOptions extends LossOptions {
  /**
   * How much farther the negative must be from the anchor than the positive.
   * @defaultValue `1`
   */
  margin?: number;
  /**
   * The norm degree of the pairwise distance (positive; `Infinity` for the largest difference).
   * @defaultValue `2`
   */
  p?: number;
  /**
   * A small constant added to the differences, so the distance of equal vectors has a gradient.
   * @defaultValue `1e-6`
   */
  eps?: number;
  /**
   * Whether the negative's distance is the smaller of its distances to the
   * anchor and to the positive ("distance swap", Balntas et al. 2016).
   * @defaultValue `false`
   */
  swap?: boolean;
}

/** `LossOptions` checked. */
export interface ResolvedLossOptions {
  /** How the per-element losses are combined: `'none'`, `'mean'` (the default) or `'sum'`; PyTorch's `reduction`. */
  readonly reduction: Reduction;
}

/** `SmoothL1LossOptions` checked. */
export interface ResolvedSmoothL1LossOptions extends ResolvedLossOptions {
  /**
   * Where the loss turns from quadratic (`0.5 · x² / beta`) to
   * linear (`|x| − 0.5 · beta`); non-negative, 1 by default.
   */
  readonly beta: number;
}

/** `HuberLossOptions` checked. */
export interface ResolvedHuberLossOptions extends ResolvedLossOptions {
  /**
   * Where the loss turns from quadratic (`0.5 · x²`) to linear
   * (`delta · (|x| − 0.5 · delta)`); positive, 1 by default.
   */
  readonly delta: number;
}

/** `NLLLossOptions` and `CrossEntropyLossOptions` checked (`labelSmoothing` is 0 for NLL). */
export interface ResolvedClassIndexLossOptions extends ResolvedLossOptions {
  /** A weight per class, 1-D `[C]` in the input's dtype, or `null` (every class weighs 1); PyTorch's `weight`. */
  readonly weight: Tensor | null;
  /**
   * The target value that adds nothing to the loss nor to the divisor
   * of `'mean'` (PyTorch's `ignore_index`, −100 by default).
   */
  readonly ignoreIndex: number;
  /**
   * The share of the target spread evenly over the `C` classes,
   * in [0, 1]; 0 (none) by default and always 0 for NLL.
   */
  readonly labelSmoothing: number;
}

/** `BCELossOptions` and `BCEWithLogitsLossOptions` checked (`posWeight` is null for BCE). */
export interface ResolvedBinaryLossOptions extends ResolvedLossOptions {
  /** A weight per element, broadcast to the input's shape, or `null` (every element weighs 1); PyTorch's `weight`. */
  readonly weight: Tensor | null;
  /**
   * A weight of the positive examples, broadcast to the input's shape,
   * or `null` (PyTorch's `pos_weight`; always `null` for BCE).
   */
  readonly posWeight: Tensor | null;
}

/** `KLDivLossOptions` checked. */
export interface ResolvedKLDivLossOptions {
  /**
   * How the pointwise terms are combined: `'none'`, `'mean'` (the
   * default), `'sum'` or `'batchmean'` (the sum over the batch size).
   */
  readonly reduction: KLDivReduction;
  /**
   * Whether the target holds log-probabilities instead of
   * probabilities (PyTorch's `log_target`, `false` by default).
   */
  readonly logTarget: boolean;
}

/** `MarginLossOptions` checked. */
export interface ResolvedMarginLossOptions extends ResolvedLossOptions {
  /**
   * The margin of the loss (PyTorch's `margin`): 0 by default for the
   * cosine-embedding and ranking losses, 1 for the triplet loss.
   */
  readonly margin: number;
}

/** `TripletMarginLossOptions` checked. */
export interface ResolvedTripletMarginLossOptions extends ResolvedMarginLossOptions {
  /** The norm degree of the pairwise distances (positive; `Infinity` for the largest difference); 2 by default. */
  readonly p: number;
  /**
   * The constant added to the differences before the norm, so
   * equal vectors still get a gradient (1e-6 by default).
   */
  readonly eps: number;
  /**
   * Whether the negative's distance is the smaller of its distances to the
   * anchor and the positive (PyTorch's `swap`, `false` by default).
   */
  readonly swap: boolean;
}

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];
const KL_DIV_REDUCTIONS: readonly KLDivReduction[] = ['none', 'batchmean', 'sum', 'mean'];

/**
 * The options object itself: absent means all defaults; a key the loss
 * doesn't know (`ignore_index`, a typo) is an error rather than silently ignored.
 */
function checkOptionsObject(name: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  checkOptionNames(name, options, known);
  return options as Record<string, unknown>;
}

function resolveReduction<R extends string>(name: string, value: unknown, allowed: readonly R[], fallback: R): R {
  const reduction = value ?? fallback;
  if (!allowed.includes(reduction as R)) {
    throw new RangeError(
      `${name}: reduction must be one of ${allowed.map((item) => `'${item}'`).join(', ')}, got ${describeValue(reduction)}`,
    );
  }
  return reduction as R;
}

function finiteNumber(name: string, option: string, value: unknown, requirement: string, valid: (x: number) => boolean): number {
  if (typeof value !== 'number' || Number.isNaN(value) || !valid(value)) {
    throw new RangeError(`${name}: ${option} must be ${requirement}, got ${describeValue(value)}`);
  }
  return value;
}

function booleanOption(name: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new RangeError(`${name}: ${option} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/**
 * A weight option: null, or a floating-point tensor (1-D when `perClass`).
 * @throws TypeError for a non-tensor; DTypeError for an integer tensor; ShapeError for a per-class weight that is not 1-D.
 */
function weightOption(name: string, option: string, value: unknown, perClass: boolean): Tensor | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Tensor)) throw new TypeError(`${name}: ${option} must be a Tensor or null, got ${describeKind(value)}`);
  if (!isFloatingPoint(value.dtype)) {
    throw new DTypeError(`${name}: ${option} must be a floating-point tensor, got ${value.dtype}`);
  }
  if (perClass && value.ndim !== 1) {
    throw new ShapeError(`${name}: ${option} must be a 1-D tensor with one weight per class, got shape ${formatShape(value.shape)}`);
  }
  return value;
}

/**
 * Checks and freezes the options of `MSELoss`, `L1Loss` (and their functional forms).
 * @throws RangeError `MSELoss: reduction must be one of 'none', 'mean', 'sum', got 'avg'`
 */
export function resolveLossOptions(name: string, options: LossOptions = {}): ResolvedLossOptions {
  const given = checkOptionsObject(name, options, ['reduction']);
  return Object.freeze({ reduction: resolveReduction(name, given.reduction, REDUCTIONS, 'mean') });
}

/**
 * Checks and freezes the options of `SmoothL1Loss`.
 * @throws RangeError `SmoothL1Loss: beta must be a non-negative finite number, got -1`
 */
export function resolveSmoothL1LossOptions(name: string, options: SmoothL1LossOptions = {}): ResolvedSmoothL1LossOptions {
  const given = checkOptionsObject(name, options, ['reduction', 'beta']);
  return Object.freeze({
    reduction: resolveReduction(name, given.reduction, REDUCTIONS, 'mean'),
    beta: finiteNumber(name, 'beta', given.beta ?? 1, 'a non-negative finite number', (x) => x >= 0 && Number.isFinite(x)),
  });
}

/**
 * Checks and freezes the options of `HuberLoss`.
 * @throws RangeError `HuberLoss: delta must be a positive finite number, got 0`
 */
export function resolveHuberLossOptions(name: string, options: HuberLossOptions = {}): ResolvedHuberLossOptions {
  const given = checkOptionsObject(name, options, ['reduction', 'delta']);
  return Object.freeze({
    reduction: resolveReduction(name, given.reduction, REDUCTIONS, 'mean'),
    delta: finiteNumber(name, 'delta', given.delta ?? 1, 'a positive finite number', (x) => x > 0 && Number.isFinite(x)),
  });
}

/**
 * Checks and freezes the options of `NLLLoss`.
 * @throws RangeError for a bad reduction or a non-integer `ignoreIndex`.
 * @throws TypeError, DTypeError or ShapeError for a weight that is not a 1-D floating-point tensor.
 */
export function resolveNLLLossOptions(name: string, options: NLLLossOptions = {}): ResolvedClassIndexLossOptions {
  const given = checkOptionsObject(name, options, ['weight', 'ignoreIndex', 'reduction']);
  return classIndexOptions(name, given, 0);
}

/**
 * Checks and freezes the options of `CrossEntropyLoss`.
 * @throws RangeError `CrossEntropyLoss: labelSmoothing must be a number in [0, 1], got 1.5`, and as {@link resolveNLLLossOptions}.
 */
export function resolveCrossEntropyLossOptions(name: string, options: CrossEntropyLossOptions = {}): ResolvedClassIndexLossOptions {
  const given = checkOptionsObject(name, options, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing']);
  const labelSmoothing = finiteNumber(name, 'labelSmoothing', given.labelSmoothing ?? 0, 'a number in [0, 1]', (x) => x >= 0 && x <= 1);
  return classIndexOptions(name, given, labelSmoothing);
}

function classIndexOptions(name: string, given: Record<string, unknown>, labelSmoothing: number): ResolvedClassIndexLossOptions {
  const reduction = resolveReduction(name, given.reduction, REDUCTIONS, 'mean');
  const ignoreIndex = given.ignoreIndex ?? -100;
  if (!Number.isSafeInteger(ignoreIndex)) {
    throw new RangeError(`${name}: ignoreIndex must be an integer, got ${describeValue(ignoreIndex)}`);
  }
  const weight = weightOption(name, 'weight', given.weight, true);
  return Object.freeze({ reduction, weight, ignoreIndex: ignoreIndex as number, labelSmoothing });
}

/**
 * Checks and freezes the options of `BCELoss`.
 * @throws RangeError for a bad reduction; TypeError or DTypeError for a weight that is not a floating-point tensor.
 */
export function resolveBCELossOptions(name: string, options: BCELossOptions = {}): ResolvedBinaryLossOptions {
  const given = checkOptionsObject(name, options, ['weight', 'reduction']);
  return Object.freeze({
    reduction: resolveReduction(name, given.reduction, REDUCTIONS, 'mean'),
    weight: weightOption(name, 'weight', given.weight, false),
    posWeight: null,
  });
}

/**
 * Checks and freezes the options of `BCEWithLogitsLoss`.
 * @throws RangeError for a bad reduction; TypeError or DTypeError for a weight or posWeight that is not a floating-point tensor.
 */
export function resolveBCEWithLogitsLossOptions(name: string, options: BCEWithLogitsLossOptions = {}): ResolvedBinaryLossOptions {
  const given = checkOptionsObject(name, options, ['weight', 'reduction', 'posWeight']);
  return Object.freeze({
    reduction: resolveReduction(name, given.reduction, REDUCTIONS, 'mean'),
    weight: weightOption(name, 'weight', given.weight, false),
    posWeight: weightOption(name, 'posWeight', given.posWeight, false),
  });
}

/**
 * Checks and freezes the options of `KLDivLoss`.
 * @throws RangeError `KLDivLoss: reduction must be one of 'none', 'batchmean', 'sum', 'mean', got 'avg'`
 */
export function resolveKLDivLossOptions(name: string, options: KLDivLossOptions = {}): ResolvedKLDivLossOptions {
  const given = checkOptionsObject(name, options, ['reduction', 'logTarget']);
  return Object.freeze({
    reduction: resolveReduction(name, given.reduction, KL_DIV_REDUCTIONS, 'mean'),
    logTarget: booleanOption(name, 'logTarget', given.logTarget ?? false),
  });
}

/**
 * Checks and freezes the options of `CosineEmbeddingLoss` and `MarginRankingLoss`.
 * @throws RangeError `MarginRankingLoss: margin must be a finite number, got NaN`
 */
export function resolveMarginLossOptions(name: string, options: MarginLossOptions = {}): ResolvedMarginLossOptions {
  const given = checkOptionsObject(name, options, ['margin', 'reduction']);
  return Object.freeze({
    reduction: resolveReduction(name, given.reduction, REDUCTIONS, 'mean'),
    margin: finiteNumber(name, 'margin', given.margin ?? 0, 'a finite number', Number.isFinite),
  });
}

/**
 * Checks and freezes the options of `TripletMarginLoss`.
 * @throws RangeError `TripletMarginLoss: p must be a positive number, got 0`, and likewise for margin, eps, swap and reduction.
 */
export function resolveTripletMarginLossOptions(name: string, options: TripletMarginLossOptions = {}): ResolvedTripletMarginLossOptions {
  const given = checkOptionsObject(name, options, ['margin', 'p', 'eps', 'swap', 'reduction']);
  return Object.freeze({
    reduction: resolveReduction(name, given.reduction, REDUCTIONS, 'mean'),
    margin: finiteNumber(name, 'margin', given.margin ?? 1, 'a finite number', Number.isFinite),
    p: finiteNumber(name, 'p', given.p ?? 2, 'a positive number', (x) => x > 0),
    eps: finiteNumber(name, 'eps', given.eps ?? 1e-6, 'a non-negative finite number', (x) => x >= 0 && Number.isFinite(x)),
    swap: booleanOption(name, 'swap', given.swap ?? false),
  });
}
