import { type Tensor, add, getKernel, mul, randn, registerKernel, relu, tensor, unregisterKernel } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { grad } from './index.js';

describe('leaf gradients: taken over when nothing else holds them, copied otherwise', () => {
  it('a leaf takes over a fresh gradient that owns its storage', () => {
    const x = randn([4, 3], { requiresGrad: true });
    const w = randn([4, 3]);
    mul(x, w).sum().backward();
    expect(x.grad!.toTypedArray()).toEqual(w.toTypedArray());
    expect(x.grad!.base).toBeNull();
    expect(x.grad!.storage.data.length).toBe(12);
  });

  it('two leaves that receive the same gradient object get separate tensors', () => {
    const a = randn([3], { requiresGrad: true });
    const b = randn([3], { requiresGrad: true });
    add(a, b).backward(tensor([1, 2, 3]));
    expect(a.grad).not.toBe(b.grad);
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    a.grad!.mul_(10);
    expect(b.grad!.tolist()).toEqual([1, 2, 3]);
  });

  it('a leaf never aliases the gradient the caller passed to backward', () => {
    const x = randn([2, 2], { requiresGrad: true });
    const upstream = tensor([[1, 2], [3, 4]]);
    x.reshape(4).reshape(2, 2).backward(upstream);
    upstream.mul_(0);
    expect(x.grad!.tolist()).toEqual([[1, 2], [3, 4]]);
  });

  it('a leaf used twice gets the sum, independent of both contributions', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    add(x, x).backward(tensor([5, 7]));
    expect(x.grad!.tolist()).toEqual([10, 14]);
  });

  it('a gradient a hook saw is copied, so the hook may keep it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: import('@strata/tensor').Tensor[] = [];
    x.registerHook((gradient) => void seen.push(gradient));
    mul(x, tensor([3, 4])).sum().backward();
    expect(x.grad).not.toBe(seen[0]);
    seen[0]!.mul_(0);
    expect(x.grad!.tolist()).toEqual([3, 4]);
  });
});

describe('input buffers: later gradients summed in place into one this pass owns', () => {
  /** out = (t + 0)·w1 + t·w2 with t = 2x: t's buffer gets (t + 0)'s pass-through gradient and mul's fresh one. */
  function fanOut(hook: ((gradient: import('@strata/tensor').Tensor) => void) | null) {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const [w1, w2] = [tensor([3, 5, 7]), tensor([10, 20, 30])];
    const t = mul(x, 2);
    const a = add(t, 0);
    if (hook !== null) a.registerHook(hook);
    add(mul(a, w1), mul(t, w2)).sum().backward();
    return x;
  }

  it('sums gradients from every path, whichever arrives first', () => {
    expect(fanOut(null).grad!.tolist()).toEqual([26, 50, 74]);
  });

  it('never writes into a gradient a hook was given', () => {
    const seen: import('@strata/tensor').Tensor[] = [];
    const x = fanOut((gradient) => void seen.push(gradient));
    expect(seen[0]!.tolist()).toEqual([3, 5, 7]);
    expect(x.grad!.tolist()).toEqual([26, 50, 74]);
  });

  it('never writes into a gradient grad() returns', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const t = mul(x, 2);
    const a = add(t, 0);
    const out = add(mul(a, tensor([3, 5, 7])), mul(t, tensor([10, 20, 30]))).sum();
    const [gradA, gradX] = grad([out], [a, x]);
    expect(gradA!.tolist()).toEqual([3, 5, 7]);
    expect(gradX!.tolist()).toEqual([26, 50, 74]);
  });
});

describe('formulas that write into a gradient the pass owns', () => {
  it('relu overwrites a fresh incoming gradient, and still gives the right gradient', () => {
    const x = tensor([-1, 2, -3, 4], { requiresGrad: true });
    mul(relu(x), tensor([5, 6, 7, 8])).sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 6, 0, 8]);
  });

  /** Runs `body` with the in-place relu backward wrapped to record the gradients it wrote into. */
  function recordInPlaceRelu(body: () => void): Tensor[] {
    const inPlace = getKernel('reluBackward_');
    const written: Tensor[] = [];
    registerKernel('reluBackward_', (gradient, output) => {
      const wrote = inPlace(gradient, output);
      if (wrote) written.push(gradient);
      return wrote;
    }, { backend: 'ownership-test', override: true });
    try {
      body();
    } finally {
      unregisterKernel('reluBackward_', 'ownership-test');
    }
    return written;
  }

  it('relu overwrites a gradient that a reshape hands on as a view of a fresh one', () => {
    const x = tensor([[-1, 2], [-3, 4]], { requiresGrad: true });
    const written = recordInPlaceRelu(() => mul(relu(x).reshape(4), tensor([5, 6, 7, 8])).sum().backward());
    expect(written).toHaveLength(1);
    expect(written[0]!.base).not.toBeNull();
    expect(x.grad!.tolist()).toEqual([[0, 6], [0, 8]]);
    // The leaf gets a tensor of its own, never the view.
    expect(x.grad!.base).toBeNull();
  });

  it('relu copies a view of the gradient the caller passed', () => {
    const x = tensor([-1, 2, -3, 4], { requiresGrad: true });
    const upstream = tensor([[5, 6], [7, 8]]);
    const written = recordInPlaceRelu(() => relu(x).reshape(2, 2).backward(upstream));
    expect(written).toHaveLength(0);
    expect(upstream.tolist()).toEqual([[5, 6], [7, 8]]);
    expect(x.grad!.tolist()).toEqual([0, 6, 0, 8]);
  });

  it('relu leaves alone a gradient a hook was given, and the one the caller passed', () => {
    const x = tensor([-1, 2, -3, 4], { requiresGrad: true });
    const y = relu(x);
    const seen: import('@strata/tensor').Tensor[] = [];
    y.registerHook((gradient) => void seen.push(gradient));
    const upstream = tensor([5, 6, 7, 8]);
    y.backward(upstream);
    expect(upstream.tolist()).toEqual([5, 6, 7, 8]);
    expect(seen[0]!.tolist()).toEqual([5, 6, 7, 8]);
    expect(x.grad!.tolist()).toEqual([0, 6, 0, 8]);
  });
});
