/**
 * The regression losses: `mseLoss`, `l1Loss`, `smoothL1Loss`, `huberLoss`
 * and the modules `MSELoss`, `L1Loss`, `SmoothL1Loss`, `HuberLoss`, like
 * PyTorch's. MSE, L1 and Huber are a few elementwise ops that autograd
 * differentiates (input and target alike) with PyTorch 1.13's values at the
 * kinks (`sign(0) = 0` for L1; Huber's slopes meet at `±delta`); smooth L1
 * is one op with PyTorch's backward formula, whose slope at a zero
 * difference with `beta = 0` is −1.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { type Tensor, where, zerosLike } from '@strata/tensor';
import { checkFloatTensor, checkPair, reduceLoss } from './checks.js';
import { Loss } from './loss.js';
import {
  type HuberLossOptions,
  type LossOptions,
  type Reduction,
  type ResolvedHuberLossOptions,
  type ResolvedLossOptions,
  type ResolvedSmoothL1LossOptions,
  type SmoothL1LossOptions,
  resolveHuberLossOptions,
  resolveLossOptions,
  resolveSmoothL1LossOptions,
} from './options.js';

/** The difference `input − target` after checking both; `name` is what messages call the loss. */
function difference(name: string, input: Tensor, target: Tensor): Tensor {
  checkFloatTensor(name, 'input', input);
  checkPair(name, input, target);
  return input.sub(target);
}

/** The mean squared error with resolved options; `name` is what error messages call it. */
export function meanSquaredError(name: string, input: Tensor, target: Tensor, options: ResolvedLossOptions): Tensor {
  return reduceLoss(difference(name, input, target).square(), options.reduction);
}

/** The mean absolute error with resolved options. */
export function meanAbsoluteError(name: string, input: Tensor, target: Tensor, options: ResolvedLossOptions): Tensor {
  return reduceLoss(difference(name, input, target).abs(), options.reduction);
}

/**
 * The slope of the smooth L1 loss at `z`, as PyTorch 1.13's backward: −1 at
 * `z <= −beta`, 1 at `z >= beta`, `z / beta` between. With `beta = 0` that
 * makes the slope at `z = 0` −1 (not the 0 of `l1Loss`), for the input and
 * for the target alike: PyTorch runs the same formula on `target − input`.
 */
function smoothL1Slope(z: Tensor, beta: number): Tensor {
  const inner = beta === 0 ? zerosLike(z) : z.div(beta);
  return where(z.le(-beta), -1, where(z.ge(beta), 1, inner));
}

/** The smooth L1 loss's backward is PyTorch's formula, so its kink values are PyTorch's exactly. */
const smoothL1Op = defineOp({
  name: 'smoothL1Loss',
  forward(ctx: OpContext<{ options: ResolvedSmoothL1LossOptions }>, input: Tensor, target: Tensor, options: ResolvedSmoothL1LossOptions) {
    ctx.saveForBackward(input, target);
    ctx.state.options = options;
    const error = input.sub(target);
    const magnitude = error.abs();
    const { beta } = options;
    const loss = beta === 0 ? magnitude : where(magnitude.lt(beta), error.square().mul(0.5 / beta), magnitude.sub(0.5 * beta));
    return reduceLoss(loss, options.reduction);
  },
  backward(ctx, gradOutput) {
    const [input, target] = ctx.savedTensors as [Tensor, Tensor];
    const { beta, reduction } = ctx.state.options;
    const scale = reduction === 'mean' ? gradOutput.div(input.numel()) : gradOutput;
    const error = input.sub(target);
    return [
      ctx.needsInputGrad[0] ? smoothL1Slope(error, beta).mul(scale) : null,
      ctx.needsInputGrad[1] ? smoothL1Slope(error.neg(), beta).mul(scale) : null,
    ];
  },
});

/** The smooth L1 loss with resolved options. */
export function smoothL1(name: string, input: Tensor, target: Tensor, options: ResolvedSmoothL1LossOptions): Tensor {
  checkFloatTensor(name, 'input', input);
  checkPair(name, input, target);
  return smoothL1Op(input, target, options);
}

/** The Huber loss with resolved options. */
export function huber(name: string, input: Tensor, target: Tensor, options: ResolvedHuberLossOptions): Tensor {
  const error = difference(name, input, target);
  const { delta } = options;
  const magnitude = error.abs();
  return reduceLoss(where(magnitude.lt(delta), error.square().mul(0.5), magnitude.sub(0.5 * delta).mul(delta)), options.reduction);
}

