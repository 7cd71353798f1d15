/**
 * Local response normalization: the functional `localResponseNorm` and the
 * `LocalResponseNorm` layer, as PyTorch's
 * `torch.nn.functional.local_response_norm` and `torch.nn.LocalResponseNorm`.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module, formatPythonFloat } from '@strata/module';
import { type Tensor, cat, getKernel, isGradEnabled, registerKernel, zeros } from '@strata/tensor';
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
import { COMPOSITE, localResponseNormBackwardComposite } from './reference-backward.js';

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
    if (isGradEnabled()) return [compositeBackward(input, gradOutput, parameters), null];
    return [getKernel('localResponseNormBackward')(input, gradOutput, denominator, parameters), null];
  },
});

/** `Σ` over the channel window of each channel, zero outside: the padded average pool of PyTorch's formula, times `size`. */
function windowSum(squares: Tensor, before: number, after: number): Tensor {
  const channels = squares.shape[1]!;
  let total: Tensor | null = null;
  for (let shift = -before; shift <= after; shift++) {
    // Channel c gets channel c + shift.
    const length = channels - Math.abs(shift);
    if (length <= 0) continue;
    const padShape = [...squares.shape];
    padShape[1] = Math.abs(shift);
    const padding = zeros(padShape, { dtype: squares.dtype });
    const part = shift >= 0 ? squares.narrow(1, shift, length) : squares.narrow(1, 0, length);
    const shifted = shift === 0 ? squares : shift > 0 ? cat([part, padding], 1) : cat([padding, part], 1);
    total = total === null ? shifted : total.add(shifted);
  }
  return total ?? squares.mul(0);
}

/** The input gradient with differentiable ops, for `createGraph`. */
function compositeBackward(input: Tensor, gradOutput: Tensor, parameters: LocalResponseNormParameters): Tensor {
  const { size, alpha, beta, k } = parameters;
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  const denominator = windowSum(input.square(), before, after).mul(alpha / size).add(k);
  const t = gradOutput.mul(input).mul(denominator.pow(-beta - 1));
  // Element j of channel c collects t from the channels whose window holds c.
  const collected = windowSum(t, after, before);
  return gradOutput.mul(denominator.pow(-beta)).sub(input.mul(collected).mul((2 * alpha * beta) / size));
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
