import {
  type Tensor,
  abs,
  add,
  cat,
  div,
  eq,
  exp,
  ge,
  getKernel,
  gt,
  isGradEnabled,
  le,
  logicalAnd,
  logicalOr,
  lt,
  mul,
  narrow,
  neg,
  sigmoid,
  softplus,
  square,
  sub,
  sum,
  tanh,
  where,
} from '@strata/tensor';

import type { GradientFormulas } from './types.js';

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;
/** 1 / √(2π), the standard normal density at 0. */
const INVERSE_SQRT_TWO_PI = 0.3989422804014327;
/** √(2/π), the tanh approximation's coefficient. */
const SQRT_TWO_OVER_PI = 0.7978845608028654;
const GELU_KAPPA = 0.044715;

/** `g` where `mask` holds, 0 elsewhere. */
function gradientWhere(mask: Tensor, gradient: Tensor): Tensor {
  return where(mask, gradient, 0);
}

/**
 * 0 where `mask` holds, `g` elsewhere. PyTorch writes most activation
 * derivatives this way round, so a NaN input (for which every comparison is
 * false) lets the gradient through.
 */
function zeroWhere(mask: Tensor, gradient: Tensor): Tensor {
  return where(mask, 0, gradient);
}

/**
 * 0 where `input` is at or outside `[minVal, maxVal]`, `g` elsewhere: the
 * fused `hardtanhBackward` kernel, or differentiable ops when the gradient
 * needs a graph of its own (`createGraph`).
 */
function hardtanhGradient(gradient: Tensor, input: Tensor, minVal: number, maxVal: number): Tensor {
  if (!isGradEnabled()) return getKernel('hardtanhBackward')(gradient, input, minVal, maxVal);
  return zeroWhere(logicalOr(le(input, minVal), ge(input, maxVal)), gradient);
}

