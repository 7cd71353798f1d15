import { permute, reshape, unsqueeze } from '@strata/tensor';

import { sliceBackward, sumToShape } from './helpers.js';
import type { GradientFormulas } from './types.js';

/** The formulas of this family, merged into `formulas`. */
export const viewFormulas = {
  /** `reshape`, `view`, `flatten`, `squeeze`, `unsqueeze`: the gradient read back in the input's shape. */
  reshape: {
    backward: (gradient, { attributes }) => [reshape(gradient, attributes.inputShape)],
  },
  /** `permute`, `transpose`, `t`: the gradient permuted back by the inverse permutation. */
  permute: {
    backward: (gradient, { attributes }) => {
      const inverse = new Array<number>(attributes.dims.length);
      attributes.dims.forEach((dim, i) => (inverse[dim] = i));
      return [permute(gradient, inverse)];
    },
  },
  /** `expand`: the gradient summed over the broadcast dimensions. */
  expand: {
    backward: (gradient, { attributes }) => [sumToShape(gradient, attributes.inputShape)],
  },
  /** `slice`, `narrow`: the gradient placed back at the sliced positions, zeros elsewhere. */
  slice: {
    backward: (gradient, { attributes }) => [
      sliceBackward(gradient, attributes.inputShape, attributes.dim, attributes.start, attributes.step),
    ],
  },
  /** `select`: the gradient placed back at the selected index, zeros elsewhere. */
  select: {
    backward: (gradient, { attributes }) => [
      sliceBackward(unsqueeze(gradient, attributes.dim), attributes.inputShape, attributes.dim, attributes.index, 1),
    ],
  },
} satisfies Partial<GradientFormulas>;

