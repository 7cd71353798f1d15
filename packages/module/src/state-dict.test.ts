import { ShapeError, type Tensor, arange, manualSeed, ones, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Sequential } from './containers.js';
import { normal_ } from './init.js';
import { Module } from './module.js';
import { type Block, Linear, Net } from './module-test-support.js';
import { Parameter } from './parameter.js';

function randomized(net: Module, seed: number): Module {
  manualSeed(seed);
  for (const parameter of net.parameters()) normal_(parameter);
  for (const buffer of net.buffers()) normal_(buffer);
  return net;
}

function values(state: Record<string, Tensor>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).map(([key, value]) => [key, value.tolist()]));
}

describe('stateDict', () => {
  it('holds detached tensors that share the module storage; keepVars gives the parameters themselves', () => {
    const linear = new Linear(3, 2);
    const state = linear.stateDict();
    expect(state.weight).not.toBe(linear.weight);
    expect(state.weight!.storage).toBe(linear.weight.storage);
    expect(state.weight!.requiresGrad).toBe(false);
    expect(state.weight!.shape).toEqual([2, 3]);
    expect(linear.stateDict({ keepVars: true }).weight).toBe(linear.weight);
  });

  it('round-trips: another instance loads equal values into its own storage', () => {
    const source = randomized(new Net(), 1);
    const target = randomized(new Net(), 2);
    const before = values(target.stateDict());
    expect(before).not.toEqual(values(source.stateDict()));
    const cache = (target.getSubmodule('features.0') as Block).cache;
    const cacheBefore = cache.tolist();
    const weight = target.getParameter('features.0.conv.weight');
    const version = weight.version;
    const result = target.loadStateDict(source.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(values(target.stateDict())).toEqual(values(source.stateDict()));
    expect(weight.storage).not.toBe(source.getParameter('features.0.conv.weight').storage);
    expect(weight.version).toBe(version + 1);
    expect(weight.requiresGrad).toBe(true);
    expect(weight.isLeaf).toBe(true);
    // The non-persistent buffer is not part of the state and keeps its value.
    expect(cache.tolist()).toEqual(cacheBefore);
    expect(cacheBefore).not.toEqual((source.getSubmodule('features.0') as Block).cache.tolist());
  });

  it('loads its own state dict (same storage) without change', () => {
    const net = randomized(new Net(), 3);
    const before = values(net.stateDict());
    net.loadStateDict(net.stateDict());
    expect(values(net.stateDict())).toEqual(before);
  });

  it('accepts a Map, converts dtypes like copy_, and loads a [1] tensor into a 0-d one', () => {
    class Scalar extends Module {
      scale = new Parameter(tensor(0));
      declare count: Tensor;
      constructor() {
        super();
        this.registerBuffer('count', zeros([2], { dtype: 'int32' }));
      }
      forward(): void {}
    }
    const module = new Scalar();
    module.loadStateDict(new Map([['scale', tensor([2.5], { dtype: 'float64' })], ['count', tensor([3.9, -2.7])]]));
    expect(module.scale.shape).toEqual([]);
    expect(module.scale.item()).toBe(2.5);
    expect(module.count.dtype).toBe('int32');
    expect(module.count.tolist()).toEqual([3, -2]);
  });

  it('writes through strided parameters', () => {
    class Strided extends Module {
      // A transposed view: element (i, j) lives at storage index j * 2 + i.
      weight = new Parameter(zeros([3, 2]).t());
      forward(): void {}
    }
    const module = new Strided();
    module.loadStateDict({ weight: arange(6).reshape(2, 3) });
    expect(module.weight.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(Array.from(module.weight.storage.data)).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('loadStateDict errors', () => {
  // Keys of this dict, loaded into `Net`, give PyTorch 1.13's lists below.
  function mismatchedState(): Record<string, Tensor> {
    return {
      temperature: ones([1]),
      bogus: ones([1]),
      'features.0.conv.extra.x': ones([1]),
      'heads.classify.weight.foo': ones([1]),
      'features.0.cache': ones([3]),
      'features.0.unused': ones([1]),
    };
  }

  it('reports missing and unexpected keys like PyTorch when not strict, and loads the rest', () => {
    const net = new Net();
    const result = net.loadStateDict({ ...mismatchedState(), temperature: tensor([7]) }, { strict: false });
    // PyTorch 1.13: net.load_state_dict(..., strict=False) on the same keys.
    expect(result.missingKeys).toEqual([
      'features.0.gate', 'features.0.scale', 'features.0.conv.weight', 'features.0.conv.bias', 'features.0.norm.weight',
      'features.0.norm.bias', 'heads.classify.weight', 'heads.classify.bias', 'heads.regress.weight',
    ]);
    expect(result.unexpectedKeys).toEqual(['bogus', 'features.0.cache', 'features.0.unused', 'features.0.conv.extra.x']);
    expect(net.getParameter('temperature').tolist()).toEqual([7]);
  });

  it('throws when strict, listing every problem, and changes nothing', () => {
    const net = randomized(new Net(), 4);
    const before = values(net.stateDict());
    const state: Record<string, Tensor> = { ...mismatchedState(), temperature: tensor([7]), 'features.0.conv.weight': ones([3, 3, 1]) };
    delete state['features.0.unused'];
    // PyTorch 1.13 lists the same keys (its shapes print as torch.Size([3, 3, 1])).
    const message =
      'loadStateDict: Error(s) in loading state_dict for Net:\n' +
      '\tMissing key(s) in state_dict: "features.0.gate", "features.0.scale", "features.0.conv.bias", "features.0.norm.weight", ' +
      '"features.0.norm.bias", "heads.classify.weight", "heads.classify.bias", "heads.regress.weight".\n' +
      '\tUnexpected key(s) in state_dict: "bogus", "features.0.cache", "features.0.conv.extra.x".\n' +
      '\tsize mismatch for features.0.conv.weight: copying a param with shape [3, 3, 1] from checkpoint, the shape in current model is [3, 2, 1].';
    expect(() => net.loadStateDict(state)).toThrow(new ShapeError(message));
    expect(values(net.stateDict())).toEqual(before);
  });

  it('throws a plain Error for key problems alone, and changes nothing', () => {
    const linear = new Linear(2, 2);
    const error = (() => {
      try {
        linear.loadStateDict({ weight: ones([2, 2]) });
      } catch (caught) {
        return caught as Error;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ShapeError);
    expect(error!.message).toBe('loadStateDict: Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias".');
    expect(linear.weight.tolist()).toEqual([[0, 0], [0, 0]]);
  });

  it('raises a shape mismatch even when not strict, before copying any other tensor', () => {
    const net = new Sequential(new Linear(2, 3), new Linear(3, 1));
    expect(() =>
      net.loadStateDict({ '0.weight': ones([3, 2]), '0.bias': ones([3]), '1.weight': ones([3, 1]) }, { strict: false }),
    ).toThrow(
      new ShapeError(
        'loadStateDict: Error(s) in loading state_dict for Sequential:\n\tsize mismatch for 1.weight: copying a param with shape [3, 1] from checkpoint, the shape in current model is [1, 3].',
      ),
    );
    expect(net.getParameter('0.weight').tolist()).toEqual([[0, 0], [0, 0], [0, 0]]);
  });

  it('rejects values that are not tensors, and state dicts that are not records', () => {
    const linear = new Linear(1, 1);
    expect(() => linear.loadStateDict({ weight: [[1]] as unknown as Tensor, bias: ones([1]) })).toThrow(
      new TypeError(
        'loadStateDict: Error(s) in loading state_dict for Linear:\n\tWhile copying the parameter named "weight", expected a Tensor from checkpoint but received an array',
      ),
    );
    expect(linear.bias!.tolist()).toEqual([0]);
    expect(() => linear.loadStateDict(null as unknown as Record<string, Tensor>)).toThrow(
      new TypeError('loadStateDict: expected a state dict (a record or Map of tensors), got null'),
    );
  });
});
