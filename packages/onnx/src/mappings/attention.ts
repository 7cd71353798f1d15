import type { MultiheadAttention, TransformerDecoderLayer, TransformerEncoderLayer } from '@strata/layers-attention';
import type { Linear } from '@strata/layers-misc';
import type { LayerNorm } from '@strata/layers-norm';
import type { Module } from '@strata/module';
import { Tensor } from '@strata/tensor';
import type { OnnxMapping, OnnxMappingContext } from '../onnx-mapping.js';
import { linearMapping } from './linear-and-shape.js';
import { layerNormMapping } from './normalization.js';

/** What one attention call reads besides its query, key and value. */
interface AttentionCall {
  /** PyTorch's `attn_mask`: `[L, S]` or `[N · heads, L, S]`, bool (`true` = not allowed) or float (added to the scores). */
  readonly attnMask: unknown;
  readonly keyPaddingMask: unknown;
  /** Whether the call returns the attention weights, and whether averaged over the heads. */
  readonly needWeights: boolean;
  readonly averageWeights: boolean;
}

/**
 * The context of a submodule `childName` of the mapped module, for writing
 * its nodes with its own mapping: its initializers are named by their
 * state-dict keys under the parent (`0.self_attn.out_proj.weight`).
 */
function childContext<M extends Module>(
  context: OnnxMappingContext<Module>, childName: string, inputs: readonly string[], inputTensors: readonly Tensor[],
): OnnxMappingContext<M> {
  return {
    ...context,
    module: context.module.getSubmodule(childName) as M,
    path: context.path === '' ? childName : `${context.path}.${childName}`,
    inputs,
    inputTensors,
    outputTensors: [],
    name: (suffix) => context.name(`${childName}.${suffix}`),
    weight: (key, tensor) => context.weight(`${childName}.${key}`, tensor),
  };
}

/** The module's own parameter `name`, or `null` when its configuration has none (`bias_k`, `in_proj_bias`). */
function optionalParameter(module: Module, name: string): Tensor | null {
  return module.namedParameters('', false).find(([key]) => key === name)?.[1] ?? null;
}

/**
 * The traced call's mask as an additive float constant of the graph, shaped
 * to broadcast over `[N, heads, L, S]`, with `extraKeys` zero columns for
 * the keys `addBiasKv` and `addZeroAttn` append (always attended, as in PyTorch).
 */
function maskConstant(context: OnnxMappingContext<MultiheadAttention>, mask: Tensor, batch: number, extraKeys: number): string {
  const layer = context.module;
  const values = mask.toTypedArray() as ArrayLike<number>;
  const [length, sourceLength] = mask.shape.slice(-2) as [number, number];
  const rows = values.length / sourceLength;
  const paddedLength = sourceLength + extraKeys;
  const additive = new Float32Array(rows * paddedLength);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < sourceLength; column++) {
      const value = Number(values[row * sourceLength + column]);
      additive[row * paddedLength + column] = mask.dtype === 'bool' ? (value !== 0 ? -Infinity : 0) : value;
    }
  }
  const shape = mask.ndim === 2 ? [length, paddedLength] : [batch, layer.numHeads, length, paddedLength];
  return context.graph.constant(context.name('attn_mask'), context.floatType, shape, additive);
}

/** `[N, S, E]` with `row` (`[1, 1, E]`) appended along the keys for every sample: `Expand` to `[N, 1, E]`, `Concat`. */
function appendKey(context: OnnxMappingContext<MultiheadAttention>, sequence: string, row: string, label: string): string {
  const { graph } = context;
  const batch = graph.op(
    'Slice', [graph.op('Shape', [sequence], context.name(`${label}_shape`)), graph.int64s(context.name(`${label}_start`), [0]), graph.int64s(context.name(`${label}_end`), [1])],
    context.name(`${label}_batch`),
  );
  const shape = graph.op('Concat', [batch, graph.int64s(context.name(`${label}_row_shape`), [1, context.module.embedDim])], context.name(`${label}_expanded_shape`), { axis: 0 });
  const rows = graph.op('Expand', [row, shape], context.name(`${label}_rows`));
  return graph.op('Concat', [sequence, rows], context.name(label), { axis: 1 });
}

/**
 * One call of `MultiheadAttention` as composed ONNX ops, in the layout
 * `[N, L, E]` inside: the projections (`MatMul` by the transposed slices of
 * `in_proj_weight`, `Add` of `in_proj_bias`), heads split off by `Reshape`
 * and `Transpose`, `MatMul` of the scores scaled by 1/√headDim, the mask
 * added, `Softmax` over the keys, `MatMul` by the values, heads merged, and
 * `out_proj`. Returns the output and, when asked for, the weights.
 */
