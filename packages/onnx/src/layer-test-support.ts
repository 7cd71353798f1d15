/**
 * Test support: one case per mapped layer and option, shared by the ONNX
 * Runtime test and the PyTorch test. Not exported by the package.
 */
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d,
  Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
  MaxPool1d, MaxPool2d, MaxPool3d, MinPool1d, MinPool2d, MinPool3d,
} from '@strata/layers-conv';
import {
  AlphaDropout, Bilinear, CELU, Dropout, Dropout1d, Dropout2d, Dropout3d, ELU, Embedding, FeatureAlphaDropout, Flatten, GELU, GLU,
  Hardsigmoid, Hardswish, Hardtanh, Identity, LeakyReLU, Linear, LogSoftmax, Mish, PReLU, ReLU, ReLU6, SELU, SiLU, Sigmoid,
  Softmax, Softmin, Softplus, Softsign, Tanh, Tanhshrink, Threshold, Unflatten,
} from '@strata/layers-misc';
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, LocalResponseNorm, RMSNorm,
} from '@strata/layers-norm';
import { type Module, Sequential } from '@strata/module';
import { type Tensor, rand, randint, randn } from '@strata/tensor';

/** A labelled layer and a function making its input (or inputs, for a layer of two inputs). */
export type LayerCase = [label: string, build: () => Module, input: () => Tensor | Tensor[]];

const conv: LayerCase[] = [
  ['Conv1d default', () => new Conv1d(4, 6, 3), () => randn([2, 4, 11])],
  ['Conv1d stride 2, padding 2, dilation 2, groups 2', () => new Conv1d(4, 6, 3, { stride: 2, padding: 2, dilation: 2, groups: 2 }), () => randn([2, 4, 13])],
  ['Conv1d padding same (even kernel), no bias', () => new Conv1d(4, 6, 4, { padding: 'same', bias: false }), () => randn([2, 4, 9])],
  ['Conv1d padding valid', () => new Conv1d(3, 2, 5, { padding: 'valid' }), () => randn([2, 3, 9])],
  ['Conv1d reflect', () => new Conv1d(3, 4, 3, { padding: 2, paddingMode: 'reflect' }), () => randn([2, 3, 8])],
  ['Conv1d replicate', () => new Conv1d(3, 4, 3, { padding: 2, paddingMode: 'replicate' }), () => randn([2, 3, 8])],
  ['Conv1d circular', () => new Conv1d(3, 4, 3, { padding: 2, paddingMode: 'circular' }), () => randn([2, 3, 8])],
  ['Conv1d unbatched [C, L]', () => new Conv1d(4, 6, 3, { padding: 1, dilation: 2 }), () => randn([4, 9])],
  ['Conv2d default', () => new Conv2d(3, 5, 3), () => randn([2, 3, 9, 8])],
  ['Conv2d stride [2, 1], padding [1, 2], dilation [1, 2], groups 2', () => new Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }), () => randn([2, 4, 9, 8])],
  ['Conv2d depthwise', () => new Conv2d(4, 8, 3, { groups: 4, padding: 1 }), () => randn([2, 4, 7, 7])],
  ['Conv2d padding same, dilation 2', () => new Conv2d(3, 4, [4, 3], { padding: 'same', dilation: 2 }), () => randn([2, 3, 10, 9])],
  ['Conv2d reflect [2, 1]', () => new Conv2d(3, 4, 3, { padding: [2, 1], paddingMode: 'reflect' }), () => randn([2, 3, 7, 6])],
  ['Conv2d replicate', () => new Conv2d(3, 4, 3, { padding: 1, paddingMode: 'replicate', stride: 2 }), () => randn([2, 3, 7, 6])],
  ['Conv2d circular [1, 2]', () => new Conv2d(3, 4, 3, { padding: [1, 2], paddingMode: 'circular' }), () => randn([2, 3, 7, 6])],
  ['Conv2d circular same', () => new Conv2d(2, 3, 4, { padding: 'same', paddingMode: 'circular' }), () => randn([2, 2, 6, 6])],
  ['Conv3d stride 2, padding 1, no bias', () => new Conv3d(2, 4, 3, { stride: 2, padding: 1, bias: false }), () => randn([2, 2, 6, 7, 5])],
  ['Conv3d dilation 2, groups 2', () => new Conv3d(4, 2, [2, 3, 2], { dilation: 2, groups: 2 }), () => randn([1, 4, 6, 7, 5])],
  ['Conv3d circular', () => new Conv3d(2, 3, 3, { padding: 1, paddingMode: 'circular' }), () => randn([1, 2, 4, 5, 4])],
  ['Conv3d reflect', () => new Conv3d(2, 3, 3, { padding: [1, 2, 1], paddingMode: 'reflect' }), () => randn([1, 2, 4, 5, 4])],
  ['Conv2d unbatched [C, H, W]', () => new Conv2d(3, 4, 3, { stride: 2 }), () => randn([3, 7, 8])],
  ['ConvTranspose2d unbatched', () => new ConvTranspose2d(3, 2, 3, { stride: 2 }), () => randn([3, 4, 5])],
  ['ConvTranspose1d default', () => new ConvTranspose1d(4, 3, 3), () => randn([2, 4, 7])],
  ['ConvTranspose1d stride 2, padding 1, output padding 1, dilation 2, groups 2', () => new ConvTranspose1d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, dilation: 2, groups: 2 }), () => randn([2, 4, 7])],
  ['ConvTranspose2d stride 2, padding 1 (the benchmark)', () => new ConvTranspose2d(6, 4, 4, { stride: 2, padding: 1 }), () => randn([2, 6, 5, 5])],
  ['ConvTranspose2d stride [2, 3], output padding [1, 2], no bias', () => new ConvTranspose2d(4, 4, [3, 4], { stride: [2, 3], outputPadding: [1, 2], groups: 4, bias: false }), () => randn([2, 4, 5, 4])],
  ['ConvTranspose3d stride 2, padding 1, dilation [1, 2, 1]', () => new ConvTranspose3d(2, 3, 3, { stride: 2, padding: 1, dilation: [1, 2, 1] }), () => randn([1, 2, 3, 4, 3])],
];

