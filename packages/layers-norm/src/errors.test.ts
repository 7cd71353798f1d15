/**
 * Bad input: every check throws the right error class with a message that
 * names the layer (or op), what it expected and what it got, pinned word
 * for word; and a layer that throws leaves its parameters, buffers and
 * running statistics exactly as they were (values and storage versions).
 */
import '@strata/autograd';
import type { Module } from '@strata/module';
import { DTypeError, ShapeError, type Tensor, ones, randn, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d,
  BatchNorm2d,
  BatchNorm3d,
  GroupNorm,
  InstanceNorm1d,
  InstanceNorm2d,
  InstanceNorm3d,
  LayerNorm,
  LocalResponseNorm,
  RMSNorm,
  batchNorm,
  groupNorm,
  instanceNorm,
  layerNorm,
  localResponseNorm,
  rmsNorm,
} from './index.js';

type ErrorClass = new (...args: never[]) => Error;

/** The state of a module: every state-dict entry's values and storage version. */
function snapshot(module: Module): [string, number[], number][] {
  return Object.entries(module.stateDict()).map(([key, value]) => [key, Array.from(value.toTypedArray()), value.version]);
}

/** Runs `call` on a layer in training mode, expects the error, and checks nothing changed. */
function expectRejected(module: Module, call: () => unknown, errorClass: ErrorClass, message: string): void {
  const before = snapshot(module);
  expect(call).toThrow(errorClass);
  expect(call).toThrow(message);
  try {
    call();
  } catch (error) {
    expect((error as Error).message).toBe(message);
  }
  expect(snapshot(module)).toEqual(before);
}

/** Same for a functional call whose tensors must stay unchanged. */
function expectRejectedCall(tensors: Tensor[], call: () => unknown, errorClass: ErrorClass, message: string): void {
  const before = tensors.map((tensor) => [Array.from(tensor.toTypedArray()), tensor.version]);
  let thrown: unknown = null;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(errorClass);
  expect((thrown as Error).message).toBe(message);
  expect(tensors.map((tensor) => [Array.from(tensor.toTypedArray()), tensor.version])).toEqual(before);
}

