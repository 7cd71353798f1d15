import { to } from '@strata/tensor';

import type { GradientFormulas } from './types.js';

/** The formulas of this family, merged into `formulas`. */
export const castFormulas = {
  /** `clone`, `contiguous`: the gradient passes through. */
  clone: {
    backward: (gradient) => [gradient],
  },
  /** `to`, `float`, `double`: the gradient converted back to the input's dtype. */
  to: {
    backward: (gradient, { attributes }) => [to(gradient, attributes.inputDType)],
  },
} satisfies Partial<GradientFormulas>;

