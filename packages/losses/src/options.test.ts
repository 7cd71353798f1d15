import { DTypeError, ShapeError, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import {
  resolveBCELossOptions,
  resolveBCEWithLogitsLossOptions,
  resolveCrossEntropyLossOptions,
  resolveHuberLossOptions,
  resolveKLDivLossOptions,
  resolveLossOptions,
  resolveMarginLossOptions,
  resolveNLLLossOptions,
  resolveSmoothL1LossOptions,
  resolveTripletMarginLossOptions,
} from './options.js';

describe('resolve…Options', () => {
  it("spell out PyTorch's defaults and freeze the result", () => {
    expect(resolveLossOptions('MSELoss')).toEqual({ reduction: 'mean' });
    expect(resolveSmoothL1LossOptions('SmoothL1Loss')).toEqual({ reduction: 'mean', beta: 1 });
    expect(resolveHuberLossOptions('HuberLoss')).toEqual({ reduction: 'mean', delta: 1 });
    expect(resolveNLLLossOptions('NLLLoss')).toEqual({ reduction: 'mean', weight: null, ignoreIndex: -100, labelSmoothing: 0 });
    expect(resolveCrossEntropyLossOptions('CrossEntropyLoss')).toEqual({
      reduction: 'mean', weight: null, ignoreIndex: -100, labelSmoothing: 0,
    });
    expect(resolveBCELossOptions('BCELoss')).toEqual({ reduction: 'mean', weight: null, posWeight: null });
    expect(resolveBCEWithLogitsLossOptions('BCEWithLogitsLoss')).toEqual({ reduction: 'mean', weight: null, posWeight: null });
    expect(resolveKLDivLossOptions('KLDivLoss')).toEqual({ reduction: 'mean', logTarget: false });
    expect(resolveMarginLossOptions('MarginRankingLoss')).toEqual({ reduction: 'mean', margin: 0 });
    expect(resolveTripletMarginLossOptions('TripletMarginLoss')).toEqual({ reduction: 'mean', margin: 1, p: 2, eps: 1e-6, swap: false });
    expect(Object.isFrozen(resolveCrossEntropyLossOptions('CrossEntropyLoss', { labelSmoothing: 0.1 }))).toBe(true);
  });

  it('keep the given values', () => {
    const weight = tensor([1, 2, 3]);
    const resolved = resolveCrossEntropyLossOptions('crossEntropy', { weight, ignoreIndex: 2, reduction: 'sum', labelSmoothing: 1 });
    expect(resolved.weight).toBe(weight);
    expect(resolved).toMatchObject({ ignoreIndex: 2, reduction: 'sum', labelSmoothing: 1 });
    expect(resolveKLDivLossOptions('klDiv', { reduction: 'batchmean', logTarget: true })).toEqual({ reduction: 'batchmean', logTarget: true });
    expect(resolveTripletMarginLossOptions('tripletMarginLoss', { p: Infinity, eps: 0, swap: true, margin: -1 })).toMatchObject({
      p: Infinity, eps: 0, swap: true, margin: -1,
    });
    expect(resolveSmoothL1LossOptions('smoothL1Loss', { beta: 0, reduction: 'none' })).toEqual({ reduction: 'none', beta: 0 });
  });

  it('reject bad reductions, naming the loss, the option and the value', () => {
    expect(() => resolveLossOptions('MSELoss', { reduction: 'avg' as never })).toThrow(
      new RangeError("MSELoss: reduction must be one of 'none', 'mean', 'sum', got 'avg'"),
    );
    expect(() => resolveLossOptions('mseLoss', { reduction: 'batchmean' as never })).toThrow(
      new RangeError("mseLoss: reduction must be one of 'none', 'mean', 'sum', got 'batchmean'"),
    );
    expect(() => resolveKLDivLossOptions('KLDivLoss', { reduction: 'avg' as never })).toThrow(
      new RangeError("KLDivLoss: reduction must be one of 'none', 'batchmean', 'sum', 'mean', got 'avg'"),
    );
  });

  it('reject unknown options (a snake_case key would otherwise be ignored) and non-objects', () => {
    expect(() => resolveCrossEntropyLossOptions('CrossEntropyLoss', { ignore_index: 1 } as never)).toThrow(
      new RangeError("CrossEntropyLoss: unknown option 'ignore_index' (expected weight, ignoreIndex, reduction, labelSmoothing)"),
    );
    expect(() => resolveLossOptions('L1Loss', 'sum' as never)).toThrow(new TypeError("L1Loss: expected an options object, got string"));
    expect(() => resolveLossOptions('L1Loss', null as never)).not.toThrow();
  });

  it('reject out-of-range numbers', () => {
    expect(() => resolveSmoothL1LossOptions('SmoothL1Loss', { beta: -1 })).toThrow(
      new RangeError('SmoothL1Loss: beta must be a non-negative finite number, got -1'),
    );
    expect(() => resolveHuberLossOptions('HuberLoss', { delta: 0 })).toThrow(new RangeError('HuberLoss: delta must be a positive finite number, got 0'));
    expect(() => resolveHuberLossOptions('huberLoss', { delta: Infinity })).toThrow(
      new RangeError('huberLoss: delta must be a positive finite number, got Infinity'),
    );
    expect(() => resolveCrossEntropyLossOptions('CrossEntropyLoss', { labelSmoothing: 1.5 })).toThrow(
      new RangeError('CrossEntropyLoss: labelSmoothing must be a number in [0, 1], got 1.5'),
    );
    expect(() => resolveCrossEntropyLossOptions('crossEntropy', { labelSmoothing: -0.1 })).toThrow(
      new RangeError('crossEntropy: labelSmoothing must be a number in [0, 1], got -0.1'),
    );
    expect(() => resolveNLLLossOptions('NLLLoss', { ignoreIndex: 1.5 })).toThrow(new RangeError('NLLLoss: ignoreIndex must be an integer, got 1.5'));
    expect(() => resolveMarginLossOptions('MarginRankingLoss', { margin: Number.NaN })).toThrow(
      new RangeError('MarginRankingLoss: margin must be a finite number, got NaN'),
    );
    expect(() => resolveTripletMarginLossOptions('TripletMarginLoss', { p: 0 })).toThrow(
      new RangeError('TripletMarginLoss: p must be a positive number, got 0'),
    );
    expect(() => resolveTripletMarginLossOptions('TripletMarginLoss', { eps: -1e-6 })).toThrow(
      new RangeError('TripletMarginLoss: eps must be a non-negative finite number, got -0.000001'),
    );
    expect(() => resolveTripletMarginLossOptions('TripletMarginLoss', { swap: 1 as never })).toThrow(
      new RangeError('TripletMarginLoss: swap must be a boolean, got 1'),
    );
    expect(() => resolveKLDivLossOptions('KLDivLoss', { logTarget: 'yes' as never })).toThrow(
      new RangeError("KLDivLoss: logTarget must be a boolean, got 'yes'"),
    );
  });

  it('reject weights that are not floating-point tensors (1-D for the class weights)', () => {
    expect(() => resolveCrossEntropyLossOptions('CrossEntropyLoss', { weight: [1, 2] as never })).toThrow(
      new TypeError('CrossEntropyLoss: weight must be a Tensor or null, got an array'),
    );
    expect(() => resolveNLLLossOptions('NLLLoss', { weight: tensor([1, 2], { dtype: 'int32' }) })).toThrow(
      new DTypeError('NLLLoss: weight must be a floating-point tensor, got int32'),
    );
    expect(() => resolveNLLLossOptions('NLLLoss', { weight: zeros([2, 3]) })).toThrow(
      new ShapeError('NLLLoss: weight must be a 1-D tensor with one weight per class, got shape [2, 3]'),
    );
    expect(resolveBCELossOptions('BCELoss', { weight: zeros([2, 3]) }).weight?.shape).toEqual([2, 3]);
    expect(() => resolveBCEWithLogitsLossOptions('BCEWithLogitsLoss', { posWeight: tensor([true]) })).toThrow(
      new DTypeError('BCEWithLogitsLoss: posWeight must be a floating-point tensor, got bool'),
    );
  });
});