describe('BatchNorm1d/2d/3d: bad input leaves the running statistics unchanged', () => {
  it('rejects a wrong rank', () => {
    const norm = new BatchNorm2d(3);
    expectRejected(norm, () => norm.forward(randn([2, 3, 4])), ShapeError, 'BatchNorm2d: expected 4D input (got 3D input)');
    const norm1d = new BatchNorm1d(3);
    expectRejected(norm1d, () => norm1d.forward(randn([2, 3, 4, 5])), ShapeError, 'BatchNorm1d: expected 2D or 3D input (got 4D input)');
    expectRejected(norm1d, () => norm1d.forward(randn([3])), ShapeError, 'BatchNorm1d: expected 2D or 3D input (got 1D input)');
    const norm3d = new BatchNorm3d(3);
    expectRejected(norm3d, () => norm3d.forward(randn([2, 3, 4, 5])), ShapeError, 'BatchNorm3d: expected 5D input (got 4D input)');
  });

  it('rejects a wrong channel count, naming the expected layout', () => {
    const norm = new BatchNorm2d(3);
    expectRejected(
      norm,
      () => norm.forward(randn([8, 4, 5, 5])),
      ShapeError,
      'BatchNorm2d: expected input with 3 channels (shape [N, 3, H, W]), got shape [8, 4, 5, 5]',
    );
    const norm1d = new BatchNorm1d(3);
    expectRejected(
      norm1d,
      () => norm1d.forward(randn([8, 4])),
      ShapeError,
      'BatchNorm1d: expected input with 3 channels (shape [N, 3] or [N, 3, L]), got shape [8, 4]',
    );
    const norm3d = new BatchNorm3d(2);
    expectRejected(
      norm3d,
      () => norm3d.forward(randn([2, 3, 2, 2, 2])),
      ShapeError,
      'BatchNorm3d: expected input with 2 channels (shape [N, 2, D, H, W]), got shape [2, 3, 2, 2, 2]',
    );
  });

  it('rejects one value per channel in training, as PyTorch does, but not in evaluation', () => {
    const norm = new BatchNorm1d(3);
    expectRejected(
      norm,
      () => norm.forward(randn([1, 3])),
      ShapeError,
      'BatchNorm1d: Expected more than 1 value per channel when training, got input size [1, 3]',
    );
    expectRejected(
      norm,
      () => norm.forward(randn([1, 3, 1])),
      ShapeError,
      'BatchNorm1d: Expected more than 1 value per channel when training, got input size [1, 3, 1]',
    );
    norm.eval();
    expect(norm.forward(randn([1, 3])).shape).toEqual([1, 3]);
    // Untracked statistics are the batch's in evaluation too, so one value is rejected there as well.
    const untracked = new BatchNorm1d(3, { trackRunningStats: false }).eval();
    expect(() => untracked.forward(randn([1, 3]))).toThrow(
      new ShapeError('BatchNorm1d: Expected more than 1 value per channel when training, got input size [1, 3]'),
    );
  });

  it('rejects non-float inputs, inputs of another dtype than the layer and non-tensors', () => {
    const norm = new BatchNorm2d(3);
    expectRejected(
      norm,
      () => norm.forward(zeros([2, 3, 2, 2], { dtype: 'int32' })),
      DTypeError,
      'BatchNorm2d: expected a floating-point input (float32 or float64), got int32',
    );
    expectRejected(
      norm,
      () => norm.forward(randn([2, 3, 2, 2], { dtype: 'float64' })),
      DTypeError,
      'BatchNorm2d: expected runningMean of dtype float64 (the input\'s), got float32',
    );
    const untracked = new BatchNorm2d(3, { trackRunningStats: false });
    expectRejected(
      untracked,
      () => untracked.forward(randn([2, 3, 2, 2], { dtype: 'float64' })),
      DTypeError,
      'BatchNorm2d: expected weight of dtype float64 (the input\'s), got float32',
    );
    expectRejected(norm, () => norm.forward([1, 2, 3] as unknown as Tensor), TypeError, 'BatchNorm2d: expected input to be a Tensor, got an array');
  });

  it('rejects bad options in the constructor', () => {
    expect(() => new BatchNorm2d(-1)).toThrow(new RangeError('BatchNorm2d: numFeatures must be a non-negative integer, got -1'));
    expect(() => new BatchNorm2d(2.5)).toThrow(new RangeError('BatchNorm2d: numFeatures must be a non-negative integer, got 2.5'));
    expect(() => new BatchNorm1d(3, { eps: -1 })).toThrow(new RangeError('BatchNorm1d: eps must be a non-negative finite number, got -1'));
    expect(() => new BatchNorm1d(3, { momentum: Number.NaN })).toThrow(
      new RangeError('BatchNorm1d: momentum must be a finite number or null, got NaN'),
    );
    expect(() => new BatchNorm3d(3, { affine: 1 as unknown as boolean })).toThrow(new RangeError('BatchNorm3d: affine must be a boolean, got 1'));
    expect(() => new BatchNorm2d(3, { trackRunningStats: 'yes' as unknown as boolean })).toThrow(
      new RangeError("BatchNorm2d: trackRunningStats must be a boolean, got 'yes'"),
    );
  });
});

describe('batchNorm (functional): bad input', () => {
  it('rejects a 1-d input and tensors of the wrong shape, leaving the running statistics unchanged', () => {
    const runningMean = zeros([3]);
    const runningVar = ones([3]);
    expectRejectedCall([runningMean, runningVar], () => batchNorm(randn([3]), runningMean, runningVar), ShapeError,
      'batchNorm: expected 2D or higher input (got 1D input)');
    expectRejectedCall(
      [runningMean, runningVar],
      () => batchNorm(randn([2, 4]), runningMean, runningVar, { training: true }),
      ShapeError,
      'batchNorm: expected runningMean of shape [4] (one value per channel of input [2, 4]), got shape [3]',
    );
    expectRejectedCall(
      [runningMean, runningVar],
      () => batchNorm(randn([2, 3]), runningMean, runningVar, { weight: ones([2]), training: true }),
      ShapeError,
      'batchNorm: expected weight of shape [3] (one value per channel of input [2, 3]), got shape [2]',
    );
    expectRejectedCall(
      [runningMean, runningVar],
      () => batchNorm(randn([1, 3, 1]), runningMean, runningVar, { training: true }),
      ShapeError,
      'batchNorm: Expected more than 1 value per channel when training, got input size [1, 3, 1]',
    );
  });

  it('rejects a missing running statistic outside training, and bad dtypes and numbers', () => {
    expect(() => batchNorm(randn([2, 3]), null, ones([3]))).toThrow(
      new TypeError('batchNorm: runningMean and runningVar must be given when training is false'),
    );
    expect(() => batchNorm(randn([2, 3]), zeros([3]), ones([3]), { bias: zeros([3], { dtype: 'float64' }) })).toThrow(
      new DTypeError("batchNorm: expected bias of dtype float32 (the input's), got float64"),
    );
    const runningMean = zeros([3]);
    expectRejectedCall(
      [runningMean],
      () => batchNorm(randn([2, 3]), runningMean, ones([3]), { training: true, momentum: Number.POSITIVE_INFINITY }),
      RangeError,
      'batchNorm: momentum must be a finite number, got Infinity',
    );
    expect(() => batchNorm(randn([2, 3]), null, null, { training: true, eps: -1e-5 })).toThrow(
      new RangeError('batchNorm: eps must be a non-negative finite number, got -0.00001'),
    );
    expect(() => batchNorm(randn([2, 3]), null, null, { training: 1 as unknown as boolean })).toThrow(
      new RangeError('batchNorm: training must be a boolean, got 1'),
    );
  });
});