const pooling: LayerCase[] = [
  ['MaxPool1d kernel 3, stride 2, padding 1, dilation 2', () => new MaxPool1d(3, { stride: 2, padding: 1, dilation: 2 }), () => randn([2, 3, 12])],
  ['MaxPool1d ceilMode', () => new MaxPool1d(3, { stride: 2, ceilMode: true }), () => randn([2, 3, 10])],
  ['MaxPool2d 2 (the CNN)', () => new MaxPool2d(2), () => randn([2, 3, 8, 8])],
  ['MaxPool2d [3, 2], stride [2, 1], padding [1, 0], ceilMode', () => new MaxPool2d([3, 2], { stride: [2, 1], padding: [1, 0], ceilMode: true }), () => randn([2, 3, 9, 7])],
  ['MaxPool2d dilation 2, ceilMode', () => new MaxPool2d(2, { stride: 2, dilation: 2, ceilMode: true }), () => randn([2, 3, 9, 8])],
  ['MaxPool3d kernel 2, padding 1', () => new MaxPool3d(2, { padding: 1 }), () => randn([1, 2, 5, 6, 5])],
  ['MaxPool2d unbatched, ceilMode', () => new MaxPool2d(3, { stride: 2, ceilMode: true }), () => randn([3, 8, 9])],
  ['AvgPool1d unbatched', () => new AvgPool1d(2), () => randn([3, 9])],
  ['MinPool1d kernel 2', () => new MinPool1d(2), () => randn([2, 3, 10])],
  ['MinPool2d kernel 3, stride 2, padding 1, ceilMode', () => new MinPool2d(3, { stride: 2, padding: 1, ceilMode: true }), () => randn([2, 3, 8, 9])],
  ['MinPool3d kernel 2', () => new MinPool3d(2), () => randn([1, 2, 4, 4, 6])],
  ['AvgPool1d kernel 3, stride 2, padding 1', () => new AvgPool1d(3, { stride: 2, padding: 1 }), () => randn([2, 3, 11])],
  ['AvgPool1d countIncludePad false', () => new AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }), () => randn([2, 3, 11])],
  ['AvgPool2d kernel 3, stride 2, padding 1 (the benchmark)', () => new AvgPool2d(3, { stride: 2, padding: 1 }), () => randn([2, 3, 8, 8])],
  ['AvgPool2d ceilMode, countIncludePad', () => new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }), () => randn([2, 3, 8, 9])],
  ['AvgPool2d ceilMode, countIncludePad false', () => new AvgPool2d([3, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), () => randn([2, 3, 8, 9])],
  ['AvgPool2d ceilMode, countIncludePad, last window dropped', () => new AvgPool2d([3, 2], { stride: 2, padding: 1, ceilMode: true }), () => randn([2, 3, 8, 9])],
  ['AvgPool2d ceilMode without padding', () => new AvgPool2d(2, { stride: 2, ceilMode: true }), () => randn([2, 3, 7, 9])],
  ['AvgPool2d divisorOverride, ceilMode', () => new AvgPool2d(3, { stride: 2, padding: 1, divisorOverride: 5, ceilMode: true }), () => randn([2, 3, 8, 9])],
  ['AvgPool1d ceilMode, countIncludePad, window past the padding', () => new AvgPool1d(4, { stride: 3, padding: 1, ceilMode: true }), () => randn([2, 3, 10])],
  ['AvgPool2d divisorOverride', () => new AvgPool2d(3, { stride: 2, padding: 1, divisorOverride: 4 }), () => randn([2, 3, 8, 8])],
  ['AvgPool3d kernel 2, stride 2, padding 1, countIncludePad false', () => new AvgPool3d(2, { stride: 2, padding: 1, countIncludePad: false }), () => randn([1, 2, 5, 4, 6])],
  ['AdaptiveAvgPool1d 4', () => new AdaptiveAvgPool1d(4), () => randn([2, 3, 12])],
  ['AdaptiveAvgPool2d 1 (global)', () => new AdaptiveAvgPool2d(1), () => randn([2, 3, 7, 5])],
  ['AdaptiveAvgPool2d [2, 4]', () => new AdaptiveAvgPool2d([2, 4]), () => randn([2, 3, 8, 8])],
  ['AdaptiveMaxPool2d [2, 1]', () => new AdaptiveMaxPool2d([2, 1]), () => randn([2, 3, 6, 5])],
  ['AdaptiveMaxPool3d 1 (global)', () => new AdaptiveMaxPool3d(1), () => randn([2, 3, 3, 4, 5])],
];

