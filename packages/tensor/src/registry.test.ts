import { afterEach, describe, expect, it } from 'vitest';
import { Storage, Tensor, getKernel, kernelBackend, listKernels, registerKernel, unregisterKernel } from './backend.js';
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
        return new Tensor(new Storage(data), input.shape);
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
});
