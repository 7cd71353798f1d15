/**
 * The binary cross-entropy losses: `binaryCrossEntropy` / `BCELoss` on
 * probabilities and `binaryCrossEntropyWithLogits` / `BCEWithLogitsLoss` on
 * logits, like PyTorch's. Each is one `defineOp` whose forward and backward
 * are PyTorch's formulas written with tensor ops (so second derivatives
 * work): the clamped logs of `binary_cross_entropy`, its gradient divided by
 * `max(x · (1 − x), 1e-12)`, and the log-sigmoid form of the logits loss,
 * which stays finite for logits of any size. As in PyTorch the weights get
 * no gradient; the target does.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { type Tensor, logSigmoid, sigmoid } from '@strata/tensor';
import { checkBroadcastWeight, checkFloatTensor, checkPair, reduceLoss } from './checks.js';
import { WeightedLoss } from './loss.js';
import {
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
  type Reduction,
  type ResolvedBinaryLossOptions,
  resolveBCELossOptions,
  resolveBCEWithLogitsLossOptions,
} from './options.js';

/** PyTorch's floor of `log x` in `binary_cross_entropy`, so a probability of exactly 0 or 1 costs 100, not infinity. */
const LOG_FLOOR = -100;
/** PyTorch's floor of `x · (1 − x)` in the gradient of `binary_cross_entropy`. */
const GRADIENT_EPSILON = 1e-12;

interface BinaryState {
  reduction: Reduction;
  hasWeight: boolean;
  hasPosWeight: boolean;
}

/** The upstream gradient per element: `'mean'` spreads it over every element. */
function elementScale(gradOutput: Tensor, input: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? gradOutput.div(input.numel()) : gradOutput;
}

function weighted(value: Tensor, weight: Tensor | null): Tensor {
  return weight === null ? value : value.mul(weight);
}

const binaryCrossEntropyOp = defineOp({
  name: 'binaryCrossEntropy',
  forward(ctx: OpContext<BinaryState>, input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction) {
    ctx.saveForBackward(...(weight === null ? [input, target] : [input, target, weight]));
    Object.assign(ctx.state, { reduction, hasWeight: weight !== null, hasPosWeight: false });
    const logInput = input.log().clamp({ min: LOG_FLOOR });
    const logComplement = input.neg().log1p().clamp({ min: LOG_FLOOR });
    // PyTorch's (t − 1) · log(1 − x) − t · log(x).
    const loss = target.sub(1).mul(logComplement).sub(target.mul(logInput));
    return reduceLoss(weighted(loss, weight), reduction);
  },
  backward(ctx, gradOutput) {
    const [input, target, weight] = ctx.savedTensors as [Tensor, Tensor, Tensor?];
    const scale = weighted(elementScale(gradOutput, input, ctx.state.reduction), weight ?? null);
    const gradInput = ctx.needsInputGrad[0]
      ? input.sub(target).div(input.mul(input.neg().add(1)).clamp({ min: GRADIENT_EPSILON })).mul(scale)
      : null;
    // −logit(x), unclamped, as PyTorch's binary_cross_entropy_target_backward.
    const gradTarget = ctx.needsInputGrad[1] ? input.neg().log1p().sub(input.log()).mul(scale) : null;
    return [gradInput, gradTarget, null, null];
  },
});

const binaryCrossEntropyWithLogitsOp = defineOp({
  name: 'binaryCrossEntropyWithLogits',
  forward(
    ctx: OpContext<BinaryState>, input: Tensor, target: Tensor, weight: Tensor | null, posWeight: Tensor | null, reduction: Reduction,
  ) {
    const extra = [weight, posWeight].filter((tensor): tensor is Tensor => tensor !== null);
    ctx.saveForBackward(input, target, ...extra);
    Object.assign(ctx.state, { reduction, hasWeight: weight !== null, hasPosWeight: posWeight !== null });
    // (1 − t) · x − l · log σ(x), with l = 1 + (posWeight − 1) · t.
    const logProbability = logSigmoid(input);
    const positive = posWeight === null ? logProbability : posWeight.sub(1).mul(target).add(1).mul(logProbability);
    const loss = target.neg().add(1).mul(input).sub(positive);
    return reduceLoss(weighted(loss, weight), reduction);
  },
  backward(ctx, gradOutput) {
    const saved = ctx.savedTensors;
    const [input, target] = saved as [Tensor, Tensor];
    const weight = ctx.state.hasWeight ? saved[2]! : null;
    const posWeight = ctx.state.hasPosWeight ? saved[ctx.state.hasWeight ? 3 : 2]! : null;
    const scale = weighted(elementScale(gradOutput, input, ctx.state.reduction), weight);
    let gradInput: Tensor | null = null;
    let gradTarget: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      if (posWeight === null) {
        gradInput = sigmoid(input).sub(target).mul(scale);
      } else {
        const positive = posWeight.mul(target);
        gradInput = positive.add(1).sub(target).mul(sigmoid(input)).sub(positive).mul(scale);
      }
    }
    if (ctx.needsInputGrad[1]) {
      gradTarget = posWeight === null
        ? input.neg().mul(scale)
        : logSigmoid(input.neg()).sub(logSigmoid(input).mul(posWeight)).mul(scale);
    }
    return [gradInput, gradTarget, null, null, null];
  },
});

/**
 * Checks that every element is a probability (NaN is not).
 * @throws RangeError `binaryCrossEntropy: expected every element of input in [0, 1], got 1.5`
 */