const normalization: LayerCase[] = [
  ['BatchNorm1d [N, C]', () => new BatchNorm1d(5), () => randn([4, 5])],
  ['BatchNorm1d [N, C, L], eps 1e-3', () => new BatchNorm1d(3, { eps: 1e-3 }), () => randn([4, 3, 6])],
  ['BatchNorm2d', () => new BatchNorm2d(3), () => randn([2, 3, 4, 5])],
  ['BatchNorm2d affine false', () => new BatchNorm2d(3, { affine: false }), () => randn([2, 3, 4, 5])],
  ['BatchNorm2d trackRunningStats false', () => new BatchNorm2d(3, { trackRunningStats: false }), () => randn([2, 3, 4, 5])],
  ['BatchNorm3d', () => new BatchNorm3d(2), () => randn([2, 2, 3, 4, 3])],
  ['InstanceNorm1d', () => new InstanceNorm1d(3), () => randn([2, 3, 7])],
  ['InstanceNorm1d unbatched [C, L]', () => new InstanceNorm1d(3, { affine: true }), () => randn([3, 7])],
  ['InstanceNorm2d affine', () => new InstanceNorm2d(3, { affine: true }), () => randn([2, 3, 4, 5])],
  ['InstanceNorm3d trackRunningStats', () => new InstanceNorm3d(2, { trackRunningStats: true, affine: true }), () => randn([2, 2, 3, 3, 4])],
  ['GroupNorm 2 groups of 3', () => new GroupNorm(2, 6), () => randn([2, 6, 4, 3])],
  ['GroupNorm affine false, eps 1e-3', () => new GroupNorm(3, 6, { affine: false, eps: 1e-3 }), () => randn([2, 6, 5])],
  ['RMSNorm last dim', () => new RMSNorm(8), () => randn([2, 5, 8])],
  ['RMSNorm [4, 8], eps 1e-3, no affine', () => new RMSNorm([4, 8], { eps: 1e-3, elementwiseAffine: false }), () => randn([3, 4, 8])],
  ['LocalResponseNorm size 3', () => new LocalResponseNorm(3, { alpha: 0.01, beta: 0.75, k: 2 }), () => randn([2, 6, 4, 4])],
  ['LayerNorm last dim', () => new LayerNorm(8), () => randn([2, 5, 8])],
  ['LayerNorm [4, 8], eps 1e-3', () => new LayerNorm([4, 8], { eps: 1e-3 }), () => randn([3, 4, 8])],
  ['LayerNorm elementwiseAffine false', () => new LayerNorm(6, { elementwiseAffine: false }), () => randn([3, 6])],
  ['LayerNorm bias false', () => new LayerNorm(6, { bias: false }), () => randn([3, 6])],
];