/**
 * The mean squared error between each element of `input` and `target`, like
 * `torch.nn.functional.mse_loss`: `ℓ_i = (input_i − target_i)²`, then reduced.
 *
 * **Shape**: input and target of the same shape (any); the output is 0-d, or
 * the input's shape with `reduction: 'none'`. Unlike PyTorch, which warns and
 * broadcasts, different shapes are an error.
 *
 * @throws ShapeError when the shapes differ.
 * @throws DTypeError for an integer input or a target of another dtype.
 * @throws RangeError for an invalid reduction.
 *
 * @example
 * ```ts
 * mseLoss(tensor([1, 2, 3]), tensor([1, 0, 0])).item(); // (0 + 4 + 9) / 3 = 4.333…
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return meanSquaredError('mseLoss', input, target, resolveLossOptions('mseLoss', options));
}

/**
 * The mean absolute error between each element of `input` and `target`, like
 * `torch.nn.functional.l1_loss`: `ℓ_i = |input_i − target_i|`, then reduced.
 * The gradient at `input_i = target_i` is 0.
 *
 * **Shape**: as {@link mseLoss}.
 * @throws ShapeError, DTypeError, RangeError as {@link mseLoss}.
 *
 * @example
 * ```ts
 * l1Loss(tensor([1, 2, 3]), tensor([1, 0, 0]), { reduction: 'sum' }).item(); // 5
 * ```
 */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return meanAbsoluteError('l1Loss', input, target, resolveLossOptions('l1Loss', options));
}

/**
 * The smooth L1 loss, like `torch.nn.functional.smooth_l1_loss`: with
 * `z = input − target`, `ℓ = 0.5 · z² / beta` where `|z| < beta`, else
 * `|z| − 0.5 · beta`; then reduced. `beta = 0` is the L1 loss (but, as in
 * PyTorch 1.13, its slope at `z = 0` is −1 for input and target, not 0).
 * Compared with {@link huberLoss}, its linear part has slope 1 (Huber's =
 * smooth L1 · beta).
 *
 * **Shape**: as {@link mseLoss}.
 * @throws RangeError for a negative or non-finite `beta`, and as {@link mseLoss}.
 *
 * @example
 * ```ts
 * smoothL1Loss(tensor([0.5, 3]), tensor([0, 0]), { reduction: 'none' }).tolist(); // [0.125, 2.5]
 * ```
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  return smoothL1('smoothL1Loss', input, target, resolveSmoothL1LossOptions('smoothL1Loss', options));
}

/**
 * The Huber loss, like `torch.nn.functional.huber_loss`: with
 * `z = input − target`, `ℓ = 0.5 · z²` where `|z| < delta`, else
 * `delta · (|z| − 0.5 · delta)`; then reduced.
 *
 * **Shape**: as {@link mseLoss}.
 * @throws RangeError for a `delta` that is not positive and finite, and as {@link mseLoss}.
 *
 * @example
 * ```ts
 * huberLoss(tensor([0.5, 3]), tensor([0, 0]), { delta: 2, reduction: 'none' }).tolist(); // [0.125, 4]
 * ```
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  return huber('huberLoss', input, target, resolveHuberLossOptions('huberLoss', options));
}

/**
 * The mean squared error as a module, like `torch.nn.MSELoss`; see
 * {@link mseLoss}.
 *
 * @example
 * ```ts
 * const loss = new MSELoss();
 * loss.forward(prediction, target).backward();
 * ```
 */
export class MSELoss extends Loss {
  declare readonly reduction: Reduction;

  /** @throws RangeError for an invalid reduction. */
  constructor(options: LossOptions = {}) {
    super(resolveLossOptions('MSELoss', options).reduction);
  }

  /** The loss of `input` [*] against `target` [*] (the same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return meanSquaredError('MSELoss', input, target, this);
  }
}

/** The mean absolute error as a module, like `torch.nn.L1Loss`; see {@link l1Loss}. */
export class L1Loss extends Loss {
  declare readonly reduction: Reduction;

  /** @throws RangeError for an invalid reduction. */
  constructor(options: LossOptions = {}) {
    super(resolveLossOptions('L1Loss', options).reduction);
  }

  /** The loss of `input` [*] against `target` [*] (the same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return meanAbsoluteError('L1Loss', input, target, this);
  }
}

/** The smooth L1 loss as a module, like `torch.nn.SmoothL1Loss`; see {@link smoothL1Loss}. */
export class SmoothL1Loss extends Loss {
  declare readonly reduction: Reduction;
  /** Where the loss changes from quadratic to linear. */
  readonly beta: number;

  /** @throws RangeError for an invalid reduction or beta. */
  constructor(options: SmoothL1LossOptions = {}) {
    const resolved = resolveSmoothL1LossOptions('SmoothL1Loss', options);
    super(resolved.reduction);
    this.beta = resolved.beta;
  }

  /** The loss of `input` [*] against `target` [*] (the same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1('SmoothL1Loss', input, target, this);
  }
}

/** The Huber loss as a module, like `torch.nn.HuberLoss`; see {@link huberLoss}. */
export class HuberLoss extends Loss {
  declare readonly reduction: Reduction;
  /** Where the loss changes from quadratic to linear. */
  readonly delta: number;

  /** @throws RangeError for an invalid reduction or delta. */
  constructor(options: HuberLossOptions = {}) {
    const resolved = resolveHuberLossOptions('HuberLoss', options);
    super(resolved.reduction);
    this.delta = resolved.delta;
  }

  /** The loss of `input` [*] against `target` [*] (the same shape). */
  forward(input: Tensor, target: Tensor): Tensor {
    return huber('HuberLoss', input, target, this);
  }
}
