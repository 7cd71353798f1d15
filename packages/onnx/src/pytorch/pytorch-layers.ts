import type {
  AdaptiveAvgPoolNd, AdaptiveMaxPoolNd, AvgPoolNd, ConvNd, ConvTransposeNd, ExtremumPoolNd,
} from '@strata/layers-conv';
import type {
  Bilinear, CELU, DropoutNd, ELU, Embedding, Flatten, GELU, GLU, Hardtanh, InplaceActivation, LeakyReLU, Linear, PReLU, Softmax, Softplus, Threshold,
  Unflatten,
} from '@strata/layers-misc';
import type { GroupNorm, LayerNorm, LocalResponseNorm, NormBase, RMSNorm } from '@strata/layers-norm';
import type { GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell } from '@strata/layers-recurrent';
import type {
  MultiheadAttention, Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
} from '@strata/layers-attention';
import type { Module } from '@strata/module';
import { type PythonValue, pythonArguments, pythonFloat } from './python-literals.js';

/** How one module is written in Python: the class to call and the call's arguments. */
export interface PyTorchConstructor {
  /** The Python class: `nn.Conv2d`, or a helper class the generated file defines (`StrataMinPool2d`). */
  readonly className: string;
  /** The arguments of the call, as Python source: `1, 32, kernel_size=(3, 3), ...`. */
  readonly arguments: string;
}

/** Writes the `torch.nn` constructor call of a module from its public fields. */
export type PyTorchWriter<M extends Module = Module> = (module: M) => PyTorchConstructor;

function call(className: string, positional: readonly PythonValue[], keywords: Readonly<Record<string, PythonValue>> = {}): PyTorchConstructor {
  return { className, arguments: pythonArguments(positional, keywords) };
}

const convolution = (name: string): PyTorchWriter<ConvNd> => (layer) =>
  call(`nn.${name}`, [layer.inChannels, layer.outChannels], {
    kernel_size: layer.kernelSize,
    stride: layer.stride,
    padding: layer.padding,
    dilation: layer.dilation,
    groups: layer.groups,
    bias: layer.bias !== null,
    padding_mode: layer.paddingMode,
  });

const convolutionTranspose = (name: string): PyTorchWriter<ConvTransposeNd> => (layer) =>
  call(`nn.${name}`, [layer.inChannels, layer.outChannels], {
    kernel_size: layer.kernelSize,
    stride: layer.stride,
    padding: layer.padding,
    output_padding: layer.outputPadding,
    groups: layer.groups,
    bias: layer.bias !== null,
    dilation: layer.dilation,
  });

/** Max pooling, and min pooling through the helper classes the generated file defines (PyTorch has none). */
const extremumPool = (className: string): PyTorchWriter<ExtremumPoolNd<boolean>> => (layer) =>
  call(className, [], {
    kernel_size: layer.kernelSize,
    stride: layer.stride,
    padding: layer.padding,
    dilation: layer.dilation,
    return_indices: layer.returnIndices,
    ceil_mode: layer.ceilMode,
  });

// PyTorch's AvgPool1d has no `divisor_override` (Strata's takes it); written only where PyTorch has it or it is set.
const avgPool = (name: string): PyTorchWriter<AvgPoolNd> => (layer) =>
  call(`nn.${name}`, [], {
    kernel_size: layer.kernelSize,
    stride: layer.stride,
    padding: layer.padding,
    ceil_mode: layer.ceilMode,
    count_include_pad: layer.countIncludePad,
    ...(name !== 'AvgPool1d' || layer.divisorOverride !== null ? { divisor_override: layer.divisorOverride } : {}),
  });

const adaptiveAvgPool = (name: string): PyTorchWriter<AdaptiveAvgPoolNd> => (layer) => call(`nn.${name}`, [layer.outputSize]);

const adaptiveMaxPool = (name: string): PyTorchWriter<AdaptiveMaxPoolNd<boolean>> => (layer) =>
  call(`nn.${name}`, [layer.outputSize], { return_indices: layer.returnIndices });

