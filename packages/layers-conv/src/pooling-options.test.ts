import { describe, expect, it } from 'vitest';
import {
  keepArgument,
  pythonRepr,
  resolveAdaptiveOutputSize,
  resolveAvgPoolOptions,
  resolveFoldOptions,
  resolveLPPoolOptions,
  resolveMaxPoolOptions,
  resolveMaxUnpoolOptions,
} from './pooling-options.js';
import { poolingOutputSize } from './pooling.js';

describe('resolving options', () => {
  it('spells out every size per dimension, the stride defaulting to the kernel, and freezes the result', () => {
    const max = resolveMaxPoolOptions('MaxPool2d', 2, [3, 2]);
    expect(max).toEqual({ kernelSize: [3, 2], stride: [3, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, returnIndices: false });
    expect(Object.isFrozen(max)).toBe(true);
    expect(Object.isFrozen(max.kernelSize)).toBe(true);
    expect(resolveMaxPoolOptions('maxPool1d', 1, 2, { stride: null, padding: 1, dilation: 2, ceilMode: true, returnIndices: true })).toEqual({
      kernelSize: [2], stride: [2], padding: [1], dilation: [2], ceilMode: true, returnIndices: true,
    });
    expect(resolveAvgPoolOptions('avgPool3d', 3, 2, { stride: [1, 2, 1], countIncludePad: false, divisorOverride: -3 })).toEqual({
      kernelSize: [2, 2, 2], stride: [1, 2, 1], padding: [0, 0, 0], dilation: [1, 1, 1], ceilMode: false, countIncludePad: false, divisorOverride: -3,
    });
    expect(resolveLPPoolOptions('LPPool2d', 2, Number.POSITIVE_INFINITY, [2, 3], { stride: 1 })).toEqual({
      normType: Number.POSITIVE_INFINITY, kernelSize: [2, 3], stride: [1, 1], ceilMode: false,
    });
    expect(resolveMaxUnpoolOptions('MaxUnpool1d', 1, 3, { padding: 4 })).toEqual({ kernelSize: [3], stride: [3], padding: [4] });
    expect(resolveFoldOptions('Fold', [2, 3], { padding: 5 })).toEqual({ kernelSize: [2, 3], dilation: [1, 1], padding: [5, 5], stride: [1, 1] });
  });

  it('keeps null in an adaptive output size (the input size) and checks the rest', () => {
    expect(resolveAdaptiveOutputSize('AdaptiveAvgPool2d', 2, [null, 3])).toEqual([null, 3]);
    expect(resolveAdaptiveOutputSize('AdaptiveAvgPool3d', 3, 0)).toEqual([0, 0, 0]);
    expect(resolveAdaptiveOutputSize('AdaptiveAvgPool1d', 1, null)).toEqual([null]);
    expect(() => resolveAdaptiveOutputSize('AdaptiveMaxPool2d', 2, 'big')).toThrow(
      new RangeError("AdaptiveMaxPool2d: outputSize must be a non-negative integer or null, or a tuple of 2 of them, got 'big'"),
    );
  });

  it('allows the padding up to half the kernel, per dimension', () => {
    expect(resolveMaxPoolOptions('MaxPool2d', 2, [4, 5], { padding: [2, 2] }).padding).toEqual([2, 2]);
    expect(() => resolveAvgPoolOptions('AvgPool2d', 2, [4, 1], { padding: [2, 1] })).toThrow(
      new RangeError('AvgPool2d: pad should be at most half of effective kernel size, but got pad=1, kernel_size=1 and dilation=1'),
    );
  });
});

describe('poolingOutputSize (PyTorch pooling_output_shape)', () => {
  it('floors, or in ceil mode rounds up unless the last window would start in the right padding', () => {
    expect(poolingOutputSize(5, 2, 0, 2, 1, false)).toBe(2);
    expect(poolingOutputSize(5, 2, 0, 2, 1, true)).toBe(3);
    // Size 5, kernel 2, stride 2, padding 1: a fourth window would start at 5, in the right padding.
    expect(poolingOutputSize(5, 2, 1, 2, 1, false)).toBe(3);
    expect(poolingOutputSize(5, 2, 1, 2, 1, true)).toBe(3);
    expect(poolingOutputSize(6, 3, 1, 2, 1, true)).toBe(4);
    expect(poolingOutputSize(32, 3, 1, 2, 1, false)).toBe(16);
    expect(poolingOutputSize(9, 3, 1, 1, 2, false)).toBe(7);
    expect(poolingOutputSize(4, 5, 0, 5, 1, false)).toBe(0);
  });
});

describe('pythonRepr', () => {
  it('prints values as PyTorch extra_repr shows them', () => {
    expect(pythonRepr(2)).toBe('2');
    expect(pythonRepr(2.5)).toBe('2.5');
    expect(pythonRepr(Number.POSITIVE_INFINITY)).toBe('inf');
    expect(pythonRepr([3])).toBe('(3,)');
    expect(pythonRepr([2, 3])).toBe('(2, 3)');
    expect(pythonRepr([null, 7])).toBe('(None, 7)');
    expect(pythonRepr(null)).toBe('None');
    expect(pythonRepr(true)).toBe('True');
    expect(pythonRepr(false)).toBe('False');
  });

  it('keeps a copy of array arguments, frozen', () => {
    const given = [2, 3];
    const kept = keepArgument(given);
    given[0] = 9;
    expect(kept).toEqual([2, 3]);
    expect(Object.isFrozen(kept)).toBe(true);
    expect(keepArgument(4)).toBe(4);
  });
});
