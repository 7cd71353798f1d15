/**
 * Dropout: the functional ops `dropout`, `dropout1d`, `dropout2d`,
 * `dropout3d`, `alphaDropout`, `featureAlphaDropout` and their layers, like
 * PyTorch's `F.dropout*` and `torch/nn/modules/dropout.py`.
 *
 * Masks are drawn from the generator that `manualSeed` seeds, so a seed
 * fixes them and two calls draw different ones. The output is the input
 * times the mask (plus a shift for alpha dropout), computed with recorded
 * tensor ops: the gradient flows through the mask.
 */
import { Module, formatPythonBool, formatPythonFloat } from '@strata/module';
import { DTypeError, type Generator, ShapeError, type Tensor, checkTensor, defaultGenerator, formatShape, getKernel, isFloatingPoint, registerKernel } from '@strata/tensor';
import { checkInPlaceTarget } from './activation-base.js';
import { dropoutNoiseKernel } from './kernels/dropout.js';
import {
  type DropoutFunctionalOptions,
  type DropoutOptions,
  type ResolvedDropoutOptions,
  resolveDropoutFunctionalOptions,
  resolveDropoutOptions,
} from './options.js';
import { warnOnce } from './warnings.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** A mask of `shape`: `kept` with probability 1 − p, else `dropped`, drawn from `generator` in row-major order. */
    dropoutNoise: (
      shape: readonly number[], dtype: 'float32' | 'float64', p: number, kept: number, dropped: number, generator: Generator,
    ) => Tensor;
  }
}

registerKernel('dropoutNoise', dropoutNoiseKernel);

/** SELU's −scale · alpha: where alpha dropout sends dropped elements (before its affine correction). */
const SELU_SATURATION = 1.7580993408473766;

/** What one dropout call does: which mask shape, and plain or alpha dropout. */
interface DropoutPlan {
  /** The mask's shape (broadcast against the input), or `null` for one draw per element. */
  noiseShape: readonly number[] | null;
  alpha: boolean;
}

function checkInput(name: string, input: unknown): asserts input is Tensor {
  checkTensor(name, 'input', input);
  if (!isFloatingPoint(input.dtype)) throw new DTypeError(`${name}: expected a floating point input, got ${input.dtype}`);
}

/**
 * PyTorch's `make_feature_noise`: one draw per (sample, channel),
 * `[N, C, 1, ...]`; for an unbatched input (no N) `[C, 1, ...]`.
 */
function featureNoiseShape(name: string, shape: readonly number[], batched: boolean): readonly number[] {
  const effective = batched ? shape : [1, ...shape];
  if (effective.length < 2) {
    throw new ShapeError(`${name}: feature dropout requires at least 2 dimensions in the input, got shape ${formatShape(shape)}`);
  }
  const noise = effective.map((size, d) => (d < 2 ? size : 1));
  return batched ? noise : noise.slice(1);
}

/** PyTorch's `_dropout_impl`: identity when inactive, zeros for p = 1, else the input times a fresh mask. */
function applyDropout(name: string, input: Tensor, options: ResolvedDropoutOptions, plan: () => DropoutPlan): Tensor {
  const { p, training, inplace } = options;
  if (p === 0 || !training || input.numel() === 0) return input;
  if (inplace) checkInPlaceTarget(name, input);
  if (p === 1) return inplace ? input.mul_(0) : input.mul(0);
  const { noiseShape, alpha } = plan();
  const shape = noiseShape ?? input.shape;
  const dtype = input.dtype as 'float32' | 'float64';
  const noiseKernel = getKernel('dropoutNoise');
  if (!alpha) {
    const noise = noiseKernel(shape, dtype, p, 1 / (1 - p), 0, defaultGenerator);
    return inplace ? input.mul_(noise) : input.mul(noise);
  }
  // ATen's alpha dropout: kept elements become a·x + α·a·p, dropped ones α·a·(p − 1),
  // which keeps zero mean and unit variance for such inputs (α = SELU's saturation).
  const scale = 1 / Math.sqrt((SELU_SATURATION * SELU_SATURATION * p + 1) * (1 - p));
  const noise = noiseKernel(shape, dtype, p, scale, 0, defaultGenerator);
  const shift = noise.mul(SELU_SATURATION).add(SELU_SATURATION * scale * (p - 1));
  return inplace ? input.mul_(noise).add_(shift) : input.mul(noise).add(shift);
}

