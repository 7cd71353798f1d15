import { DTypeError, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Module, Parameter } from './index.js';

class Affine extends Module {
  weight = new Parameter(tensor([[1, 2], [3, 4]]));
  constructor() {
    super();
    this.registerBuffer('running_mean', zeros([2]));
    this.registerBuffer('steps', zeros([], { dtype: 'int32' }));
    this.registerBuffer('scratch', zeros([2]), { persistent: false });
  }
  forward(x: import('@strata/tensor').Tensor): import('@strata/tensor').Tensor {
    return x.matmul(this.weight);
  }
}

describe('Module.to(dtype)', () => {
  it('converts floating parameters and buffers, keeps integer buffers, keys and persistence', () => {
    const module = new Affine();
    module.weight.grad = tensor([[1, 1], [1, 1]]);
    expect(module.double()).toBe(module);
    expect(module.weight.dtype).toBe('float64');
    expect(module.weight.requiresGrad).toBe(true);
    expect(module.weight.grad!.dtype).toBe('float64');
    expect(module.weight.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(module.getBuffer('running_mean').dtype).toBe('float64');
    expect(module.getBuffer('steps').dtype).toBe('int32');
    expect(Object.keys(module.stateDict())).toEqual(['weight', 'running_mean', 'steps']);
    expect(module.parameters()[0]).toBe(module.weight);
    expect(module.forward(tensor([[1, 0]], { dtype: 'float64' })).dtype).toBe('float64');
    module.float();
    expect(module.weight.dtype).toBe('float32');
  });

  it('refuses a non-floating dtype and changes nothing', () => {
    const module = new Affine();
    expect(() => module.to('int32')).toThrow(new DTypeError('Affine.to: expected a floating point dtype, got int32'));
    expect(module.weight.dtype).toBe('float32');
  });
});
