/**
 * The Kullback-Leibler divergence loss: `klDiv` and `KLDivLoss`, like
 * PyTorch's `F.kl_div` and `nn.KLDivLoss`, composed of elementwise ops.
 */
import { type Tensor, where } from '@strata/tensor';
import { checkFloatTensor, checkPair, reduceLoss } from './checks.js';
import { Loss } from './loss.js';
import { type KLDivLossOptions, type KLDivReduction, type ResolvedKLDivLossOptions, resolveKLDivLossOptions } from './options.js';

/** The KL divergence with resolved options; `name` is what error messages call it. */
export function klDivergence(name: string, input: Tensor, target: Tensor, options: ResolvedKLDivLossOptions): Tensor {
  checkFloatTensor(name, 'input', input);
  checkPair(name, input, target);
  let pointwise: Tensor;
  if (options.logTarget) {
    pointwise = target.exp().mul(target.sub(input));
  } else {
    // xlogy(t, t) − t · x: t · log t is 0 where t = 0 (not 0 · −∞ = NaN); the
    // log reads 1 there, so the gradient stays finite too. A negative t gives NaN, as PyTorch.
    const logTarget = where(target.eq(0), 1, target).log();
    pointwise = target.mul(logTarget).sub(target.mul(input));
  }
  return reduceLoss(pointwise, options.reduction);
}

/**
 * The Kullback-Leibler divergence loss, like `torch.nn.functional.kl_div`:
 * the input holds log-probabilities, the target probabilities (or
 * log-probabilities with `logTarget`), and
 * `ℓ_i = t_i · (log t_i − input_i)` (0 where `t_i = 0`), or
 * `ℓ_i = e^{t_i} · (t_i − input_i)` with `logTarget`.
 *
 * `reduction: 'batchmean'` divides the sum by the batch size (the first
 * dimension), which is the KL divergence of each sample's distributions;
 * `'mean'` (the default, as PyTorch) divides by the number of elements.
 *
 * **Shape**: input and target of the same shape; the output is 0-d, or the
 * input's shape with `reduction: 'none'`.
 *
 * Where the target is 0, its gradient is `−input` (PyTorch 1.13 gives NaN there).
 *
 * @throws ShapeError when the shapes differ.
 * @throws DTypeError for an integer input or a target of another dtype.
 * @throws RangeError for invalid options.
 *
 * @example
 * ```ts
 * const logQ = logSoftmax(randn([4, 5]), 1);
 * const p = softmax(randn([4, 5]), 1);
 * klDiv(logQ, p, { reduction: 'batchmean' }); // KL(p ‖ q) per sample
 * ```
 */
export function klDiv(input: Tensor, target: Tensor, options: KLDivLossOptions = {}): Tensor {
  return klDivergence('klDiv', input, target, resolveKLDivLossOptions('klDiv', options));
}

/** The KL divergence loss as a module, like `torch.nn.KLDivLoss`; see {@link klDiv}. */
export class KLDivLoss extends Loss {
  declare readonly reduction: KLDivReduction;
  /** Whether the target holds log-probabilities. */
  readonly logTarget: boolean;

  /** @throws RangeError for an invalid reduction or logTarget. */
  constructor(options: KLDivLossOptions = {}) {
    const resolved = resolveKLDivLossOptions('KLDivLoss', options);
    super(resolved.reduction);
    this.logTarget = resolved.logTarget;
  }

  /** The loss of log-probabilities `input` [*] against `target` [*] (the same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return klDivergence('KLDivLoss', input, target, this);
  }
}