const misc: LayerCase[] = [
  ['Linear 2-d (Gemm)', () => new Linear(6, 4), () => randn([3, 6])],
  ['Linear 3-d (MatMul)', () => new Linear(6, 4), () => randn([2, 3, 6])],
  ['Linear no bias', () => new Linear(6, 4, { bias: false }), () => randn([3, 6])],
  ['Bilinear', () => new Bilinear(4, 3, 5), () => [randn([6, 4]), randn([6, 3])]],
  ['Bilinear no bias, 3-d inputs', () => new Bilinear(4, 3, 2, { bias: false }), () => [randn([2, 5, 4]), randn([2, 5, 3])]],
  ['Linear no bias 3-d', () => new Linear(6, 4, { bias: false }), () => randn([2, 3, 6])],
  ['Embedding', () => new Embedding(10, 4, { paddingIdx: 0 }), () => randint(0, 10, [3, 5])],
  ['Embedding maxNorm 1', () => new Embedding(10, 4, { maxNorm: 1 }), () => randint(0, 10, [3, 5])],
  ['Embedding maxNorm 2, normType 1', () => new Embedding(10, 4, { maxNorm: 2, normType: 1 }), () => randint(0, 10, [3, 5])],
  ['Flatten', () => new Flatten(), () => randn([2, 3, 4, 5])],
  ['Flatten(0, -1)', () => new Flatten(0, -1), () => randn([2, 3, 4])],
  ['Flatten(1, 2)', () => new Flatten(1, 2), () => randn([2, 3, 4, 5])],
  ['Flatten(-3, -2)', () => new Flatten(-3, -2), () => randn([2, 3, 4, 5])],
  ['Unflatten(1, [2, 3])', () => new Unflatten(1, [2, 3]), () => randn([2, 6, 4])],
  ['Identity', () => new Identity(), () => randn([2, 3])],
  ['Dropout', () => new Dropout(0.5), () => randn([2, 3])],
  ['Dropout1d', () => new Dropout1d(0.5), () => randn([2, 3, 4])],
  ['Dropout2d', () => new Dropout2d(0.5), () => randn([2, 3, 4, 4])],
  ['Dropout3d', () => new Dropout3d(0.5), () => randn([2, 3, 2, 2, 2])],
  ['AlphaDropout', () => new AlphaDropout(0.5), () => randn([2, 3])],
  ['FeatureAlphaDropout', () => new FeatureAlphaDropout(0.5), () => randn([2, 3, 4])],
];