describe('InstanceNorm1d/2d/3d and instanceNorm: bad input', () => {
  it('rejects a wrong rank, naming the batched and unbatched ranks', () => {
    const norm = new InstanceNorm2d(3, { trackRunningStats: true });
    expectRejected(norm, () => norm.forward(randn([3, 4])), ShapeError, 'InstanceNorm2d: expected 3D or 4D input (got 2D input)');
    const norm1d = new InstanceNorm1d(3);
    expectRejected(norm1d, () => norm1d.forward(randn([5])), ShapeError, 'InstanceNorm1d: expected 2D or 3D input (got 1D input)');
    const norm3d = new InstanceNorm3d(3);
    expectRejected(norm3d, () => norm3d.forward(randn([2, 3, 4, 5, 6, 7])), ShapeError, 'InstanceNorm3d: expected 4D or 5D input (got 6D input)');
  });

  it('rejects a wrong channel count when the layer has per-channel tensors', () => {
    const norm = new InstanceNorm1d(3, { affine: true, trackRunningStats: true });
    expectRejected(
      norm,
      () => norm.forward(randn([2, 4, 5])),
      ShapeError,
      'InstanceNorm1d: expected input with 3 channels (shape [N, 3, L] or [3, L]), got shape [2, 4, 5]',
    );
    expectRejected(
      norm,
      () => norm.forward(randn([4, 5])),
      ShapeError,
      'InstanceNorm1d: expected input with 3 channels (shape [N, 3, L] or [3, L]), got shape [4, 5]',
    );
  });

  it('rejects one spatial element in training, leaving the running statistics unchanged', () => {
    const norm = new InstanceNorm2d(3, { trackRunningStats: true, affine: true });
    expectRejected(
      norm,
      () => norm.forward(randn([2, 3, 1, 1])),
      ShapeError,
      'InstanceNorm2d: Expected more than 1 spatial element when training, got input size [2, 3, 1, 1]',
    );
    // Unbatched input: the message shows the batched size, as PyTorch's does.
    expectRejected(
      norm,
      () => norm.forward(randn([3, 1, 1])),
      ShapeError,
      'InstanceNorm2d: Expected more than 1 spatial element when training, got input size [1, 3, 1, 1]',
    );
  });

  it('rejects bad functional arguments and options', () => {
    expect(() => instanceNorm(randn([2, 3, 4]), { useInputStats: false })).toThrow(
      new TypeError('instanceNorm: runningMean and runningVar must be given when useInputStats is false'),
    );
    const runningMean = zeros([3]);
    expectRejectedCall(
      [runningMean],
      () => instanceNorm(randn([2, 3, 4]), { runningMean, runningVar: ones([2]) }),
      ShapeError,
      'instanceNorm: expected runningVar of shape [3] (one value per channel of input [2, 3, 4]), got shape [2]',
    );
    expect(() => new InstanceNorm1d(3, { momentum: null as unknown as number })).toThrow(
      new RangeError('InstanceNorm1d: momentum must be a finite number, got null'),
    );
  });
});

describe('LayerNorm and layerNorm: bad input', () => {
  it('rejects an input whose trailing shape is not normalizedShape, naming both', () => {
    const norm = new LayerNorm([3, 4]);
    expectRejected(
      norm,
      () => norm.forward(randn([2, 3, 5])),
      ShapeError,
      'LayerNorm: expected input with shape [*, 3, 4] (normalizedShape [3, 4]), got shape [2, 3, 5]',
    );
    expectRejected(
      norm,
      () => norm.forward(randn([4])),
      ShapeError,
      'LayerNorm: expected input with shape [*, 3, 4] (normalizedShape [3, 4]), got shape [4]',
    );
    expect(() => layerNorm(randn([2, 3]), 4)).toThrow(
      new ShapeError('layerNorm: expected input with shape [*, 4] (normalizedShape [4]), got shape [2, 3]'),
    );
  });

  it('rejects weight and bias of another shape or dtype', () => {
    expect(() => layerNorm(randn([2, 4]), [4], { weight: ones([5]) })).toThrow(
      new ShapeError('layerNorm: expected weight of shape [4] (normalizedShape), got shape [5]'),
    );
    expect(() => layerNorm(randn([2, 4]), [4], { bias: zeros([4], { dtype: 'float64' }) })).toThrow(
      new DTypeError("layerNorm: expected bias of dtype float32 (the input's), got float64"),
    );
    expect(() => layerNorm(zeros([2, 4], { dtype: 'bool' }), 4)).toThrow(
      new DTypeError('layerNorm: expected a floating-point input (float32 or float64), got bool'),
    );
  });

  it('rejects bad options', () => {
    expect(() => new LayerNorm(-1)).toThrow(new RangeError('LayerNorm: normalizedShape must be a non-negative integer or a list of them, got -1'));
    expect(() => layerNorm(randn([2, 4]), [2.5])).toThrow(
      new RangeError('layerNorm: normalizedShape must be a non-negative integer or a list of them, got [2.5]'),
    );
    expect(() => new LayerNorm(4, { bias: 'no' as unknown as boolean })).toThrow(new RangeError("LayerNorm: bias must be a boolean, got 'no'"));
    expect(() => new LayerNorm(4, { eps: Number.NaN })).toThrow(new RangeError('LayerNorm: eps must be a non-negative finite number, got NaN'));
  });
});

