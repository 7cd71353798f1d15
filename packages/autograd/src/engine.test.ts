import { describe, expect, it } from 'vitest';
import { DTypeError, type Tensor, add, copy_, gradientRecorder, mul, mul_, ones, sub_, tensor, zeros } from '@strata/tensor';

import { enableGrad, grad, isGradEnabled, noGrad } from './index.js';

function float64(values: number[], requiresGrad = true): Tensor {
  return tensor(values, { dtype: 'float64', requiresGrad });
}

describe('backward', () => {
  it('computes the gradient of a product (d(x·y)/dx = y)', () => {
    const x = float64([1, 2, 3]);
    const y = float64([4, 5, 6]);
    mul(x, y).sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 5, 6]);
    expect(y.grad!.tolist()).toEqual([1, 2, 3]);
  });

  it('sums the gradients of every path in a diamond graph', () => {
    // z = a·b + a·c with a = 2x: dz/dx = 2(b + c)
    const x = float64([1, 2]);
    const a = mul(x, 2);
    const b = add(a, 1);
    const c = mul(a, a);
    add(b, c).sum().backward();
    // d/dx [2x + 1 + 4x²] = 2 + 8x
    expect(x.grad!.tolist()).toEqual([10, 18]);
  });

  it('accumulates into grad across calls, in a new tensor the first time', () => {
    const x = float64([1, 2]);
    const gradient = float64([1, 1], false);
    x.mul(3).backward(gradient);
    expect(x.grad!.tolist()).toEqual([3, 3]);
    expect(x.grad).not.toBe(gradient);
    expect(x.grad!.storage).not.toBe(gradient.storage);
    x.mul(4).backward(gradient);
    expect(x.grad!.tolist()).toEqual([7, 7]);
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.dtype).toBe('float64');
  });

  it('gives the leaf its own dtype of gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.double().mul(float64([3, 4], false));
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.tolist()).toEqual([3, 4]);
  });

  it('accepts a leaf as the root (the gradient of x with respect to itself)', () => {
    const x = float64([5]);
    x.backward();
    expect(x.grad!.tolist()).toEqual([1]);
  });

  it('creates the gradient implicitly only for one-element outputs', () => {
    const x = float64([1, 2]);
    expect(() => x.mul(2).backward()).toThrow(
      'backward: grad can be implicitly created only for scalar outputs (got a tensor of shape [2]); pass the gradient of the output',
    );
    x.mul(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it('checks the shape of a given gradient', () => {
    const x = float64([1, 2, 3]);
    expect(() => x.mul(2).backward(float64([1, 1], false))).toThrow(
      'backward: mismatch in shape: the gradient has a shape of [2] and output 0 has a shape of [3]',
    );
  });

  it('refuses a tensor that does not require grad', () => {
    const x = float64([1, 2], false);
    expect(() => x.mul(2).sum().backward()).toThrow(
      'backward: element 0 of tensors does not require grad and does not have a gradFn',
    );
  });

  it('frees saved tensors: a second backward throws unless retainGraph', () => {
    const x = float64([1, 2]);
    const y = mul(x, x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);

    const z = mul(x, x).sum();
    x.grad = null;
    z.backward(null, { retainGraph: true });
    z.backward();
    expect(x.grad!.tolist()).toEqual([4, 8]);
  });

  it('runs again through nodes that saved nothing, as PyTorch does', () => {
    const x = float64([1, 2]);
    const y = x.add(1).sum();
    y.backward();
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it('walks graphs deeper than the call stack', () => {
    const x = float64([1]);
    let y = x;
    for (let i = 0; i < 20_000; i++) y = y.add(1);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([1]);
  });

  it('raises when a saved tensor was modified in place', () => {
    const x = float64([1, 2, 3]);
    const z = x.mul(2).exp(); // exp saves its output
    mul_(z, 2);
    expect(z.version).toBe(1);
    expect(() => z.sum().backward()).toThrow(
      'exp backward: one of the variables needed for gradient computation has been modified by an inplace operation: [Float64Array [3]] is at version 1; expected version 0 instead.',
    );
  });

  it('differentiates through in-place ops on non-leaves', () => {
    const x = float64([1, 2, 3]);
    const y = x.mul(2); // mul saves x and the number: y itself is not saved
    mul_(y, 3);
    y.mul(y).sum().backward(); // (6x)² -> 72x
    expect(x.grad!.tolist()).toEqual([72, 144, 216]);
    expect(y.gradFn!.name).toBe('mul');
  });

  it('raises, like PyTorch, when an in-place op overwrites a tensor its own gradient needs', () => {
    const y = float64([1, 2]).mul(2);
    mul_(y, y.detach()); // saves y.detach(), which shares y's storage
    expect(() => y.sum().backward()).toThrow(/is at version 1; expected version 0 instead/);
  });

  it('names each node after its op and links it to its inputs', () => {
    const x = float64([1, 2]);
    const y = x.mul(2);
    const z = y.exp();
    expect(z.gradFn!.name).toBe('exp');
    const links = (z.gradFn as unknown as { nextFunctions: readonly { name: string }[] }).nextFunctions;
    expect(links.map((node) => node.name)).toEqual(['mul']);
    expect(y.isLeaf).toBe(false);
    expect(x.isLeaf).toBe(true);
  });
});

describe('leaves, detach and grad mode', () => {
  it('refuses requiresGrad on an integer tensor', () => {
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
    expect(() => tensor([1, 2], { dtype: 'int32' }).requiresGrad_()).toThrow(
      'requiresGrad: only tensors of floating point dtype can require gradients, got int32',
    );
  });

  it('makes results of recorded ops non-leaves whose requiresGrad cannot be changed', () => {
    const x = float64([1, 2]);
    const y = x.mul(2);
    expect(y.requiresGrad).toBe(true);
    expect(() => (y.requiresGrad = false)).toThrow(/only change requiresGrad flags of leaf tensors/);
  });

  it('keeps grad null on a leaf that does not require grad', () => {
    const x = float64([1, 2]);
    const w = float64([3, 4], false);
    x.mul(w).sum().backward();
    expect(w.grad).toBeNull();
    expect(x.grad!.tolist()).toEqual([3, 4]);
  });

  it('refuses in-place changes to a leaf that requires grad, except inside noGrad', () => {
    const w = float64([1, 2]);
    expect(() => mul_(w, 2)).toThrow('mul_: a leaf Variable that requires grad is being used in an in-place operation.');
    w.mul(w).sum().backward();
    noGrad(() => sub_(w, w.grad!, { alpha: 0.5 })); // an SGD step
    expect(w.tolist()).toEqual([0, 0]);
    expect(w.isLeaf).toBe(true);
    expect(w.requiresGrad).toBe(true);
  });

  it('cuts the graph at detach()', () => {
    const x = float64([1, 2]);
    const y = x.mul(3).detach();
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = y.requiresGrad_().mul(x);
    z.sum().backward();
    expect(y.grad!.tolist()).toEqual([1, 2]);
    expect(x.grad!.tolist()).toEqual([3, 6]);
  });

  it('records nothing inside noGrad, restores the mode after, also on throw', () => {
    const x = float64([1, 2]);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(isGradEnabled()).toBe(true);
    expect(noGrad(() => 42)).toBe(42);
  });

  it('records again inside enableGrad within noGrad', () => {
    const x = float64([1, 2]);
    const [inner, outer] = noGrad(() => [enableGrad(() => x.mul(2)), x.mul(2)]);
    expect(inner!.requiresGrad).toBe(true);
    expect(outer!.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });
});

describe('hooks and retainGrad', () => {
  it('keeps grad of a non-leaf that called retainGrad, accumulating across calls', () => {
    const x = float64([1, 2]);
    const y = x.mul(2);
    y.retainGrad();
    const z = y.mul(y).sum(); // dz/dy = 2y
    z.backward(null, { retainGraph: true });
    expect(y.grad!.tolist()).toEqual([4, 8]);
    z.backward();
    expect(y.grad!.tolist()).toEqual([8, 16]);
    const w = x.mul(2);
    w.sum().backward();
    expect(w.grad).toBeNull();
  });

  it('calls hooks with the summed gradient once, and lets them replace it', () => {
    const x = float64([1, 2]);
    const y = x.mul(2);
    const seen: number[][] = [];
    y.registerHook((gradient) => {
      seen.push(gradient.tolist() as number[]);
      return gradient.mul(10);
    });
    add(y, y).sum().backward();
    expect(seen).toEqual([[2, 2]]);
    expect(x.grad!.tolist()).toEqual([40, 40]);
  });

  it('sees the gradient of a tensor moved onto a newer node by rebase (in-place history)', () => {
    const recorder = gradientRecorder();
    if (recorder === null || !('rebase' in recorder)) throw new Error('the recorder has no rebase');
    const rebase = recorder.rebase as (tensor: Tensor, source: Tensor) => void;
    const x = float64([1, 2]);
    const y = x.mul(2);
    // What mul_(y, 3) does: compute out of place, write the values, take the history.
    const result = y.clone().mul(3);
    noGrad(() => copy_(y, result));
    rebase(y, result);
    expect(y.gradFn).toBe(result.gradFn);
    y.retainGrad();
    const seen: number[][] = [];
    y.registerHook((gradient) => void seen.push(gradient.tolist() as number[]));
    y.mul(y).sum().backward();
    expect(seen).toEqual([[12, 24]]); // 2y with y = 6x read through the new node
    expect(y.grad!.tolist()).toEqual([12, 24]);
    expect(x.grad!.tolist()).toEqual([72, 144]);
  });

  it('calls leaf hooks before accumulation, and removes them by handle', () => {
    const x = float64([1, 2]);
    const handle = x.registerHook((gradient) => gradient.mul(0.5));
    x.mul(4).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
    handle.remove();
    x.grad = null;
    x.mul(4).sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 4]);
  });
});

describe('higher-order gradients', () => {
  it('differentiates x³ twice with createGraph', () => {
    const x = float64([1, 2, 3]);
    const y = x.mul(x).mul(x).sum();
    const [first] = grad(y, x, null, { createGraph: true });
    expect(first!.tolist()).toEqual([3, 12, 27]);
    expect(first!.requiresGrad).toBe(true);
    const [second] = grad(first!.sum(), x);
    expect(second!.tolist()).toEqual([6, 12, 18]);
  });

  it('keeps the graph of grad after backward with createGraph', () => {
    const x = float64([2]);
    x.mul(x).mul(x).sum().backward(null, { createGraph: true });
    const first = x.grad!;
    expect(first.tolist()).toEqual([12]);
    expect(first.requiresGrad).toBe(true);
    x.grad = null;
    first.sum().backward();
    expect(x.grad!.tolist()).toEqual([12]); // d(3x²)/dx = 6x
  });
});

describe('grad', () => {
  it('returns the gradients without touching grad', () => {
    const x = float64([1, 2]);
    const y = float64([3, 4]);
    const [dx, dy] = grad(mul(x, y).sum(), [x, y]);
    expect(dx!.tolist()).toEqual([3, 4]);
    expect(dy!.tolist()).toEqual([1, 2]);
    expect(x.grad).toBeNull();
    expect(y.grad).toBeNull();
  });

  it('differentiates with respect to an intermediate tensor', () => {
    const x = float64([1, 2]);
    const h = x.mul(3);
    const [dh] = grad(h.mul(h).sum(), h);
    expect(dh!.tolist()).toEqual([6, 12]);
  });

  it('throws for unused inputs unless allowUnused', () => {
    const x = float64([1, 2]);
    const unused = float64([1]);
    expect(() => grad(x.mul(2).sum(), [x, unused])).toThrow(
      'grad: one of the differentiated tensors (input 1) appears to not have been used in the graph; set allowUnused: true if this is the desired behavior',
    );
    const [dx, du] = grad(x.mul(2).sum(), [x, unused], null, { allowUnused: true });
    expect(dx!.tolist()).toEqual([2, 2]);
    expect(du).toBeNull();
  });

  it('refuses inputs that do not require grad', () => {
    const x = float64([1, 2]);
    expect(() => grad(x.mul(2).sum(), float64([1], false))).toThrow(
      'grad: one of the differentiated tensors (input 0) does not require grad',
    );
  });

  it('takes gradOutputs for non-scalar outputs', () => {
    const x = float64([1, 2]);
    const [dx] = grad(x.mul(x), x, [float64([1, 10], false)]);
    expect(dx!.tolist()).toEqual([2, 40]);
  });

  it('leaves nodes below the inputs alone', () => {
    const x = float64([1, 2]);
    const h = x.mul(x); // saves x: a second run would throw once freed
    const out = h.mul(2).sum();
    grad(out, h);
    // The mul node of h did not run (nor free), so backward still works through it.
    h.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 4]);
  });
});

describe('zero-size tensors', () => {
  it('backpropagates through empty tensors', () => {
    const x = zeros([0, 3], { dtype: 'float64', requiresGrad: true });
    x.mul(2).sum().backward();
    expect(x.grad!.shape).toEqual([0, 3]);
    const y = ones([2], { dtype: 'float64', requiresGrad: true });
    y.mul(2).sum().backward();
    expect(y.grad!.tolist()).toEqual([2, 2]);
  });
});
