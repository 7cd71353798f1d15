import type { BatchNorm, GroupNorm, InstanceNorm, LayerNorm, LocalResponseNorm, RMSNorm } from '@strata/layers-norm';
import type { Tensor } from '@strata/tensor';
import { type OnnxMapping, type OnnxMappingContext, spatialRank } from '../onnx-mapping.js';

/** A parameter of the module, or a constant of `value`s when the layer has none (no `affine`). */
function weightOrFill(context: OnnxMappingContext, key: string, tensor: Tensor | null, shape: readonly number[], value: number): string {
  if (tensor !== null) return context.weight(key, tensor);
  const count = shape.reduce((product, size) => product * size, 1);
  return context.graph.constant(context.name(key), context.floatType, shape, new Array<number>(count).fill(value));
}

/**
 * `BatchNorm1d/2d/3d` in evaluation mode: ONNX `BatchNormalization` with the
 * running statistics. A layer without running statistics normalizes with
 * the batch's own in evaluation too, written as mean and biased variance
 * over every dimension but the channels.
 */
export const batchNormMapping: OnnxMapping<BatchNorm> = (context) => {
  const layer = context.module;
  const { graph } = context;
  const input = context.inputTensors[0]!;
  const channels = [layer.numFeatures];
  const scale = weightOrFill(context, 'weight', layer.weight, channels, 1);
  const shift = weightOrFill(context, 'bias', layer.bias, channels, 0);
  if (layer.running_mean !== null && layer.running_var !== null) {
    return graph.op(
      'BatchNormalization',
      [context.inputs[0]!, scale, shift, context.weight('running_mean', layer.running_mean), context.weight('running_var', layer.running_var)],
      context.name('output'),
      { epsilon: { float: layer.eps } },
    );
  }
  const axes = [0, ...input.shape.slice(2).map((_, d) => d + 2)];
  const mean = graph.op('ReduceMean', [context.inputs[0]!], context.name('mean'), { axes, keepdims: 1 });
  const centered = graph.op('Sub', [context.inputs[0]!, mean], context.name('centered'));
  const variance = graph.op('ReduceMean', [graph.op('Mul', [centered, centered], context.name('squared'))], context.name('variance'), { axes, keepdims: 1 });
  const eps = graph.scalar(context.name('eps'), layer.eps, context.floatType);
  const deviation = graph.op('Sqrt', [graph.op('Add', [variance, eps], context.name('variance_eps'))], context.name('deviation'));
  const normalized = graph.op('Div', [centered, deviation], context.name('normalized'));
  // The per-channel scale and shift broadcast over [N, C, ...] as [C, 1, ...].
  const perChannel = graph.int64s(context.name('channel_shape'), [layer.numFeatures, ...input.shape.slice(2).map(() => 1)]);
  const scaled = graph.op('Mul', [normalized, graph.op('Reshape', [scale, perChannel], context.name('scale'))], context.name('scaled'));
  return graph.op('Add', [scaled, graph.op('Reshape', [shift, perChannel], context.name('shift'))], context.name('output'));
};

/**
 * `LayerNorm` as ONNX `LayerNormalization` (opset 17) over the trailing
 * `normalizedShape`; without `elementwiseAffine` the scale is ones, and
 * without `bias` the bias input is left out.
 */
export const layerNormMapping: OnnxMapping<LayerNorm> = (context) => {
  const layer = context.module;
  const inputs = [context.inputs[0]!, weightOrFill(context, 'weight', layer.weight, layer.normalizedShape, 1)];
  if (layer.bias !== null) inputs.push(context.weight('bias', layer.bias));
  return context.graph.op('LayerNormalization', inputs, context.name('output'), {
    axis: -layer.normalizedShape.length,
    epsilon: { float: layer.eps },
  });
};

/** A per-channel `[C]` value reshaped to `[C, 1, ...]`, so that it broadcasts over `[N, C, ...spatial]`. */
function perChannel(context: OnnxMappingContext, value: string, channels: number, spatialDims: number, suffix: string): string {
  const shape = context.graph.int64s(context.name(`${suffix}_shape`), [channels, ...new Array<number>(spatialDims).fill(1)]);
  return context.graph.op('Reshape', [value, shape], context.name(suffix));
}

/**
 * `InstanceNorm1d/2d/3d`: ONNX `InstanceNormalization` (each sample and
 * channel over its own statistics); with `trackRunningStats`, evaluation
 * uses the running statistics, which is a `BatchNormalization`.
 */