describe('GroupNorm and groupNorm: bad input', () => {
  it('rejects groups that do not divide the channels', () => {
    expect(() => new GroupNorm(4, 6)).toThrow(new RangeError('GroupNorm: numChannels (6) must be divisible by numGroups (4)'));
    expect(() => new GroupNorm(0, 6)).toThrow(new RangeError('GroupNorm: numGroups must be a positive integer, got 0'));
    expect(() => groupNorm(randn([2, 4, 3]), 3)).toThrow(
      new ShapeError('groupNorm: expected the number of channels of input [2, 4, 3] (4) to be divisible by numGroups (3)'),
    );
    expect(() => groupNorm(randn([2, 4, 3]), 0)).toThrow(new RangeError('groupNorm: numGroups must be a positive integer, got 0'));
  });

  it('rejects a wrong channel count or rank', () => {
    const norm = new GroupNorm(2, 6);
    expectRejected(norm, () => norm.forward(randn([2, 4, 3])), ShapeError,
      'GroupNorm: expected input with 6 channels (shape [N, 6, *]), got shape [2, 4, 3]');
    expectRejected(norm, () => norm.forward(randn([6])), ShapeError, 'GroupNorm: expected 2D or higher input (got 1D input)');
    expect(() => groupNorm(randn([2, 4]), 2, { weight: ones([2]) })).toThrow(
      new ShapeError('groupNorm: expected weight of shape [4] (one value per channel of input [2, 4]), got shape [2]'),
    );
  });
});

describe('RMSNorm and rmsNorm: bad input', () => {
  it('rejects a wrong trailing shape, weight or option', () => {
    const norm = new RMSNorm([4]);
    expectRejected(norm, () => norm.forward(randn([2, 5])), ShapeError,
      'RMSNorm: expected input with shape [*, 4] (normalizedShape [4]), got shape [2, 5]');
    expect(() => rmsNorm(randn([2, 4]), 4, { weight: ones([2, 2]) })).toThrow(
      new ShapeError('rmsNorm: expected weight of shape [4] (normalizedShape), got shape [2, 2]'),
    );
    expect(() => rmsNorm(randn([2, 4]), 4, { eps: -1 })).toThrow(new RangeError('rmsNorm: eps must be a non-negative finite number, got -1'));
    expect(() => new RMSNorm(4, { elementwiseAffine: 'yes' as unknown as boolean })).toThrow(
      new RangeError("RMSNorm: elementwiseAffine must be a boolean, got 'yes'"),
    );
  });
});

describe('LocalResponseNorm and localResponseNorm: bad input', () => {
  it('rejects inputs below 3-d and bad options', () => {
    expect(() => localResponseNorm(randn([2, 3]), 2)).toThrow(new ShapeError('localResponseNorm: expected 3D or higher input (got 2D input)'));
    expect(() => new LocalResponseNorm(2).forward(randn([3]))).toThrow(
      new ShapeError('LocalResponseNorm: expected 3D or higher input (got 1D input)'),
    );
    expect(() => new LocalResponseNorm(0)).toThrow(new RangeError('LocalResponseNorm: size must be a positive integer, got 0'));
    expect(() => localResponseNorm(randn([2, 3, 4]), 2, { beta: Number.NaN })).toThrow(
      new RangeError('localResponseNorm: beta must be a finite number, got NaN'),
    );
    expect(() => localResponseNorm(zeros([2, 3, 4], { dtype: 'int32' }), 2)).toThrow(
      new DTypeError('localResponseNorm: expected a floating-point input (float32 or float64), got int32'),
    );
  });
});
