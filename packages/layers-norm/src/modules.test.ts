/**
 * The layers' behaviour beyond the PyTorch fixtures: running statistics on
 * inputs whose statistics are exact, the momentum rule and the cumulative
 * average, resets, buffers and state dicts (and their safetensors dtypes),
 * printouts of the defaults, the kernel registrations and the graph names.
 */
import { noGrad } from '@strata/autograd';
import { Sequential, loadSafetensors, readSafetensorsMetadata, saveSafetensors } from '@strata/module';
import { kernelBackend, kernelBackends, ones, randn, tensor, zeros } from '@strata/tensor';
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
  instanceNorm,
} from './index.js';

describe('BatchNorm running statistics', () => {
  // Batches [[0], [2]] and [[4], [8]]: means 1 and 6, unbiased variances 2 and 8, all exact in float32.
  const first = tensor([[0], [2]]);
  const second = tensor([[4], [8]]);

  it('move by the momentum rule, the variance with Bessel’s correction', () => {
    const norm = new BatchNorm1d(1, { momentum: 0.5 });
    norm.forward(first);
    expect(norm.running_mean!.tolist()).toEqual([0.5]); // 0.5·0 + 0.5·1
    expect(norm.running_var!.tolist()).toEqual([1.5]); // 0.5·1 + 0.5·2
    norm.forward(second);
    expect(norm.running_mean!.tolist()).toEqual([3.25]); // 0.5·0.5 + 0.5·6
    expect(norm.running_var!.tolist()).toEqual([4.75]); // 0.5·1.5 + 0.5·8
    expect(norm.num_batches_tracked!.tolist()).toBe(2);
  });

  it('take the cumulative average when momentum is null', () => {
    const norm = new BatchNorm1d(1, { momentum: null });
    norm.forward(first);
    norm.forward(second);
    expect(norm.running_mean!.tolist()).toEqual([3.5]); // (1 + 6) / 2
    expect(norm.running_var!.tolist()).toEqual([5]); // (2 + 8) / 2
  });

  it('are used in evaluation mode, and left alone there', () => {
    const norm = new BatchNorm1d(2, { eps: 0 });
    norm.running_mean!.copy_(tensor([1, 2]));
    norm.running_var!.copy_(tensor([4, 16]));
    norm.eval();
    expect(norm.forward(tensor([[3, 6], [-1, -2]])).tolist()).toEqual([
      [1, 1],
      [-1, -1],
    ]);
    expect(norm.running_mean!.tolist()).toEqual([1, 2]);
    expect(norm.num_batches_tracked!.tolist()).toBe(0);
  });

  it('are absent without trackRunningStats: the batch statistics are used in both modes', () => {
    const norm = new BatchNorm2d(2, { trackRunningStats: false });
    expect(norm.running_mean).toBeNull();
    expect(norm.num_batches_tracked).toBeNull();
    expect(Object.keys(norm.stateDict())).toEqual(['weight', 'bias']);
    const x = randn([3, 2, 2, 2]);
    const training = norm.forward(x).toTypedArray();
    expect(norm.eval().forward(x).toTypedArray()).toEqual(training);
  });

  it('reset with resetRunningStats and resetParameters', () => {
    const norm = new BatchNorm1d(2);
    norm.forward(randn([4, 2]));
    noGrad(() => {
      norm.weight!.mul_(3);
      norm.bias!.add_(1);
    });
    norm.resetRunningStats();
    expect(norm.running_mean!.tolist()).toEqual([0, 0]);
    expect(norm.running_var!.tolist()).toEqual([1, 1]);
    expect(norm.num_batches_tracked!.tolist()).toBe(0);
    expect(norm.weight!.tolist()).toEqual([3, 3]);
    norm.resetParameters();
    expect(norm.weight!.tolist()).toEqual([1, 1]);
    expect(norm.bias!.tolist()).toEqual([0, 0]);
  });

  it('functional batchNorm updates the given running statistics in place, bumping their version', () => {
    const runningMean = zeros([1]);
    const runningVar = ones([1]);
    const version = runningMean.version;
    batchNorm(first, runningMean, runningVar, { training: true, momentum: 1 });
    expect(runningMean.tolist()).toEqual([1]);
    expect(runningVar.tolist()).toEqual([2]);
    expect(runningMean.version).toBe(version + 1);
  });

  it('skip an empty batch, as PyTorch does, but count it', () => {
    const norm = new BatchNorm1d(3);
    expect(norm.forward(zeros([0, 3])).shape).toEqual([0, 3]);
    expect(norm.running_mean!.tolist()).toEqual([0, 0, 0]);
    expect(norm.running_var!.tolist()).toEqual([1, 1, 1]);
    expect(norm.num_batches_tracked!.tolist()).toBe(1);
  });
});

describe('InstanceNorm running statistics', () => {
  it('average the per-instance statistics over the batch and never count batches', () => {
    // Instances [0, 2] and [4, 8] of one channel: means 1 and 6, unbiased variances 2 and 8.
    const norm = new InstanceNorm1d(1, { trackRunningStats: true, momentum: 1 });
    norm.forward(tensor([[[0, 2]], [[4, 8]]]));
    expect(norm.running_mean!.tolist()).toEqual([3.5]);
    expect(norm.running_var!.tolist()).toEqual([5]);
    expect(norm.num_batches_tracked!.tolist()).toBe(0);
  });

  it('functional instanceNorm updates the given running statistics', () => {
    const runningMean = zeros([1]);
    const runningVar = ones([1]);
    instanceNorm(tensor([[[0, 2]], [[4, 8]]]), { runningMean, runningVar, momentum: 0.5 });
    expect(runningMean.tolist()).toEqual([1.75]);
    expect(runningVar.tolist()).toEqual([3]);
  });
});

