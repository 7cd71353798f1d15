/**
 * The similarity and ranking losses: `cosineEmbeddingLoss`,
 * `marginRankingLoss`, `tripletMarginLoss` and their modules, like
 * PyTorch's. Each is PyTorch's composite formula written with the same
 * tensor ops, so autograd gives PyTorch's gradients, kinks included.
 */
import { DTypeError, ShapeError, type Tensor, checkTensor, formatShape, minimum, norm, where } from '@strata/tensor';
import { checkFloatTensor, checkPair, checkSameShape, reduceLoss } from './checks.js';
import { Loss } from './loss.js';
import {
  type MarginLossOptions,
  type Reduction,
  type ResolvedMarginLossOptions,
  type ResolvedTripletMarginLossOptions,
  type TripletMarginLossOptions,
  resolveMarginLossOptions,
  resolveTripletMarginLossOptions,
} from './options.js';

/** PyTorch's guard against a zero norm in `cosine_embedding_loss`. */
const NORM_EPSILON = 1e-12;

/**
 * A ±1 target: int32 or the inputs' dtype.
 * @throws DTypeError `cosineEmbeddingLoss: expected target of dtype int32 or float32 (the input's), got bool`
 */
function checkSignTarget(name: string, input: Tensor, target: unknown): asserts target is Tensor {
  checkTensor(name, 'target', target);
  if (target.dtype !== 'int32' && target.dtype !== input.dtype) {
    throw new DTypeError(`${name}: expected target of dtype int32 or ${input.dtype} (the input's), got ${target.dtype}`);
  }
}

/**
 * Checks every target is 1 or −1 (PyTorch silently gives other values a loss of 0).
 * @throws RangeError `cosineEmbeddingLoss: expected every target to be 1 or -1, got 0`
 */
function checkSigns(name: string, target: Tensor): void {
  const values = target.contiguousData();
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== 1 && values[i] !== -1) throw new RangeError(`${name}: expected every target to be 1 or -1, got ${values[i]}`);
  }
}

/** The cosine embedding loss with resolved options; `name` is what error messages call it. */
export function cosineEmbedding(name: string, input1: Tensor, input2: Tensor, target: Tensor, options: ResolvedMarginLossOptions): Tensor {
  checkFloatTensor(name, 'input1', input1);
  checkPair(name, input1, input2, 'input2', 'input1');
  checkSignTarget(name, input1, target);
  if (target.ndim > 1) throw new ShapeError(`${name}: expected a 0-D or 1-D target, got shape ${formatShape(target.shape)}`);
  const expected = target.ndim === 1 ? `[${target.shape[0]}, D]` : '[D]';
  if (input1.ndim !== target.ndim + 1 || (target.ndim === 1 && input1.shape[0] !== target.shape[0])) {
    throw new ShapeError(
      `${name}: expected inputs of shape ${expected} for a target of shape ${formatShape(target.shape)}, got ${formatShape(input1.shape)}`,
    );
  }
  checkSigns(name, target);
  const dim = target.ndim;
  const product = input1.mul(input2).sum(dim);
  const squaredNorm1 = input1.mul(input1).sum(dim).add(NORM_EPSILON);
  const squaredNorm2 = input2.mul(input2).sum(dim).add(NORM_EPSILON);
  const cosine = product.div(squaredNorm1.mul(squaredNorm2).sqrt());
  const similar = where(target.eq(1), cosine.neg().add(1), 0);
  const dissimilar = where(target.eq(-1), cosine.sub(options.margin).clamp({ min: 0 }), 0);
  return reduceLoss(similar.add(dissimilar), options.reduction);
}

/** The margin ranking loss with resolved options. */
export function marginRanking(name: string, input1: Tensor, input2: Tensor, target: Tensor, options: ResolvedMarginLossOptions): Tensor {
  checkFloatTensor(name, 'input1', input1);
  checkPair(name, input1, input2, 'input2', 'input1');
  checkSignTarget(name, input1, target);
  checkSameShape(name, input1, target, 'target', 'input1');
  const loss = target.neg().mul(input1.sub(input2)).add(options.margin).clamp({ min: 0 });
  return reduceLoss(loss, options.reduction);
}

