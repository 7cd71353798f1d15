import type { BatchNorm, LayerNorm } from '@strata/layers-norm';
import type { OnnxMapping, OnnxMappingContext } from '../onnx-mapping.js';

/** A parameter of the module, or a constant of `value`s when the layer has none (no `affine`). */
function weightOrFill(context: OnnxMappingContext, key: string, tensor: import('@strata/tensor').Tensor | null, shape: readonly number[], value: number): string {
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