function attentionNodes(
  context: OnnxMappingContext<MultiheadAttention>, [query, key, value]: readonly string[], queryTensor: Tensor, call: AttentionCall,
): string[] {
  const layer = context.module;
  const { graph } = context;
  if (call.keyPaddingMask instanceof Tensor) {
    context.fail('keyPaddingMask has no ONNX mapping (it differs per batch, and the exporter traces tensors passed as arguments only)');
  }
  const batched = queryTensor.ndim === 3;
  const batch = batched ? queryTensor.shape[layer.batchFirst ? 0 : 1]! : 1;
  const E = layer.embedDim;
  const heads = layer.numHeads;
  const d = layer.headDim;
  const toBatchFirst = (x: string, label: string): string => {
    if (!batched) return graph.op('Unsqueeze', [x, graph.int64s(context.name(`${label}_batch_axis`), [0])], context.name(`${label}_batched`));
    return layer.batchFirst ? x : graph.op('Transpose', [x], context.name(`${label}_batch_first`), { perm: [1, 0, 2] });
  };

  const weights = layer.qkvSameEmbedDim
    ? graph.node('Split', [context.weight('in_proj_weight', layer.getParameter('in_proj_weight'))], ['q', 'k', 'v'].map((part) => context.name(`${part}_proj_weight`)), { axis: 0 })
    : ['q', 'k', 'v'].map((part) => context.weight(`${part}_proj_weight`, layer.getParameter(`${part}_proj_weight`)));
  const inProjBias = optionalParameter(layer, 'in_proj_bias');
  const biases = inProjBias === null
    ? null
    : graph.node('Split', [context.weight('in_proj_bias', inProjBias)], ['q', 'k', 'v'].map((part) => context.name(`${part}_proj_bias`)), { axis: 0 });
  const project = (x: string, index: number, label: string): string => {
    const transposed = graph.op('Transpose', [weights[index]!], context.name(`${label}_proj_weight_t`), { perm: [1, 0] });
    const product = graph.op('MatMul', [toBatchFirst(x, label), transposed], context.name(`${label}_product`));
    return biases === null ? product : graph.op('Add', [product, biases[index]!], context.name(`${label}_projected`));
  };
  // [N, len, E] -> [N, len, heads, d] -> [N, heads, len, d] (the keys to [N, heads, d, S], ready for the product).
  const headShape = graph.int64s(context.name('head_shape'), [0, 0, heads, d]);
  const splitHeads = (x: string, perm: number[], label: string): string =>
    graph.op('Transpose', [graph.op('Reshape', [x, headShape], context.name(`${label}_heads`))], context.name(`${label}_per_head`), { perm });
  const q = splitHeads(project(query!, 0, 'q'), [0, 2, 1, 3], 'q');
  let kProjected = project(key!, 1, 'k');
  let vProjected = project(value!, 2, 'v');
  // addBiasKv appends bias_k and bias_v as one more key and value, addZeroAttn a zero key and value (in this order, as PyTorch).
  let extraKeys = 0;
  const biasK = optionalParameter(layer, 'bias_k');
  const biasV = optionalParameter(layer, 'bias_v');
  if (biasK !== null && biasV !== null) {
    kProjected = appendKey(context, kProjected, context.weight('bias_k', biasK), 'k_with_bias');
    vProjected = appendKey(context, vProjected, context.weight('bias_v', biasV), 'v_with_bias');
    extraKeys++;
  }
  if (layer.addZeroAttn) {
    const zero = graph.constant(context.name('zero_key'), context.floatType, [1, 1, E], new Float32Array(E));
    kProjected = appendKey(context, kProjected, zero, 'k_with_zero');
    vProjected = appendKey(context, vProjected, zero, 'v_with_zero');
    extraKeys++;
  }
  const k = splitHeads(kProjected, [0, 2, 3, 1], 'k');
  const v = splitHeads(vProjected, [0, 2, 1, 3], 'v');

  let scores = graph.op('Mul', [graph.op('MatMul', [q, k], context.name('qk')), graph.scalar(context.name('scale'), 1 / Math.sqrt(d), context.floatType)], context.name('scores'));
  if (call.attnMask instanceof Tensor) scores = graph.op('Add', [scores, maskConstant(context, call.attnMask, batch, extraKeys)], context.name('masked_scores'));
  const probabilities = graph.op('Softmax', [scores], context.name('attention'), { axis: -1 });
  const attended = graph.op('MatMul', [probabilities, v], context.name('attended'));
  const merged = graph.op(
    'Reshape', [graph.op('Transpose', [attended], context.name('attended_steps'), { perm: [0, 2, 1, 3] }), graph.int64s(context.name('merged_shape'), [0, 0, E])],
    context.name('merged'),
  );
  const outProj = layer.outProjection;
  let output = graph.op('MatMul', [merged, graph.op('Transpose', [context.weight('out_proj.weight', outProj.weight)], context.name('out_proj_weight_t'), { perm: [1, 0] })], context.name('out_product'));
  if (outProj.bias !== null) output = graph.op('Add', [output, context.weight('out_proj.bias', outProj.bias)], context.name('out_projected'));
  const batchAxis = (label: string): string => graph.int64s(context.name(`${label}_axis`), [0]);
  output = !batched
    ? graph.op('Squeeze', [output, batchAxis('output_batch')], context.name('output'))
    : layer.batchFirst ? output : graph.op('Transpose', [output], context.name('output'), { perm: [1, 0, 2] });
  if (!call.needWeights) return [output];
  let attentionWeights = call.averageWeights
    ? graph.op('ReduceMean', [probabilities], context.name('mean_weights'), { axes: [1], keepdims: 0 })
    : probabilities;
  if (!batched) attentionWeights = graph.op('Squeeze', [attentionWeights, batchAxis('weights_batch')], context.name('weights'));
  return [output, attentionWeights];
}

