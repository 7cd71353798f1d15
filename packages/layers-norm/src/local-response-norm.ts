/**
 * Local response normalization: the functional `localResponseNorm` and the
 * `LocalResponseNorm` layer, as PyTorch's
 * `torch.nn.functional.local_response_norm` and `torch.nn.LocalResponseNorm`.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module, formatPythonFloat } from '@strata/module';
import { type Tensor, compositeKernel, getKernel, isGradEnabled, registerKernel } from '@strata/tensor';
import {
  type LocalResponseNormParameters,
  localResponseNormBackwardKernel,
  localResponseNormKernel,
} from './kernels/local-response-norm.js';
import {
  type LocalResponseNormOptions,
  type ResolvedLocalResponseNormOptions,
  resolveLocalResponseNormOptions,
} from './options.js';
import { checkFloatInput, checkRank } from './validation.js';
import { COMPOSITE, localResponseNormBackwardComposite, windowSum } from './reference-backward.js';

registerKernel('localResponseNorm', localResponseNormKernel);
// The default composed of forward ops, then the fused CPU kernel over it.
registerKernel('localResponseNormBackward', localResponseNormBackwardComposite, COMPOSITE);
registerKernel('localResponseNormBackward', localResponseNormBackwardKernel, { override: true });

const localResponseNormOp = defineOp({
  name: 'localResponseNorm',
  forward(ctx: OpContext<{ parameters: LocalResponseNormParameters }>, input: Tensor, parameters: LocalResponseNormParameters) {
    const result = getKernel('localResponseNorm')(input, parameters);
    ctx.state.parameters = parameters;
    ctx.saveForBackward(input, result.denominator);
    return result.output;
  },
  backward(ctx, gradOutput) {
    const [input, denominator] = ctx.savedTensors as [Tensor, Tensor];
    const parameters = ctx.state.parameters;
    // createGraph (grad mode on in this backward): the composite default, recorded, on the denominator recomputed with recorded ops.
    if (isGradEnabled()) return [compositeKernel('localResponseNormBackward')(input, gradOutput, recordedDenominator(input, parameters), parameters), null];
    return [getKernel('localResponseNormBackward')(input, gradOutput, denominator, parameters), null];
  },
});

/**
 * The denominator base `k + α/size · Σ_window x²` the forward kernel saves,
 * recomputed with recorded ops (for `createGraph`).
 */
function recordedDenominator(input: Tensor, parameters: LocalResponseNormParameters): Tensor {
  const { size, alpha, k } = parameters;
  return windowSum(input.square(), Math.floor(size / 2), Math.floor((size - 1) / 2)).mul(alpha / size).add(k);
}

function runLocalResponseNorm(name: string, input: Tensor, options: ResolvedLocalResponseNormOptions): Tensor {
  checkFloatInput(name, input);
  checkRank(name, input, [3], true);
  return localResponseNormOp(input, options);
}

/**
 * Local response normalization, like `torch.nn.functional.local_response_norm`:
 * `y = x / (k + α/size · Σ x²)^β`, the sum over the `size` neighbouring
 * channels `[c − ⌊size/2⌋, c + ⌊(size−1)/2⌋]` (zeros beyond the edges).
 *
 * @param size - the number of neighbouring channels summed over.
 * @throws DTypeError when input is not floating point.
 * @throws ShapeError when input has fewer than 3 dims.
 * @throws RangeError when size is not a positive integer, or alpha, beta or k is not finite.
 * @example
 * ```ts
 * const y = localResponseNorm(randn([2, 8, 5, 5]), 3, { alpha: 1e-3 });
 * ```
 */
export function localResponseNorm(input: Tensor, size: number, options: LocalResponseNormOptions = {}): Tensor {
  return runLocalResponseNorm('localResponseNorm', input, resolveLocalResponseNormOptions('localResponseNorm', size, options));
}

/**
 * Local response normalization over channels of `[N, C, *]` (3-D or
 * higher), like `torch.nn.LocalResponseNorm`. See {@link localResponseNorm}.
 * No parameters.
 *
 * @example
 * ```ts
 * const norm = new LocalResponseNorm(2);
 * String(norm); // 'LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)'
 * ```
 */
export class LocalResponseNorm extends Module {
  /** The number of neighbouring channels summed over. */
  readonly size: number;
  /** The multiplier of the averaged squares. */
  readonly alpha: number;
  /** The exponent of the denominator. */
  readonly beta: number;
  /** The additive constant of the denominator. */
  readonly k: number;
  private readonly resolved: ResolvedLocalResponseNormOptions;

  /** @throws RangeError when size is not a positive integer, or alpha, beta or k is not finite. */
  constructor(size: number, options: LocalResponseNormOptions = {}) {
    super();
    this.resolved = resolveLocalResponseNormOptions(new.target.name, size, options);
    this.size = this.resolved.size;
    this.alpha = this.resolved.alpha;
    this.beta = this.resolved.beta;
    this.k = this.resolved.k;
  }

  /**
   * Normalizes `input` `[N, C, *]` across channels.
   * @throws ShapeError when input has fewer than 3 dims.
   */
  forward(input: Tensor): Tensor {
    return runLocalResponseNorm(this.getName(), input, this.resolved);
  }

  /** PyTorch's printout: `2, alpha=0.0001, beta=0.75, k=1.0`. */
  override extraRepr(): string {
    return `${this.size}, alpha=${formatPythonFloat(this.alpha)}, beta=${formatPythonFloat(this.beta)}, k=${formatPythonFloat(this.k)}`;
  }
}
