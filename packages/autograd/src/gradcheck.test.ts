import { describe, expect, it } from 'vitest';
import { DTypeError, type Tensor, randn, tensor } from '@strata/tensor';

import { defineOp, gradcheck, gradgradcheck } from './index.js';

/** sin with a deliberately wrong derivative (cos + 0.1) at every element. */
const wrongSin = defineOp({
  name: 'wrongSin',
  forward(ctx, x: Tensor) {
    ctx.saveForBackward(x);
    return x.sin();
  },
  backward(ctx, gradOutput) {
    return [gradOutput.mul(ctx.savedTensors[0]!.cos().add(0.1))];
  },
});

/** x² whose backward is right but not written with recorded ops on x (so second derivatives are wrong). */
const opaqueSquare = defineOp({
  name: 'opaqueSquare',
  forward(ctx, x: Tensor) {
    ctx.saveForBackward(x);
    return x.mul(x);
  },
  backward(ctx, gradOutput) {
    return [gradOutput.mul(ctx.savedTensors[0]!.detach().mul(2))];
  },
});

describe('gradcheck', () => {
  it('passes correct gradients, for several inputs and outputs', () => {
    const a = randn([2, 3], { dtype: 'float64', requiresGrad: true });
    const b = randn([3], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((x, y) => [x.mul(y), y.exp()], [a, b])).toBe(true);
  });

  it('perturbs non-contiguous inputs through their strides', () => {
    const x = randn([4, 3], { dtype: 'float64' }).t().detach().requiresGrad_();
    expect(x.isContiguous()).toBe(false);
    expect(gradcheck((input) => input.mul(input).sum(0), [x])).toBe(true);
  });

  it('uses a vector-Jacobian product for large outputs, or the given gradOutput', () => {
    const x = randn([10, 10], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((input) => input.tanh(), [x])).toBe(true);
    const small = tensor([0.5, -1], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((input) => input.exp(), [small], { gradOutput: tensor([1, 3], { dtype: 'float64' }) })).toBe(true);
  });

  it('reports the worst mismatch: input, element, numerical and analytical values', () => {
    const x = tensor([0, 1], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck((input) => wrongSin(input), [x])).toThrow(
      /^gradcheck: Jacobian mismatch for input 0 \(shape \[2\]\) at element \[1\] for the Jacobian row with gradOutput one-hot at output 0 element \[1\]: numerical 0\.5403023058\d*, analytical 0\.6403023058\d* \(difference 0\.0999\d* exceeds atol 0\.00001 \+ rtol 0\.001 \* \|numerical\|\)$/,
    );
    const large = randn([9, 9], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck((input) => wrongSin(input), [large])).toThrow(/for a random gradOutput/);
  });

  it('catches wrong second derivatives with gradgradcheck', () => {
    const x = randn([3], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((input) => opaqueSquare(input), [x])).toBe(true);
    expect(() => gradgradcheck((input) => opaqueSquare(input), [x])).toThrow(/^gradcheck: Jacobian mismatch for input 0/);
    expect(gradgradcheck((input) => input.mul(input).mul(input), [x])).toBe(true);
  });

  it('requires float64 inputs that require grad', () => {
    const float32 = randn([2], { requiresGrad: true });
    expect(() => gradcheck((input) => input.exp(), [float32])).toThrow(DTypeError);
    expect(() => gradcheck((input) => input.exp(), [float32])).toThrow(
      'gradcheck: input 0 requires grad but is float32; inputs that require grad must be float64 for a precise check',
    );
    expect(() => gradcheck((input) => input.exp(), [randn([2], { dtype: 'float64' })])).toThrow(
      'gradcheck: at least one input must be a float64 tensor that requires grad',
    );
  });

  it('passes inputs that do not require grad through unchanged', () => {
    const x = randn([3], { dtype: 'float64', requiresGrad: true });
    const weights = tensor([1, 2, 3], { dtype: 'float64' });
    expect(gradcheck((input, w) => input.mul(w), [x, weights])).toBe(true);
    expect(weights.tolist()).toEqual([1, 2, 3]);
  });
});
