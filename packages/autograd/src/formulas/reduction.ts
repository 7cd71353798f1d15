import {
  type Tensor,
  abs,
  div,
  eq,
  exp,
  expand,
  isnan,
  logicalAnd,
  logicalOr,
  maskedFill,
  mean,
  mul,
  pow,
  prod,
  reshape,
  scatter,
  sign,
  sub,
  sum,
  unsqueeze,
  where,
  zeros,
} from '@strata/tensor';

import type { GradientFormulas } from './types.js';

/** `tensor` with the reduced `dims` put back as size 1 (a no-op with `keepdim`). */
function keptDims(tensor: Tensor, inputShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim || dims.length === 0) return tensor;
  return reshape(tensor, inputShape.map((size, d) => (dims.includes(d) ? 1 : size)));
}

/** How many input elements each output element reduces. */
function reducedCount(inputShape: readonly number[], dims: readonly number[]): number {
  return dims.reduce((count, d) => count * inputShape[d]!, 1);
}

interface Reduction {
  readonly inputShape: readonly number[];
  readonly dims: readonly number[];
  readonly keepdim: boolean;
}

/** The output gradient broadcast back over the reduced dims. */
function spread(gradient: Tensor, { inputShape, dims, keepdim }: Reduction): Tensor {
  return expand(keptDims(gradient, inputShape, dims, keepdim), inputShape);
}

/**
 * The gradient of amax/amin/max/min: shared evenly among the elements equal
 * to the extremum, as PyTorch does. `max`/`min` (PyTorch's
 * `evenly_distribute_backward`) also count NaNs as equal to a NaN result;
 * `amax`/`amin` do not (their gradient is NaN then, as PyTorch's).
 */
function evenlyToExtremum(gradient: Tensor, input: Tensor, output: Tensor, reduction: Reduction, matchNaN: boolean): Tensor {
  const { inputShape, dims, keepdim } = reduction;
  const extremum = keptDims(output, inputShape, dims, keepdim);
  const equal = eq(input, extremum);
  const matches = matchNaN ? logicalOr(equal, logicalAnd(isnan(input), isnan(extremum))) : equal;
  const mask = matches.to(gradient.dtype);
  const share = div(keptDims(gradient, inputShape, dims, keepdim), sum(mask, dims, true));
  return mul(share, mask);
}

/**
 * The gradient of a value-selecting reduction along one dim: the output
 * gradient scattered to the selected positions, zeros elsewhere.
 */
function toIndices(gradient: Tensor, indices: Tensor, inputShape: readonly number[], dim: number, keepdim: boolean): Tensor {
  if (inputShape.length === 0) return gradient;
  const values = keepdim ? gradient : unsqueeze(gradient, dim);
  const positions = keepdim ? indices : unsqueeze(indices, dim);
  return scatter(zeros(inputShape, { dtype: gradient.dtype }), dim, positions, values);
}

