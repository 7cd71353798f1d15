import { ShapeError, type Tensor, cat, formatShape, narrow, reshape, shapesEqual, sum, unsqueeze, zeros } from '@strata/tensor';

/**
 * Sums a broadcast gradient back to the shape of the input that was
 * broadcast: over the leading dimensions the input lacked and over the
 * dimensions where it had size 1. Returns `gradient` itself when the shapes
 * already match. Differentiable (it is a `sum` and a `reshape`).
 *
 * @throws ShapeError when `shape` does not broadcast to the gradient's shape.
 * @example
 * ```ts
 * sumToShape(ones([4, 2, 3]), [2, 1]); // [[12], [12]]: summed over the 4 and the 3
 * ```
 */
export function sumToShape(gradient: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(gradient.shape, shape)) return gradient;
  const lead = gradient.ndim - shape.length;
  if (lead < 0 || shape.some((size, d) => size !== 1 && size !== gradient.shape[d + lead])) {
    throw new ShapeError(
      `sumToShape: a gradient of shape ${formatShape(gradient.shape)} cannot be summed to shape ${formatShape(shape)} (the shape must broadcast to the gradient's)`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < gradient.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && gradient.shape[d] !== 1)) dims.push(d);
  }
  const summed = dims.length === 0 ? gradient : sum(gradient, dims, true);
  return shapesEqual(summed.shape, shape) ? summed : reshape(summed, shape);
}

/**
 * The gradient of `slice(input, dim, start, end, step)`: `gradient` placed at
 * positions `start, start + step, ...` of dimension `dim` in zeros of
 * `inputShape`. Built from `cat` and `reshape` so it is differentiable itself.
 */
export function sliceBackward(
  gradient: Tensor,
  inputShape: readonly number[],
  dim: number,
  start: number,
  step: number,
): Tensor {
  const count = gradient.shape[dim]!;
  const size = inputShape[dim]!;
  if (count === 0) return zeros(inputShape, { dtype: gradient.dtype });
  let spread = gradient;
  if (step > 1) {
    // Interleave step - 1 zeros after each element: [n, 1] ++ [n, step - 1] -> [n * step].
    const column = unsqueeze(gradient, dim + 1);
    const gapShape = [...column.shape];
    gapShape[dim + 1] = step - 1;
    const interleaved = cat([column, zeros(gapShape, { dtype: gradient.dtype })], dim + 1);
    const flatShape = [...gradient.shape];
    flatShape[dim] = count * step;
    spread = reshape(interleaved, flatShape);
    const span = Math.min(count * step, size - start);
    if (span < count * step) spread = narrow(spread, dim, 0, span);
  }
  return padAlong(spread, dim, start, size - start - spread.shape[dim]!);
}

/** `tensor` with `before` zeros in front and `after` zeros behind along `dim`. */
export function padAlong(tensor: Tensor, dim: number, before: number, after: number): Tensor {
  if (before === 0 && after === 0) return tensor;
  const parts: Tensor[] = [];
  const zerosOf = (length: number): Tensor => {
    const shape = [...tensor.shape];
    shape[dim] = length;
    return zeros(shape, { dtype: tensor.dtype });
  };
  if (before > 0) parts.push(zerosOf(before));
  parts.push(tensor);
  if (after > 0) parts.push(zerosOf(after));
  return cat(parts, dim);
}

/** `tensor` padded with zeros at the end of each dimension up to `shape` (each size at least `tensor`'s). */
export function padToShape(tensor: Tensor, shape: readonly number[]): Tensor {
  let result = tensor;
  for (let d = 0; d < shape.length; d++) {
    if (result.shape[d]! < shape[d]!) result = padAlong(result, d, 0, shape[d]! - result.shape[d]!);
  }
  return result;
}
