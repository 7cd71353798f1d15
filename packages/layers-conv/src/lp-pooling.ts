/**
 * Power-average pooling: the functional ops `lpPool1d/2d` and the layers
 * `LPPool1d/2d`, like PyTorch's `F.lp_pool*d` and `nn.LPPool*d`. Composed,
 * as PyTorch composes it, of `pow`, average pooling and elementwise ops,
 * so its gradient comes from theirs.
 */
import { Module } from '@strata/module';
import { type Tensor, abs, pow, relu, sign } from '@strata/tensor';
import { avgPoolNd } from './avg-pooling.js';
import type { SizeArgument } from './options.js';
import { checkPoolingInput } from './pooling.js';
import { type LPPoolOptions, type ResolvedLPPoolOptions, keepArgument, pythonRepr, resolveLPPoolOptions } from './pooling-options.js';

/**
 * The N-d LP pooling behind the functional ops and the layers, with
 * options already resolved; `name` is what error messages call it.
 */
export function lpPoolNd(name: string, rank: number, input: unknown, options: ResolvedLPPoolOptions): Tensor {
  const x = checkPoolingInput(name, rank, input);
  const { normType, kernelSize, stride, ceilMode } = options;
  const window = Object.freeze({
    kernelSize, stride, ceilMode, padding: kernelSize.map(() => 0), dilation: kernelSize.map(() => 1),
    countIncludePad: true, divisorOverride: null,
  });
  const average = avgPoolNd(name, rank, pow(x, normType), window);
  const kernelVolume = kernelSize.reduce((product, size) => product * size, 1);
  // PyTorch's exact formula: a window average times the kernel volume (not the
  // window's own size in ceil mode), negative sums kept by sign · relu(|·|).
  return pow(sign(average).mul(relu(abs(average))).mul(kernelVolume), 1 / normType);
}

/**
 * Applies a 1-D power-average pooling, like `torch.nn.functional.lp_pool1d`:
 * `out = (Σ_window x^p)^(1/p)` with `p = normType` (p = 1 is sum pooling;
 * as p grows it tends to max pooling). Computed as PyTorch does, as the
 * window average of `x^p` times `kernelSize`, so in ceil mode a partial last
 * window is scaled as a full one, and an odd or fractional `p` of a negative
 * sum gives NaN.
 *
 * **Shape**: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]` with
 * `L_out = floor((L − kernelSize) / stride) + 1` (`ceil` with `ceilMode`).
 *
 * @throws ShapeError for an input of the wrong rank, an empty non-batch dimension, or an output size below 1.
 * @throws DTypeError for an integer input.
 * @throws RangeError for invalid options or a zero (or NaN) `normType`.
 *
 * @example
 * ```ts
 * lpPool1d(tensor([[[3, 4, 6, 8]]]), 2, 2).tolist(); // [[[5, 10]]]
 * ```
 */
export function lpPool1d(input: Tensor, normType: number, kernelSize: SizeArgument, options: LPPoolOptions = {}): Tensor {
  return lpPoolNd('lpPool1d', 1, input, resolveLPPoolOptions('lpPool1d', 1, normType, kernelSize, options));
}

/**
 * Applies a 2-D power-average pooling, like `torch.nn.functional.lp_pool2d` (see {@link lpPool1d}).
 *
 * **Shape**: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]` with
 * `H_out = floor((H − kernelSize[0]) / stride[0]) + 1`, likewise `W_out`.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link lpPool1d}.
 */
export function lpPool2d(input: Tensor, normType: number, kernelSize: SizeArgument, options: LPPoolOptions = {}): Tensor {
  return lpPoolNd('lpPool2d', 2, input, resolveLPPoolOptions('lpPool2d', 2, normType, kernelSize, options));
}

/** The base of the LP pooling layers: checks the options at construction. */
export abstract class LPPoolNd extends Module {
  /** The exponent p. */
  readonly normType: number;
  /** The window size, as given. */
  readonly kernelSize: SizeArgument;
  /** The window's step as given, or `null` for the kernel size. */
  readonly stride: SizeArgument | null;
  /** Whether output sizes round up. */
  readonly ceilMode: boolean;
  /** The options as resolved at construction. */
  protected readonly options: ResolvedLPPoolOptions;
  /** The class name messages use (`LPPool2d`). */
  protected readonly layerName: string;
  private readonly rank: number;

  protected constructor(layerName: string, rank: number, normType: number, kernelSize: SizeArgument, options: LPPoolOptions) {
    super();
    this.options = resolveLPPoolOptions(layerName, rank, normType, kernelSize, options);
    this.normType = normType;
    this.kernelSize = keepArgument(kernelSize);
    this.stride = keepArgument(options.stride ?? null);
    this.ceilMode = this.options.ceilMode;
    this.layerName = layerName;
    this.rank = rank;
  }

  /**
   * Pools `input` (`[N, C, ...spatial]` or `[C, ...spatial]`).
   * @throws ShapeError, DTypeError for an input that does not fit (see {@link lpPool1d}).
   */
  forward(input: Tensor): Tensor {
    return lpPoolNd(this.layerName, this.rank, input, this.options);
  }

  /** PyTorch's `extra_repr`: `norm_type=2, kernel_size=3, stride=None, ceil_mode=False`. */
  override extraRepr(): string {
    return (
      `norm_type=${pythonRepr(this.normType)}, kernel_size=${pythonRepr(this.kernelSize)}, ` +
      `stride=${pythonRepr(this.stride)}, ceil_mode=${pythonRepr(this.ceilMode)}`
    );
  }
}

/**
 * A 1-D power-average pooling layer, like `torch.nn.LPPool1d` (see {@link lpPool1d}).
 *
 * @example
 * ```ts
 * new LPPool1d(2, 3, { stride: 2 }).forward(randn([20, 16, 50])).shape; // [20, 16, 24]
 * ```
 */
export class LPPool1d extends LPPoolNd {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(normType: number, kernelSize: SizeArgument, options: LPPoolOptions = {}) {
    super('LPPool1d', 1, normType, kernelSize, options);
  }
}

/**
 * A 2-D power-average pooling layer, like `torch.nn.LPPool2d` (see {@link lpPool2d}).
 *
 * @example
 * ```ts
 * new LPPool2d(1.2, [3, 2], { stride: [2, 1] }).forward(randn([20, 16, 50, 32])).shape; // [20, 16, 24, 31]
 * ```
 */
export class LPPool2d extends LPPoolNd {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(normType: number, kernelSize: SizeArgument, options: LPPoolOptions = {}) {
    super('LPPool2d', 2, normType, kernelSize, options);
  }
}
