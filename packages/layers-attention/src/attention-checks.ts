/**
 * The input and mask checks of `MultiheadAttention`, run before anything is
 * computed, and the conversion of its masks to one additive float mask.
 * Messages follow PyTorch's `_mha_shape_check` and
 * `multi_head_attention_forward`, with Strata's argument names.
 */
import { DTypeError, ShapeError, type Tensor, checkTensor, formatShape, isFloatingPoint } from '@strata/tensor';
import { blockedToFloat } from './scaled-dot-product-attention.js';

/** The sizes of one attention call, seen sequence-first: `[L, N, E]` query, `[S, N, ·]` key and value. */
export interface AttentionSizes {
  readonly batched: boolean;
  readonly length: number;
  readonly sourceLength: number;
  readonly batch: number;
}

/** What `MultiheadAttention` needs to know to check a call. */
export interface AttentionLayout {
  readonly name: string;
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly batchFirst: boolean;
  readonly dtype: Tensor['dtype'];
}

/**
 * Checks query, key and value (ranks, dtypes, feature sizes, and that their
 * batch and sequence sizes agree) and returns the call's sizes.
 * @throws TypeError, ShapeError, DTypeError.
 */
export function checkAttentionInputs(layout: AttentionLayout, query: unknown, key: unknown, value: unknown): AttentionSizes {
  const { name } = layout;
  checkTensor(name, 'query', query);
  checkTensor(name, 'key', key);
  checkTensor(name, 'value', value);
  if (query.ndim !== 2 && query.ndim !== 3) {
    throw new ShapeError(`${name}: query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
  }
  const batched = query.ndim === 3;
  if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
    const kind = batched ? 'batched (3-D)' : 'unbatched (2-D)';
    throw new ShapeError(`${name}: for ${kind} query, expected key and value to be ${query.ndim}-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
  }
  for (const [label, tensor] of [['query', query], ['key', key], ['value', value]] as const) {
    if (!isFloatingPoint(tensor.dtype) || tensor.dtype !== layout.dtype) {
      throw new DTypeError(`${name}: expected ${label} of dtype ${layout.dtype} (the parameters' dtype), got ${tensor.dtype}`);
    }
  }
  const expected = [['query', query, layout.embedDim, 'embedDim'], ['key', key, layout.kdim, 'kdim'], ['value', value, layout.vdim, 'vdim']] as const;
  for (const [label, tensor, size, option] of expected) {
    const got = tensor.shape[tensor.ndim - 1]!;
    if (got !== size) throw new ShapeError(`${name}: expected ${label} with ${size} features (${option}), got shape ${formatShape(tensor.shape)}`);
  }
  // Sequence-first sizes: [L, N, E] (batch first [N, L, E]; unbatched [L, E]).
  const sequenceDim = batched && layout.batchFirst ? 1 : 0;
  const batchDim = layout.batchFirst ? 0 : 1;
  const length = query.shape[sequenceDim]!;
  const sourceLength = key.shape[sequenceDim]!;
  const batch = batched ? query.shape[batchDim]! : 1;
  if (value.shape[sequenceDim] !== sourceLength) {
    throw new ShapeError(`${name}: expected key and value of the same length, got key shape ${formatShape(key.shape)} and value shape ${formatShape(value.shape)}`);
  }
  if (batched && (key.shape[batchDim] !== batch || value.shape[batchDim] !== batch)) {
    throw new ShapeError(`${name}: expected key and value with batch size ${batch} (the query's), got key shape ${formatShape(key.shape)} and value shape ${formatShape(value.shape)}`);
  }
  return { batched, length, sourceLength, batch };
}

/** @throws TypeError, DTypeError when a mask is not a bool or float tensor. */
function checkMaskKind(name: string, label: string, mask: unknown): asserts mask is Tensor {
  checkTensor(name, label, mask);
  if (mask.dtype !== 'bool' && !isFloatingPoint(mask.dtype)) {
    throw new DTypeError(`${name}: only bool and floating types of ${label} are supported, got ${mask.dtype}`);
  }
}

/**
 * Checks `keyPaddingMask` (`[N, S]`, or `[S]` unbatched) and returns it as an
 * additive float mask `[N, S]`, or null.
 * @throws TypeError, DTypeError, ShapeError.
 */
export function keyPaddingFloatMask(layout: AttentionLayout, sizes: AttentionSizes, mask: unknown): Tensor | null {
  if (mask === null || mask === undefined) return null;
  const { name } = layout;
  checkMaskKind(name, 'keyPaddingMask', mask);
  const expected = sizes.batched ? [sizes.batch, sizes.sourceLength] : [sizes.sourceLength];
  if (mask.ndim !== expected.length || mask.shape.some((size, d) => size !== expected[d])) {
    throw new ShapeError(`${name}: expected keyPaddingMask of shape ${formatShape(expected)}, got shape ${formatShape(mask.shape)}`);
  }
  const batchedMask = sizes.batched ? mask : mask.unsqueeze(0);
  return batchedMask.dtype === 'bool' ? blockedToFloat(batchedMask, layout.dtype) : batchedMask.to(layout.dtype);
}

/**
 * Checks `attnMask` (`[L, S]`, or `[N·numHeads, L, S]`; `true` where
 * attention is not allowed for a bool mask) and returns it as an additive
 * float mask `[1 or N·numHeads, L, S]`, or null.
 * @throws TypeError, DTypeError, ShapeError.
 */
export function attentionFloatMask(layout: AttentionLayout, sizes: AttentionSizes, mask: unknown): Tensor | null {
  if (mask === null || mask === undefined) return null;
  const { name } = layout;
  checkMaskKind(name, 'attnMask', mask);
  const { length, sourceLength } = sizes;
  let mask3d: Tensor;
  if (mask.ndim === 2) {
    if (mask.shape[0] !== length || mask.shape[1] !== sourceLength) {
      throw new ShapeError(`${name}: the shape of the 2D attnMask is ${formatShape(mask.shape)}, but should be ${formatShape([length, sourceLength])}`);
    }
    mask3d = mask.unsqueeze(0);
  } else if (mask.ndim === 3) {
    const expected = [sizes.batch * layout.numHeads, length, sourceLength];
    if (mask.shape.some((size, d) => size !== expected[d])) {
      throw new ShapeError(`${name}: the shape of the 3D attnMask is ${formatShape(mask.shape)}, but should be ${formatShape(expected)}`);
    }
    mask3d = mask;
  } else {
    throw new ShapeError(`${name}: expected attnMask to be 2-D or 3-D, got ${mask.ndim}-D tensor`);
  }
  return mask3d.dtype === 'bool' ? blockedToFloat(mask3d, layout.dtype) : mask3d.to(layout.dtype);
}
