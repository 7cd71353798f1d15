import '@strata/autograd';
import { ShapeError, Tensor, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import type { OptimizerStateDict } from './optimizer.js';
import { type OptimizerCase, buildTensor, elements, loadOptimFixture, optimizerFor, runSteps } from './parity-support.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';
import { StepLR } from './step-schedulers.js';

const optimizerCases = loadOptimFixture().cases.filter((c): c is OptimizerCase => c.kind === 'optimizer');

/** Every tensor of a state dict replaced by its elements, for exact comparisons. */
function plain(stateDict: OptimizerStateDict): unknown {
  return JSON.parse(JSON.stringify(stateDict, (_key, value: unknown) => (value instanceof Tensor ? { shape: value.shape, data: elements(value) } : value)));
}

describe('stateDict / loadStateDict resume exactly', () => {
  for (const testCase of optimizerCases) {
    it(`${testCase.name}: saved after step ${testCase.resumeAt} and loaded into a new optimizer, bitwise`, () => {
      const steps = testCase.expected.length;
      const straight = testCase.params.map((p) => buildTensor(p, true));
      const uninterrupted = optimizerFor(testCase, straight);
      runSteps(testCase, uninterrupted, straight, 0, steps);

      const first = testCase.params.map((p) => buildTensor(p, true));
      const before = optimizerFor(testCase, first);
      runSteps(testCase, before, first, 0, testCase.resumeAt);
      const saved = before.stateDict();
      const resumed = first.map((p) => tensor(p.toTypedArray(), { shape: p.shape, requiresGrad: true }));
      const after = optimizerFor(testCase, resumed);
      after.loadStateDict(saved);
      expect(plain(after.stateDict())).toEqual(plain(saved));
      runSteps(testCase, after, resumed, testCase.resumeAt, steps - testCase.resumeAt);
      resumed.forEach((p, index) => expect(elements(p), `parameter ${index}`).toEqual(elements(straight[index]!)));
      expect(plain(after.stateDict())).toEqual(plain(uninterrupted.stateDict()));
    });
  }
});

function trained(): { optimizer: Adam; params: Tensor[] } {
  const params = [tensor([1, 2], { requiresGrad: true }), tensor([[3]], { requiresGrad: true })];
  const optimizer = new Adam([{ params: [params[0]!] }, { params: [params[1]!], amsgrad: true }], { lr: 0.5 });
  params[0]!.grad = tensor([0.5, -1]);
  params[1]!.grad = tensor([[2]]);
  optimizer.step();
  optimizer.step();
  return { optimizer, params };
}

describe('stateDict', () => {
  it("has PyTorch's layout: state by parameter index, groups with their options and parameter indices", () => {
    const { optimizer } = trained();
    const saved = optimizer.stateDict();
    expect(Object.keys(saved.state)).toEqual(['0', '1']);
    expect(Object.keys(saved.state[1]!)).toEqual(['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq']);
    expect(saved.state[0]!.step).toBe(2);
    expect(saved.paramGroups).toEqual([
      { lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [0] },
      { lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false, params: [1] },
    ]);
  });

  it('is a snapshot: later steps change neither its tensors nor its options', () => {
    const { optimizer } = trained();
    const saved = optimizer.stateDict();
    const expAvg = elements(saved.state[0]!.expAvg as Tensor);
    optimizer.paramGroups[0]!.lr = 0.1;
    optimizer.paramGroups[0]!.betas[0] = 0.5;
    optimizer.step();
    expect(elements(saved.state[0]!.expAvg as Tensor)).toEqual(expAvg);
    expect(saved.state[0]!.step).toBe(2);
    expect(saved.paramGroups[0]!.lr).toBe(0.5);
    expect(saved.paramGroups[0]!.betas).toEqual([0.9, 0.999]);
  });

  it('carries the keys schedulers add to the groups', () => {
    const p = tensor([1], { requiresGrad: true });
    const optimizer = new SGD([p], { lr: 0.5 });
    new StepLR(optimizer, 2);
    expect(optimizer.stateDict().paramGroups[0]).toEqual({
      lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, initialLr: 0.5, params: [0],
    });
    const copy = new SGD([tensor([1], { requiresGrad: true })]);
    copy.loadStateDict(optimizer.stateDict());
    expect(copy.paramGroups[0]!.initialLr).toBe(0.5);
  });
});

describe('loadStateDict', () => {
  it('copies the tensors it loads, cast to the parameter dtype', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const optimizer = new SGD([p], { lr: 0.5, momentum: 0.5 });
    const buffer = tensor([0.25, 0.5], { dtype: 'float64' });
    optimizer.loadStateDict({ state: { 0: { momentumBuffer: buffer } }, paramGroups: [{ ...optimizer.stateDict().paramGroups[0]!, params: [0] }] });
    buffer.storage.data[0] = 99;
    const loaded = optimizer.state.get(p)!.momentumBuffer!;
    expect(loaded.dtype).toBe('float32');
    expect(loaded.tolist()).toEqual([0.25, 0.5]);
  });

  it("accepts PyTorch's one-element tensor step", () => {
    const { optimizer } = trained();
    const saved = optimizer.stateDict();
    saved.state[0]!.step = tensor(2);
    const copy = trained().optimizer;
    copy.loadStateDict(saved);
    expect(copy.state.get(copy.paramGroups[0]!.params[0]!)?.step).toBe(2);
  });

  it('loads the group options, which then drive the steps', () => {
    const p = tensor([1], { requiresGrad: true });
    const source = new SGD([p], { lr: 0.25, momentum: 0.5 });
    const target = new SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
    target.loadStateDict(source.stateDict());
    expect(target.paramGroups[0]).toMatchObject({ lr: 0.25, momentum: 0.5 });
  });

  describe('rejects a state dict that does not fit, and changes nothing', () => {
    const cases: [string, (saved: OptimizerStateDict) => unknown, unknown][] = [
      ['a different number of groups', (saved) => ({ ...saved, paramGroups: saved.paramGroups.slice(0, 1) }),
        new Error('Adam: loadStateDict: the state dict has 1 parameter groups, but the optimizer has 2')],
      ['a group of another size', (saved) => ({ ...saved, paramGroups: [saved.paramGroups[0], { ...saved.paramGroups[1], params: [1, 2] }] }),
        new Error("Adam: loadStateDict: parameter group 1 of the state dict has 2 parameters, but the optimizer's has 1")],
      ['an invalid option', (saved) => ({ ...saved, paramGroups: [{ ...saved.paramGroups[0], lr: -1 }, saved.paramGroups[1]] }),
        new RangeError('Adam: loadStateDict: invalid learning rate: -1 (expected a number >= 0)')],
      ['an unknown option', (saved) => ({ ...saved, paramGroups: [{ ...saved.paramGroups[0], foreach: null }, saved.paramGroups[1]] }),
        RangeError],
      ['an unknown state entry', (saved) => ({ ...saved, state: { ...saved.state, 0: { ...saved.state[0], exp_avg: 1 } } }),
        new Error("Adam: loadStateDict: unexpected state 'exp_avg' for parameter 0 (expected step, expAvg, expAvgSq, maxExpAvgSq)")],
      ['a missing state entry', (saved) => ({ ...saved, state: { ...saved.state, 1: { step: 2 } } }),
        new Error("Adam: loadStateDict: the state of parameter 1 has no 'expAvg'")],
      ['a state tensor of another shape', (saved) => ({ ...saved, state: { ...saved.state, 0: { ...saved.state[0], expAvg: tensor([1, 2, 3]) } } }),
        new ShapeError("Adam: loadStateDict: 'expAvg' of parameter 0 has shape [3], but the parameter has shape [2]")],
      ['state for a parameter no group lists', (saved) => ({ ...saved, state: { ...saved.state, 7: saved.state[0] } }),
        new Error('Adam: loadStateDict: the state dict has state for parameter 7, which none of its parameter groups lists')],
      ['a step that is not a number', (saved) => ({ ...saved, state: { ...saved.state, 0: { ...saved.state[0], step: 'two' } } }), TypeError],
      ['not a state dict', () => 42, TypeError],
    ];
    for (const [label, corrupt, error] of cases) {
      it(label, () => {
        const { optimizer, params } = trained();
        const before = plain(optimizer.stateDict());
        const groups = optimizer.paramGroups.map((group) => group);
        expect(() => optimizer.loadStateDict(corrupt(optimizer.stateDict()) as OptimizerStateDict)).toThrow(error as Error);
        expect(plain(optimizer.stateDict())).toEqual(before);
        expect(optimizer.paramGroups).toEqual(groups);
        expect(params[0]!.tolist()).toEqual(trained().params[0]!.tolist());
      });
    }
  });

  it("rejects another optimizer's state dict", () => {
    const source = new RMSprop([tensor([1], { requiresGrad: true })]);
    source.paramGroups[0]!.params[0]!.grad = tensor([1]);
    source.step();
    const target = new Adam([tensor([1], { requiresGrad: true })]);
    expect(() => target.loadStateDict(source.stateDict())).toThrow(RangeError);
    expect(target.state.size).toBe(0);
  });

  it('casts a state tensor of another dtype to the parameter dtype', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const optimizer = new SGD([p], { momentum: 0.5 });
    const saved = { state: { 0: { momentumBuffer: tensor([1, 0], { dtype: 'int32' }) } }, paramGroups: optimizer.stateDict().paramGroups };
    optimizer.loadStateDict(saved);
    expect(optimizer.state.get(p)!.momentumBuffer!.dtype).toBe('float32');
    expect(optimizer.state.get(p)!.momentumBuffer!.tolist()).toEqual([1, 0]);
  });
});
