import { describe, expect, it } from 'vitest';
import { backendOf, kernelOf } from '../registry.js';
import { maxRelativeDifference, withoutKernel } from './without-kernel.js';
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

describe('maxRelativeDifference', () => {
  it('compares each element relative to 1 + |expected|', () => {
    expect(maxRelativeDifference([0, 3], [0.5, 3])).toBe(0.5);
    expect(maxRelativeDifference([3, -1], [3, -1.5])).toBe(0.25);
    expect(() => maxRelativeDifference([1], [])).toThrow(new RangeError('maxRelativeDifference: the runs have 1 and 0 values'));
  });
});