export const instanceNormMapping: OnnxMapping<InstanceNorm> = (context) => {
  const layer = context.module;
  const input = context.inputTensors[0]!;
  if (input.ndim < 3) context.fail(`ONNX needs a batched input [N, C, ...], got shape [${input.shape.join(', ')}]`);
  const channels = [input.shape[1]!];
  const scale = weightOrFill(context, 'weight', layer.weight, channels, 1);
  const shift = weightOrFill(context, 'bias', layer.bias, channels, 0);
  if (layer.trackRunningStats && layer.running_mean !== null && layer.running_var !== null) {
    return context.graph.op(
      'BatchNormalization',
      [context.inputs[0]!, scale, shift, context.weight('running_mean', layer.running_mean), context.weight('running_var', layer.running_var)],
      context.name('output'),
      { epsilon: { float: layer.eps } },
    );
  }
  return context.graph.op('InstanceNormalization', [context.inputs[0]!, scale, shift], context.name('output'), { epsilon: { float: layer.eps } });
};

/**
 * `GroupNorm`: the input reshaped to `[N, groups, -1]`, normalized per
 * group by `InstanceNormalization`, reshaped back (to the input's own shape,
 * so the batch size stays free), then scaled and shifted per channel.
 */
export const groupNormMapping: OnnxMapping<GroupNorm> = (context) => {
  const layer = context.module;
  const { graph } = context;
  const input = context.inputTensors[0]!;
  spatialRank(context, input.ndim - 2);
  const grouped = graph.op('Reshape', [context.inputs[0]!, graph.int64s(context.name('group_shape'), [0, layer.numGroups, -1])], context.name('grouped'));
  const ones = graph.constant(context.name('group_scale'), context.floatType, [layer.numGroups], new Array<number>(layer.numGroups).fill(1));
  const zeros = graph.constant(context.name('group_shift'), context.floatType, [layer.numGroups], new Array<number>(layer.numGroups).fill(0));
  const normalized = graph.op('InstanceNormalization', [grouped, ones, zeros], context.name('group_normalized'), { epsilon: { float: layer.eps } });
  const restored = graph.op('Reshape', [normalized, graph.op('Shape', [context.inputs[0]!], context.name('input_shape'))], context.name(layer.affine ? 'normalized' : 'output'));
  if (layer.weight === null || layer.bias === null) return restored;
  const spatialDims = input.ndim - 2;
  const scaled = graph.op('Mul', [restored, perChannel(context, context.weight('weight', layer.weight), layer.numChannels, spatialDims, 'scale')], context.name('scaled'));
  return graph.op('Add', [scaled, perChannel(context, context.weight('bias', layer.bias), layer.numChannels, spatialDims, 'shift')], context.name('output'));
};

/** The machine epsilon PyTorch's `RMSNorm` uses when `eps` is `None`, by float type. */
const MACHINE_EPSILON: Record<string, number> = { float32: 1.1920928955078125e-7, float64: 2.220446049250313e-16 };

/** `RMSNorm`: x / sqrt(mean(x², trailing dims) + eps) · weight (ONNX's `RMSNormalization` comes with opset 23). */
export const rmsNormMapping: OnnxMapping<RMSNorm> = (context) => {
  const layer = context.module;
  const { graph } = context;
  const x = context.inputs[0]!;
  const axes = layer.normalizedShape.map((_, i) => i - layer.normalizedShape.length);
  const meanSquare = graph.op('ReduceMean', [graph.op('Mul', [x, x], context.name('squared'))], context.name('mean_square'), { axes, keepdims: 1 });
  const eps = graph.scalar(context.name('eps'), layer.eps ?? MACHINE_EPSILON[context.floatType]!, context.floatType);
  const rms = graph.op('Sqrt', [graph.op('Add', [meanSquare, eps], context.name('mean_square_eps'))], context.name('rms'));
  const normalized = graph.op('Div', [x, rms], context.name(layer.weight === null ? 'output' : 'normalized'));
  return layer.weight === null ? normalized : graph.op('Mul', [normalized, context.weight('weight', layer.weight)], context.name('output'));
};

/**
 * `LocalResponseNorm` as ONNX `LRN`, whose formula is PyTorch's. PyTorch
 * centres an even window one channel later than ONNX does, so an even
 * `size` is refused.
 */
export const localResponseNormMapping: OnnxMapping<LocalResponseNorm> = (context) => {
  const layer = context.module;
  if (layer.size % 2 === 0) {
    context.fail(`an even size (${layer.size}) has no ONNX mapping: ONNX LRN centres an even window one channel earlier than PyTorch`);
  }
  if (context.inputTensors[0]!.ndim < 3) context.fail('ONNX LRN needs an input [N, C, ...] of at least 3 dimensions');
  return context.graph.op('LRN', [context.inputs[0]!], context.name('output'), {
    size: layer.size,
    alpha: { float: layer.alpha },
    beta: { float: layer.beta },
    bias: { float: layer.k },
  });
};
