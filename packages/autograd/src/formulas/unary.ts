import { type Tensor, add, cos, div, mul, neg, pow, sign, sin, zeros } from '@strata/tensor';

import type { GradientContext, GradientFormula, GradientFormulas, OperationName } from './types.js';

/** A formula whose gradient is zero (the op is piecewise constant), like PyTorch's `zeros_like(grad)`. */
function zeroGradient<K extends OperationName>(): GradientFormula<K> {
  return {
    backward: (gradient: Tensor, { inputShapes }: GradientContext<K>) => [zeros(inputShapes[0]!, { dtype: gradient.dtype })],
  };
}

/** The formulas of the one-input math ops. */
export const unaryFormulas = {
  /** `-x`: `-g`. */
  neg: { backward: (gradient) => [neg(gradient)] },
  /** `|x|`: `g * sign(x)` (0 at 0, as PyTorch). */
  abs: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [mul(gradient, sign(saved[0]!))],
  },
  /** `x²`: `2x * g`. */
  square: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [mul(gradient, mul(saved[0]!, 2))],
  },
  /** `eˣ`: `g * eˣ` (the saved output). */
  exp: {
    save: ({ output }) => [output],
    backward: (gradient, { saved }) => [mul(gradient, saved[0]!)],
  },
  /** `ln x`: `g / x`. */
  log: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [div(gradient, saved[0]!)],
  },
  /** `log₂ x`: `g / (x ln 2)`. */
  log2: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [div(gradient, mul(saved[0]!, Math.LN2))],
  },
  /** `ln(1 + x)`: `g / (1 + x)`. */
  log1p: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [div(gradient, add(saved[0]!, 1))],
  },
  /** `eˣ - 1`: `g * (output + 1)`. */
  expm1: {
    save: ({ output }) => [output],
    backward: (gradient, { saved }) => [mul(gradient, add(saved[0]!, 1))],
  },
  /** `√x`: `g / (2√x)`. */
  sqrt: {
    save: ({ output }) => [output],
    backward: (gradient, { saved }) => [div(gradient, mul(saved[0]!, 2))],
  },
  /** `1/√x`: `-g * output³ / 2`. */
  rsqrt: {
    save: ({ output }) => [output],
    backward: (gradient, { saved }) => [mul(gradient, mul(pow(saved[0]!, 3), -0.5))],
  },
  /** `1/x`: `-g * output²`. */
  reciprocal: {
    save: ({ output }) => [output],
    backward: (gradient, { saved }) => [mul(neg(gradient), mul(saved[0]!, saved[0]!))],
  },
  /** `sin x`: `g * cos x`. */
  sin: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [mul(gradient, cos(saved[0]!))],
  },
  /** `cos x`: `-g * sin x`. */
  cos: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [mul(neg(gradient), sin(saved[0]!))],
  },
  /** `sign`, `floor`, `ceil`, `round`, `trunc`: piecewise constant, the gradient is zero. */
  sign: zeroGradient<'sign'>(),
  floor: zeroGradient<'floor'>(),
  ceil: zeroGradient<'ceil'>(),
  round: zeroGradient<'round'>(),
  trunc: zeroGradient<'trunc'>(),
} satisfies Partial<GradientFormulas>;
