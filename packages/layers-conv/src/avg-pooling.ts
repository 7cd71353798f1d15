/**
 * Average pooling: the functional ops `avgPool1d/2d/3d` and the layers
 * `AvgPool1d/2d/3d`, like PyTorch's `F.avg_pool*d` and `nn.AvgPool*d`.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module } from '@strata/module';
import { type Tensor, getKernel, registerKernel } from '@strata/tensor';
import type { ConvolutionGeometry } from './kernels/geometry.js';
import { avgPoolBackwardKernel, avgPoolKernel } from './kernels/pooling-avg.js';
import type { SizeArgument } from './options.js';
import { checkPoolingInput, poolingGeometry } from './pooling.js';
import { COMPOSITE_BACKEND, avgPoolBackwardComposite } from './reference-backward.js';
import { type AvgPoolOptions, type ResolvedAvgPoolOptions, keepArgument, pythonRepr, resolveAvgPoolOptions } from './pooling-options.js';

declare module '@strata/tensor' {
  // The average pooling kernels, shared by every rank.
  interface KernelRegistry {
    /** The average of each window of `geometry` in every plane of `input` (float, or int32 truncated). */
    avgPool: (input: Tensor, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null) => Tensor;
    /** The adjoint of `avgPool`: each output gradient spread over its window with the same divisor. */
    avgPoolBackward: (gradOutput: Tensor, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null) => Tensor;
  }
}