const activations: LayerCase[] = [
  ['ReLU', () => new ReLU(), () => randn([2, 3, 4])],
  ['ReLU inplace', () => new ReLU({ inplace: true }), () => randn([2, 3, 4])],
  ['ReLU6', () => new ReLU6(), () => randn([2, 8]).mul(5)],
  ['LeakyReLU 0.2', () => new LeakyReLU(0.2), () => randn([2, 8])],
  ['ELU alpha 0.7', () => new ELU(0.7), () => randn([2, 8])],
  ['CELU alpha 1.5', () => new CELU(1.5), () => randn([2, 8])],
  ['SELU', () => new SELU(), () => randn([2, 8])],
  ['Hardtanh(-2, 1.5)', () => new Hardtanh(-2, 1.5), () => randn([2, 8]).mul(3)],
  ['Threshold(0.1, 20)', () => new Threshold(0.1, 20), () => randn([2, 8])],
  ['GELU', () => new GELU(), () => randn([2, 8]).mul(3)],
  ['GELU tanh', () => new GELU({ approximate: 'tanh' }), () => randn([2, 8]).mul(3)],
  ['SiLU', () => new SiLU(), () => randn([2, 8])],
  ['Mish', () => new Mish(), () => randn([2, 8])],
  ['Sigmoid', () => new Sigmoid(), () => randn([2, 8])],
  ['Tanh', () => new Tanh(), () => randn([2, 8])],
  ['Softplus beta 2, threshold 3', () => new Softplus({ beta: 2, threshold: 3 }), () => randn([2, 8]).mul(3)],
  ['Softsign', () => new Softsign(), () => randn([2, 8])],
  ['Hardswish', () => new Hardswish(), () => randn([2, 8]).mul(4)],
  ['Hardsigmoid', () => new Hardsigmoid(), () => randn([2, 8]).mul(4)],
  ['Tanhshrink', () => new Tanhshrink(), () => randn([2, 8])],
  ['Softmax(1)', () => new Softmax(1), () => randn([2, 5, 3])],
  ['Softmax(-1)', () => new Softmax(-1), () => randn([2, 5, 3])],
  ['Softmax implicit dim', () => new Softmax(), () => randn([2, 5, 3])],
  ['LogSoftmax(1)', () => new LogSoftmax(1), () => randn([4, 6])],
  ['Softmin(0)', () => new Softmin(0), () => randn([4, 6])],
  ['GLU(-1)', () => new GLU(), () => randn([2, 3, 8])],
  ['GLU(1)', () => new GLU(1), () => randn([2, 6, 3])],
  ['PReLU', () => new PReLU(), () => randn([2, 3, 4])],
  ['PReLU per channel', () => new PReLU(3), () => randn([2, 3, 4, 5])],
];

/** Every case, by family. */
export const layerCases: Record<string, LayerCase[]> = {
  convolution: conv,
  pooling,
  normalization,
  'linear, embedding, shape, dropout': misc,
  activations,
};

/** Gives every floating-point parameter and buffer random values (variances positive), so no weight is trivially 1 or 0. */
export function randomizeWeights(model: Module): void {
  const replacement: Record<string, Tensor> = {};
  for (const [key, tensor] of Object.entries(model.stateDict())) {
    if (tensor.dtype !== 'float32') replacement[key] = tensor;
    else if (key.endsWith('running_var')) replacement[key] = rand(tensor.shape as number[]).add(0.5);
    else replacement[key] = randn(tensor.shape as number[]).mul(0.5);
  }
  model.loadStateDict(replacement);
}

function inputList(input: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(input) ? input : [input];
}

/**
 * A case's layer with random weights (and, for batch normalization, running
 * statistics moved by a few training passes), inside a `Sequential` when it
 * takes one input (so module paths and state-dict keys are exercised), with
 * inputs for it.
 */
export function prepareCase([label, build, input]: LayerCase): { model: Module; inputs: Tensor[] } {
  const layer = build();
  randomizeWeights(layer);
  if (label.startsWith('BatchNorm') || label.includes('trackRunningStats')) for (let step = 0; step < 3; step++) layer.forward(...inputList(input()));
  const inputs = inputList(input());
  return { model: inputs.length === 1 ? new Sequential(layer) : layer, inputs };
}
