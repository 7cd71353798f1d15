import { type Tensor, gather, maskedFill, mul, reshape, scatter, scatterAdd, sum, zeros } from '@strata/tensor';

import { padToShape, sumToShape } from './helpers.js';
import type { GradientFormulas } from './types.js';

/** The formulas of this family, merged into `formulas`. */
export const indexingFormulas = {
  /** `gather`: the gradient scattered back (and summed where an index repeats) into zeros. */
  gather: {
    backward: (gradient, { attributes }) => [
      scatterAdd(zeros(attributes.inputShape, { dtype: gradient.dtype }), attributes.dim, attributes.index, gradient),
    ],
  },
  /**
   * `scatter`: the input's gradient is zero where it was overwritten; the
   * source's is the gradient gathered at the indexed positions (zero for the
   * part of the source the index does not cover).
   */
  scatter: {
    backward: (gradient, { attributes, needsInputGrad }) => {
      const { dim, index, sourceShape } = attributes;
      return [
        needsInputGrad[0] ? scatter(gradient, dim, index, 0) : null,
        needsInputGrad[1] === true && sourceShape !== null ? padToShape(gather(gradient, dim, index), sourceShape) : null,
      ];
    },
  },
  /** `scatterAdd`: the input's gradient passes through; the source's is the gradient gathered at the indexed positions. */
  scatterAdd: {
    backward: (gradient, { attributes, needsInputGrad }) => {
      const { dim, index, sourceShape } = attributes;
      return [gradient, needsInputGrad[1] ? padToShape(gather(gradient, dim, index), sourceShape) : null];
    },
  },
  /** `indexSelect`: the gradient of each selected slice added back at its index. */
  indexSelect: {
    backward: (gradient, { attributes }) => {
      const { dim, index, inputShape } = attributes;
      if (inputShape.length === 0) return [gradient];
      // Spread the 1-d index over the gradient's shape so scatterAdd can place whole slices.
      const indexShape = gradient.shape.map((size, d) => (d === dim ? size : 1));
      const spread = reshape(index, indexShape).expand(gradient.shape);
      return [scatterAdd(zeros(inputShape, { dtype: gradient.dtype }), dim, spread, gradient)];
    },
  },
  /**
   * `maskedFill`: the input's gradient is zero where the mask filled; a 0-d
   * tensor value gets the sum of the gradient over the filled positions.
   */
  maskedFill: {
    backward: (gradient, { attributes, needsInputGrad }) => {
      const { mask, inputShape } = attributes;
      const gradInput = needsInputGrad[0] ? sumToShape(maskedFill(gradient, mask, 0), inputShape) : null;
      const gradValue = needsInputGrad[1] === true ? sum(mul(gradient, maskAs(mask, gradient))) : null;
      return [gradInput, gradValue];
    },
  },
} satisfies Partial<GradientFormulas>;

function maskAs(mask: Tensor, like: Tensor): Tensor {
  return mask.to(like.dtype);
}
