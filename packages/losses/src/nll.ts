import { checkTensor } from '@strata/tensor';
/**
 * The negative log-likelihood loss: `nllLoss` and `NLLLoss`, like PyTorch's
 * `F.nll_loss` and `nn.NLLLoss`, over the `nllLoss` kernel op.
 */
import type { Tensor } from '@strata/tensor';
import { checkClassTargets, checkClassWeight, classIndexGeometry } from './class-index-checks.js';
import { nllLossOp } from './class-index-ops.js';
import { checkFloatTensor } from './checks.js';
import { WeightedLoss } from './loss.js';
import { type NLLLossOptions, type ResolvedClassIndexLossOptions, resolveNLLLossOptions } from './options.js';

/** The options `negativeLogLikelihood` reads (a module passes itself). */
export type ResolvedNLLLossOptions = Pick<ResolvedClassIndexLossOptions, 'weight' | 'ignoreIndex' | 'reduction'>;

/** The NLL loss with resolved options; `name` is what error messages call it. */
export function negativeLogLikelihood(name: string, input: Tensor, target: Tensor, options: ResolvedNLLLossOptions): Tensor {
  checkFloatTensor(name, 'input', input);
  checkTensor(name, 'target', target);
  const { layout, outputShape } = classIndexGeometry(name, input, target);
  checkClassWeight(name, options.weight, input, layout.classes);
  checkClassTargets(name, target, layout.classes, options.ignoreIndex);
  const call = { reduction: options.reduction, ignoreIndex: options.ignoreIndex, labelSmoothing: 0, layout, outputShape };
  return nllLossOp(input, target, options.weight, call);
}

/**
 * The negative log-likelihood loss, like `torch.nn.functional.nll_loss`: the
 * input holds log-probabilities (e.g. from `logSoftmax`), and
 * `ℓ_n = −weight[t_n] · input[n, t_n]` for the target class `t_n`; a target
 * equal to `ignoreIndex` adds 0. `'mean'` divides the sum by
 * `Σ weight[t_n]` over the targets not ignored (every target ignored gives
 * NaN, as PyTorch).
 *
 * **Shape**: input `[N, C]`, `[C]` (unbatched) or `[N, C, d1, …, dk]`
 * (per-pixel classes); int32 target `[N]`, `[]` or `[N, d1, …, dk]` with
 * values in `[0, C)` or `ignoreIndex`; weight `[C]`; the output is 0-d, or
 * the target's shape with `reduction: 'none'`.
 *
 * @throws DTypeError for a target that is not int32, an integer input, or a weight of another dtype.
 * @throws ShapeError for a target or weight of the wrong shape, or a 0-d input.
 * @throws RangeError for a target outside `[0, C)` that is not `ignoreIndex`, or invalid options.
 *
 * @example
 * ```ts
 * const logProbabilities = logSoftmax(randn([3, 5]), 1);
 * nllLoss(logProbabilities, tensor([1, 0, 4], { dtype: 'int32' })).shape; // []
 * ```
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  return negativeLogLikelihood('nllLoss', input, target, resolveNLLLossOptions('nllLoss', options));
}

/**
 * The negative log-likelihood loss as a module, like `torch.nn.NLLLoss`;
 * see {@link nllLoss}. The `weight` is a buffer (state-dict key `weight`).
 *
 * @example
 * ```ts
 * const loss = new NLLLoss({ weight: tensor([1, 2, 1]), ignoreIndex: -1 });
 * loss.forward(logSoftmax(logits, 1), labels);
 * ```
 */
export class NLLLoss extends WeightedLoss {
  /** The target value that adds nothing to the loss. */
  readonly ignoreIndex: number;

  /** @throws RangeError, TypeError, DTypeError or ShapeError for invalid options (see {@link resolveNLLLossOptions}). */
  constructor(options: NLLLossOptions = {}) {
    const resolved = resolveNLLLossOptions('NLLLoss', options);
    super(resolved.weight, resolved.reduction);
    this.ignoreIndex = resolved.ignoreIndex;
  }

  /** The loss of log-probabilities `input` [N, C, …] against int32 class indices `target` [N, …]. */
  forward(input: Tensor, target: Tensor): Tensor {
    return negativeLogLikelihood('NLLLoss', input, target, this);
  }
}