/** The formulas of the reductions. */
export const reductionFormulas = {
  /** `sum`: the gradient broadcast over the reduced dims. */
  sum: {
    backward: (gradient, { attributes }) => [spread(gradient, attributes)],
  },
  /** `mean`: the sum's gradient divided by the number of reduced elements. */
  mean: {
    backward: (gradient, { attributes }) => [
      div(spread(gradient, attributes), reducedCount(attributes.inputShape, attributes.dims)),
    ],
  },
  /**
   * `prod`: each element gets the product of the others. Computed from the
   * product of the nonzero elements and the count of zeros, so that inputs
   * holding zeros get the right gradient (no division by zero).
   */
  prod: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => {
      const input = saved[0]!;
      const dims = attributes.dims;
      const isZero = eq(input, 0);
      const zeroCount = sum(isZero, dims, true);
      const nonzeroProduct = prod(where(isZero, 1, input), dims, true);
      const others = where(
        eq(zeroCount, 0),
        div(nonzeroProduct, where(isZero, 1, input)),
        where(isZero, where(eq(zeroCount, 1), nonzeroProduct, 0), 0),
      );
      return [mul(keptDims(gradient, attributes.inputShape, attributes.dims, attributes.keepdim), others)];
    },
  },
  /** `logsumexp`: `g · exp(x - output)`, the softmax of the reduced elements. */
  logsumexp: {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (gradient, { attributes, saved }) => {
      const { inputShape, dims, keepdim } = attributes;
      const weights = exp(sub(saved[0]!, keptDims(saved[1]!, inputShape, dims, keepdim)));
      return [mul(keptDims(gradient, inputShape, dims, keepdim), weights)];
    },
  },
  /** `amax`: shared evenly among the maximal elements. */
  amax: {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (gradient, { attributes, saved }) => [evenlyToExtremum(gradient, saved[0]!, saved[1]!, attributes, false)],
  },
  /** `amin`: shared evenly among the minimal elements. */
  amin: {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (gradient, { attributes, saved }) => [evenlyToExtremum(gradient, saved[0]!, saved[1]!, attributes, false)],
  },
  /** `max` without a dim: as `amax` over all dims. */
  max: {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (gradient, { attributes, saved }) => [evenlyToExtremum(gradient, saved[0]!, saved[1]!, attributes, true)],
  },
  /** `min` without a dim: as `amin` over all dims. */
  min: {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (gradient, { attributes, saved }) => [evenlyToExtremum(gradient, saved[0]!, saved[1]!, attributes, true)],
  },
  /** `maxWithIndices`, `max(x, dim)`: the gradient goes to the position of each maximum. */
  maxWithIndices: {
    backward: (gradient, { attributes }) => [
      toIndices(gradient, attributes.indices, attributes.inputShape, attributes.dim, attributes.keepdim),
    ],
  },
  /** `minWithIndices`, `min(x, dim)`: the gradient goes to the position of each minimum. */
  minWithIndices: {
    backward: (gradient, { attributes }) => [
      toIndices(gradient, attributes.indices, attributes.inputShape, attributes.dim, attributes.keepdim),
    ],
  },
  /** `var`: `g · 2 (x - mean) / (N - correction)`, as PyTorch's `var_backward`. */
  var: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => {
      const { inputShape, dims, keepdim, correction } = attributes;
      const input = saved[0]!;
      const centered = sub(input, mean(input, dims, true));
      const scale = 2 / (reducedCount(inputShape, dims) - correction);
      return [mul(mul(keptDims(gradient, inputShape, dims, keepdim), scale), centered)];
    },
  },
  /** `std`: the variance's gradient with `g / (2 · output)` (0 where the output is 0), as PyTorch's `std_backward`. */
  std: {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (gradient, { attributes, saved }) => {
      const { inputShape, dims, keepdim, correction } = attributes;
      const [input, output] = [saved[0]!, saved[1]!];
      const gradVariance = maskedFill(div(gradient, mul(output, 2)), eq(output, 0), 0);
      const centered = sub(input, mean(input, dims, true));
      const scale = 2 / (reducedCount(inputShape, dims) - correction);
      return [mul(mul(keptDims(gradVariance, inputShape, dims, keepdim), scale), centered)];
    },
  },
  /** `norm`: PyTorch's `norm_backward`, case by case of `p` (0, 1, 2, ±∞, below 1, below 2, above). */
  norm: {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (gradient, { attributes, saved }) => {
      const { inputShape, dims, keepdim, p } = attributes;
      const input = saved[0]!;
      const g = keptDims(gradient, inputShape, dims, keepdim);
      const normValue = keptDims(saved[1]!, inputShape, dims, keepdim);
      if (p === 0) return [zeros(inputShape, { dtype: gradient.dtype })];
      if (p === 1) return [mul(sign(input), g)];
      if (p === 2) return [mul(g, maskedFill(div(input, normValue), eq(normValue, 0), 0))];
      const magnitude = abs(input);
      if (!Number.isFinite(p)) {
        // The derivative of amax(|x|): shared among the extremal elements (and NaNs).
        const mask = logicalOr(eq(magnitude, normValue), isnan(magnitude)).to(gradient.dtype);
        return [mul(sign(input), mul(div(g, sum(mask, dims, true)), mask))];
      }
      if (p < 1) {
        const scaled = mul(sign(input), maskedFill(pow(magnitude, p - 1), eq(input, 0), 0));
        return [mul(mul(scaled, g), pow(normValue, 1 - p))];
      }
      const scale = maskedFill(div(g, pow(normValue, p - 1)), eq(normValue, 0), 0);
      const scaled = p < 2 ? mul(sign(input), pow(magnitude, p - 1)) : mul(input, pow(magnitude, p - 2));
      return [mul(scaled, scale)];
    },
  },
} satisfies Partial<GradientFormulas>;
