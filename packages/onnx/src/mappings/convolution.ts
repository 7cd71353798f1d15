import type { ConvNd, ConvTransposeNd } from '@strata/layers-conv';
import { type OnnxMapping, type OnnxMappingContext, spatialRank } from '../onnx-mapping.js';

/** PyTorch's `padding_mode` for a convolution input, written as ONNX nodes before the `Conv`. */
type PaddingMode = ConvNd['paddingMode'];

/**
 * Pads the spatial dimensions of a `[N, C, ...spatial]` value: `zeros` as a
 * constant `Pad`, `reflect` as `Pad` mode `reflect`, `replicate` as mode
 * `edge`, and `circular` (ONNX's `wrap` comes with opset 19) as a `Slice` of
 * each end concatenated onto the other, one dimension at a time.
 */
export function padSpatial(
  context: OnnxMappingContext, value: string, before: readonly number[], after: readonly number[], mode: PaddingMode,
): string {
  const { graph } = context;
  if (mode === 'circular') {
    let result = value;
    before.forEach((amount, d) => {
      const axis = d + 2;
      const pieces: string[] = [];
      if (amount > 0) {
        const starts = graph.int64s(context.name('circular.starts'), [-amount]);
        const ends = graph.int64s(context.name('circular.ends'), [Number.MAX_SAFE_INTEGER]);
        pieces.push(graph.op('Slice', [result, starts, ends, graph.int64s(context.name('circular.axes'), [axis])], context.name('wrap_before')));
      }
      pieces.push(result);
      if (after[d]! > 0) {
        const starts = graph.int64s(context.name('circular.starts'), [0]);
        const ends = graph.int64s(context.name('circular.ends'), [after[d]!]);
        pieces.push(graph.op('Slice', [result, starts, ends, graph.int64s(context.name('circular.axes'), [axis])], context.name('wrap_after')));
      }
      if (pieces.length > 1) result = graph.op('Concat', pieces, context.name('circular_padded'), { axis });
    });
    return result;
  }
  const pads = graph.int64s(context.name('pads'), [0, 0, ...before, 0, 0, ...after]);
  const onnxMode = mode === 'reflect' ? 'reflect' : mode === 'replicate' ? 'edge' : 'constant';
  return graph.op('Pad', [value, pads], context.name('padded'), { mode: onnxMode });
}

/** The padding before and after each spatial dimension, with `'same'` split as PyTorch splits it (the odd element last). */
function convolutionPadding(layer: ConvNd, rank: number): { before: number[]; after: number[] } {
  if (layer.padding === 'valid') return { before: new Array<number>(rank).fill(0), after: new Array<number>(rank).fill(0) };
  if (layer.padding === 'same') {
    const extents = layer.kernelSize.map((size, d) => layer.dilation[d]! * (size - 1));
    const before = extents.map((extent) => Math.floor(extent / 2));
    return { before, after: extents.map((extent, d) => extent - before[d]!) };
  }
  return { before: [...layer.padding], after: [...layer.padding] };
}

/**
 * `Conv1d/2d/3d` as ONNX `Conv` (weight and bias as initializers), every
 * stride, padding (numbers, `'same'`, `'valid'`), dilation and group; a
 * non-zero `paddingMode` becomes a `Pad` (or the circular slices) before it.
 */
export function convolutionMapping(rank: number): OnnxMapping<ConvNd> {
  return (context) => {
    spatialRank(context, rank);
    const layer = context.module;
    let { before, after } = convolutionPadding(layer, rank);
    let input = context.inputs[0]!;
    const padded = before.some((amount) => amount > 0) || after.some((amount) => amount > 0);
    if (layer.paddingMode !== 'zeros' && padded) {
      input = padSpatial(context, input, before, after, layer.paddingMode);
      before = before.map(() => 0);
      after = after.map(() => 0);
    }
    const inputs = [input, context.weight('weight', layer.weight)];
    if (layer.bias !== null) inputs.push(context.weight('bias', layer.bias));
    return context.graph.op('Conv', inputs, context.name('output'), {
      kernel_shape: layer.kernelSize,
      strides: layer.stride,
      pads: [...before, ...after],
      dilations: layer.dilation,
      group: layer.groups,
    });
  };
}

/**
 * `ConvTranspose1d/2d/3d` as ONNX `ConvTranspose`; the output padding is
 * read off the traced call, so a `forward(x, outputSize)` exports the size
 * it asked for.
 */
export function convolutionTransposeMapping(rank: number): OnnxMapping<ConvTransposeNd> {
  return (context) => {
    spatialRank(context, rank);
    const layer = context.module;
    const inputSize = context.inputTensors[0]!.shape.slice(2);
    const outputSize = context.outputTensors[0]!.shape.slice(2);
    const outputPadding = outputSize.map((size, d) => {
      const smallest = (inputSize[d]! - 1) * layer.stride[d]! - 2 * layer.padding[d]! + layer.dilation[d]! * (layer.kernelSize[d]! - 1) + 1;
      return size - smallest;
    });
    const inputs = [context.inputs[0]!, context.weight('weight', layer.weight)];
    if (layer.bias !== null) inputs.push(context.weight('bias', layer.bias));
    return context.graph.op('ConvTranspose', inputs, context.name('output'), {
      kernel_shape: layer.kernelSize,
      strides: layer.stride,
      pads: [...layer.padding, ...layer.padding],
      dilations: layer.dilation,
      group: layer.groups,
      output_padding: outputPadding,
    });
  };
}
