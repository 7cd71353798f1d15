/**
 * The cross-entropy loss: `crossEntropy` and `CrossEntropyLoss`, like
 * PyTorch's `F.cross_entropy` and `nn.CrossEntropyLoss`. With class indices
 * it runs the fused `crossEntropy` kernel op (one pass forward, one
 * backward); with class probabilities it is `logSoftmax` and a weighted sum.
 */
import { DTypeError, ShapeError, type Tensor, checkTensor, formatShape, isFloatingPoint, logSoftmax } from '@strata/tensor';
import { checkClassTargets, checkClassWeight, classIndexGeometry, targetShapeFor } from './class-index-checks.js';
import { crossEntropyOp } from './class-index-ops.js';
import { checkFloatTensor } from './checks.js';
import { WeightedLoss } from './loss.js';
import { type CrossEntropyLossOptions, type ResolvedClassIndexLossOptions, resolveCrossEntropyLossOptions } from './options.js';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, d) => size === b[d]);
}

/** The cross-entropy loss with resolved options; `name` is what error messages call it. */
export function crossEntropyOf(name: string, input: Tensor, target: Tensor, options: ResolvedClassIndexLossOptions): Tensor {
  checkFloatTensor(name, 'input', input);
  checkTensor(name, 'target', target);
  if (input.ndim === 0) {
    throw new ShapeError(`${name}: expected input of shape [C], [N, C] or [N, C, d1, ..., dk], got ${formatShape(input.shape)}`);
  }
  if (target.dtype === 'bool') {
    throw new DTypeError(
      `${name}: expected target of dtype int32 (class indices) or ${input.dtype} (class probabilities, the input's dtype), got bool`,
    );
  }
  if (isFloatingPoint(target.dtype)) {
    if (sameShape(target.shape, input.shape)) return crossEntropyWithProbabilities(name, input, target, options);
    if (sameShape(target.shape, targetShapeFor(input))) {
      throw new DTypeError(`${name}: expected target of dtype int32 (class indices), got ${target.dtype}`);
    }
    throw new ShapeError(
      `${name}: expected target of shape ${formatShape(targetShapeFor(input))} (class indices) or ${formatShape(input.shape)} ` +
        `(class probabilities) for input of shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  const { layout, outputShape } = classIndexGeometry(name, input, target);
  checkClassWeight(name, options.weight, input, layout.classes);
  checkClassTargets(name, target, layout.classes, options.ignoreIndex);
  const call = {
    reduction: options.reduction,
    ignoreIndex: options.ignoreIndex,
    labelSmoothing: options.labelSmoothing,
    layout,
    outputShape,
  };
  return crossEntropyOp(input, target, options.weight, call);
}

/**
 * PyTorch's cross-entropy with class probabilities: `−Σ_c w_c · q_c · log p_c`
 * with `q` the smoothed target; `'mean'` divides by the number of positions
 * (`N · d1 ⋯ dk`), not by the weights. Autograd differentiates it, target and
 * weight included.
 */
function crossEntropyWithProbabilities(name: string, input: Tensor, target: Tensor, options: ResolvedClassIndexLossOptions): Tensor {
  if (target.dtype !== input.dtype) {
    throw new DTypeError(`${name}: expected target of dtype ${input.dtype} (class probabilities, the input's dtype), got ${target.dtype}`);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim]!;
  checkClassWeight(name, options.weight, input, classes);
  const smoothing = options.labelSmoothing;
  const distribution = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / classes) : target;
  let terms = logSoftmax(input, classDim).mul(distribution);
  if (options.weight !== null) {
    const weightShape = input.shape.map((size, d) => (d === classDim ? size : 1));
    terms = terms.mul(options.weight.reshape(weightShape));
  }
  switch (options.reduction) {
    case 'none':
      return terms.sum(classDim).neg();
    case 'sum':
      return terms.sum().neg();
    case 'mean':
      return terms.sum().neg().div(input.numel() / classes);
  }
}

/**
 * The cross-entropy loss between logits and targets, like
 * `torch.nn.functional.cross_entropy`: `logSoftmax` over the classes
 * followed by the negative log-likelihood, computed stably (max-shifted
 * log-sum-exp) in one fused pass.
 *
 * With class indices (int32 target), `ℓ_n = −w[t_n] · log p[n, t_n]`;
 * `ignoreIndex` targets add 0 and `'mean'` divides by `Σ w[t_n]` over the
 * rest (NaN when all are ignored, as PyTorch). With `labelSmoothing` ε the
 * target becomes `(1 − ε) · onehot + ε / C`: `ℓ_n = (1 − ε) · (−w[t_n] log p[n, t_n]) + (ε / C) · Σ_c (−w[c] log p[n, c])`.
 *
 * With class probabilities (a float target of the input's shape),
 * `ℓ_n = −Σ_c w[c] · q[n, c] · log p[n, c]` with `q` the (smoothed) target,
 * and `'mean'` divides by the number of positions.
 *
 * **Shape**: input `[N, C]`, `[C]` (unbatched) or `[N, C, d1, …, dk]`;
 * target: int32 `[N]`, `[]` or `[N, d1, …, dk]` with values in `[0, C)` or
 * `ignoreIndex`, or probabilities of the input's shape; weight `[C]`; the
 * output is 0-d, or `[N]`, `[]`, `[N, d1, …, dk]` with `reduction: 'none'`.
 *
 * @throws DTypeError for an integer input, a target neither int32 nor of the input's float dtype, or a weight of another dtype.
 * @throws ShapeError for a target or weight of the wrong shape, or a 0-d input.
 * @throws RangeError for a class index outside `[0, C)` that is not `ignoreIndex`
 * (`crossEntropy: target 12 is out of bounds for 10 classes`), or invalid options.
 *
 * @example
 * ```ts
 * const logits = randn([4, 10], { requiresGrad: true });
 * const loss = crossEntropy(logits, tensor([3, 0, 9, 1], { dtype: 'int32' }), { labelSmoothing: 0.1 });
 * loss.backward(); // logits.grad: (softmax − smoothed one-hot) / 4
 * ```
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyLossOptions = {}): Tensor {
  return crossEntropyOf('crossEntropy', input, target, resolveCrossEntropyLossOptions('crossEntropy', options));
}

/**
 * The cross-entropy loss as a module, like `torch.nn.CrossEntropyLoss`; see
 * {@link crossEntropy}. The `weight` is a buffer (state-dict key `weight`).
 *
 * @example
 * ```ts
 * const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = criterion.forward(model.forward(images), labels);
 * loss.backward();
 * ```
 */
export class CrossEntropyLoss extends WeightedLoss {
  /** The target value that adds nothing to the loss (class-index targets). */
  readonly ignoreIndex: number;
  /** How much of the target is spread evenly over the classes. */
  readonly labelSmoothing: number;

  /** @throws RangeError, TypeError, DTypeError or ShapeError for invalid options (see {@link resolveCrossEntropyLossOptions}). */
  constructor(options: CrossEntropyLossOptions = {}) {
    const resolved = resolveCrossEntropyLossOptions('CrossEntropyLoss', options);
    super(resolved.weight, resolved.reduction);
    this.ignoreIndex = resolved.ignoreIndex;
    this.labelSmoothing = resolved.labelSmoothing;
  }

  /** The loss of logits `input` [N, C, …] against class indices [N, …] or probabilities [N, C, …]. */
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropyOf('CrossEntropyLoss', input, target, this);
  }
}