function checkProbabilities(name: string, input: Tensor): void {
  const values = input.contiguousData();
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name}: expected every element of input in [0, 1], got ${value}`);
  }
}

/** The binary cross-entropy with resolved options; `name` is what error messages call it. */
export function binaryCrossEntropyOf(name: string, input: Tensor, target: Tensor, options: Omit<ResolvedBinaryLossOptions, 'posWeight'>): Tensor {
  checkFloatTensor(name, 'input', input);
  checkPair(name, input, target);
  if (options.weight !== null) checkBroadcastWeight(name, 'weight', options.weight, input);
  checkProbabilities(name, input);
  return binaryCrossEntropyOp(input, target, options.weight, options.reduction);
}

/** The binary cross-entropy on logits with resolved options; `name` is what error messages call it. */
export function binaryCrossEntropyWithLogitsOf(name: string, input: Tensor, target: Tensor, options: ResolvedBinaryLossOptions): Tensor {
  checkFloatTensor(name, 'input', input);
  checkPair(name, input, target);
  if (options.weight !== null) checkBroadcastWeight(name, 'weight', options.weight, input);
  if (options.posWeight !== null) checkBroadcastWeight(name, 'posWeight', options.posWeight, input);
  return binaryCrossEntropyWithLogitsOp(input, target, options.weight, options.posWeight, options.reduction);
}

/**
 * The binary cross-entropy between probabilities and targets, like
 * `torch.nn.functional.binary_cross_entropy`:
 * `ℓ_i = −w_i · (t_i · log x_i + (1 − t_i) · log(1 − x_i))`, each log
 * floored at −100 (as PyTorch) so that probabilities of exactly 0 or 1 give a
 * finite loss. Prefer {@link binaryCrossEntropyWithLogits} on logits: it is
 * stable where `sigmoid` then this rounds to 0 or 1.
 *
 * **Shape**: input and target of the same shape; weight broadcast to it; the
 * output is 0-d, or the input's shape with `reduction: 'none'`.
 *
 * @throws RangeError for an input element outside [0, 1] (or NaN), or invalid options.
 * @throws ShapeError when the shapes differ or the weight doesn't broadcast to the input.
 * @throws DTypeError for an integer input, or a target or weight of another dtype.
 *
 * @example
 * ```ts
 * binaryCrossEntropy(tensor([0.8, 0.1]), tensor([1, 0])).item(); // (−log 0.8 − log 0.9) / 2 ≈ 0.1643
 * ```
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCELossOptions = {}): Tensor {
  return binaryCrossEntropyOf('binaryCrossEntropy', input, target, resolveBCELossOptions('binaryCrossEntropy', options));
}

/**
 * The binary cross-entropy on logits, like
 * `torch.nn.functional.binary_cross_entropy_with_logits`: `sigmoid` and
 * {@link binaryCrossEntropy} in one stable formula,
 * `ℓ_i = w_i · ((1 − t_i) · x_i − (1 + (posWeight − 1) · t_i) · log σ(x_i))`,
 * finite for any finite logit.
 *
 * `posWeight` weighs the positive term (recall against precision): with `P`
 * positives and `N` negatives of a class, `posWeight = N / P` balances them.
 * A `[C]` posWeight applies per class along the last dimension.
 *
 * **Shape**: input and target of the same shape; weight and posWeight
 * broadcast to it; the output is 0-d, or the input's shape with `reduction: 'none'`.
 *
 * @throws ShapeError when the shapes differ or a weight doesn't broadcast to the input.
 * @throws DTypeError for an integer input, or a target or weight of another dtype.
 * @throws RangeError for invalid options.
 *
 * @example
 * ```ts
 * const logits = randn([8, 3], { requiresGrad: true });
 * binaryCrossEntropyWithLogits(logits, rand([8, 3]).round(), { posWeight: tensor([1, 2, 5]) }).backward();
 * ```
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsLossOptions = {}): Tensor {
  const resolved = resolveBCEWithLogitsLossOptions('binaryCrossEntropyWithLogits', options);
  return binaryCrossEntropyWithLogitsOf('binaryCrossEntropyWithLogits', input, target, resolved);
}

/** The binary cross-entropy as a module, like `torch.nn.BCELoss`; see {@link binaryCrossEntropy}. */
export class BCELoss extends WeightedLoss {
  /** @throws RangeError, TypeError or DTypeError for invalid options. */
  constructor(options: BCELossOptions = {}) {
    const resolved = resolveBCELossOptions('BCELoss', options);
    super(resolved.weight, resolved.reduction);
  }

  /** The loss of probabilities `input` [*] against `target` [*] (the same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyOf('BCELoss', input, target, this);
  }
}

/**
 * The binary cross-entropy on logits as a module, like
 * `torch.nn.BCEWithLogitsLoss`; see {@link binaryCrossEntropyWithLogits}.
 * `weight` and `pos_weight` are buffers (PyTorch's state-dict keys).
 */
export class BCEWithLogitsLoss extends WeightedLoss {
  /** The weight of the positive examples, or `null` (a buffer named as PyTorch's, for its state-dict key). */
  declare readonly pos_weight: Tensor | null;

  /** @throws RangeError, TypeError or DTypeError for invalid options. */
  constructor(options: BCEWithLogitsLossOptions = {}) {
    const resolved = resolveBCEWithLogitsLossOptions('BCEWithLogitsLoss', options);
    super(resolved.weight, resolved.reduction);
    this.registerBuffer('pos_weight', resolved.posWeight);
  }

  /** The `pos_weight` buffer under its camelCase name. */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }

  /** The loss of logits `input` [*] against `target` [*] (the same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogitsOf('BCEWithLogitsLoss', input, target, this);
  }
}