describe('buffers, state dicts and safetensors', () => {
  it('keep num_batches_tracked as a 0-d int32 tensor, saved as I64 for PyTorch', () => {
    const norm = new BatchNorm2d(3);
    expect(norm.num_batches_tracked!.dtype).toBe('int32');
    expect(norm.num_batches_tracked!.shape).toEqual([]);
    const bytes = saveSafetensors(norm.stateDict());
    const header = readSafetensorsMetadata(bytes);
    expect(header.tensors.num_batches_tracked!.dtype).toBe('I64');
    expect(header.tensors.running_mean!.dtype).toBe('F32');
    norm.forward(randn([2, 3, 2, 2]));
    const reloaded = new BatchNorm2d(3);
    reloaded.loadStateDict(loadSafetensors(saveSafetensors(norm.stateDict())));
    expect(reloaded.num_batches_tracked!.tolist()).toBe(1);
    expect(reloaded.running_mean!.toTypedArray()).toEqual(norm.running_mean!.toTypedArray());
  });

  it('use PyTorch’s keys inside containers', () => {
    const net = new Sequential(new BatchNorm1d(4), new LayerNorm(4, { bias: false }), new GroupNorm(2, 4, { affine: false }));
    expect(Object.keys(net.stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '0.running_mean',
      '0.running_var',
      '0.num_batches_tracked',
      '1.weight',
    ]);
    expect(net.parameters().length).toBe(3);
  });

  it('register nothing for absent options', () => {
    expect(Object.keys(new InstanceNorm2d(3).stateDict())).toEqual([]);
    expect(Object.keys(new LayerNorm(3, { elementwiseAffine: false }).stateDict())).toEqual([]);
    expect(Object.keys(new RMSNorm(3, { elementwiseAffine: false }).stateDict())).toEqual([]);
    expect(Object.keys(new LocalResponseNorm(2).stateDict())).toEqual([]);
    expect(new LayerNorm(3, { elementwiseAffine: false }).bias).toBeNull();
  });
});

describe('printouts of the defaults, as PyTorch prints them', () => {
  it('prints every layer', () => {
    // PyTorch 1.13 (2.4 for RMSNorm) prints these for the same constructor calls.
    expect(String(new BatchNorm2d(3))).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(String(new BatchNorm1d(16, { momentum: null, eps: 1e-3 }))).toBe(
      'BatchNorm1d(16, eps=0.001, momentum=None, affine=True, track_running_stats=True)',
    );
    expect(String(new BatchNorm3d(4, { momentum: 0.01, affine: false }))).toBe(
      'BatchNorm3d(4, eps=1e-05, momentum=0.01, affine=False, track_running_stats=True)',
    );
    expect(String(new InstanceNorm1d(3))).toBe('InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)');
    expect(String(new InstanceNorm3d(2, { affine: true }))).toBe('InstanceNorm3d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=False)');
    expect(String(new LayerNorm([2, 3]))).toBe('LayerNorm((2, 3), eps=1e-05, elementwise_affine=True)');
    expect(String(new LayerNorm(4, { elementwiseAffine: false }))).toBe('LayerNorm((4,), eps=1e-05, elementwise_affine=False)');
    expect(String(new LayerNorm([]))).toBe('LayerNorm((), eps=1e-05, elementwise_affine=True)');
    expect(String(new GroupNorm(2, 4, { affine: false, eps: 1e-6 }))).toBe('GroupNorm(2, 4, eps=1e-06, affine=False)');
    expect(String(new RMSNorm(8))).toBe('RMSNorm((8,), eps=None, elementwise_affine=True)');
    expect(String(new RMSNorm([2, 4], { eps: 1e-6 }))).toBe('RMSNorm((2, 4), eps=1e-06, elementwise_affine=True)');
    expect(String(new LocalResponseNorm(2))).toBe('LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)');
    expect(String(new Sequential(new BatchNorm1d(2)))).toBe(
      'Sequential(\n  (0): BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n)',
    );
  });
});

describe('kernels and graph nodes', () => {
  it('registers every kernel with the cpu backend, and batch and layer norm on wasm above it', () => {
    for (const name of ['batchNorm', 'batchNormBackward', 'layerNorm', 'layerNormBackward'] as const) {
      expect(kernelBackend(name)).toBe('wasm');
      expect(kernelBackends(name).slice(-2)).toEqual(['cpu', 'wasm']);
    }
    const names = ['groupNorm', 'groupNormBackward', 'rmsNorm', 'rmsNormBackward', 'localResponseNorm', 'localResponseNormBackward'] as const;
    for (const name of names) expect(kernelBackend(name)).toBe('cpu');
  });

  it('names each graph node after its op', () => {
    const x = randn([2, 3, 4], { requiresGrad: true });
    expect(new BatchNorm1d(3).forward(x).gradFn?.name).toBe('batchNorm');
    expect(new InstanceNorm1d(3).forward(x).gradFn?.name).toBe('instanceNorm');
    expect(new InstanceNorm1d(3, { trackRunningStats: true }).eval().forward(x).gradFn?.name).toBe('instanceNorm');
    expect(new LayerNorm(4).forward(x).gradFn?.name).toBe('layerNorm');
    expect(new GroupNorm(3, 3).forward(x).gradFn?.name).toBe('groupNorm');
    expect(new RMSNorm(4).forward(x).gradFn?.name).toBe('rmsNorm');
    expect(new LocalResponseNorm(2).forward(x).gradFn?.name).toBe('localResponseNorm');
  });

  it('records nothing without an input or parameter that requires grad', () => {
    const norm = new LayerNorm(4, { elementwiseAffine: false });
    expect(norm.forward(randn([2, 4])).gradFn).toBeNull();
  });
});