/** The element-wise dropouts (`dropout`, `alphaDropout`) under `name`. */
export function elementDropout(name: string, input: Tensor, options: ResolvedDropoutOptions, alpha: boolean): Tensor {
  checkInput(name, input);
  return applyDropout(name, input, options, () => ({ noiseShape: null, alpha }));
}

/** `dropout1d` under `name`: a 2-D (unbatched) or 3-D input, whole channels. */
export function channelDropout1d(name: string, input: Tensor, options: ResolvedDropoutOptions): Tensor {
  checkInput(name, input);
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new ShapeError(`${name}: expected a 2-D or 3-D input ([C, L] or [N, C, L]), got shape ${formatShape(input.shape)}`);
  }
  return applyDropout(name, input, options, () => ({ noiseShape: featureNoiseShape(name, input.shape, input.ndim === 3), alpha: false }));
}

/**
 * `dropout2d` under `name`, with PyTorch 1.13's rules: a 3-D input is taken
 * as `[N, C, L]` (1-D channels, with a warning), and inputs of other ranks
 * than 3 and 4 are accepted with a deprecation warning and dropped as
 * `[N, C, ...]`.
 */
export function channelDropout2d(name: string, input: Tensor, options: ResolvedDropoutOptions): Tensor {
  checkInput(name, input);
  const rank = input.ndim;
  if (rank !== 3 && rank !== 4) {
    warnOnce(
      `${name}: Received a ${rank}-D input to dropout2d, which is deprecated and will result in an error in a future release. ` +
        'To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide ' +
        'channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).',
    );
  }
  if (rank === 3) {
    warnOnce(
      `${name}: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is ` +
        'interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret ' +
        'the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, ' +
        'please switch to using dropout1d instead.',
    );
  }
  return applyDropout(name, input, options, () => ({ noiseShape: featureNoiseShape(name, input.shape, true), alpha: false }));
}

/**
 * `dropout3d` under `name`, with PyTorch 1.13's rules: a 5-D input is
 * batched, any other is taken as unbatched `[C, ...]`; ranks other than 4
 * and 5 are accepted with a deprecation warning.
 */
export function channelDropout3d(name: string, input: Tensor, options: ResolvedDropoutOptions): Tensor {
  checkInput(name, input);
  const rank = input.ndim;
  if (rank !== 4 && rank !== 5) {
    warnOnce(
      `${name}: Received a ${rank}-D input to dropout3d, which is deprecated and will result in an error in a future release. ` +
        'To retain the behavior and silence this warning, please use dropout instead. Note that dropout3d exists to provide ' +
        'channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).',
    );
  }
  return applyDropout(name, input, options, () => ({ noiseShape: featureNoiseShape(name, input.shape, rank === 5), alpha: false }));
}

/** `featureAlphaDropout` under `name`: alpha dropout of whole channels of an `[N, C, ...]` input. */
export function channelAlphaDropout(name: string, input: Tensor, options: ResolvedDropoutOptions): Tensor {
  checkInput(name, input);
  return applyDropout(name, input, options, () => ({ noiseShape: featureNoiseShape(name, input.shape, true), alpha: true }));
}

/**
 * Zeroes each element with probability `p` and scales the rest by
 * 1 / (1 − p), like `torch.nn.functional.dropout`, so the expected value of
 * each element is unchanged. With `training: false` or `p: 0` the input
 * itself is returned; `p: 1` gives zeros.
 *
 * @throws RangeError `dropout: dropout probability has to be between 0 and 1, but got 1.5`
 * @throws DTypeError for an integer or bool input.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * dropout(ones([2, 4]), { p: 0.5 }).tolist(); // each element 0 or 2
 * ```
 */
