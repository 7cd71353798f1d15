import type { AvgPoolNd, ExtremumPoolNd } from '@strata/layers-conv';
import type { Module } from '@strata/module';
import { expandSize } from '../module-types.js';
import { type OnnxMapping, type OnnxMappingContext, spatialRank } from '../onnx-mapping.js';

/**
 * The `pads` of a pooling node. `ceilMode` is written as explicit right
 * padding instead of ONNX's `ceil_mode`: PyTorch drops a last window that
 * would start in the right padding and opset 17's size formula does not, so
 * the node gets the right padding that makes its floor-mode size PyTorch's
 * (the traced size), and every window lies inside the padded input. For
 * max pooling and for averages that do not count padding this is exact;
 * {@link clippedWindowCorrection} fixes the averages that do.
 */
function poolingPads(
  context: OnnxMappingContext, kernel: readonly number[], stride: readonly number[], padding: readonly number[],
  dilation: readonly number[], ceilMode: boolean,
): number[] {
  if (!ceilMode) return [...padding, ...padding];
  const inputSize = context.inputTensors[0]!.shape.slice(2);
  const outputSize = context.outputTensors[0]!.shape.slice(2);
  const extents = kernel.map((size, d) => dilation[d]! * (size - 1) + 1);
  const after = outputSize.map((size, d) => Math.max(padding[d]!, (size - 1) * stride[d]! + extents[d]! - inputSize[d]! - padding[d]!));
  return [...padding, ...after];
}

/**
 * With `ceilMode` and `countIncludePad`, PyTorch divides a window that runs
 * past the padding by the part inside input and padding only; the ONNX node
 * (every window inside its padded input, see {@link poolingPads}) divides by
 * the whole window. The ratio is a product of one factor per dimension, a
 * constant of the output's spatial shape; `null` when it is 1 everywhere.
 */
function clippedWindowCorrection(context: OnnxMappingContext, kernel: readonly number[], stride: readonly number[], padding: readonly number[]): string | null {
  const inputSize = context.inputTensors[0]!.shape.slice(2);
  const outputSize = context.outputTensors[0]!.shape.slice(2);
  const factors = outputSize.map((size, d) =>
    Array.from({ length: size }, (_, i) => {
      const start = i * stride[d]! - padding[d]!;
      return kernel[d]! / (Math.min(start + kernel[d]!, inputSize[d]! + padding[d]!) - start);
    }),
  );
  if (factors.every((factor) => factor.every((value) => value === 1))) return null;
  let values = [1];
  for (const factor of factors) values = values.flatMap((value) => factor.map((f) => value * f));
  return context.graph.constant(context.name('window_correction'), context.floatType, outputSize, values);
}

function maxPoolNode(context: OnnxMappingContext<ExtremumPoolNd<boolean>>, rank: number, input: string): string {
  const layer = context.module;
  if (layer.returnIndices) {
    context.fail('returnIndices has no ONNX mapping (ONNX MaxPool indices are flat over the whole tensor, not per plane)');
  }
  const kernel = expandSize(layer.kernelSize, rank);
  const stride = expandSize(layer.stride, rank);
  const dilation = expandSize(layer.dilation, rank);
  return context.graph.op('MaxPool', [input], context.name('pooled'), {
    kernel_shape: kernel,
    strides: stride,
    dilations: dilation,
    pads: poolingPads(context, kernel, stride, expandSize(layer.padding, rank), dilation, layer.ceilMode),
  });
}

/** `MaxPool1d/2d/3d` as ONNX `MaxPool` with kernel, stride, padding, dilation and `ceilMode`. */
export function maxPoolMapping(rank: number): OnnxMapping<ExtremumPoolNd<boolean>> {
  return (context) => maxPoolNode(context, spatialRank(context, rank), context.inputs[0]!);
}

/** `MinPool1d/2d/3d` as `-MaxPool(-x)`. */
export function minPoolMapping(rank: number): OnnxMapping<ExtremumPoolNd<boolean>> {
  return (context) => {
    spatialRank(context, rank);
    const negated = context.graph.op('Neg', [context.inputs[0]!], context.name('negated'));
    const pooled = maxPoolNode(context, rank, negated);
    return context.graph.op('Neg', [pooled], context.name('output'));
  };
}

/**
 * `AvgPool1d/2d/3d` as ONNX `AveragePool` with `ceilMode` and
 * `countIncludePad`. A `divisorOverride` d is the window sum over d: the
 * average over the whole window (padding counted) times its size over d,
 * exact because every window lies inside the node's padded input.
 */
export function avgPoolMapping(rank: number): OnnxMapping<AvgPoolNd> {
  return (context) => {
    spatialRank(context, rank);
    const layer = context.module;
    const kernel = expandSize(layer.kernelSize, rank);
    const padding = expandSize(layer.padding, rank);
    const divisor = layer.divisorOverride;
    const stride = expandSize(layer.stride, rank);
    const countIncludePad = layer.countIncludePad || divisor !== null;
    const pooled = context.graph.op('AveragePool', [context.inputs[0]!], context.name('pooled'), {
      kernel_shape: kernel,
      strides: stride,
      count_include_pad: countIncludePad ? 1 : 0,
      pads: poolingPads(context, kernel, stride, padding, kernel.map(() => 1), layer.ceilMode),
    });
    if (divisor === null) {
      const correction = layer.countIncludePad && layer.ceilMode ? clippedWindowCorrection(context, kernel, stride, padding) : null;
      return correction === null ? pooled : context.graph.op('Mul', [pooled, correction], context.name('output'));
    }
    const windowSize = kernel.reduce((product, size) => product * size, 1);
    const scale = context.graph.scalar(context.name('divisor_scale'), windowSize / divisor, context.floatType);
    return context.graph.op('Mul', [pooled, scale], context.name('output'));
  };
}

/**
 * `AdaptiveAvgPool1d/2d/3d` and `AdaptiveMaxPool1d/2d/3d`: an output of
 * size 1 everywhere is `GlobalAveragePool` / `GlobalMaxPool`; otherwise each
 * input size must be a multiple of its output size, and the layer is a
 * plain pooling with kernel = stride = input / output (ONNX has no adaptive
 * pooling).
 */
export function adaptivePoolMapping(rank: number, kind: 'average' | 'max'): OnnxMapping<Module & { returnIndices?: boolean }> {
  return (context) => {
    spatialRank(context, rank);
    if (context.module.returnIndices === true) context.fail('returnIndices has no ONNX mapping');
    const inputSize = context.inputTensors[0]!.shape.slice(2);
    const outputSize = context.outputTensors[0]!.shape.slice(2);
    if (outputSize.every((size) => size === 1)) {
      return context.graph.op(kind === 'average' ? 'GlobalAveragePool' : 'GlobalMaxPool', [context.inputs[0]!], context.name('output'));
    }
    if (inputSize.some((size, d) => size % outputSize[d]! !== 0)) {
      context.fail(
        `ONNX has no adaptive pooling; it is exported as a plain pooling when each input size is a multiple of the output size, ` +
          `got input [${inputSize.join(', ')}] and output [${outputSize.join(', ')}]`,
      );
    }
    const kernel = inputSize.map((size, d) => size / outputSize[d]!);
    return context.graph.op(kind === 'average' ? 'AveragePool' : 'MaxPool', [context.inputs[0]!], context.name('output'), {
      kernel_shape: kernel,
      strides: kernel,
    });
  };
}
