import '@strata/autograd';
import { gradcheck, gradgradcheck } from '@strata/autograd';
import { randn } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { BatchNorm2d, LayerNorm, batchNorm, groupNorm, instanceNorm, layerNorm, localResponseNorm, rmsNorm } from './index.js';

describe('smoke', () => {
  it('runs', () => {
    const m = new BatchNorm2d(3);
    const x = randn([4, 3, 2, 2], { requiresGrad: true });
    const y = m.forward(x);
    y.sum().backward();
    console.log(String(m), m.running_mean!.tolist(), m.num_batches_tracked!.tolist(), x.grad!.shape);
    console.log(String(new LayerNorm([2, 3])));
    const x64 = randn([3, 4, 5], { dtype: 'float64', requiresGrad: true });
    const w = randn([4], { dtype: 'float64', requiresGrad: true });
    const b = randn([4], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((a, ww, bb) => batchNorm(a, null, null, { weight: ww, bias: bb, training: true }), [x64, w, b])).toBe(true);
    expect(gradcheck((a, ww, bb) => groupNorm(a, 2, { weight: ww, bias: bb }), [x64, w, b])).toBe(true);
    expect(gradcheck((a, ww, bb) => instanceNorm(a, { weight: ww, bias: bb }), [x64, w, b])).toBe(true);
    const w5 = randn([5], { dtype: 'float64', requiresGrad: true });
    const b5 = randn([5], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((a, ww, bb) => layerNorm(a, 5, { weight: ww, bias: bb }), [x64, w5, b5])).toBe(true);
    expect(gradcheck((a, ww) => rmsNorm(a, 5, { weight: ww }), [x64, w5])).toBe(true);
    expect(gradcheck((a) => localResponseNorm(a, 3, { alpha: 0.5 }), [x64])).toBe(true);
    expect(gradgradcheck((a, ww, bb) => batchNorm(a, null, null, { weight: ww, bias: bb, training: true }), [x64, w, b])).toBe(true);
    expect(gradgradcheck((a, ww, bb) => layerNorm(a, 5, { weight: ww, bias: bb }), [x64, w5, b5])).toBe(true);
    expect(gradgradcheck((a) => localResponseNorm(a, 3, { alpha: 0.5 }), [x64])).toBe(true);
  });
});
