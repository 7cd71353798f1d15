import { describe, expect, it } from 'vitest';
import {
  resolveBatchNormOptions,
  resolveGroupNormOptions,
  resolveInstanceNormOptions,
  resolveLayerNormOptions,
  resolveLocalResponseNormOptions,
  resolveRMSNormOptions,
} from './options.js';

describe('resolve…Options', () => {
  it('fills in PyTorch’s defaults and freezes the result', () => {
    const batch = resolveBatchNormOptions('BatchNorm2d', 3);
    expect(batch).toEqual({ numFeatures: 3, eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true });
    expect(Object.isFrozen(batch)).toBe(true);
    expect(resolveBatchNormOptions('BatchNorm1d', 2, { momentum: null }).momentum).toBeNull();
    expect(resolveInstanceNormOptions('InstanceNorm2d', 3)).toEqual({
      numFeatures: 3, eps: 1e-5, momentum: 0.1, affine: false, trackRunningStats: false,
    });
    expect(resolveLayerNormOptions('LayerNorm', 5)).toEqual({ normalizedShape: [5], eps: 1e-5, elementwiseAffine: true, bias: true });
    expect(resolveLayerNormOptions('LayerNorm', [2, 3], { bias: false }).normalizedShape).toEqual([2, 3]);
    expect(resolveGroupNormOptions('GroupNorm', 2, 6)).toEqual({ numGroups: 2, numChannels: 6, eps: 1e-5, affine: true });
    expect(resolveRMSNormOptions('RMSNorm', 4)).toEqual({ normalizedShape: [4], eps: null, elementwiseAffine: true });
    expect(resolveLocalResponseNormOptions('LocalResponseNorm', 3)).toEqual({ size: 3, alpha: 1e-4, beta: 0.75, k: 1 });
  });

  it('treats null like an omitted option (PyTorch’s None), except where null means something', () => {
    expect(resolveBatchNormOptions('BatchNorm1d', 2, { eps: null as unknown as number }).eps).toBe(1e-5);
    expect(resolveLayerNormOptions('LayerNorm', 2, { elementwiseAffine: null as unknown as boolean }).elementwiseAffine).toBe(true);
    expect(resolveRMSNormOptions('RMSNorm', 4, { eps: null }).eps).toBeNull();
  });

  it('names the layer, the argument, the expectation and the value in its errors', () => {
    expect(() => resolveBatchNormOptions('BatchNorm2d', '3')).toThrow(
      new RangeError("BatchNorm2d: numFeatures must be a non-negative integer, got '3'"),
    );
    expect(() => resolveGroupNormOptions('GroupNorm', 3, -3)).toThrow(new RangeError('GroupNorm: numChannels must be a non-negative integer, got -3'));
    expect(() => resolveLocalResponseNormOptions('LocalResponseNorm', 2, { k: Number.POSITIVE_INFINITY })).toThrow(
      new RangeError('LocalResponseNorm: k must be a finite number, got Infinity'),
    );
    expect(() => resolveLayerNormOptions('LayerNorm', [3, [4]])).toThrow(
      new RangeError('LayerNorm: normalizedShape must be a non-negative integer or a list of them, got [3, [4]]'),
    );
  });
});
