import { DTypeError, Tensor, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Parameter } from './parameter.js';

describe('Parameter', () => {
  it('shares the tensor storage, shape and strides and requires grad by default', () => {
    const data = tensor([[1, 2, 3], [4, 5, 6]]).t();
    const parameter = new Parameter(data);
    expect(parameter).toBeInstanceOf(Tensor);
    expect(parameter.storage).toBe(data.storage);
    expect(parameter.shape).toEqual([3, 2]);
    expect(parameter.strides).toEqual(data.strides);
    expect(parameter.tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(parameter.requiresGrad).toBe(true);
    expect(parameter.isLeaf).toBe(true);
    expect(data.requiresGrad).toBe(false);
    expect(new Parameter(zeros([2]), false).requiresGrad).toBe(false);
  });

  it('is a leaf even when made from a tensor that requires grad', () => {
    const source = zeros([2], { requiresGrad: true });
    const parameter = new Parameter(source);
    expect(parameter.gradFn).toBeNull();
    expect(parameter.grad).toBeNull();
  });

  it('holds integer tensors only without gradients', () => {
    expect(new Parameter(zeros([2], { dtype: 'int32' }), false).dtype).toBe('int32');
    expect(() => new Parameter(zeros([2], { dtype: 'int32' }))).toThrow(
      new DTypeError('Parameter: only tensors of floating point dtype can require gradients, got int32 (pass requiresGrad = false for a int32 parameter)'),
    );
    expect(() => new Parameter([1, 2] as unknown as Tensor)).toThrow(new TypeError('Parameter: expected a Tensor, got an array'));
  });

  it("prints as PyTorch: 'Parameter containing:' above the tensor", () => {
    const parameter = new Parameter(tensor([1, 2]));
    expect(parameter.toString()).toBe(`Parameter containing:\n${Tensor.prototype.toString.call(parameter)}`);
    expect(parameter.toString().split('\n')[1]).toMatch(/^tensor\(\[1\., 2\.\]/);
  });
});