/** The formulas of the elementwise activations (PyTorch's `*_backward` functions). */
export const activationFormulas = {
  /**
   * `relu`: 0 where the output is 0 or less, `g` elsewhere (NaN passes, as
   * PyTorch's `threshold_backward`): one pass of the fused `reluBackward`
   * kernel, written into the incoming gradient when the engine says nobody
   * else holds it, or, when the gradient needs a graph of its own
   * (`createGraph`), the same in differentiable ops.
   */
  relu: {
    save: ({ output }) => [output],
    backward: (gradient, { saved, gradOutputIsOwned }) => {
      const output = saved[0]!;
      if (isGradEnabled()) return [zeroWhere(le(output, 0), gradient)];
      // A gradient nobody else holds is overwritten in place (the kernel may decline).
      if (gradOutputIsOwned === true && getKernel('reluBackward_')(gradient, output)) return [gradient];
      return [getKernel('reluBackward')(gradient, output)];
    },
  },
  /** `relu6`: as `hardtanh` on (0, 6). */
  relu6: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [hardtanhGradient(gradient, saved[0]!, 0, 6)],
  },
  /** `leakyRelu`: `g` for positive inputs, `negativeSlope · g` otherwise. */
  leakyRelu: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => [
      isGradEnabled()
        ? where(gt(saved[0]!, 0), gradient, mul(gradient, attributes.negativeSlope))
        : getKernel('leakyReluBackward')(gradient, saved[0]!, attributes.negativeSlope),
    ],
  },
  /** `elu`: `g · alpha · eˣ` for inputs up to 0, `g` otherwise. */
  elu: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => {
      const input = saved[0]!;
      return [where(le(input, 0), mul(gradient, mul(exp(input), attributes.alpha)), gradient)];
    },
  },
  /** `selu`: `g · scale · alpha · eˣ` for inputs up to 0, `scale · g` otherwise. */
  selu: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => {
      const input = saved[0]!;
      return [
        where(le(input, 0), mul(gradient, mul(exp(input), SELU_SCALE * SELU_ALPHA)), mul(gradient, SELU_SCALE)),
      ];
    },
  },
  /** `celu`: `g · e^(x/alpha)` for inputs up to 0, `g` otherwise. */
  celu: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => {
      const input = saved[0]!;
      return [where(le(input, 0), mul(gradient, exp(div(input, attributes.alpha))), gradient)];
    },
  },
  /**
   * `gelu`: `g · (Φ(x) + x·φ(x))`; with `'tanh'` the derivative of the tanh
   * approximation, as PyTorch's `gelu_backward`. Φ(x) is read off the output
   * (`gelu(x) / x`, ½ at 0), which needs no erf op.
   */
  gelu: {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (gradient, { attributes, saved }) => {
      const [input, output] = [saved[0]!, saved[1]!];
      if (attributes.approximate === 'tanh') {
        const inner = mul(add(input, mul(mul(square(input), input), GELU_KAPPA)), SQRT_TWO_OVER_PI);
        const tanhInner = tanh(inner);
        const left = mul(add(tanhInner, 1), 0.5);
        const innerDerivative = mul(add(mul(square(input), 3 * GELU_KAPPA), 1), SQRT_TWO_OVER_PI);
        const right = mul(mul(mul(input, 0.5), sub(1, square(tanhInner))), innerDerivative);
        return [mul(gradient, add(left, right))];
      }
      const isZero = eq(input, 0);
      const cdf = where(isZero, 0.5, div(output, where(isZero, 1, input)));
      const density = mul(exp(mul(square(input), -0.5)), INVERSE_SQRT_TWO_PI);
      return [mul(gradient, add(cdf, mul(input, density)))];
    },
  },
  /** `silu`: `g · σ(x) · (1 + x · (1 - σ(x)))`. */
  silu: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => {
      const input = saved[0]!;
      const s = sigmoid(input);
      return [mul(gradient, mul(s, add(mul(input, sub(1, s)), 1)))];
    },
  },
  /** `mish`: `g · (tanh(softplus(x)) + x · σ(x) · (1 - tanh²(softplus(x))))`. */
  mish: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => {
      const input = saved[0]!;
      const t = tanh(softplus(input));
      return [mul(gradient, add(t, mul(mul(input, sigmoid(input)), sub(1, square(t)))))];
    },
  },
  /** `sigmoid`: `g · y · (1 - y)` from the output y. */
  sigmoid: {
    save: ({ output }) => [output],
    backward: (gradient, { saved }) => [mul(gradient, mul(saved[0]!, sub(1, saved[0]!)))],
  },
  /** `logSigmoid`: `g · σ(-x)`. */
  logSigmoid: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [mul(gradient, sigmoid(neg(saved[0]!)))],
  },
  /** `tanh`: `g · (1 - y²)` from the output y. */
  tanh: {
    save: ({ output }) => [output],
    backward: (gradient, { saved }) => [mul(gradient, sub(1, square(saved[0]!)))],
  },
  /** `softplus`: `g · σ(beta · x)`, and `g` where `beta · x` passes the threshold. */
  softplus: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => {
      const scaled = mul(saved[0]!, attributes.beta);
      return [where(gt(scaled, attributes.threshold), gradient, mul(gradient, sigmoid(scaled)))];
    },
  },
  /** `softsign`: `g / (1 + |x|)²`. */
  softsign: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [div(gradient, square(add(abs(saved[0]!), 1)))],
  },
  /** `hardtanh`: 0 at or outside the bounds, `g` elsewhere (NaN passes, as PyTorch). */
  hardtanh: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => [hardtanhGradient(gradient, saved[0]!, attributes.minVal, attributes.maxVal)],
  },
  /** `hardswish`: 0 below -3, `g · (x/3 + ½)` up to 3, `g` above. */
  hardswish: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => {
      const input = saved[0]!;
      const middle = mul(gradient, add(div(input, 3), 0.5));
      return [where(lt(input, -3), 0, where(le(input, 3), middle, gradient))];
    },
  },
  /** `hardsigmoid`: `g / 6` strictly inside (-3, 3). */
  hardsigmoid: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => {
      const input = saved[0]!;
      return [gradientWhere(logicalAnd(gt(input, -3), lt(input, 3)), div(gradient, 6))];
    },
  },
  /** `tanhshrink` (x - tanh x): `g · tanh²(x)`. */
  tanhshrink: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { saved }) => [mul(gradient, square(tanh(saved[0]!)))],
  },
  /** `threshold`: 0 where the input is at most the threshold, `g` elsewhere. */
  threshold: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => [zeroWhere(le(saved[0]!, attributes.threshold), gradient)],
  },
  /** `softmax`: `y · (g - Σ g·y)` along `dim`, from the output y. */
  softmax: {
    save: ({ output }) => [output],
    backward: (gradient, { attributes, saved }) => {
      const output = saved[0]!;
      return [mul(output, sub(gradient, sum(mul(gradient, output), attributes.dim, true)))];
    },
  },
  /** `logSoftmax`: `g - softmax · Σ g` along `dim` (softmax = e^output). */
  logSoftmax: {
    save: ({ output }) => [output],
    backward: (gradient, { attributes, saved }) => [
      sub(gradient, mul(exp(saved[0]!), sum(gradient, attributes.dim, true))),
    ],
  },
  /** `softmin` (softmax of -x): `-y · (g - Σ g·y)` along `dim`. */
  softmin: {
    save: ({ output }) => [output],
    backward: (gradient, { attributes, saved }) => {
      const output = saved[0]!;
      return [neg(mul(output, sub(gradient, sum(mul(gradient, output), attributes.dim, true))))];
    },
  },
  /** `glu` (a · σ(b) over the halves a, b of `dim`): `[g · σ(b), g · a · σ(b) · (1 - σ(b))]` joined along `dim`. */
  glu: {
    save: ({ inputs }) => [inputs[0]!],
    backward: (gradient, { attributes, saved }) => {
      const input = saved[0]!;
      const half = input.shape[attributes.dim]! / 2;
      const first = narrow(input, attributes.dim, 0, half);
      const gate = sigmoid(narrow(input, attributes.dim, half, half));
      const gradFirst = mul(gradient, gate);
      const gradSecond = mul(mul(gradFirst, first), sub(1, gate));
      return [cat([gradFirst, gradSecond], attributes.dim)];
    },
  },
} satisfies Partial<GradientFormulas>;
