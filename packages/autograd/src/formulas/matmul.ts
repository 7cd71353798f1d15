import { matmul, transpose } from '@strata/tensor';

import type { GradientFormulas } from './types.js';

/** The formulas of this family, merged into `formulas`. */
export const matmulFormulas = {
  /**
   * `matmul`, `mm`, `bmm` (recorded on [..., m, k] × [..., k, n] with equal
   * batch dimensions; the broadcasting and 1-d cases are views around it):
   * `dA = dC·Bᵀ`, `dB = Aᵀ·dC`.
   */
  matmul: {
    save: ({ inputs }) => [inputs[0]!, inputs[1]!],
    backward: (gradient, { saved, needsInputGrad }) => {
      return [
        needsInputGrad[0] ? matmul(gradient, transpose(saved[1]!, -1, -2)) : null,
        needsInputGrad[1] ? matmul(transpose(saved[0]!, -1, -2), gradient) : null,
      ];
    },
  },
} satisfies Partial<GradientFormulas>;
