import { tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { createOptimizer } from './parity-support.js';

// Bad options throw in the constructor, with the optimizer, the option, the
// value and what was expected in the message; the same checks run on each
// parameter group's own options.

const rangeErrors: [string, Record<string, unknown>, string][] = [
  ['SGD', { lr: -1 }, 'SGD: invalid learning rate: -1 (expected a number >= 0)'],
  ['SGD', { lr: Number.NaN }, 'SGD: invalid learning rate: NaN (expected a number >= 0)'],
  ['SGD', { momentum: -0.5 }, 'SGD: invalid momentum value: -0.5 (expected a number >= 0)'],
  ['SGD', { weightDecay: -1 }, 'SGD: invalid weightDecay value: -1 (expected a number >= 0)'],
  ['SGD', { nesterov: true }, 'SGD: nesterov momentum requires a momentum and zero dampening (got momentum 0, dampening 0)'],
  ['SGD', { nesterov: true, momentum: 0.9, dampening: 0.1 }, 'SGD: nesterov momentum requires a momentum and zero dampening (got momentum 0.9, dampening 0.1)'],
  ['Adam', { lr: -0.1 }, 'Adam: invalid learning rate: -0.1 (expected a number >= 0)'],
  ['Adam', { eps: -1e-8 }, 'Adam: invalid epsilon value: -1e-8 (expected a number >= 0)'],
  ['Adam', { betas: [1, 0.999] }, 'Adam: invalid beta parameter at index 0: 1 (expected 0 <= beta < 1)'],
  ['Adam', { betas: [0.9, -0.1] }, 'Adam: invalid beta parameter at index 1: -0.1 (expected 0 <= beta < 1)'],
  ['Adam', { weightDecay: -1 }, 'Adam: invalid weightDecay value: -1 (expected a number >= 0)'],
  ['AdamW', { betas: [0.9, 1] }, 'AdamW: invalid beta parameter at index 1: 1 (expected 0 <= beta < 1)'],
  ['AdamW', { lr: -1 }, 'AdamW: invalid learning rate: -1 (expected a number >= 0)'],
  ['RMSprop', { alpha: -0.1 }, 'RMSprop: invalid alpha value: -0.1 (expected a number >= 0)'],
  ['RMSprop', { momentum: -1 }, 'RMSprop: invalid momentum value: -1 (expected a number >= 0)'],
  ['RMSprop', { eps: -1 }, 'RMSprop: invalid epsilon value: -1 (expected a number >= 0)'],
  ['Adagrad', { lrDecay: -1 }, 'Adagrad: invalid lrDecay value: -1 (expected a number >= 0)'],
  ['Adagrad', { initialAccumulatorValue: -1 }, 'Adagrad: invalid initialAccumulatorValue value: -1 (expected a number >= 0)'],
  ['Adagrad', { eps: -1 }, 'Adagrad: invalid epsilon value: -1 (expected a number >= 0)'],
  ['Adadelta', { rho: 1.5 }, 'Adadelta: invalid rho value: 1.5 (expected 0 <= value <= 1)'],
  ['Adadelta', { lr: -1 }, 'Adadelta: invalid learning rate: -1 (expected a number >= 0)'],
  ['Adamax', { betas: [-0.5, 0.9] }, 'Adamax: invalid beta parameter at index 0: -0.5 (expected 0 <= beta < 1)'],
  ['Adamax', { eps: -1 }, 'Adamax: invalid epsilon value: -1 (expected a number >= 0)'],
  ['NAdam', { momentumDecay: -1 }, 'NAdam: invalid momentumDecay value: -1 (expected a number >= 0)'],
  ['NAdam', { weightDecay: -1 }, 'NAdam: invalid weightDecay value: -1 (expected a number >= 0)'],
  ['RAdam', { eps: -1 }, 'RAdam: invalid epsilon value: -1 (expected a number >= 0)'],
  ['RAdam', { betas: [0.9, 2] }, 'RAdam: invalid beta parameter at index 1: 2 (expected 0 <= beta < 1)'],
];

const typeErrors: [string, Record<string, unknown>, string][] = [
  ['SGD', { lr: '0.1' }, 'SGD: invalid learning rate: \'0.1\' (expected a number >= 0)'],
  ['SGD', { nesterov: 1 }, 'SGD: invalid nesterov: 1 (expected true or false)'],
  ['Adam', { betas: 0.9 }, 'Adam: invalid betas: 0.9 (expected a pair [beta1, beta2])'],
  ['Adam', { betas: [0.9, '0.999'] }, 'Adam: invalid beta parameter at index 1: \'0.999\' (expected 0 <= beta < 1)'],
  ['Adam', { amsgrad: 'yes' }, 'Adam: invalid amsgrad: \'yes\' (expected true or false)'],
  ['RMSprop', { centered: null }, 'RMSprop: invalid centered: null (expected true or false)'],
  ['NAdam', { decoupledWeightDecay: 0 }, 'NAdam: invalid decoupledWeightDecay: 0 (expected true or false)'],
  ['RAdam', { maximize: 'no' }, 'RAdam: invalid maximize: \'no\' (expected true or false)'],
];

// An unknown option is a RangeError in every package (`checkOptionNames` of @strata/tensor words it).
const unknownOptions: [string, Record<string, unknown>, string][] = [
  ['SGD', { weight_decay: 0.1 }, "SGD: unknown option 'weight_decay' (expected lr, momentum, dampening, weightDecay, nesterov, maximize)"],
  ['Adagrad', { lr_decay: 0.1 }, "Adagrad: unknown option 'lr_decay' (expected lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize)"],
];

describe('invalid optimizer options', () => {
  for (const [name, options, message] of unknownOptions) {
    it(`${name} ${JSON.stringify(options)} throws a RangeError`, () => {
      expect(() => createOptimizer(name, [tensor([1], { requiresGrad: true })], options)).toThrow(new RangeError(message));
    });
  }
  for (const [name, options, message] of rangeErrors) {
    it(`${name} ${JSON.stringify(options)} throws a RangeError`, () => {
      expect(() => createOptimizer(name, [tensor([1], { requiresGrad: true })], options)).toThrow(new RangeError(message));
    });
    it(`${name} ${JSON.stringify(options)} in a parameter group throws too`, () => {
      const [a, b] = [tensor([1], { requiresGrad: true }), tensor([2], { requiresGrad: true })];
      expect(() => createOptimizer(name, [{ params: [a] }, { params: [b], ...options }], {})).toThrow(new RangeError(message));
      const optimizer = createOptimizer(name, [a], {});
      expect(() => optimizer.addParamGroup({ params: [b], ...options })).toThrow(new RangeError(message));
      expect(optimizer.paramGroups).toHaveLength(1);
    });
  }
  for (const [name, options, message] of typeErrors) {
    it(`${name} ${JSON.stringify(options)} throws a TypeError`, () => {
      expect(() => createOptimizer(name, [tensor([1], { requiresGrad: true })], options)).toThrow(new TypeError(message));
    });
  }

  it("uses PyTorch's defaults", () => {
    const p = () => [tensor([1], { requiresGrad: true })];
    expect(createOptimizer('SGD', p(), {}).defaults).toEqual({ lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    expect(createOptimizer('Adam', p(), {}).defaults).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(createOptimizer('AdamW', p(), {}).defaults).toMatchObject({ lr: 1e-3, weightDecay: 1e-2 });
    expect(createOptimizer('RMSprop', p(), {}).defaults).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
    expect(createOptimizer('Adagrad', p(), {}).defaults).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
    expect(createOptimizer('Adadelta', p(), {}).defaults).toEqual({ lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false });
    expect(createOptimizer('Adamax', p(), {}).defaults).toEqual({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false });
    expect(createOptimizer('NAdam', p(), {}).defaults).toEqual({
      lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false,
    });
    expect(createOptimizer('RAdam', p(), {}).defaults).toEqual({
      lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false,
    });
  });

  it('freezes the defaults and treats undefined as unset', () => {
    const optimizer = createOptimizer('SGD', [tensor([1], { requiresGrad: true })], { lr: undefined, momentum: 0.5 });
    expect(optimizer.defaults).toMatchObject({ lr: 1e-3, momentum: 0.5 });
    expect(Object.isFrozen(optimizer.defaults)).toBe(true);
  });
});