export function dropout(input: Tensor, options: DropoutFunctionalOptions = {}): Tensor {
  return elementDropout('dropout', input, resolveDropoutFunctionalOptions('dropout', options), false);
}

/**
 * Zeroes whole channels (1-D feature maps `input[n, c]`) with probability
 * `p`, like `torch.nn.functional.dropout1d`; survivors are scaled by 1 / (1 − p).
 *
 * **Shape**: `[N, C, L]` or `[C, L]`.
 *
 * @throws ShapeError for an input that is not 2-D or 3-D.
 * @throws RangeError, DTypeError as {@link dropout}.
 */
export function dropout1d(input: Tensor, options: DropoutFunctionalOptions = {}): Tensor {
  return channelDropout1d('dropout1d', input, resolveDropoutFunctionalOptions('dropout1d', options));
}

/**
 * Zeroes whole channels (2-D feature maps `input[n, c]`) with probability
 * `p`, like `torch.nn.functional.dropout2d`. As in PyTorch 1.13 a 3-D input
 * is read as `[N, C, L]` (with a warning), not as an unbatched `[C, H, W]`.
 *
 * **Shape**: `[N, C, H, W]` (or `[N, C, L]`).
 *
 * @throws ShapeError for an input of fewer than 2 dimensions (when active).
 * @throws RangeError, DTypeError as {@link dropout}.
 */
export function dropout2d(input: Tensor, options: DropoutFunctionalOptions = {}): Tensor {
  return channelDropout2d('dropout2d', input, resolveDropoutFunctionalOptions('dropout2d', options));
}

/**
 * Zeroes whole channels (3-D feature maps `input[n, c]`) with probability
 * `p`, like `torch.nn.functional.dropout3d`.
 *
 * **Shape**: `[N, C, D, H, W]` or `[C, D, H, W]`.
 *
 * @throws RangeError, DTypeError as {@link dropout}.
 */
export function dropout3d(input: Tensor, options: DropoutFunctionalOptions = {}): Tensor {
  return channelDropout3d('dropout3d', input, resolveDropoutFunctionalOptions('dropout3d', options));
}

/**
 * Alpha dropout, like `torch.nn.functional.alpha_dropout`: dropped elements
 * are set to SELU's negative saturation and everything is scaled and shifted
 * so that an input of zero mean and unit variance keeps them (for
 * self-normalizing networks). As in PyTorch, `training` defaults to `false`.
 *
 * @throws RangeError, DTypeError as {@link dropout}.
 */
export function alphaDropout(input: Tensor, options: DropoutFunctionalOptions = {}): Tensor {
  return elementDropout('alphaDropout', input, resolveDropoutFunctionalOptions('alphaDropout', options, false), true);
}

/**
 * Alpha dropout of whole channels, like
 * `torch.nn.functional.feature_alpha_dropout`. As in PyTorch, `training`
 * defaults to `false`.
 *
 * **Shape**: `[N, C, ...]`.
 *
 * @throws ShapeError for an input of fewer than 2 dimensions (when active).
 * @throws RangeError, DTypeError as {@link dropout}.
 */
export function featureAlphaDropout(input: Tensor, options: DropoutFunctionalOptions = {}): Tensor {
  return channelAlphaDropout('featureAlphaDropout', input, resolveDropoutFunctionalOptions('featureAlphaDropout', options, false));
}

/**
 * The base of the dropout layers, like PyTorch's `_DropoutNd`: holds `p`
 * and `inplace`, prints them, and applies dropout only in training mode.
 */
export abstract class DropoutNd extends Module {
  /** The probability of an element (or channel) to be zeroed. */
  readonly p: number;
  /** Whether the input's own elements are overwritten. */
  readonly inplace: boolean;
  /** The class name messages use, fixed so that minified builds keep it. */
  protected readonly layerName: string;