/** The options object a `forward` got as its argument `index`, or an empty one. */
function optionsArgument(context: OnnxMappingContext, index: number): Record<string, unknown> {
  const options = context.args[index];
  return typeof options === 'object' && options !== null && !(options instanceof Tensor) ? (options as Record<string, unknown>) : {};
}

/**
 * `MultiheadAttention.forward(query, key, value, options)`: see
 * {@link attentionNodes}. An `attnMask` becomes a constant of the graph (it
 * is the traced call's mask, a causal mask for instance).
 */
export const multiheadAttentionMapping: OnnxMapping<MultiheadAttention> = (context) => {
  const options = optionsArgument(context, 3);
  return attentionNodes(context, context.inputs, context.inputTensors[0]!, {
    attnMask: options.attnMask ?? null,
    keyPaddingMask: options.keyPaddingMask ?? null,
    needWeights: context.outputTensors.length === 2,
    averageWeights: options.averageAttnWeights !== false,
  });
};

/**
 * `TransformerEncoderLayer` and `TransformerDecoderLayer` as their parts'
 * nodes: self-attention (and, in the decoder, attention to the memory) as
 * {@link multiheadAttentionMapping}, `Add` of the residuals,
 * `LayerNormalization` (`norm1`…`norm3`, after each block, or before with
 * `normFirst`), and the feed-forward `linear1`, `Relu` (or the erf form of
 * GELU), `linear2`; the dropouts are the identity in evaluation mode.
 */
function transformerLayerMapping(decoder: boolean): OnnxMapping<TransformerEncoderLayer | TransformerDecoderLayer> {
  return (context) => {
    const layer = context.module;
    const { graph } = context;
    const options = optionsArgument(context, decoder ? 2 : 1);
    const target = context.inputTensors[0]!;
    const parent = context as unknown as OnnxMappingContext<Module>;
    const norm = (index: number, x: string): string => layerNormMapping(childContext<LayerNorm>(parent, `norm${index}`, [x], [target])) as string;
    // The Linear mapping reads only the rank of its input, which every value of the layer shares with the target.
    const linear = (name: string, x: string): string => linearMapping(childContext<Linear>(parent, name, [x], [target])) as string;
    const attention = (name: string, x: string, memory: string, attnMask: unknown, keyPaddingMask: unknown): string =>
      attentionNodes(childContext<MultiheadAttention>(parent, name, [x, memory, memory], [target]), [x, memory, memory], target, {
        attnMask: attnMask ?? null, keyPaddingMask: keyPaddingMask ?? null, needWeights: false, averageWeights: true,
      })[0]!;
    const selfAttention = (x: string): string =>
      attention('self_attn', x, x, decoder ? options.tgtMask : options.srcMask, decoder ? options.tgtKeyPaddingMask : options.srcKeyPaddingMask);
    const memoryAttention = (x: string): string =>
      attention('multihead_attn', x, context.inputs[1]!, options.memoryMask, options.memoryKeyPaddingMask);
    const feedForward = (x: string): string => {
      const hidden = linear('linear1', x);
      let activated: string;
      if (layer.options.activation === 'gelu') {
        const scalar = (label: string, value: number): string => graph.scalar(context.name(label), value, context.floatType);
        const erf = graph.op('Erf', [graph.op('Mul', [hidden, scalar('rsqrt2', Math.SQRT1_2)], context.name('gelu_scaled'))], context.name('gelu_erf'));
        const half = graph.op('Mul', [hidden, scalar('half', 0.5)], context.name('gelu_half'));
        activated = graph.op('Mul', [half, graph.op('Add', [erf, scalar('one', 1)], context.name('gelu_erf_plus_one'))], context.name('activated'));
      } else {
        activated = graph.op('Relu', [hidden], context.name('activated'));
      }
      return linear('linear2', activated);
    };
    const blocks = decoder ? [selfAttention, memoryAttention, feedForward] : [selfAttention, feedForward];
    let x = context.inputs[0]!;
    blocks.forEach((block, i) => {
      x = layer.options.normFirst
        ? graph.op('Add', [x, block(norm(i + 1, x))], context.name(`residual${i + 1}`))
        : norm(i + 1, graph.op('Add', [x, block(x)], context.name(`residual${i + 1}`)));
    });
    return x;
  };
}

/** The attention layers of `@strata/layers-attention`, by class name. */
export const attentionModules: Record<string, OnnxMapping<never>> = {
  MultiheadAttention: multiheadAttentionMapping as OnnxMapping<never>,
  TransformerEncoderLayer: transformerLayerMapping(false) as OnnxMapping<never>,
  TransformerDecoderLayer: transformerLayerMapping(true) as OnnxMapping<never>,
};
