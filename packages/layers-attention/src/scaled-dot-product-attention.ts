/**
 * Scaled dot-product attention, `softmax(q·kᵀ·scale + mask)·v`, like
 * PyTorch's `F.scaled_dot_product_attention`, and the attention core that
 * `MultiheadAttention` shares with it.
 *
 * The products are batched matrix products (`matmul` over every batch and
 * head at once, each one a cache-blocked gemm), never loops of small
 * per-head products. The softmax is the max-shifted kernel of
 * `@strata/tensor`, so large scores do not overflow; its gradient is written
 * once, as one fused pass per row (attention-softmax.ts).
 */
import { dropout } from '@strata/layers-misc';
import {
  DTypeError,
  ShapeError,
  Tensor,
  allocate,
  broadcastShapes,
  checkOptionNames,
  checkTensor,
  describeValue,
  formatShape,
  isFloatingPoint,
  matmul,
  zeros,
} from '@strata/tensor';
import { attentionSoftmax } from './attention-softmax.js';
import { fusedAttention, fusedAttentionTakes } from './fused-attention.js';
import { scaledMaskedSoftmax } from './scaled-masked-softmax.js';
import { checkProbability } from './options.js';

/** Options of {@link scaledDotProductAttention}. */
export interface ScaledDotProductAttentionOptions {
  /**
   * A mask broadcastable to `[..., L, S]`: bool (`true` where the query may
   * attend to the key, PyTorch's convention for this function) or float
   * (added to the scores).
   * @defaultValue `null`
   */
  attnMask?: Tensor | null;
  /**
   * The probability of zeroing an attention weight (applied whenever it is
   * positive, as in PyTorch: pass 0 in evaluation).
   * @defaultValue `0`
   */
  dropoutP?: number;
  /**
   * Whether each query attends only to keys at or before its position (a
   * lower-triangular mask, aligned to the top left); not with `attnMask`.
   * @defaultValue `false`
   */
  isCausal?: boolean;
  /**
   * The factor of the scores.
   * @defaultValue `1 / √E`
   */
  scale?: number | null;
}

/**
 * The attention core: softmax(q·kᵀ·scale + masks)·v with optional dropout of the weights.
 * q [..., L, E], k [..., S, E], v [..., S, Ev], each mask a float tensor broadcastable to [..., L, S] or null
 * (the attention mask and the key-padding mask, added to the scores without being summed first).
 * Returns the output [..., L, Ev] and the weights [..., L, S], or null for the weights when the caller
 * does not need them (`needWeights` false) and the fused op took the call. Inputs are checked by the callers.
 *
 * Without weights to return, a mask that requires a gradient or dropout of 1, the whole core is one op
 * (fused-attention.ts), dropout included. Otherwise both products are one batched `gemm` each (kᵀ is a strided view, not a
 * copy), and the scale and the masks are folded into the softmax pass (scaled-masked-softmax.ts) unless a
 * float mask itself requires a gradient, which the fused pass does not give: then the scores are scaled
 * and summed with recorded ops.
 */
export function attend(
  q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, scale: number, dropoutP: number, secondMask: Tensor | null = null,
  needWeights = true,
): [Tensor, Tensor | null] {
  if (!needWeights && dropoutP < 1 && mask?.requiresGrad !== true && secondMask?.requiresGrad !== true && fusedAttentionTakes(q, k, v)) {
    return [fusedAttention(q, k, v, scale, mask, secondMask, dropoutP), null];
  }
  const scores = matmul(q, k.transpose(-2, -1));
  let weights: Tensor;
  if (mask?.requiresGrad === true || secondMask?.requiresGrad === true) {
    let shifted = scores.mul(scale);
    if (mask !== null) shifted = shifted.add(mask);
    if (secondMask !== null) shifted = shifted.add(secondMask);
    weights = attentionSoftmax(shifted);
  } else {
    // The scores are this function's own (the product's fresh output, which its backward does not read): overwritten.
    weights = scaledMaskedSoftmax(scores, scale, mask, secondMask, true);
  }
  if (dropoutP > 0) weights = dropout(weights, { p: dropoutP, training: true });
  return [matmul(weights, v), weights];
}

/** The float mask of a bool one: −∞ where `blocked` is true, 0 elsewhere. */
export function blockedToFloat(blocked: Tensor, dtype: Tensor['dtype']): Tensor {
  return zeros(blocked.shape, { dtype }).maskedFill(blocked, Number.NEGATIVE_INFINITY);
}

/** The causal mask of L queries and S keys as −∞ above the diagonal (top-left aligned), [L, S]. */
export function causalFloatMask(length: number, sourceLength: number, dtype: Tensor['dtype']): Tensor {
  const data = allocate(dtype, length * sourceLength);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < sourceLength; j++) data[i * sourceLength + j] = Number.NEGATIVE_INFINITY;
  return Tensor.fromData(data, [length, sourceLength]);
}

