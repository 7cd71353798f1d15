import { noGrad } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, isGradEnabled, manualSeed, randn, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

// Exact arithmetic: values are small dyadic fractions, so every float32 result below is exact.

function leaf(values: number[] | number[][]): Tensor {
  return tensor(values, { requiresGrad: true });
}

describe('Optimizer parameter groups', () => {
  it('gives each group its own options over the defaults', () => {
    const a = leaf([1, 2]);
    const b = leaf([3]);
    const optimizer = new SGD([{ params: a, lr: 0.5 }, { params: [b] }], { lr: 0.25, momentum: 0.5 });
    expect(optimizer.paramGroups.map((group) => [group.lr, group.momentum, group.params.length])).toEqual([
      [0.5, 0.5, 1],
      [0.25, 0.5, 1],
    ]);
    a.grad = tensor([1, 1]);
    b.grad = tensor([1]);
    optimizer.step();
    expect(a.tolist()).toEqual([0.5, 1.5]); // 1 - 0.5·1
    expect(b.tolist()).toEqual([2.75]); // 3 - 0.25·1
  });

  it('reads lr live from the group, so an edit applies to the next step', () => {
    const p = leaf([1]);
    const optimizer = new SGD([p], { lr: 0.5 });
    p.grad = tensor([1]);
    optimizer.step();
    optimizer.paramGroups[0]!.lr = 0.25;
    optimizer.step();
    expect(p.tolist()).toEqual([0.25]); // 1 - 0.5 - 0.25
  });

  it('addParamGroup adds a group with the defaults filled in', () => {
    const a = leaf([1]);
    const b = leaf([2]);
    const optimizer = new Adam([a], { lr: 0.5, betas: [0.5, 0.75] });
    optimizer.addParamGroup({ params: [b], amsgrad: true });
    const group = optimizer.paramGroups[1]!;
    expect([group.lr, group.betas, group.amsgrad, group.eps]).toEqual([0.5, [0.5, 0.75], true, 1e-8]);
    expect(group.betas).not.toBe(optimizer.paramGroups[0]!.betas);
  });

  it('accepts any iterable of tensors (a Set, a generator)', () => {
    const a = leaf([1]);
    const b = leaf([2]);
    function* both(): Generator<Tensor> {
      yield a;
      yield b;
    }
    expect(new SGD(new Set([a, b])).paramGroups[0]!.params).toEqual([a, b]);
    expect(new SGD(both()).paramGroups[0]!.params).toEqual([a, b]);
  });

  it('rejects a parameter in two groups, and leaves the groups as they were', () => {
    const a = leaf([1]);
    const b = leaf([2]);
    expect(() => new SGD([{ params: [a, b] }, { params: [b] }])).toThrow(
      'SGD: some parameters appear in more than one parameter group (parameter 0 of the new group is parameter 1 of group 0)',
    );
    const optimizer = new SGD([a]);
    expect(() => optimizer.addParamGroup({ params: [b, a] })).toThrow(Error);
    expect(optimizer.paramGroups).toHaveLength(1);
    expect(() => new SGD([a, a])).toThrow('SGD: parameter 1 of the new group appears in it twice');
  });

  it('rejects non-leaf, non-float, non-tensor and expanded parameters', () => {
    const a = leaf([1, 2]);
    const product = a.mul(2);
    expect(() => new SGD([product])).toThrow(
      "SGD: can't optimize a non-leaf Tensor (parameter 0 of the group was produced by an operation; pass the leaf, or detach() it)",
    );
    expect(() => new Adam([tensor([1, 2], { dtype: 'int32' })])).toThrow(DTypeError);
    expect(() => new Adam([tensor([1, 2], { dtype: 'int32' })])).toThrow(
      'Adam: can only optimize floating point tensors, but parameter 0 of the group is int32',
    );
    expect(() => new SGD([a, 3 as unknown as Tensor])).toThrow(new TypeError('SGD: can only optimize Tensors, but parameter 1 of the group is number'));
    const expanded = zeros([1, 3]).expand([4, 3]);
    expect(() => new SGD([expanded])).toThrow(ShapeError);
  });

  it('rejects a single tensor, an empty list and malformed groups', () => {
    const a = leaf([1]);
    expect(() => new SGD(a as unknown as Tensor[])).toThrow(
      new TypeError('SGD: params should be an iterable of Tensors or of parameter groups, but got a Tensor (wrap it: [tensor])'),
    );
    expect(() => new SGD([])).toThrow('SGD: got an empty parameter list');
    expect(() => new SGD([{ params: [a] }, a] as never)).toThrow(TypeError);
    expect(() => new SGD([{ lr: 1 }] as never)).toThrow('SGD: a parameter group needs params');
    expect(() => new SGD([{ params: [a], weight_decay: 0.1 }] as never)).toThrow(
      "SGD (a parameter group): unknown option 'weight_decay' (expected params, lr, momentum, dampening, weightDecay, nesterov, maximize, initialLr, maxLr, minLr, maxMomentum, baseMomentum)",
    );
  });
});

