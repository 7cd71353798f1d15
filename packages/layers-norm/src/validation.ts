/**
 * The input checks the normalization ops and layers share. Each throws
 * before anything is computed or written, with a message that names the op
 * or layer, what it expected and what it got.
 */
import { DTypeError, ShapeError, Tensor, checkTensor, describeKind, formatShape, isFloatingPoint } from '@strata/tensor';

/**
 * `input` must be a floating-point tensor.
 * @throws TypeError when it is not a Tensor.
 * @throws DTypeError `layerNorm: expected a floating-point input (float32 or float64), got int32`
 */
export function checkFloatInput(name: string, input: unknown): Tensor {
  checkTensor(name, 'input', input);
  if (!isFloatingPoint(input.dtype)) {
    throw new DTypeError(`${name}: expected a floating-point input (float32 or float64), got ${input.dtype}`);
  }
  return input;
}

/**
 * The rank of `input` must be one of `ranks` (or, with `orHigher`, at least the first).
 * @throws ShapeError `BatchNorm2d: expected 4D input (got 3D input)`
 */
export function checkRank(name: string, input: Tensor, ranks: readonly number[], orHigher = false): void {
  const rank = input.shape.length;
  const ok = orHigher ? rank >= ranks[0]! : ranks.includes(rank);
  if (ok) return;
  const expected = orHigher ? `${ranks[0]}D or higher` : ranks.map((value) => `${value}D`).join(' or ');
  throw new ShapeError(`${name}: expected ${expected} input (got ${rank}D input)`);
}

/**
 * An optional tensor argument (weight, bias, running statistics): `null`,
 * or a tensor of `shape` and the input's dtype.
 * @throws TypeError when it is neither a Tensor nor null.
 * @throws ShapeError `batchNorm: expected weight of shape [3] (one value per channel of input [2, 3, 4]), got shape [4]`
 * @throws DTypeError `layerNorm: expected weight of dtype float32 (the input's), got float64`
 */
export function checkOptionalTensor(
  name: string,
  argument: string,
  value: unknown,
  shape: readonly number[],
  reason: string,
  input: Tensor,
): Tensor | null {
  if (value === null || value === undefined) return null;
  if (!(value instanceof Tensor)) throw new TypeError(`${name}: expected ${argument} to be a Tensor or null, got ${describeKind(value)}`);
  if (value.shape.length !== shape.length || value.shape.some((size, d) => size !== shape[d])) {
    throw new ShapeError(`${name}: expected ${argument} of shape ${formatShape(shape)} (${reason}), got shape ${formatShape(value.shape)}`);
  }
  if (value.dtype !== input.dtype) {
    throw new DTypeError(`${name}: expected ${argument} of dtype ${input.dtype} (the input's), got ${value.dtype}`);
  }
  return value;
}

/**
 * The trailing dimensions of `input` must be `normalizedShape`.
 * @throws ShapeError `LayerNorm: expected input with shape [*, 3, 4] (normalizedShape [3, 4]), got shape [2, 3, 5]`
 */
export function checkTrailingShape(name: string, input: Tensor, normalizedShape: readonly number[]): void {
  const rank = input.shape.length;
  const count = normalizedShape.length;
  const matches = rank >= count && normalizedShape.every((size, i) => input.shape[rank - count + i] === size);
  if (matches) return;
  const pattern = ['*', ...normalizedShape].join(', ');
  throw new ShapeError(
    `${name}: expected input with shape [${pattern}] (normalizedShape ${formatShape(normalizedShape)}), got shape ${formatShape(input.shape)}`,
  );
}

/**
 * The channel count (dim 1, or dim 0 of an unbatched input) must be `channels`.
 * @throws ShapeError `BatchNorm2d: expected input with 3 channels (shape [N, 3, H, W]), got shape [8, 4, 32, 32]`
 */
export function checkChannels(name: string, input: Tensor, channelDim: number, channels: number, layouts: readonly string[]): void {
  if (input.shape[channelDim] === channels) return;
  const shapes = layouts.map((layout) => `[${layout.replaceAll('C', String(channels))}]`).join(' or ');
  throw new ShapeError(`${name}: expected input with ${channels} channels (shape ${shapes}), got shape ${formatShape(input.shape)}`);
}

/** The product of the sizes after the channel dim (1 for `[N, C]`). */
export function spatialSize(shape: readonly number[], channelDim = 1): number {
  let size = 1;
  for (let d = channelDim + 1; d < shape.length; d++) size *= shape[d]!;
  return size;
}