  protected constructor(layerName: string, p: number, options: DropoutOptions) {
    super();
    const resolved = resolveDropoutOptions(layerName, p, options);
    this.p = resolved.p;
    this.inplace = resolved.inplace;
    this.layerName = layerName;
  }

  /** The options of this forward call: the layer's, in its current mode. */
  protected callOptions(): ResolvedDropoutOptions {
    return { p: this.p, training: this.training, inplace: this.inplace };
  }

  override extraRepr(): string {
    return `p=${formatPythonFloat(this.p)}, inplace=${formatPythonBool(this.inplace)}`;
  }
}

/**
 * Randomly zeroes elements in training mode, like `torch.nn.Dropout` (see
 * {@link dropout}); the identity in evaluation mode.
 *
 * @example
 * ```ts
 * const layer = new Dropout(0.25);
 * layer.forward(randn([64, 128])); // about a quarter zeroed, the rest scaled by 4/3
 * layer.eval().forward(x) === x;   // true
 * ```
 */
export class Dropout extends DropoutNd {
  /** @throws RangeError `Dropout: dropout probability has to be between 0 and 1, but got 1.5` */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('Dropout', p, options);
  }

  /** @throws DTypeError for an integer or bool input. */
  forward(input: Tensor): Tensor {
    return elementDropout(this.layerName, input, this.callOptions(), false);
  }
}

/** Randomly zeroes whole channels of `[N, C, L]` or `[C, L]` inputs, like `torch.nn.Dropout1d` (see {@link dropout1d}). */
export class Dropout1d extends DropoutNd {
  /** @throws RangeError for a probability outside [0, 1]. */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('Dropout1d', p, options);
  }

  /** @throws ShapeError for an input that is not 2-D or 3-D; DTypeError for an integer input. */
  forward(input: Tensor): Tensor {
    return channelDropout1d(this.layerName, input, this.callOptions());
  }
}

/** Randomly zeroes whole channels of `[N, C, H, W]` inputs, like `torch.nn.Dropout2d` (see {@link dropout2d}). */
export class Dropout2d extends DropoutNd {
  /** @throws RangeError for a probability outside [0, 1]. */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('Dropout2d', p, options);
  }

  /** @throws ShapeError for an input of fewer than 2 dimensions; DTypeError for an integer input. */
  forward(input: Tensor): Tensor {
    return channelDropout2d(this.layerName, input, this.callOptions());
  }
}

/** Randomly zeroes whole channels of `[N, C, D, H, W]` or `[C, D, H, W]` inputs, like `torch.nn.Dropout3d` (see {@link dropout3d}). */
export class Dropout3d extends DropoutNd {
  /** @throws RangeError for a probability outside [0, 1]. */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('Dropout3d', p, options);
  }

  /** @throws ShapeError for a 0-d input; DTypeError for an integer input. */
  forward(input: Tensor): Tensor {
    return channelDropout3d(this.layerName, input, this.callOptions());
  }
}

/**
 * Alpha dropout in training mode, like `torch.nn.AlphaDropout` (see
 * {@link alphaDropout}). Unlike PyTorch 1.13's layer, which ignores it,
 * `inplace` is honoured.
 */
export class AlphaDropout extends DropoutNd {
  /** @throws RangeError for a probability outside [0, 1]. */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('AlphaDropout', p, options);
  }

  /** @throws DTypeError for an integer input. */
  forward(input: Tensor): Tensor {
    return elementDropout(this.layerName, input, this.callOptions(), true);
  }
}

/** Alpha dropout of whole channels in training mode, like `torch.nn.FeatureAlphaDropout` (see {@link featureAlphaDropout}). */
export class FeatureAlphaDropout extends DropoutNd {
  /** @throws RangeError for a probability outside [0, 1]. */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('FeatureAlphaDropout', p, options);
  }

  /** @throws ShapeError for an input of fewer than 2 dimensions; DTypeError for an integer input. */
  forward(input: Tensor): Tensor {
    return channelAlphaDropout(this.layerName, input, this.callOptions());
  }
}