describe('Optimizer.step', () => {
  it('skips parameters without a gradient', () => {
    const a = leaf([1]);
    const b = leaf([2]);
    const optimizer = new Adam([a, b], { lr: 0.5 });
    a.grad = tensor([1]);
    optimizer.step();
    expect(b.tolist()).toEqual([2]);
    expect(optimizer.state.has(b)).toBe(false);
    expect(optimizer.state.get(a)?.step).toBe(1);
  });

  it('updates in place and bumps the storage version', () => {
    const p = leaf([1, 2]);
    const storage = p.storage;
    const version = p.version;
    const optimizer = new SGD([p], { lr: 0.5 });
    p.grad = tensor([1, 1]);
    optimizer.step();
    expect(p.storage).toBe(storage);
    expect(p.version).toBe(version + 1);
  });

  it('keeps the same state tensors from step to step (no reallocation)', () => {
    const p = leaf([1, 2]);
    const optimizer = new RMSprop([p], { momentum: 0.5, centered: true });
    p.grad = tensor([1, 1]);
    optimizer.step();
    const first = { ...optimizer.state.get(p)! };
    optimizer.step();
    const second = optimizer.state.get(p)!;
    expect([second.squareAvg, second.momentumBuffer, second.gradAvg]).toEqual([first.squareAvg, first.momentumBuffer, first.gradAvg]);
    expect(second.squareAvg).toBe(first.squareAvg);
    expect(second.step).toBe(2);
  });

  it('updates a non-contiguous parameter through its strides', () => {
    const base = tensor([
      [1, 2],
      [3, 4],
    ]);
    const p = base.t().requiresGrad_();
    const optimizer = new SGD([p], { lr: 0.5 });
    p.grad = tensor([
      [1, 0],
      [0, 2],
    ]);
    optimizer.step();
    expect(p.tolist()).toEqual([
      [0.5, 3],
      [2, 3],
    ]);
    expect(base.tolist()).toEqual([
      [0.5, 2],
      [3, 3],
    ]);
  });

  it('reads a non-contiguous gradient through its strides', () => {
    const p = leaf([
      [1, 1],
      [1, 1],
    ]);
    const optimizer = new SGD([p], { lr: 1 });
    p.grad = tensor([
      [0.5, 0.25],
      [0, 0.75],
    ]).t();
    optimizer.step();
    expect(p.tolist()).toEqual([
      [0.5, 1],
      [0.75, 0.25],
    ]);
  });

  it('runs the closure with gradients enabled and returns its value', () => {
    const p = leaf([3]);
    const optimizer = new SGD([p], { lr: 0.25 });
    const loss = noGrad(() =>
      optimizer.step(() => {
        expect(isGradEnabled()).toBe(true);
        optimizer.zeroGrad();
        const value = p.square().sum(); // d/dp = 2p = 6
        value.backward();
        return value;
      }),
    );
    expect(loss.item()).toBe(9);
    expect(p.tolist()).toEqual([1.5]); // 3 - 0.25·6
  });

  it('checks every gradient before updating any parameter', () => {
    const a = leaf([1, 2]);
    const b = leaf([3, 4]);
    const optimizer = new Adam([{ params: [a] }, { params: [b] }], { lr: 0.5 });
    a.grad = tensor([1, 1]);
    b.grad = tensor([1, 1, 1]);
    expect(() => optimizer.step()).toThrow(
      new ShapeError('Adam: the gradient of parameter 0 of group 1 has shape [3], but the parameter has shape [2]'),
    );
    b.grad = tensor([1, 1], { dtype: 'float64' });
    expect(() => optimizer.step()).toThrow(new DTypeError('Adam: the gradient of parameter 0 of group 1 is float64, but the parameter is float32'));
    expect(a.tolist()).toEqual([1, 2]);
    expect(optimizer.state.size).toBe(0);
    expect(() => optimizer.step(42 as never)).toThrow(TypeError);
  });
});

describe('Optimizer.zeroGrad', () => {
  it('sets gradients to null by default', () => {
    const p = leaf([1, 2]);
    const optimizer = new SGD([p]);
    p.grad = tensor([1, 1]);
    optimizer.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('fills them with zeros in place with setToNone: false', () => {
    const p = leaf([1, 2]);
    const optimizer = new SGD([p]);
    const grad = tensor([1, 1]);
    p.grad = grad;
    optimizer.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(grad);
    expect(grad.tolist()).toEqual([0, 0]);
  });
});

describe('Optimizer.toString', () => {
  it('lists each group with its options sorted, like PyTorch', () => {
    const optimizer = new Adam([leaf([1])], { lr: 0.5 });
    expect(optimizer.toString()).toBe(
      'Adam (\nParameter Group 0\n    amsgrad: false\n    betas: [0.9, 0.999]\n    eps: 1e-8\n    lr: 0.5\n    maximize: false\n    weightDecay: 0\n)',
    );
  });
});

describe('Adagrad state', () => {
  it('exists for every parameter from the start, filled with the group initialAccumulatorValue', () => {
    const a = leaf([1]);
    const b = leaf([2, 3]);
    const optimizer = new Adagrad([{ params: [a] }, { params: [b], initialAccumulatorValue: 0.5 }], { initialAccumulatorValue: 0.25 });
    expect(optimizer.state.get(a)?.sum.tolist()).toEqual([0.25]);
    expect(optimizer.state.get(b)?.sum.tolist()).toEqual([0.5, 0.5]);
    const c = leaf([4]);
    optimizer.addParamGroup({ params: [c] });
    expect(optimizer.state.get(c)?.step).toBe(0);
  });
});

describe('a training loop', () => {
  it('fits y = 2x + 1 with Adam', () => {
    manualSeed(0);
    const x = randn([64, 1]);
    const y = x.mul(2).add(1);
    const weight = zeros([1, 1]).requiresGrad_();
    const bias = zeros([1]).requiresGrad_();
    const optimizer = new Adam([weight, bias], { lr: 0.1 });
    let loss = Number.POSITIVE_INFINITY;
    for (let step = 0; step < 300; step++) {
      optimizer.zeroGrad();
      const error = x.matmul(weight).add(bias).sub(y);
      const value = error.square().mean();
      value.backward();
      optimizer.step();
      loss = value.item();
    }
    expect(loss).toBeLessThan(1e-4);
    expect(weight.item()).toBeCloseTo(2, 2);
    expect(bias.item()).toBeCloseTo(1, 2);
  });
});
