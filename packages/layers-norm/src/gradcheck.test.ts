/**
 * Every op's gradients against finite differences (float64): w.r.t. input,
 * weight and bias, for each mode and option that changes the formula; and
 * the second derivatives (`gradgradcheck`), which run the ops' backward
 * with differentiable tensor ops under `createGraph`.
 */
import { gradcheck, gradgradcheck } from '@strata/autograd';
import { type Tensor, manualSeed, rand, randn } from '@strata/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchNorm, groupNorm, instanceNorm, layerNorm, localResponseNorm, rmsNorm } from './index.js';

const float64 = { dtype: 'float64' as const, requiresGrad: true };

function input(shape: number[]): Tensor {
  return randn(shape, float64);
}

/** Weights around 1 (away from 0, so the affine map matters). */
function weight(shape: number[]): Tensor {
  return rand(shape, { dtype: 'float64' }).add(0.5).requiresGrad_(true);
}

beforeEach(() => manualSeed(3));

describe('gradcheck and gradgradcheck of every op', () => {
  it('batchNorm with batch statistics, over 2-d to 5-d inputs', () => {
    for (const shape of [[5, 3], [3, 3, 4], [2, 3, 2, 3], [2, 2, 2, 2, 2]]) {
      const channels = shape[1]!;
      const [x, w, b] = [input(shape), weight([channels]), input([channels])];
      const op = (a: Tensor, c: Tensor, d: Tensor): Tensor => batchNorm(a, null, null, { weight: c, bias: d, training: true });
      expect(gradcheck(op, [x, w, b])).toBe(true);
      expect(gradgradcheck(op, [x, w, b])).toBe(true);
    }
  });

  it('batchNorm with running statistics (evaluation), and without affine parameters', () => {
    const [x, w, b] = [input([4, 3, 5]), weight([3]), input([3])];
    const runningMean = randn([3], { dtype: 'float64' });
    const runningVar = rand([3], { dtype: 'float64' }).add(0.5);
    const evaluation = (a: Tensor, c: Tensor, d: Tensor): Tensor => batchNorm(a, runningMean, runningVar, { weight: c, bias: d });
    expect(gradcheck(evaluation, [x, w, b])).toBe(true);
    expect(gradgradcheck(evaluation, [x, w, b])).toBe(true);
    const plain = (a: Tensor): Tensor => batchNorm(a, null, null, { training: true, eps: 1e-3 });
    expect(gradcheck(plain, [x])).toBe(true);
    expect(gradgradcheck(plain, [x])).toBe(true);
  });

  it('instanceNorm with instance statistics and with running statistics', () => {
    const [x, w, b] = [input([2, 3, 5]), weight([3]), input([3])];
    const instance = (a: Tensor, c: Tensor, d: Tensor): Tensor => instanceNorm(a, { weight: c, bias: d });
    expect(gradcheck(instance, [x, w, b])).toBe(true);
    expect(gradgradcheck(instance, [x, w, b])).toBe(true);
    const runningMean = randn([3], { dtype: 'float64' });
    const runningVar = rand([3], { dtype: 'float64' }).add(0.5);
    const running = (a: Tensor, c: Tensor): Tensor => instanceNorm(a, { runningMean, runningVar, weight: c, useInputStats: false });
    expect(gradcheck(running, [x, w])).toBe(true);
    expect(gradgradcheck(running, [x, w])).toBe(true);
  });

  it('layerNorm over one and two trailing dims, with weight only and with both', () => {
    const x = input([3, 4, 5]);
    const [w2, b2] = [weight([4, 5]), input([4, 5])];
    const both = (a: Tensor, c: Tensor, d: Tensor): Tensor => layerNorm(a, [4, 5], { weight: c, bias: d });
    expect(gradcheck(both, [x, w2, b2])).toBe(true);
    expect(gradgradcheck(both, [x, w2, b2])).toBe(true);
    const w1 = weight([5]);
    const weightOnly = (a: Tensor, c: Tensor): Tensor => layerNorm(a, 5, { weight: c, eps: 1e-3 });
    expect(gradcheck(weightOnly, [x, w1])).toBe(true);
    expect(gradgradcheck(weightOnly, [x, w1])).toBe(true);
    const whole = (a: Tensor): Tensor => layerNorm(a, [3, 4, 5]);
    expect(gradcheck(whole, [x])).toBe(true);
  });

  it('groupNorm with one, some and one-per-channel groups', () => {
    const [x, w, b] = [input([2, 6, 3]), weight([6]), input([6])];
    for (const groups of [1, 2, 6]) {
      const op = (a: Tensor, c: Tensor, d: Tensor): Tensor => groupNorm(a, groups, { weight: c, bias: d });
      expect(gradcheck(op, [x, w, b])).toBe(true);
      expect(gradgradcheck(op, [x, w, b])).toBe(true);
    }
    const biasOnly = (a: Tensor, d: Tensor): Tensor => groupNorm(a, 3, { bias: d });
    expect(gradcheck(biasOnly, [x, b])).toBe(true);
  });

  it('rmsNorm with and without weight, with eps null (the dtype epsilon) and given', () => {
    const x = input([3, 2, 4]);
    const w = weight([2, 4]);
    const op = (a: Tensor, c: Tensor): Tensor => rmsNorm(a, [2, 4], { weight: c });
    expect(gradcheck(op, [x, w])).toBe(true);
    expect(gradgradcheck(op, [x, w])).toBe(true);
    const plain = (a: Tensor): Tensor => rmsNorm(a, 4, { eps: 0.1 });
    expect(gradcheck(plain, [x])).toBe(true);
    expect(gradgradcheck(plain, [x])).toBe(true);
  });

  it('localResponseNorm with odd, even and oversized windows', () => {
    const x = input([2, 5, 3]);
    for (const size of [1, 2, 3, 4, 7]) {
      const op = (a: Tensor): Tensor => localResponseNorm(a, size, { alpha: 0.5, beta: 0.75, k: 1.5 });
      expect(gradcheck(op, [x])).toBe(true);
      expect(gradgradcheck(op, [x])).toBe(true);
    }
    const fourD = input([1, 4, 2, 2]);
    expect(gradcheck((a: Tensor) => localResponseNorm(a, 3, { alpha: 0.3, beta: 1.2 }), [fourD])).toBe(true);
  });
});