registerKernel('avgPool', avgPoolKernel);
// The default composed of forward ops, then the fused CPU loop over it.
registerKernel('avgPoolBackward', avgPoolBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('avgPoolBackward', avgPoolBackwardKernel, { override: true });

type AveragingOp = (input: Tensor, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null) => Tensor;

interface AveragingState {
  geometry: ConvolutionGeometry;
  countIncludePad: boolean;
  divisorOverride: number | null;
}

function rememberWindow(
  ctx: OpContext<AveragingState>, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null,
): void {
  Object.assign(ctx.state, { geometry, countIncludePad, divisorOverride });
}

// The pooling and its gradient are linear and each other's adjoint, so each is the other's backward.
function averagingOp(name: string): AveragingOp {
  return defineOp({
    name,
    forward(ctx: OpContext<AveragingState>, input: Tensor, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null) {
      rememberWindow(ctx, geometry, countIncludePad, divisorOverride);
      return getKernel('avgPool')(input, geometry, countIncludePad, divisorOverride);
    },
    backward(ctx, gradOutput) {
      const { geometry, countIncludePad, divisorOverride } = ctx.state;
      return [averagingBackward(gradOutput, geometry, countIncludePad, divisorOverride)];
    },
  });
}

const averagingOps: readonly AveragingOp[] = [averagingOp('avgPool1d'), averagingOp('avgPool2d'), averagingOp('avgPool3d')];

const averagingBackward: AveragingOp = defineOp({
  name: 'avgPoolBackward',
  forward(ctx: OpContext<AveragingState>, gradOutput: Tensor, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null) {
    rememberWindow(ctx, geometry, countIncludePad, divisorOverride);
    return getKernel('avgPoolBackward')(gradOutput, geometry, countIncludePad, divisorOverride);
  },
  backward(ctx, gradGradInput) {
    const { geometry, countIncludePad, divisorOverride } = ctx.state;
    return [averagingOps[geometry.kernelSize.length - 1]!(gradGradInput, geometry, countIncludePad, divisorOverride)];
  },
});

/**
 * The N-d average pooling behind the functional ops and the layers, with
 * options already resolved; `name` is what error messages call it.
 */
export function avgPoolNd(name: string, rank: number, input: unknown, options: ResolvedAvgPoolOptions): Tensor {
  const x = checkPoolingInput(name, rank, input, 'float or int32');
  const geometry = poolingGeometry(name, rank, x, options);
  return averagingOps[rank - 1]!(x, geometry, options.countIncludePad, options.divisorOverride);
}

/**
 * Applies a 1-D average pooling over an input of several planes, like
 * `torch.nn.functional.avg_pool1d`: `out[n, c, l] = Σ_k input[n, c, stride·l − padding + k] / divisor`
 * over `k < kernelSize`, the padding holding zeros. The divisor is
 * `divisorOverride` if set; else the window's size (clipped to the padded
 * input in ceil mode) with `countIncludePad`, or the number of its elements
 * inside the input without. An int32 input gives int32, the quotient
 * truncated toward zero as in PyTorch.
 *
 * **Shape**: input `[N, C, L]` or `[C, L]`; output `[N, C, L_out]` with
 * `L_out = floor((L + 2·padding − kernelSize) / stride) + 1` (`ceil` with
 * `ceilMode`, dropping a last window that would start in the right padding).
 *
 * @throws ShapeError for an input of the wrong rank, an empty non-batch dimension, or an output size below 1.
 * @throws DTypeError for a bool input.
 * @throws RangeError for invalid options, such as a padding over half the kernel or a zero `divisorOverride`.
 *
 * @example
 * ```ts
 * avgPool1d(tensor([[[1, 2, 3, 4, 5, 6, 7]]]), 3, { stride: 2 }).tolist(); // [[[2, 4, 6]]]
 * ```
 */
export function avgPool1d(input: Tensor, kernelSize: SizeArgument, options: AvgPoolOptions = {}): Tensor {
  return avgPoolNd('avgPool1d', 1, input, resolveAvgPoolOptions('avgPool1d', 1, kernelSize, options));
}

/**
 * Applies a 2-D average pooling, like `torch.nn.functional.avg_pool2d` (see {@link avgPool1d}).
 *
 * **Shape**: input `[N, C, H, W]` or `[C, H, W]`; output `[N, C, H_out, W_out]` with
 * `H_out = floor((H + 2·padding[0] − kernelSize[0]) / stride[0]) + 1`, likewise `W_out`.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link avgPool1d}.
 *
 * @example
 * ```ts
 * avgPool2d(randn([8, 32, 32, 32]), 3, { stride: 2, padding: 1 }).shape; // [8, 32, 16, 16]
 * ```
 */
export function avgPool2d(input: Tensor, kernelSize: SizeArgument, options: AvgPoolOptions = {}): Tensor {
  return avgPoolNd('avgPool2d', 2, input, resolveAvgPoolOptions('avgPool2d', 2, kernelSize, options));
}

/**
 * Applies a 3-D average pooling, like `torch.nn.functional.avg_pool3d` (see {@link avgPool1d}).
 *
 * **Shape**: input `[N, C, D, H, W]` or `[C, D, H, W]`; output `[N, C, D_out, H_out, W_out]`, each size as for `avgPool2d`.
 *
 * @throws ShapeError, DTypeError, RangeError as {@link avgPool1d}.
 */
export function avgPool3d(input: Tensor, kernelSize: SizeArgument, options: AvgPoolOptions = {}): Tensor {
  return avgPoolNd('avgPool3d', 3, input, resolveAvgPoolOptions('avgPool3d', 3, kernelSize, options));
}

/** The base of the average pooling layers: checks the options at construction. */
export abstract class AvgPoolNd extends Module {
  /** The window size, as given. */
  readonly kernelSize: SizeArgument;
  /** The window's step, as given (the kernel size by default). */
  readonly stride: SizeArgument;
  /** The implicit zero padding, as given. */
  readonly padding: SizeArgument;
  /** Whether output sizes round up. */
  readonly ceilMode: boolean;
  /** Whether the padding counts in the divisor. */
  readonly countIncludePad: boolean;
  /** The divisor used instead of the window's size, or `null`. */
  readonly divisorOverride: number | null;
  /** The options as resolved at construction (what `forward` uses). */
  protected readonly options: ResolvedAvgPoolOptions;
  /** The class name messages use (`AvgPool2d`). */
  protected readonly layerName: string;
  private readonly rank: number;

  protected constructor(layerName: string, rank: number, kernelSize: SizeArgument, options: AvgPoolOptions) {
    super();
    this.options = resolveAvgPoolOptions(layerName, rank, kernelSize, options);
    this.kernelSize = keepArgument(kernelSize);
    this.stride = keepArgument(options.stride ?? kernelSize);
    this.padding = keepArgument(options.padding ?? 0);
    this.ceilMode = this.options.ceilMode;
    this.countIncludePad = this.options.countIncludePad;
    this.divisorOverride = this.options.divisorOverride;
    this.layerName = layerName;
    this.rank = rank;
  }

  /**
   * Pools `input` (`[N, C, ...spatial]` or `[C, ...spatial]`).
   * @throws ShapeError, DTypeError for an input that does not fit (see {@link avgPool1d}).
   */
  forward(input: Tensor): Tensor {
    return avgPoolNd(this.layerName, this.rank, input, this.options);
  }

  /** PyTorch's `extra_repr`: `kernel_size=2, stride=2, padding=0`. */
  override extraRepr(): string {
    return `kernel_size=${pythonRepr(this.kernelSize)}, stride=${pythonRepr(this.stride)}, padding=${pythonRepr(this.padding)}`;
  }
}

/**
 * A 1-D average pooling layer, like `torch.nn.AvgPool1d` (see {@link avgPool1d}).
 *
 * **Shape**: `[N, C, L]` or `[C, L]` → `[N, C, L_out]` or `[C, L_out]`.
 *
 * @example
 * ```ts
 * new AvgPool1d(3, { stride: 2 }).toString(); // 'AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))'
 * ```
 */
export class AvgPool1d extends AvgPoolNd {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: AvgPoolOptions = {}) {
    super('AvgPool1d', 1, kernelSize, options);
  }

  /** PyTorch's `AvgPool1d` keeps its sizes as 1-tuples: `kernel_size=(3,), stride=(3,), padding=(0,)`. */
  override extraRepr(): string {
    const { kernelSize, stride, padding } = this.options;
    return `kernel_size=${pythonRepr(kernelSize)}, stride=${pythonRepr(stride)}, padding=${pythonRepr(padding)}`;
  }
}

/**
 * A 2-D average pooling layer, like `torch.nn.AvgPool2d` (see {@link avgPool2d}).
 *
 * **Shape**: `[N, C, H, W]` or `[C, H, W]` → `[N, C, H_out, W_out]` or `[C, H_out, W_out]`.
 *
 * @example
 * ```ts
 * new AvgPool2d(3, { stride: 2, padding: 1 }).forward(randn([8, 32, 32, 32])).shape; // [8, 32, 16, 16]
 * ```
 */
export class AvgPool2d extends AvgPoolNd {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: AvgPoolOptions = {}) {
    super('AvgPool2d', 2, kernelSize, options);
  }
}

/**
 * A 3-D average pooling layer, like `torch.nn.AvgPool3d` (see {@link avgPool3d}).
 *
 * **Shape**: `[N, C, D, H, W]` or `[C, D, H, W]` → `[N, C, D_out, H_out, W_out]` or `[C, D_out, H_out, W_out]`.
 */
export class AvgPool3d extends AvgPoolNd {
  /** @throws RangeError for invalid options (the message names the argument). */
  constructor(kernelSize: SizeArgument, options: AvgPoolOptions = {}) {
    super('AvgPool3d', 3, kernelSize, options);
  }
}
