import {
  type Tensor,
  div,
  eq,
  ge,
  gt,
  le,
  log,
  logicalAnd,
  logicalOr,
  lt,
  mul,
  neg,
  pow,
  sub,
  where,
  zeros,
} from '@strata/tensor';

import { sumToShape } from './helpers.js';
import type { GradientFormulas } from './types.js';

/** `gradient * factor`, skipping the product when the factor is 1. */
function scaled(gradient: Tensor, factor: number): Tensor {
  return factor === 1 ? gradient : mul(gradient, factor);
}

/**
 * The formulas of the broadcasting binary ops, `where` and `clamp`. Each
 * gradient is computed in the output's (broadcast) shape, then summed back
 * to its input's shape.
 */
export const elementwiseFormulas = {
  /** `input + alpha * other`: `dInput = g`, `dOther = alpha * g`. */
  add: {
    backward: (gradient, { attributes, inputShapes, needsInputGrad }) => [
      needsInputGrad[0] ? sumToShape(gradient, inputShapes[0]!) : null,
      needsInputGrad[1] ? sumToShape(scaled(gradient, attributes.alpha), inputShapes[1]!) : null,
    ],
  },
  /** `input - alpha * other`: `dInput = g`, `dOther = -alpha * g`. */
  sub: {
    backward: (gradient, { attributes, inputShapes, needsInputGrad }) => [
      needsInputGrad[0] ? sumToShape(gradient, inputShapes[0]!) : null,
      needsInputGrad[1]
        ? sumToShape(attributes.alpha === 1 ? neg(gradient) : mul(gradient, -attributes.alpha), inputShapes[1]!)
        : null,
    ],
  },
  /** `input * other`: `dInput = g * other`, `dOther = g * input`. */
  mul: {
    save: ({ inputs }) => [inputs[0]!, inputs[1]!],
    backward: (gradient, { saved, inputShapes, needsInputGrad }) => [
      needsInputGrad[0] ? sumToShape(mul(gradient, saved[1]!), inputShapes[0]!) : null,
      needsInputGrad[1] ? sumToShape(mul(gradient, saved[0]!), inputShapes[1]!) : null,
    ],
  },
  /** `input / other`: `dInput = g / other`, `dOther = -g * input / other²`; zero with a rounding mode. */
  div: {
    save: ({ inputs }) => [inputs[0]!, inputs[1]!],
    backward: (gradient, { attributes, saved, inputShapes, needsInputGrad }) => {
      if (attributes.roundingMode !== null) {
        return inputShapes.map((shape, i) => (needsInputGrad[i] ? zeros(shape, { dtype: gradient.dtype }) : null));
      }
      const [input, other] = [saved[0]!, saved[1]!];
      return [
        needsInputGrad[0] ? sumToShape(div(gradient, other), inputShapes[0]!) : null,
        needsInputGrad[1] ? sumToShape(div(mul(neg(gradient), input), mul(other, other)), inputShapes[1]!) : null,
      ];
    },
  },
  /**
   * `input ** exponent`: `dInput = g * exponent * input^(exponent - 1)` (0
   * where the exponent is 0), `dExponent = g * output * ln(input)` (0 where
   * the input is 0 and the exponent is not negative), as PyTorch.
   */
  pow: {
    save: ({ inputs, output }) => [inputs[0]!, inputs[1]!, output],
    backward: (gradient, { saved, inputShapes, needsInputGrad }) => {
      const [input, exponent, output] = [saved[0]!, saved[1]!, saved[2]!];
      let gradInput: Tensor | null = null;
      let gradExponent: Tensor | null = null;
      if (needsInputGrad[0]) {
        const derivative = mul(exponent, pow(input, sub(exponent, 1)));
        gradInput = sumToShape(where(eq(exponent, 0), 0, mul(gradient, derivative)), inputShapes[0]!);
      }
      if (needsInputGrad[1]) {
        const derivative = where(logicalAnd(eq(input, 0), ge(exponent, 0)), 0, mul(output, log(input)));
        gradExponent = sumToShape(mul(gradient, derivative), inputShapes[1]!);
      }
      return [gradInput, gradExponent];
    },
  },
  /** The elementwise maximum: the gradient goes to the larger operand, split in half on ties (as PyTorch). */
  maximum: {
    save: ({ inputs }) => [inputs[0]!, inputs[1]!],
    backward: (gradient, { saved, inputShapes, needsInputGrad }) => {
      const [input, other] = [saved[0]!, saved[1]!];
      const shared = where(eq(input, other), div(gradient, 2), gradient);
      return [
        needsInputGrad[0] ? sumToShape(where(lt(input, other), 0, shared), inputShapes[0]!) : null,
        needsInputGrad[1] ? sumToShape(where(gt(input, other), 0, shared), inputShapes[1]!) : null,
      ];
    },
  },
  /** The elementwise minimum: the gradient goes to the smaller operand, split in half on ties (as PyTorch). */
  minimum: {
    save: ({ inputs }) => [inputs[0]!, inputs[1]!],
    backward: (gradient, { saved, inputShapes, needsInputGrad }) => {
      const [input, other] = [saved[0]!, saved[1]!];
      const shared = where(eq(input, other), div(gradient, 2), gradient);
      return [
        needsInputGrad[0] ? sumToShape(where(gt(input, other), 0, shared), inputShapes[0]!) : null,
        needsInputGrad[1] ? sumToShape(where(lt(input, other), 0, shared), inputShapes[1]!) : null,
      ];
    },
  },
  /** `where(condition, input, other)`: the gradient goes to `input` where the condition holds, to `other` elsewhere. */
  where: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved, inputShapes, needsInputGrad }) => {
      const condition = saved[0]!;
      return [
        null,
        needsInputGrad[1] ? sumToShape(where(condition, gradient, 0), inputShapes[1]!) : null,
        needsInputGrad[2] ? sumToShape(where(condition, 0, gradient), inputShapes[2]!) : null,
      ];
    },
  },
  /**
   * `clamp(input, min, max)`: the gradient goes to `input` where
   * `min <= input <= max`, to a tensor `min` where `input < min` (and
   * `min < max`), to a tensor `max` where `input > max` (or `max < min`), as
   * PyTorch's `clamp_backward_min_max`.
   */
  clamp: {
    save: ({ inputs }) => inputs,
    backward: (gradient, { attributes, saved, inputShapes, needsInputGrad }) => {
      const input = saved[0]!;
      let position = 1;
      const bound = (value: number | 'tensor' | null): { value: Tensor | number | null; index: number } => {
        if (value === 'tensor') return { value: saved[position]!, index: position++ };
        return { value, index: -1 };
      };
      const low = bound(attributes.min);
      const high = bound(attributes.max);
      const gradients: (Tensor | null)[] = inputShapes.map(() => null);
      const keep = (mask: Tensor, index: number): void => {
        gradients[index] = sumToShape(where(mask, gradient, 0), inputShapes[index]!);
      };
      if (low.value !== null && high.value !== null) {
        if (needsInputGrad[0]) keep(logicalAnd(ge(input, low.value), le(input, high.value)), 0);
        if (low.index > 0 && needsInputGrad[low.index]) {
          keep(logicalAnd(lt(input, low.value), lt(low.value, high.value)), low.index);
        }
        if (high.index > 0 && needsInputGrad[high.index]) {
          keep(logicalOr(gt(input, high.value), lt(high.value, low.value)), high.index);
        }
      } else if (low.value !== null) {
        if (needsInputGrad[0]) keep(ge(input, low.value), 0);
        if (low.index > 0 && needsInputGrad[low.index]) keep(lt(input, low.value), low.index);
      } else if (high.value !== null) {
        if (needsInputGrad[0]) keep(le(input, high.value), 0);
        if (high.index > 0 && needsInputGrad[high.index]) keep(gt(input, high.value), high.index);
      }
      return gradients;
    },
  },
} satisfies Partial<GradientFormulas>;
