import type { Bilinear, Embedding, Flatten, Linear, Unflatten } from '@strata/layers-misc';
import type { Module } from '@strata/module';
import type { OnnxMapping } from '../onnx-mapping.js';

/**
 * `Linear` as ONNX `Gemm` (`transB = 1`, the weight as stored) for a 2-D
 * input, and as `MatMul` by the transposed weight plus `Add` of the bias
 * for any other rank (`[*, inFeatures]`).
 */
export const linearMapping: OnnxMapping<Linear> = (context) => {
  const layer = context.module;
  const { graph } = context;
  const weight = context.weight('weight', layer.weight);
  const bias = layer.bias === null ? null : context.weight('bias', layer.bias);
  if (context.inputTensors[0]!.ndim === 2) {
    const inputs = bias === null ? [context.inputs[0]!, weight] : [context.inputs[0]!, weight, bias];
    return graph.op('Gemm', inputs, context.name('output'), { transB: 1 });
  }
  const transposed = graph.op('Transpose', [weight], context.name('weight_t'), { perm: [1, 0] });
  const product = graph.op('MatMul', [context.inputs[0]!, transposed], context.name(bias === null ? 'output' : 'product'));
  return bias === null ? product : graph.op('Add', [product, bias], context.name('output'));
};

/**
 * `Bilinear`: y_o = x1ᵀ W_o x2 + b_o for inputs `[*, in1]`, `[*, in2]`, as
 * products ONNX shape inference follows: x1 · W (W `[out, in1, in2]` laid
 * out as `[in1, out · in2]`), reshaped to `[*, out, in2]`, times x2, summed
 * over `in2`.
 */
export const bilinearMapping: OnnxMapping<Bilinear> = (context) => {
  const layer = context.module;
  const { graph } = context;
  const leading = context.inputTensors[0]!.ndim - 1;
  const [out, in1, in2] = layer.weight.shape as [number, number, number];
  const weight = graph.op('Transpose', [context.weight('weight', layer.weight)], context.name('weight_t'), { perm: [1, 0, 2] });
  const matrix = graph.op('Reshape', [weight, graph.int64s(context.name('matrix_shape'), [in1, out * in2])], context.name('weight_matrix'));
  const left = graph.op('MatMul', [context.inputs[0]!, matrix], context.name('left'));
  const perOutput = graph.op(
    'Reshape', [left, graph.int64s(context.name('per_output_shape'), [...new Array<number>(leading).fill(0), out, in2])], context.name('per_output'),
  );
  const right = graph.op('Unsqueeze', [context.inputs[1]!, graph.int64s(context.name('output_axis'), [-2])], context.name('right'));
  const product = graph.op(
    'ReduceSum', [graph.op('Mul', [perOutput, right], context.name('terms')), graph.int64s(context.name('in2_axis'), [-1])],
    context.name(layer.bias === null ? 'output' : 'product'), { keepdims: 0 },
  );
  return layer.bias === null ? product : graph.op('Add', [product, context.weight('bias', layer.bias)], context.name('output'));
};

/** Modules that are the identity in evaluation mode (`Identity`, every dropout): an ONNX `Identity`. */
export const identityMapping: OnnxMapping = (context) => context.graph.op('Identity', [context.inputs[0]!], context.name('output'));

/**
 * `Flatten(startDim, endDim)`: ONNX `Flatten` when it flattens everything
 * from `startDim` on, else a `Reshape` that keeps the leading dimensions
 * (`0`), merges the flattened ones (`-1`) and writes the trailing sizes.
 */
export const flattenMapping: OnnxMapping<Flatten> = (context) => {
  const layer = context.module;
  const rank = context.inputTensors[0]!.ndim;
  const start = layer.startDim < 0 ? layer.startDim + rank : layer.startDim;
  const end = layer.endDim < 0 ? layer.endDim + rank : layer.endDim;
  if (start === 1 && end === rank - 1) return context.graph.op('Flatten', [context.inputs[0]!], context.name('output'), { axis: 1 });
  const trailing = context.inputTensors[0]!.shape.slice(end + 1);
  const shape = [...new Array<number>(start).fill(0), -1, ...trailing];
  return context.graph.op('Reshape', [context.inputs[0]!, context.graph.int64s(context.name('shape'), shape)], context.name('output'));
};

/** `Unflatten(dim, sizes)` as a `Reshape` that keeps the dimensions before `dim` (`0`). */
export const unflattenMapping: OnnxMapping<Unflatten> = (context) => {
  const layer = context.module;
  const input = context.inputTensors[0]!;
  const dim = layer.dim < 0 ? layer.dim + input.ndim : layer.dim;
  const shape = [...new Array<number>(dim).fill(0), ...context.outputTensors[0]!.shape.slice(dim, dim + layer.unflattenedSize.length), ...input.shape.slice(dim + 1)];
  return context.graph.op('Reshape', [context.inputs[0]!, context.graph.int64s(context.name('shape'), shape)], context.name('output'));
};

/**
 * `Embedding` as ONNX `Gather` of the weight's rows (int32 indices, any
 * shape). `maxNorm` rescales the rows looked up, as PyTorch does in the
 * forward pass: row · min(1, maxNorm / (‖row‖ + 1e-7)) for the 1- and 2-norms.
 */
export const embeddingMapping: OnnxMapping<Embedding> = (context) => {
  const layer = context.module;
  const { graph } = context;
  const rows = graph.op('Gather', [context.weight('weight', layer.weight), context.inputs[0]!], context.name(layer.maxNorm === null ? 'output' : 'rows'), { axis: 0 });
  if (layer.maxNorm === null) return rows;
  if (layer.normType !== 1 && layer.normType !== 2) context.fail(`maxNorm with normType ${layer.normType} has no ONNX mapping (only 1 and 2)`);
  const norm = graph.op(layer.normType === 1 ? 'ReduceL1' : 'ReduceL2', [rows], context.name('norm'), { axes: [-1], keepdims: 1 });
  const limit = graph.scalar(context.name('max_norm'), layer.maxNorm, context.floatType);
  const padded = graph.op('Add', [norm, graph.scalar(context.name('norm_eps'), 1e-7, context.floatType)], context.name('norm_eps'));
  const factor = graph.op('Min', [graph.op('Div', [limit, padded], context.name('ratio')), graph.scalar(context.name('one'), 1, context.floatType)], context.name('factor'));
  return graph.op('Mul', [rows, factor], context.name('output'));
};

/** The modules that hold no computation of their own in evaluation mode. */
export const identityModules: Record<string, OnnxMapping<Module>> = {
  Identity: identityMapping,
  Dropout: identityMapping,
  Dropout1d: identityMapping,
  Dropout2d: identityMapping,
  Dropout3d: identityMapping,
  AlphaDropout: identityMapping,
  FeatureAlphaDropout: identityMapping,
};
