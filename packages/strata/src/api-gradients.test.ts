/**
 * The public API contract (/work/shared/API.md), section "Gradients":
 * statement by statement, in the order the page makes them, through the
 * public entry points only (the imports of the page's code blocks, and the
 * `@strata/nn` umbrella).
 *
 * Expected numbers are exact arithmetic stated beside them, or PyTorch 1.13's
 * output for the call quoted beside them (`torch`, `nn`, `F` as usual).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Tensor, mul, randn, tensor } from '@strata/tensor';
import { noGrad } from '@strata/autograd';
import { Sequential } from '@strata/module';
import { Linear, ReLU } from '@strata/layers-misc';

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — Gradients', () => {
  it('requiresGrad is settable, and requiresGrad_() also works', () => {
    const x = randn([3]);
    expect(x.requiresGrad).toBe(false);
    x.requiresGrad = true;
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad = false;
    const returned = x.requiresGrad_();
    expect(returned).toBe(x);
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad_(false);
    expect(x.requiresGrad).toBe(false);
  });

  it('y.backward(gradOutput) fills x.grad (Tensor | null)', () => {
    const model = new Linear(3, 2, { bias: false });
    noGrad(() => model.weight.copy_(tensor([[1, 2, 3], [4, 5, 6]])));
    const x = tensor([[1, 1, 1]], { requiresGrad: true });
    expectTypeOf(x.grad).toEqualTypeOf<Tensor | null>();
    expect(x.grad).toBeNull();
    const y = model.forward(x);
    y.backward(tensor([[1, 10]]));
    // dy/dx = gradOutput @ W = [1 + 40, 2 + 50, 3 + 60]; dW = gradOutputᵀ @ x
    expect(x.grad!.tolist()).toEqual([[41, 52, 63]]);
    expect(model.weight.grad!.tolist()).toEqual([[1, 1, 1], [10, 10, 10]]);
  });

  it('loss.backward() for a one-element tensor; a non-scalar needs gradOutput', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const loss = mul(x, x).sum();
    loss.backward();
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
    const x2 = tensor([1, 2], { requiresGrad: true });
    expect(() => mul(x2, 2).backward()).toThrow(Error);
  });

  it('only leaves get .grad (a non-leaf keeps null, as in PyTorch)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = mul(x, 3);
    y.sum().backward();
    expect(y.grad).toBeNull();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it('grads accumulate like PyTorch', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    mul(x, 2).sum().backward();
    mul(x, x).sum().backward();
    expect(x.grad!.tolist()).toEqual([2 + 2, 2 + 4, 2 + 6]);
  });

  it('detach gives a tensor off the graph sharing the data', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = mul(x, 3);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.tolist()).toEqual([3, 6]);
    expect(x.detach().storage).toBe(x.storage);
  });

  it('noGrad records no graph inside', () => {
    const model = new Linear(3, 2);
    const x = randn([4, 3], { requiresGrad: true });
    const inside = noGrad(() => model.forward(x));
    expect(inside.requiresGrad).toBe(false);
    expect(inside.gradFn).toBeNull();
    const outside = model.forward(x);
    expect(outside.requiresGrad).toBe(true);
  });

  it('zeroGrad sets grads to null; a parameter with requiresGrad = false keeps grad null', () => {
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
    const frozen = model.parameters()[0]!;
    frozen.requiresGrad = false;
    model.forward(randn([5, 3])).sum().backward();
    expect(frozen.grad).toBeNull();
    for (const parameter of model.parameters().slice(1)) expect(parameter.grad).toBeInstanceOf(Tensor);
    model.zeroGrad();
    for (const parameter of model.parameters()) expect(parameter.grad).toBeNull();
  });
});