/** The p-norm of `a − b + eps` over the last dimension, as PyTorch's `pairwise_distance`. */
function pairwiseDistance(a: Tensor, b: Tensor, p: number, eps: number): Tensor {
  return norm(a.sub(b).add(eps), p, -1);
}

/** The triplet margin loss with resolved options. */
export function tripletMargin(
  name: string, anchor: Tensor, positive: Tensor, negative: Tensor, options: ResolvedTripletMarginLossOptions,
): Tensor {
  checkFloatTensor(name, 'anchor', anchor);
  checkPair(name, anchor, positive, 'positive', 'anchor');
  checkPair(name, anchor, negative, 'negative', 'anchor');
  if (anchor.ndim === 0) throw new ShapeError(`${name}: expected inputs of shape [D] or [N, D], got ${formatShape(anchor.shape)}`);
  const { p, eps, margin } = options;
  const positiveDistance = pairwiseDistance(anchor, positive, p, eps);
  let negativeDistance = pairwiseDistance(anchor, negative, p, eps);
  if (options.swap) negativeDistance = minimum(negativeDistance, pairwiseDistance(positive, negative, p, eps));
  return reduceLoss(positiveDistance.add(margin).sub(negativeDistance).clamp({ min: 0 }), options.reduction);
}

/**
 * The cosine embedding loss, like `torch.nn.functional.cosine_embedding_loss`:
 * with `cos` the cosine similarity of each pair of rows, `ℓ = 1 − cos` for a
 * target of 1 (similar) and `ℓ = max(0, cos − margin)` for −1 (dissimilar).
 *
 * **Shape**: inputs `[N, D]` with target `[N]`, or `[D]` with a 0-d target;
 * the target (int32 or the inputs' dtype) holds 1 or −1; the output is 0-d,
 * or `[N]` (`[]`) with `reduction: 'none'`.
 *
 * @throws RangeError for a target value other than ±1 (PyTorch gives it a loss of 0), or invalid options.
 * @throws ShapeError, DTypeError for mismatched inputs or target.
 *
 * @example
 * ```ts
 * cosineEmbeddingLoss(randn([4, 8]), randn([4, 8]), tensor([1, -1, 1, -1], { dtype: 'int32' }), { margin: 0.5 });
 * ```
 */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: MarginLossOptions = {}): Tensor {
  return cosineEmbedding('cosineEmbeddingLoss', input1, input2, target, resolveMarginLossOptions('cosineEmbeddingLoss', options));
}

/**
 * The margin ranking loss, like `torch.nn.functional.margin_ranking_loss`:
 * `ℓ_i = max(0, −t_i · (x1_i − x2_i) + margin)`, where a target of 1 says
 * `x1` should rank higher than `x2` and −1 the opposite.
 *
 * **Shape**: `input1`, `input2` and `target` of the same shape (the target
 * int32 or the inputs' dtype; a float target gets a gradient); the output
 * is 0-d, or that shape with `reduction: 'none'`.
 *
 * @throws ShapeError when the shapes differ (PyTorch broadcasts same-rank tensors).
 * @throws DTypeError for integer inputs or a target of another float dtype.
 * @throws RangeError for invalid options.
 *
 * @example
 * ```ts
 * marginRankingLoss(tensor([0.3, 0.9]), tensor([0.5, 0.1]), tensor([1, 1]), { margin: 0.1 }).item(); // (0.3 + 0) / 2
 * ```
 */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, options: MarginLossOptions = {}): Tensor {
  return marginRanking('marginRankingLoss', input1, input2, target, resolveMarginLossOptions('marginRankingLoss', options));
}

