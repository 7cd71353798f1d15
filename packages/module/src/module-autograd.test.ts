import '@strata/autograd';
import { noGrad } from '@strata/autograd';
import { tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Sequential } from './containers.js';
import { constant_ } from './init.js';
import { Linear, ReLU } from './module-test-support.js';

describe('modules with @strata/autograd', () => {
  it('backward fills the parameters grads, zeroGrad clears them, frozen parameters keep null', () => {
    const first = new Linear(2, 2);
    const second = new Linear(2, 1);
    const net = new Sequential(first, new ReLU(), second);
    constant_(first.weight, 1);
    constant_(second.weight, 2);
    second.requiresGrad_(false);
    const input = tensor([[1, 2], [3, -4]]);
    // hidden = relu(x W1^T + b1) = [[3, 3], [0, 0]]; out = hidden W2^T = [[12], [0]]; loss = sum(out)
    const loss = net.forward(input).sum();
    expect(loss.item()).toBe(12);
    loss.backward();
    // d loss / d W1[j, k] = sum over rows with relu active of W2[0, j] * x[row, k] = 2 * [1, 2]
    expect(first.weight.grad!.tolist()).toEqual([[2, 4], [2, 4]]);
    expect(first.bias!.grad!.tolist()).toEqual([2, 2]);
    expect(second.weight.grad).toBeNull();
    net.zeroGrad();
    expect(first.weight.grad).toBeNull();
    expect(first.bias!.grad).toBeNull();
  });

  it('loadStateDict and init write parameters that require grad without recording', () => {
    const linear = new Linear(2, 1);
    noGrad(() => constant_(linear.weight, 3));
    linear.loadStateDict({ weight: tensor([[1, -1]]), bias: tensor([0.5]) });
    expect(linear.weight.isLeaf).toBe(true);
    const output = linear.forward(tensor([[2, 1]]));
    expect(output.tolist()).toEqual([[1.5]]);
    output.sum().backward();
    expect(linear.weight.grad!.tolist()).toEqual([[2, 1]]);
  });
});