const normalization = (name: string): PyTorchWriter<NormBase> => (layer) =>
  call(`nn.${name}`, [layer.numFeatures], {
    eps: pythonFloat(layer.eps),
    momentum: layer.momentum === null ? null : pythonFloat(layer.momentum),
    affine: layer.affine,
    track_running_stats: layer.trackRunningStats,
  });

const layerNorm: PyTorchWriter<LayerNorm> = (layer) =>
  call('nn.LayerNorm', [layer.normalizedShape], {
    eps: pythonFloat(layer.eps),
    elementwise_affine: layer.elementwiseAffine,
    // `bias` exists from PyTorch 2.1 on: written only when it is off, so older versions load the rest.
    ...(layer.elementwiseAffine && layer.bias === null ? { bias: false } : {}),
  });

const groupNorm: PyTorchWriter<GroupNorm> = (layer) =>
  call('nn.GroupNorm', [layer.numGroups, layer.numChannels], { eps: pythonFloat(layer.eps), affine: layer.affine });

const dropout = (name: string): PyTorchWriter<DropoutNd> => (layer) => call(`nn.${name}`, [], { p: pythonFloat(layer.p), inplace: layer.inplace });

const plain = (name: string): PyTorchWriter => () => call(`nn.${name}`, []);

const inplace = (name: string): PyTorchWriter<InplaceActivation> => (layer) => call(`nn.${name}`, [], { inplace: layer.inplace });

const dimension = (name: string): PyTorchWriter<Softmax> => (layer) => call(`nn.${name}`, [], { dim: layer.dim });

/** `nn.RNN`, `nn.LSTM`, `nn.GRU` with every option (`proj_size` for the LSTM, `nonlinearity` for the RNN). */
const recurrent = (name: 'RNN' | 'LSTM' | 'GRU'): PyTorchWriter<RNNBase> => (layer) =>
  call(`nn.${name}`, [layer.inputSize, layer.hiddenSize], {
    num_layers: layer.numLayers,
    ...(name === 'RNN' ? { nonlinearity: (layer as RNN).nonlinearity } : {}),
    bias: layer.bias,
    batch_first: layer.batchFirst,
    dropout: pythonFloat(layer.dropout),
    bidirectional: layer.bidirectional,
    ...(name === 'LSTM' ? { proj_size: (layer as LSTM).projSize } : {}),
  });

/** Whether a module has its own parameter `name` (`in_proj_bias`, `bias_k` exist only with their options). */
function hasParameter(module: Module, name: string): boolean {
  return module.namedParameters('', false).some(([key]) => key === name);
}

const multiheadAttention: PyTorchWriter<MultiheadAttention> = (layer) =>
  call('nn.MultiheadAttention', [layer.embedDim, layer.numHeads], {
    dropout: pythonFloat(layer.dropout),
    bias: hasParameter(layer, 'in_proj_bias'),
    add_bias_kv: hasParameter(layer, 'bias_k'),
    add_zero_attn: layer.addZeroAttn,
    kdim: layer.kdim,
    vdim: layer.vdim,
    batch_first: layer.batchFirst,
  });

const transformerLayer = (name: string): PyTorchWriter<TransformerEncoderLayer | TransformerDecoderLayer> => (layer) => {
  const { dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias } = layer.options;
  return call(`nn.${name}`, [layer.dModel, layer.nhead], {
    dim_feedforward: dimFeedforward,
    dropout: pythonFloat(dropout),
    activation,
    layer_norm_eps: pythonFloat(layerNormEps),
    batch_first: batchFirst,
    norm_first: normFirst,
    // `bias` exists from PyTorch 2.1 on: written only when it is off, so older versions load the rest.
    ...(bias ? {} : { bias: false }),
  });
};

/** `nn.TransformerEncoder(layer, num_layers, norm=...)` and the decoder: the layers are copies of one, so the first one is written. */
const transformerStack = (name: 'Encoder' | 'Decoder'): PyTorchWriter<TransformerEncoder | TransformerDecoder> => (stack) => {
  const source = (written: PyTorchConstructor): { python: string } => ({ python: `${written.className}(${written.arguments})` });
  const first = stack.layers.children()[0] as TransformerEncoderLayer;
  return call(`nn.Transformer${name}`, [source(transformerLayer(`Transformer${name}Layer`)(first)), stack.numLayers], {
    norm: stack.norm === null ? null : source(layerNorm(stack.norm)),
  });
};