/**
 * Scaled dot-product attention, like `torch.nn.functional.scaled_dot_product_attention`:
 * `softmax(query · keyᵀ · scale + mask) · value`, with a numerically stable
 * softmax and the products batched over every leading dimension.
 *
 * **Shape:** query `[..., L, E]`, key `[..., S, E]`, value `[..., S, Ev]`
 * (leading dimensions broadcast), output `[..., L, Ev]`.
 *
 * @throws TypeError when query, key, value or the mask is not a tensor.
 * @throws ShapeError when an input has fewer than 2 dimensions, the feature or
 * sequence sizes disagree, or the mask does not broadcast to `[..., L, S]`.
 * @throws DTypeError for non-float inputs, inputs of different dtypes or an integer mask.
 * @throws RangeError for an unknown option, `dropoutP` outside [0, 1], a
 * non-finite `scale`, or `attnMask` together with `isCausal`.
 * @example
 * ```ts
 * const q = randn([2, 8, 5, 16]), k = randn([2, 8, 7, 16]), v = randn([2, 8, 7, 16]);
 * scaledDotProductAttention(q, k, v).shape;                      // [2, 8, 5, 16]
 * scaledDotProductAttention(q, q, q, { isCausal: true }).shape;  // [2, 8, 5, 16]
 * ```
 */
export function scaledDotProductAttention(
  query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {},
): Tensor {
  const name = 'scaledDotProductAttention';
  checkOptionNames(name, options, ['attnMask', 'dropoutP', 'isCausal', 'scale']);
  checkTensor(name, 'query', query);
  checkTensor(name, 'key', key);
  checkTensor(name, 'value', value);
  for (const [label, tensor] of [['query', query], ['key', key], ['value', value]] as const) {
    if (tensor.ndim < 2) throw new ShapeError(`${name}: expected ${label} with at least 2 dimensions, got shape ${formatShape(tensor.shape)}`);
  }
  if (!isFloatingPoint(query.dtype) || key.dtype !== query.dtype || value.dtype !== query.dtype) {
    throw new DTypeError(`${name}: expected query, key and value of one float dtype, got ${query.dtype}, ${key.dtype} and ${value.dtype}`);
  }
  const features = query.shape[query.ndim - 1]!;
  if (key.shape[key.ndim - 1] !== features) {
    throw new ShapeError(`${name}: expected key with ${features} features (the query's), got shape ${formatShape(key.shape)}`);
  }
  if (value.shape[value.ndim - 2] !== key.shape[key.ndim - 2]) {
    throw new ShapeError(`${name}: expected value with as many steps as key (${key.shape[key.ndim - 2]}), got shape ${formatShape(value.shape)}`);
  }
  const dropoutP = checkProbability(name, 'dropoutP', options.dropoutP ?? 0);
  const isCausal = options.isCausal ?? false;
  if (typeof isCausal !== 'boolean') throw new RangeError(`${name}: isCausal must be a boolean, got ${describeValue(isCausal)}`);
  const scale = options.scale ?? 1 / Math.sqrt(features);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new RangeError(`${name}: scale must be a finite number, got ${describeValue(scale)}`);
  const attnMask = options.attnMask ?? null;
  const length = query.shape[query.ndim - 2]!;
  const sourceLength = key.shape[key.ndim - 2]!;
  let mask: Tensor | null = null;
  if (attnMask !== null) {
    checkTensor(name, 'attnMask', attnMask);
    if (isCausal) throw new RangeError(`${name}: explicit attnMask should not be set when isCausal is true`);
    if (attnMask.dtype !== 'bool' && !isFloatingPoint(attnMask.dtype)) {
      throw new DTypeError(`${name}: expected attnMask of dtype bool or float, got ${attnMask.dtype}`);
    }
    const scoresShape = [...broadcastShapes(query.shape.slice(0, -2), key.shape.slice(0, -2), name), length, sourceLength];
    let broadcast: readonly number[] | null = null;
    try {
      broadcast = broadcastShapes(scoresShape, attnMask.shape, name);
    } catch {
      broadcast = null;
    }
    if (broadcast === null || broadcast.some((size, d) => size !== scoresShape[d]) || broadcast.length !== scoresShape.length) {
      throw new ShapeError(`${name}: expected attnMask broadcastable to ${formatShape(scoresShape)}, got shape ${formatShape(attnMask.shape)}`);
    }
    mask = attnMask.dtype === 'bool' ? blockedToFloat(attnMask.logicalNot(), query.dtype) : attnMask.to(query.dtype);
  } else if (isCausal) {
    mask = causalFloatMask(length, sourceLength, query.dtype);
  }
  return attend(query, key, value, mask, scale, dropoutP, null, false)[0];
}