/**
 * The triplet margin loss, like `torch.nn.functional.triplet_margin_loss`:
 * `ℓ_i = max(0, d(a_i, p_i) − d(a_i, n_i) + margin)` with
 * `d(x, y) = ‖x − y + eps‖_p` over the last dimension; with `swap`,
 * `d(a_i, n_i)` becomes `min(d(a_i, n_i), d(p_i, n_i))`.
 *
 * **Shape**: anchor, positive and negative of the same shape `[N, D]` or `[D]`
 * (more leading dimensions work as batch dimensions); the output is 0-d, or
 * the shape without its last dimension with `reduction: 'none'`.
 *
 * @throws ShapeError when the shapes differ (PyTorch broadcasts same-rank tensors) or for 0-d inputs.
 * @throws DTypeError for integer inputs or mixed dtypes.
 * @throws RangeError for invalid options (`p` must be positive).
 *
 * @example
 * ```ts
 * const [anchor, positive, negative] = [randn([16, 128]), randn([16, 128]), randn([16, 128])];
 * tripletMarginLoss(anchor, positive, negative, { margin: 1, swap: true });
 * ```
 */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginLossOptions = {}): Tensor {
  return tripletMargin('tripletMarginLoss', anchor, positive, negative, resolveTripletMarginLossOptions('tripletMarginLoss', options));
}

/** The cosine embedding loss as a module, like `torch.nn.CosineEmbeddingLoss`; see {@link cosineEmbeddingLoss}. */
export class CosineEmbeddingLoss extends Loss {
  declare readonly reduction: Reduction;
  /** The similarity above which a dissimilar pair is penalized. */
  readonly margin: number;

  /** @throws RangeError for an invalid margin or reduction. */
  constructor(options: MarginLossOptions = {}) {
    const resolved = resolveMarginLossOptions('CosineEmbeddingLoss', options);
    super(resolved.reduction);
    this.margin = resolved.margin;
  }

  /** The loss of the pairs `input1`, `input2` [N, D] (or [D]) against ±1 targets [N] (or []). */
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbedding('CosineEmbeddingLoss', input1, input2, target, this);
  }
}

/** The margin ranking loss as a module, like `torch.nn.MarginRankingLoss`; see {@link marginRankingLoss}. */
export class MarginRankingLoss extends Loss {
  declare readonly reduction: Reduction;
  /** The margin by which the pairs should be ordered. */
  readonly margin: number;

  /** @throws RangeError for an invalid margin or reduction. */
  constructor(options: MarginLossOptions = {}) {
    const resolved = resolveMarginLossOptions('MarginRankingLoss', options);
    super(resolved.reduction);
    this.margin = resolved.margin;
  }

  /** The loss of `input1`, `input2` [*] against ±1 targets [*] (all the same shape). */
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return marginRanking('MarginRankingLoss', input1, input2, target, this);
  }
}

/** The triplet margin loss as a module, like `torch.nn.TripletMarginLoss`; see {@link tripletMarginLoss}. */
export class TripletMarginLoss extends Loss {
  declare readonly reduction: Reduction;
  /** How much farther the negative must be than the positive. */
  readonly margin: number;
  /** The norm degree of the distance. */
  readonly p: number;
  /** Added to the differences before the norm. */
  readonly eps: number;
  /** Whether the distance swap is on. */
  readonly swap: boolean;

  /** @throws RangeError for invalid options. */
  constructor(options: TripletMarginLossOptions = {}) {
    const resolved = resolveTripletMarginLossOptions('TripletMarginLoss', options);
    super(resolved.reduction);
    this.margin = resolved.margin;
    this.p = resolved.p;
    this.eps = resolved.eps;
    this.swap = resolved.swap;
  }

  /** The loss of the triplets `anchor`, `positive`, `negative` [N, D] (or [D]). */
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return tripletMargin('TripletMarginLoss', anchor, positive, negative, this);
  }
}
