/**
 * The options of each family of this package and their validation: one
 * options interface per family with a documented default on every field, and
 * one `resolve…Options()` that checks every value and returns a frozen,
 * spelled-out copy. Messages name the layer or op, the argument, what was
 * expected and what came.
 */
import type { Tensor } from '@strata/tensor';
import { checkOptionNames, describeOption } from '@strata/module';

// ---- shared checks ----

export { describeOption };

/** @throws RangeError `Linear: bias must be a boolean, got 1` */
export function checkBoolean(name: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new RangeError(`${name}: ${argument} must be a boolean, got ${describeOption(value)}`);
  return value;
}

/** @throws RangeError `LeakyReLU: negativeSlope must be a finite number, got NaN` */
export function checkFiniteNumber(name: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name}: ${argument} must be a finite number, got ${describeOption(value)}`);
  }
  return value;
}

/** @throws RangeError `Linear: inFeatures must be a non-negative integer, got 2.5` */
export function checkSize(name: string, argument: string, value: unknown, minimum: 0 | 1 = 0): number {
  if (!Number.isInteger(value) || (value as number) < minimum) {
    const kind = minimum === 1 ? 'a positive' : 'a non-negative';
    throw new RangeError(`${name}: ${argument} must be ${kind} integer, got ${describeOption(value)}`);
  }
  return value as number;
}

// ---- linear family (linear.ts) ----

/** Options of `Linear` and `Bilinear` (PyTorch's keyword arguments in camelCase). */
export interface LinearOptions {
  /**
   * Whether the layer learns an additive bias.
   * @defaultValue `true`
   */
  bias?: boolean;
}

/** `LinearOptions` checked and spelled out. */
export interface ResolvedLinearOptions {
  /** Whether the layer has a learnable bias (PyTorch's `bias`); `true` unless `bias: false` was given. */
  readonly bias: boolean;
}

/**
 * Checks and freezes the options of `Linear` or `Bilinear`.
 * @throws RangeError `Linear: bias must be a boolean, got 'yes'`
 */
export function resolveLinearOptions(name: string, options: LinearOptions = {}): ResolvedLinearOptions {
  checkOptionNames(name, options, ['bias']);
  return Object.freeze({ bias: checkBoolean(name, 'bias', options.bias ?? true) });
}

// ---- dropout family (dropout.ts) ----

/** Options of the dropout layers; the probability `p` is their first argument. */
export interface DropoutOptions {
  /**
   * Whether to zero the input's own elements instead of returning a new tensor.
   * @defaultValue `false`
   */
  inplace?: boolean;
}

/** Options of the functional dropouts (`dropout`, `dropout2d`, `alphaDropout`, ...). */
export interface DropoutFunctionalOptions extends DropoutOptions {
  /**
   * The probability of an element (or a channel) to be zeroed.
   * @defaultValue `0.5`
   */
  p?: number;
  /**
   * Whether to apply dropout; with `false` the input is returned as it is.
   * @defaultValue `true` (`false` for `alphaDropout` and `featureAlphaDropout`, as in PyTorch)
   */
  training?: boolean;
}

/** Dropout options checked and spelled out. */
export interface ResolvedDropoutOptions {
  /** The probability, in [0, 1], that an element (or a whole channel) is zeroed; PyTorch's `p`. */
  readonly p: number;
  /** Whether dropout is applied at all; `false` returns the input unchanged (PyTorch's `training`). */
  readonly training: boolean;
  /** Whether the input's own elements are zeroed instead of a new tensor being returned (PyTorch's `inplace`). */
  readonly inplace: boolean;
}

/**
 * Checks a dropout probability.
 * @throws RangeError `Dropout: dropout probability has to be between 0 and 1, but got 1.5`
 */
export function checkProbability(name: string, p: unknown): number {
  if (typeof p !== 'number' || Number.isNaN(p) || p < 0 || p > 1) {
    throw new RangeError(`${name}: dropout probability has to be between 0 and 1, but got ${describeOption(p)}`);
  }
  return p;
}

/**
 * Checks and freezes a dropout layer's probability and options (`training`
 * is the module's mode, filled in at each forward).
 * @throws RangeError for a probability outside [0, 1] or a non-boolean `inplace`.
 */
export function resolveDropoutOptions(name: string, p: unknown, options: DropoutOptions = {}): ResolvedDropoutOptions {
  checkOptionNames(name, options, ['inplace']);
  return Object.freeze({
    p: checkProbability(name, p),
    training: true,
    inplace: checkBoolean(name, 'inplace', options.inplace ?? false),
  });
}

/**
 * Checks and freezes a functional dropout's options.
 * @throws RangeError for a probability outside [0, 1] or a non-boolean flag.
 */
export function resolveDropoutFunctionalOptions(
  name: string, options: DropoutFunctionalOptions = {}, defaultTraining = true,
): ResolvedDropoutOptions {
  checkOptionNames(name, options, ['p', 'training', 'inplace']);
  return Object.freeze({
    p: checkProbability(name, options.p ?? 0.5),
    training: checkBoolean(name, 'training', options.training ?? defaultTraining),
    inplace: checkBoolean(name, 'inplace', options.inplace ?? false),
  });
}

// ---- embedding family (embedding.ts, embedding-bag.ts) ----

/** Options of `Embedding` and `embedding` (PyTorch's keyword arguments in camelCase). */
export interface EmbeddingOptions {
  /**
   * A row that gets no gradient (a fixed "pad"); negative values count from
   * the end. The layer initializes it to zeros.
   * @defaultValue `null` (none)
   */
  paddingIdx?: number | null;
  /**
   * Each looked-up row whose `normType`-norm exceeds this is rescaled to norm
   * `maxNorm`, in place in the weight, before the lookup.
   * @defaultValue `null` (no renormalization)
   */
  maxNorm?: number | null;
  /**
   * The p of the p-norm that `maxNorm` bounds.
   * @defaultValue `2`
   */
  normType?: number;
  /**
   * Whether to divide each row's gradient by how often its index occurs in the input.
   * @defaultValue `false`
   */
  scaleGradByFreq?: boolean;
  /**
   * PyTorch's `sparse`: whether the weight's gradient is a sparse tensor.
   * Strata has no sparse tensors; it accepts the option (so PyTorch code and
   * configurations carry over) and gives the same numbers as a dense
   * gradient in which only the looked-up rows are non-zero — what PyTorch's
   * sparse gradient holds, densified. Optimizers then update every row
   * (with zeros for the rows not looked up), as PyTorch's dense optimizers
   * would after `grad.to_dense()`.
   * @defaultValue `false`
   */
  sparse?: boolean;
}

/** Options of `Embedding.fromPretrained`. */
export interface EmbeddingFromPretrainedOptions extends EmbeddingOptions {
  /**
   * Whether the weight stays fixed (`requiresGrad` false).
   * @defaultValue `true`
   */
  freeze?: boolean;
}

/** How `EmbeddingBag` reduces each bag: PyTorch's `mode`. */
export type EmbeddingBagMode = 'sum' | 'mean' | 'max';

/** Options of `EmbeddingBag` (PyTorch's keyword arguments in camelCase). */
export interface EmbeddingBagOptions extends EmbeddingOptions {
  /**
   * How each bag's rows are reduced.
   * @defaultValue `'mean'`
   */
  mode?: EmbeddingBagMode;
  /**
   * Whether `offsets` has one more entry than there are bags: the end of the
   * last bag (as in the CSR format).
   * @defaultValue `false`
   */
  includeLastOffset?: boolean;
}

/** Options of `EmbeddingBag.fromPretrained`. */
export interface EmbeddingBagFromPretrainedOptions extends EmbeddingBagOptions {
  /**
   * Whether the weight stays fixed (`requiresGrad` false).
   * @defaultValue `true`
   */
  freeze?: boolean;
}

/** Options of `embeddingBag`: the layer's, and the weights of the samples. */
export interface EmbeddingBagFunctionalOptions extends EmbeddingBagOptions {
  /**
   * A weight per index (the input's shape) that scales its row; `'sum'` mode only.
   * @defaultValue `null` (all ones)
   */
  perSampleWeights?: Tensor | null;
}

/** Embedding options checked, with `paddingIdx` made non-negative (`-1` for none, as ATen's kernels take it). */
export interface ResolvedEmbeddingOptions {
  /**
   * The row that gets no gradient, made non-negative
   * (`0 <= paddingIdx < numEmbeddings`); `-1` when there is none.
   */
  readonly paddingIdx: number;
  /**
   * The largest `normType`-norm a looked-up row may have before it
   * is rescaled in place; `null` for no renormalization.
   */
  readonly maxNorm: number | null;
  /** The p of the p-norm that `maxNorm` bounds (PyTorch's `norm_type`; 2 by default). */
  readonly normType: number;
  /**
   * Whether each row's gradient is divided by how often its index
   * occurs in the input (PyTorch's `scale_grad_by_freq`).
   */
  readonly scaleGradByFreq: boolean;
  /** PyTorch's `sparse`, kept for `extraRepr` and state: the gradient itself is dense (see `EmbeddingOptions.sparse`). */
  readonly sparse: boolean;
}

/** `EmbeddingBagOptions` checked and spelled out. */
export interface ResolvedEmbeddingBagOptions extends ResolvedEmbeddingOptions {
  /** How each bag's rows are reduced: `'sum'`, `'mean'` (the default) or `'max'`. */
  readonly mode: EmbeddingBagMode;
  /**
   * Whether `offsets` carries one extra entry, the end of the last
   * bag (CSR style), as PyTorch's `include_last_offset`.
   */
  readonly includeLastOffset: boolean;
}

const BAG_MODES: readonly EmbeddingBagMode[] = ['sum', 'mean', 'max'];
const EMBEDDING_OPTION_NAMES: readonly string[] = ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'];

/**
 * Checks `paddingIdx` against the table size and makes it non-negative; `-1` for none.
 * @throws RangeError `Embedding: paddingIdx must be within numEmbeddings (expected -10 <= paddingIdx < 10), got 10`
 */
export function resolvePaddingIndex(name: string, paddingIdx: unknown, numEmbeddings: number): number {
  if (paddingIdx === null || paddingIdx === undefined) return -1;
  if (!Number.isInteger(paddingIdx) || (paddingIdx as number) < -numEmbeddings || (paddingIdx as number) >= numEmbeddings) {
    throw new RangeError(
      `${name}: paddingIdx must be within numEmbeddings (expected ${-numEmbeddings} <= paddingIdx < ${numEmbeddings}), got ${describeOption(paddingIdx)}`,
    );
  }
  const index = paddingIdx as number;
  return index < 0 ? index + numEmbeddings : index;
}

/**
 * Checks and freezes the options of `Embedding` or `embedding` for a table of `numEmbeddings` rows.
 * `known` lists the option names accepted (`EmbeddingBag` adds its own).
 * @throws RangeError naming the argument, what was expected and what came, or an unknown option.
 */
export function resolveEmbeddingOptions(
  name: string, numEmbeddings: number, options: EmbeddingOptions = {}, known: readonly string[] = EMBEDDING_OPTION_NAMES,
): ResolvedEmbeddingOptions {
  checkOptionNames(name, options, known);
  const paddingIdx = resolvePaddingIndex(name, options.paddingIdx, numEmbeddings);
  const maxNorm = options.maxNorm ?? null;
  if (maxNorm !== null && (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0)) {
    throw new RangeError(`${name}: maxNorm must be a non-negative number or null, got ${describeOption(maxNorm)}`);
  }
  const normType = options.normType ?? 2;
  if (typeof normType !== 'number' || Number.isNaN(normType)) {
    throw new RangeError(`${name}: normType must be a number, got ${describeOption(normType)}`);
  }
  const scaleGradByFreq = checkBoolean(name, 'scaleGradByFreq', options.scaleGradByFreq ?? false);
  const sparse = checkBoolean(name, 'sparse', options.sparse ?? false);
  if (sparse && scaleGradByFreq) {
    // PyTorch fails in backward ("scale_grad_by_freq not supported with sparse gradients"); Strata says so up front.
    throw new RangeError(`${name}: scaleGradByFreq is not supported with sparse gradients (sparse and scaleGradByFreq cannot both be true)`);
  }
  return Object.freeze({ paddingIdx, maxNorm, normType, scaleGradByFreq, sparse });
}

/**
 * Checks and freezes the options of `EmbeddingBag` or `embeddingBag`.
 * @throws RangeError naming the argument, what was expected and what came
 * (`max` mode with `scaleGradByFreq` included).
 */
export function resolveEmbeddingBagOptions(
  name: string, numEmbeddings: number, options: EmbeddingBagOptions = {},
): ResolvedEmbeddingBagOptions {
  const base = resolveEmbeddingOptions(name, numEmbeddings, options, [...EMBEDDING_OPTION_NAMES, 'mode', 'includeLastOffset']);
  const mode = options.mode ?? 'mean';
  if (!BAG_MODES.includes(mode)) {
    throw new RangeError(`${name}: mode has to be one of 'sum', 'mean' or 'max', got ${describeOption(mode)}`);
  }
  if (mode === 'max' && base.scaleGradByFreq) {
    throw new RangeError(`${name}: max mode does not support scaling the gradient by the frequency (scaleGradByFreq must be false)`);
  }
  if (mode === 'max' && base.sparse) {
    throw new RangeError(`${name}: max mode does not support sparse weights (sparse must be false)`);
  }
  const includeLastOffset = checkBoolean(name, 'includeLastOffset', options.includeLastOffset ?? false);
  return Object.freeze({ ...base, mode, includeLastOffset });
}

// ---- activation family (activation.ts, activation-softmax.ts, prelu.ts) ----

/** Options of the activation layers that can work in place (`ReLU`, `ELU`, `Hardtanh`, ...). */
export interface ActivationOptions {
  /**
   * Whether to overwrite the input with the result instead of returning a new tensor.
   * @defaultValue `false`
   */
  inplace?: boolean;
}

/** `ActivationOptions` checked. */
export interface ResolvedActivationOptions {
  /** Whether the layer overwrites its input with the result (PyTorch's `inplace`); `false` by default. */
  readonly inplace: boolean;
}

/**
 * Checks and freezes an activation layer's options.
 * @throws RangeError `ReLU: inplace must be a boolean, got 1`
 */
export function resolveActivationOptions(name: string, options: ActivationOptions = {}): ResolvedActivationOptions {
  checkOptionNames(name, options, ['inplace']);
  return Object.freeze({ inplace: checkBoolean(name, 'inplace', options.inplace ?? false) });
}
