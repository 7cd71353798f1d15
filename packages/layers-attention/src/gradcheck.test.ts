/** The gradients of `attentionScale` against finite differences, in float64. */
import { gradcheck } from '@strata/autograd';
import { manualSeed, randn } from '@strata/tensor';
import { expect, it } from 'vitest';
import { attentionScale } from './index.js';

it('attentionScale passes gradcheck for the input, the weight and the bias', () => {
  manualSeed(0);
  const float64 = { dtype: 'float64', requiresGrad: true } as const;
  const [input, weight, bias] = [randn([2, 3, 4], float64), randn([4], float64), randn([4], float64)];
  expect(gradcheck((x, w, b) => attentionScale(x, w, b), [input, weight, bias])).toBe(true);
});
