import { afterEach, describe, expect, it } from 'vitest';
import {
  Storage, backendOf, getKernel, kernelBackend, kernelBelow, kernelOf, listBackends, listKernels, makeTensor, registerKernel,
  unregisterKernel,
} from './backend.js';
import { COMPOSITE_BACKEND, compositeKernel, useBackend } from './registry.js';
import type { Tensor } from './tensor.js';
import { clone, tensor } from './index.js';

describe('kernel registry', () => {
  afterEach(() => unregisterKernel('copy', 'test-backend'));

  it('routes an op to a second backend that overrides its kernel, and back after unregistering', () => {
    const calls: string[] = [];
    registerKernel(
      'copy',
      (input, dtype) => {
        calls.push(`${input.dtype}->${dtype}`);
        const data = new Float32Array(input.numel()).fill(42);
        return makeTensor(new Storage(data), input.shape);
      },
      { backend: 'test-backend', override: true },
    );
    expect(kernelBackend('copy')).toBe('test-backend');
    expect(clone(tensor([1, 2, 3])).tolist()).toEqual([42, 42, 42]);
    expect(calls).toEqual(['float32->float32']);

    unregisterKernel('copy', 'test-backend');
    expect(kernelBackend('copy')).toBe('cpu');
    expect(clone(tensor([1, 2, 3])).tolist()).toEqual([1, 2, 3]);
  });

  it('refuses a second registration of a name unless it says it overrides', () => {
    expect(() => registerKernel('copy', getKernel('copy'), { backend: 'test-backend' })).toThrow(
      "registerKernel: a kernel named 'copy' is already registered by backend 'cpu'; pass { override: true } to replace it",
    );
    expect(() => registerKernel('copy', getKernel('copy'))).toThrow("registerKernel: backend 'cpu' already registered a kernel named 'copy'");
    expect(kernelBackend('copy')).toBe('cpu');
  });

  it('lists the CPU kernels and names a missing one in its error', () => {
    expect(listKernels()).toContain('copy');
    expect(listKernels()).toContain('matmul');
    expect(() => getKernel('no-such-kernel' as 'copy')).toThrow("getKernel: no kernel named 'no-such-kernel' is registered");
  });

  it('lets useBackend put one backend first for every kernel it registered, and null restore the order', () => {
    const fortyTwo = (input: Tensor): Tensor =>
      makeTensor(new Float32Array(input.numel()).fill(42), input.shape);
    registerKernel('copy', fortyTwo, { backend: 'test-backend', override: true });
    try {
      expect(listBackends()).toContain('test-backend');
      expect(backendOf('copy')).toBe('test-backend');
      expect(useBackend('cpu')).toBe(null);
      expect(backendOf('copy')).toBe('cpu');
      expect(clone(tensor([1, 2])).tolist()).toEqual([1, 2]);
      // a kernel the preferred backend lacks keeps its usual registration
      expect(backendOf('matmul')).toBe('cpu');
      expect(useBackend(null)).toBe('cpu');
      expect(backendOf('copy')).toBe('test-backend');
      expect(kernelBelow('copy', 'test-backend')).toBe(kernelOf('copy', 'cpu'));
      expect(kernelOf('copy', 'test-backend')).toBe(fortyTwo);
    } finally {
      useBackend(null);
    }
    expect(() => useBackend('no-such-backend')).toThrow("useBackend: no backend named 'no-such-backend' registered any kernel");
    expect(() => kernelBelow('copy', 'cpu')).toThrow("kernelBelow: no kernel named 'copy' is registered below backend 'cpu'");
  });

  it('finds the composite default of a kernel whichever backend is active, and names a kernel that has none', () => {
    const defaultCopy = (input: Tensor): Tensor => clone(input);
    registerKernel('copy', defaultCopy, { backend: COMPOSITE_BACKEND, override: true });
    registerKernel('copy', (input) => clone(input), { backend: 'test-backend', override: true });
    try {
      expect(backendOf('copy')).toBe('test-backend');
      expect(compositeKernel('copy')).toBe(defaultCopy);
    } finally {
      unregisterKernel('copy', COMPOSITE_BACKEND);
    }
    expect(() => compositeKernel('exp')).toThrow("compositeKernel: no default composed of forward ops is registered for 'exp'");
  });
});
