import { describe, expect, it } from 'vitest';
import { backendOf, kernelBackends, kernelOf, registerKernel, unregisterKernel } from '../registry.js';
import { maxRelativeDifference, onCompositeDefault, withoutKernel } from './without-kernel.js';
import '../index.js';

describe('withoutKernel', () => {
  it('takes a backend’s kernel out for the body only, also when the body throws', () => {
    const before = kernelOf('gemm', 'wasm');
    expect(before).not.toBeNull();
    expect(withoutKernel('gemm', 'wasm', () => backendOf('gemm'))).toBe('cpu');
    expect(() => withoutKernel(['gemm'], 'wasm', () => {
      throw new Error('inside');
    })).toThrow('inside');
    expect(kernelOf('gemm', 'wasm')).toBe(before);
    expect(backendOf('gemm')).toBe('wasm');
  });

  it('refuses a kernel the backend does not have, taking nothing out', () => {
    expect(() => withoutKernel(['gemm', 'batchNormBackward' as never], 'wasm', () => 1)).toThrow(
      new Error("withoutKernel: the backend 'wasm' has no kernel 'batchNormBackward'"),
    );
    expect(backendOf('gemm')).toBe('wasm');
  });
});

describe('onCompositeDefault', () => {
  it('takes out every implementation above the default for the body, and puts them back in their order', () => {
    const fused = kernelOf('reluBackward', 'cpu')!;
    registerKernel('reluBackward', fused, { backend: 'test-above', override: true });
    try {
      expect(kernelBackends('reluBackward')).toEqual(['composite', 'cpu', 'test-above']);
      expect(onCompositeDefault(['reluBackward', 'hardtanhBackward'], () => [backendOf('reluBackward'), backendOf('hardtanhBackward')]))
        .toEqual(['composite', 'composite']);
      expect(kernelBackends('reluBackward')).toEqual(['composite', 'cpu', 'test-above']);
      expect(backendOf('reluBackward')).toBe('test-above');
    } finally {
      unregisterKernel('reluBackward', 'test-above');
    }
    expect(backendOf('reluBackward')).toBe('cpu');
  });

  it('refuses a kernel with no default, taking nothing out', () => {
    expect(() => onCompositeDefault('gemm', () => 1)).toThrow(new Error("onCompositeDefault: 'gemm' has no default composed of forward ops"));
    expect(backendOf('gemm')).toBe('wasm');
  });

  it('puts the kernels back when the body throws', () => {
    expect(() => onCompositeDefault('reluBackward', () => {
      throw new Error('inside');
    })).toThrow('inside');
    expect(backendOf('reluBackward')).toBe('cpu');
  });
});

describe('maxRelativeDifference', () => {
  it('compares each element relative to 1 + |expected|', () => {
    expect(maxRelativeDifference([0, 3], [0.5, 3])).toBe(0.5);
    expect(maxRelativeDifference([3, -1], [3, -1.5])).toBe(0.25);
    expect(() => maxRelativeDifference([1], [])).toThrow(new RangeError('maxRelativeDifference: the runs have 1 and 0 values'));
  });
});