const transformer: PyTorchWriter<Transformer> = (model) => {
  const { dModel, nhead, numEncoderLayers, numDecoderLayers, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias } = model.options;
  return call('nn.Transformer', [], {
    d_model: dModel, nhead, num_encoder_layers: numEncoderLayers, num_decoder_layers: numDecoderLayers, dim_feedforward: dimFeedforward,
    dropout: pythonFloat(dropout), activation, layer_norm_eps: pythonFloat(layerNormEps), batch_first: batchFirst, norm_first: normFirst,
    ...(bias ? {} : { bias: false }),
  });
};

/** The layers of `@strata/layers-conv`, `-norm`, `-misc`, `-recurrent` and `-attention` by class name, as `torch.nn` constructor calls. */
export const pytorchLayers: Record<string, PyTorchWriter<never>> = {
  Conv1d: convolution('Conv1d'),
  Conv2d: convolution('Conv2d'),
  Conv3d: convolution('Conv3d'),
  ConvTranspose1d: convolutionTranspose('ConvTranspose1d'),
  ConvTranspose2d: convolutionTranspose('ConvTranspose2d'),
  ConvTranspose3d: convolutionTranspose('ConvTranspose3d'),
  MaxPool1d: extremumPool('nn.MaxPool1d'),
  MaxPool2d: extremumPool('nn.MaxPool2d'),
  MaxPool3d: extremumPool('nn.MaxPool3d'),
  MinPool1d: extremumPool('StrataMinPool1d'),
  MinPool2d: extremumPool('StrataMinPool2d'),
  MinPool3d: extremumPool('StrataMinPool3d'),
  AvgPool1d: avgPool('AvgPool1d'),
  AvgPool2d: avgPool('AvgPool2d'),
  AvgPool3d: avgPool('AvgPool3d'),
  AdaptiveAvgPool1d: adaptiveAvgPool('AdaptiveAvgPool1d'),
  AdaptiveAvgPool2d: adaptiveAvgPool('AdaptiveAvgPool2d'),
  AdaptiveAvgPool3d: adaptiveAvgPool('AdaptiveAvgPool3d'),
  AdaptiveMaxPool1d: adaptiveMaxPool('AdaptiveMaxPool1d'),
  AdaptiveMaxPool2d: adaptiveMaxPool('AdaptiveMaxPool2d'),
  AdaptiveMaxPool3d: adaptiveMaxPool('AdaptiveMaxPool3d'),
  BatchNorm1d: normalization('BatchNorm1d'),
  BatchNorm2d: normalization('BatchNorm2d'),
  BatchNorm3d: normalization('BatchNorm3d'),
  InstanceNorm1d: normalization('InstanceNorm1d'),
  InstanceNorm2d: normalization('InstanceNorm2d'),
  InstanceNorm3d: normalization('InstanceNorm3d'),
  LayerNorm: layerNorm,
  GroupNorm: groupNorm,
  // nn.RMSNorm exists from PyTorch 2.4 on.
  RMSNorm: (layer: RMSNorm) =>
    call('nn.RMSNorm', [layer.normalizedShape], { eps: layer.eps === null ? null : pythonFloat(layer.eps), elementwise_affine: layer.elementwiseAffine }),
  LocalResponseNorm: (layer: LocalResponseNorm) =>
    call('nn.LocalResponseNorm', [layer.size], { alpha: pythonFloat(layer.alpha), beta: pythonFloat(layer.beta), k: pythonFloat(layer.k) }),
  Linear: (layer: Linear) => call('nn.Linear', [layer.inFeatures, layer.outFeatures], { bias: layer.bias !== null }),
  Bilinear: (layer: Bilinear) => call('nn.Bilinear', [layer.in1Features, layer.in2Features, layer.outFeatures], { bias: layer.bias !== null }),
  Identity: plain('Identity'),
  Flatten: (layer: Flatten) => call('nn.Flatten', [], { start_dim: layer.startDim, end_dim: layer.endDim }),
  Unflatten: (layer: Unflatten) => call('nn.Unflatten', [layer.dim, layer.unflattenedSize]),
  Embedding: (layer: Embedding) =>
    call('nn.Embedding', [layer.numEmbeddings, layer.embeddingDim], {
      padding_idx: layer.paddingIdx,
      max_norm: layer.maxNorm === null ? null : pythonFloat(layer.maxNorm),
      norm_type: pythonFloat(layer.normType),
      scale_grad_by_freq: layer.scaleGradByFreq,
    }),
  Dropout: dropout('Dropout'),
  Dropout1d: dropout('Dropout1d'),
  Dropout2d: dropout('Dropout2d'),
  Dropout3d: dropout('Dropout3d'),
  AlphaDropout: dropout('AlphaDropout'),
  FeatureAlphaDropout: dropout('FeatureAlphaDropout'),
  ReLU: inplace('ReLU'),
  ReLU6: inplace('ReLU6'),
  SELU: inplace('SELU'),
  SiLU: inplace('SiLU'),
  Mish: inplace('Mish'),
  Hardswish: inplace('Hardswish'),
  Hardsigmoid: inplace('Hardsigmoid'),
  LeakyReLU: (layer: LeakyReLU) => call('nn.LeakyReLU', [], { negative_slope: pythonFloat(layer.negativeSlope), inplace: layer.inplace }),
  ELU: (layer: ELU) => call('nn.ELU', [], { alpha: pythonFloat(layer.alpha), inplace: layer.inplace }),
  CELU: (layer: CELU) => call('nn.CELU', [], { alpha: pythonFloat(layer.alpha), inplace: layer.inplace }),
  Hardtanh: (layer: Hardtanh) =>
    call('nn.Hardtanh', [], { min_val: pythonFloat(layer.minVal), max_val: pythonFloat(layer.maxVal), inplace: layer.inplace }),
  Threshold: (layer: Threshold) => call('nn.Threshold', [pythonFloat(layer.threshold), pythonFloat(layer.value)], { inplace: layer.inplace }),
  GELU: (layer: GELU) => call('nn.GELU', [], { approximate: layer.approximate }),
  Sigmoid: plain('Sigmoid'),
  Tanh: plain('Tanh'),
  Softsign: plain('Softsign'),
  Tanhshrink: plain('Tanhshrink'),
  Softplus: (layer: Softplus) => call('nn.Softplus', [], { beta: pythonFloat(layer.beta), threshold: pythonFloat(layer.threshold) }),
  Softmax: dimension('Softmax'),
  LogSoftmax: dimension('LogSoftmax'),
  Softmin: dimension('Softmin'),
  GLU: (layer: GLU) => call('nn.GLU', [], { dim: layer.dim }),
  PReLU: (layer: PReLU) => call('nn.PReLU', [], { num_parameters: layer.numSlopes, init: pythonFloat(layer.init) }),
  RNN: recurrent('RNN'),
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  RNNCell: (layer: RNNCell) => call('nn.RNNCell', [layer.inputSize, layer.hiddenSize], { bias: layer.bias, nonlinearity: layer.nonlinearity }),
  LSTMCell: (layer: LSTMCell) => call('nn.LSTMCell', [layer.inputSize, layer.hiddenSize], { bias: layer.bias }),
  GRUCell: (layer: GRUCell) => call('nn.GRUCell', [layer.inputSize, layer.hiddenSize], { bias: layer.bias }),
  MultiheadAttention: multiheadAttention,
  TransformerEncoderLayer: transformerLayer('TransformerEncoderLayer'),
  TransformerDecoderLayer: transformerLayer('TransformerDecoderLayer'),
  TransformerEncoder: transformerStack('Encoder'),
  TransformerDecoder: transformerStack('Decoder'),
  Transformer: transformer,
};
