import { narrow, zeros } from '@strata/tensor';

import type { GradientFormulas } from './types.js';

/** The formulas of this family, merged into `formulas`. */
export const joinFormulas = {
  /** `cat`, `stack`: each input gets its own stretch of the gradient along `dim`. */
  cat: {
    backward: (gradient, { attributes, inputShapes, needsInputGrad }) => {
      let offset = 0;
      return attributes.sizes.map((size, i) => {
        const start = offset;
        offset += size;
        if (!needsInputGrad[i]) return null;
        // An input of another rank can only be an empty one cat skipped.
        if (inputShapes[i]!.length !== gradient.ndim) return zeros(inputShapes[i]!, { dtype: gradient.dtype });
        return narrow(gradient, attributes.dim, start, size);
      });
    },
  },
} satisfies Partial<GradientFormulas>;
