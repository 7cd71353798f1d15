/**
 * Test support: the attention layer cases shared by the ONNX Runtime test
 * and the PyTorch test. Not exported by the package.
 */
import {
  MultiheadAttention, Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
} from '@strata/layers-attention';
import { LayerNorm } from '@strata/layers-norm';
import { Module } from '@strata/module';
import { type Tensor, randn } from '@strata/tensor';
import { randomizeWeights } from './layer-test-support.js';

/** A labelled attention layer, the tensors its `forward` takes, and the options (masks) of the call. */
export interface AttentionCase {
  readonly label: string;
  readonly build: () => Module;
  /** The tensor arguments; for `selfAttention`, the one sequence that is query, key and value. */
  readonly inputs: () => Tensor[];
  /** Whether `MultiheadAttention` attends from the sequence to itself (`forward(x, x, x)`). */
  readonly selfAttention?: boolean;
  /** The options object of the call (`{ attnMask }`, `{ srcMask }`), with PyTorch's keyword for each. */
  readonly options?: () => Record<string, Tensor | boolean>;
}

/** Maps the options of a Strata call to PyTorch's keywords. */
export const PYTORCH_KEYWORDS: Record<string, string> = {
  attnMask: 'attn_mask', srcMask: 'src_mask', tgtMask: 'tgt_mask', memoryMask: 'memory_mask', mask: 'mask', needWeights: 'need_weights', averageAttnWeights: 'average_attn_weights',
};

/** A bool mask, `true` above the diagonal (the steps not allowed to attend), `[size, size]`. */
function causalBoolMask(size: number): Tensor {
  return Transformer.generateSquareSubsequentMask(size).isinf();
}

export const attentionCases: AttentionCase[] = [
  { label: 'MultiheadAttention self-attention, weights averaged', build: () => new MultiheadAttention(8, 2), inputs: () => [randn([5, 3, 8])], selfAttention: true },
  {
    label: 'MultiheadAttention batchFirst, cross-attention, needWeights false', build: () => new MultiheadAttention(8, 4, { batchFirst: true }),
    inputs: () => { const memory = randn([2, 7, 8]); return [randn([2, 5, 8]), memory, memory]; }, options: () => ({ needWeights: false }),
  },
  {
    label: 'MultiheadAttention kdim, vdim, no bias, per-head weights', build: () => new MultiheadAttention(6, 3, { kdim: 4, vdim: 5, bias: false }),
    inputs: () => [randn([4, 2, 6]), randn([7, 2, 4]), randn([7, 2, 5])], options: () => ({ averageAttnWeights: false }),
  },
  {
    label: 'MultiheadAttention unbatched, causal float mask', build: () => new MultiheadAttention(8, 2), inputs: () => [randn([5, 8])], selfAttention: true,
    options: () => ({ attnMask: Transformer.generateSquareSubsequentMask(5) }),
  },
  {
    label: 'MultiheadAttention bool mask, batchFirst', build: () => new MultiheadAttention(8, 2, { batchFirst: true }), inputs: () => [randn([3, 6, 8])],
    selfAttention: true, options: () => ({ attnMask: causalBoolMask(6) }),
  },
  {
    label: 'MultiheadAttention 3-d float mask [N · heads, L, S]', build: () => new MultiheadAttention(8, 2),
    inputs: () => { const memory = randn([6, 3, 8]); return [randn([4, 3, 8]), memory, memory]; }, options: () => ({ attnMask: randn([6, 4, 6]) }),
  },
  {
    label: 'MultiheadAttention addBiasKv, addZeroAttn, bool mask', build: () => new MultiheadAttention(8, 2, { addBiasKv: true, addZeroAttn: true }),
    inputs: () => { const memory = randn([6, 3, 8]); return [randn([4, 3, 8]), memory, memory]; }, options: () => ({ attnMask: randn([4, 6]).gt(1) }),
  },
  {
    label: 'MultiheadAttention addBiasKv, unbatched self-attention, 3-d float mask', build: () => new MultiheadAttention(6, 3, { addBiasKv: true }),
    inputs: () => [randn([5, 6])], selfAttention: true, options: () => ({ attnMask: randn([3, 5, 5]) }),
  },
  { label: 'MultiheadAttention addZeroAttn, batchFirst', build: () => new MultiheadAttention(8, 4, { addZeroAttn: true, batchFirst: true }), inputs: () => [randn([2, 5, 8])], selfAttention: true },
  { label: 'TransformerEncoderLayer relu, post-norm', build: () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), inputs: () => [randn([5, 3, 8])] },
  {
    label: 'TransformerEncoderLayer gelu, normFirst, batchFirst, causal srcMask',
    build: () => new TransformerEncoderLayer(8, 4, { dimFeedforward: 12, activation: 'gelu', normFirst: true, batchFirst: true }),
    inputs: () => [randn([2, 6, 8])], options: () => ({ srcMask: Transformer.generateSquareSubsequentMask(6) }),
  },
  {
    label: 'TransformerEncoderLayer unbatched, layerNormEps 1e-3', build: () => new TransformerEncoderLayer(6, 3, { dimFeedforward: 10, layerNormEps: 1e-3 }),
    inputs: () => [randn([4, 6])],
  },
  {
    label: 'TransformerEncoder of 2 layers with a final LayerNorm',
    build: () => new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }), 2, { norm: new LayerNorm(8) }),
    inputs: () => [randn([2, 5, 8])],
  },
  {
    label: 'TransformerDecoderLayer relu, post-norm, causal tgtMask, memoryMask', build: () => new TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }),
    inputs: () => [randn([4, 3, 8]), randn([6, 3, 8])],
    options: () => ({ tgtMask: Transformer.generateSquareSubsequentMask(4), memoryMask: randn([4, 6]) }),
  },
  {
    label: 'TransformerDecoderLayer gelu, normFirst, batchFirst',
    build: () => new TransformerDecoderLayer(8, 4, { dimFeedforward: 12, activation: 'gelu', normFirst: true, batchFirst: true }),
    inputs: () => [randn([2, 5, 8]), randn([2, 7, 8])],
  },
  {
    label: 'TransformerDecoderLayer unbatched, bool tgtMask', build: () => new TransformerDecoderLayer(6, 2, { dimFeedforward: 10 }),
    inputs: () => [randn([4, 6]), randn([5, 6])], options: () => ({ tgtMask: causalBoolMask(4) }),
  },
  {
    label: 'TransformerDecoder of 2 layers with a final LayerNorm',
    build: () => new TransformerDecoder(new TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }), 2, { norm: new LayerNorm(8) }),
    inputs: () => [randn([4, 2, 8]), randn([5, 2, 8])],
  },
  {
    label: 'Transformer 2 + 1 layers, batchFirst, causal tgtMask',
    build: () => new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, batchFirst: true }),
    inputs: () => [randn([2, 6, 8]), randn([2, 4, 8])], options: () => ({ tgtMask: Transformer.generateSquareSubsequentMask(4) }),
  },
];

/**
 * The model ONNX exports for a case: the layer, called by a module whose
 * `forward` takes the case's tensors and adds the rest of the call
 * (the same sequence thrice for self-attention, the options).
 */
export class AttentionCall extends Module {
  constructor(readonly layer: Module, private readonly selfAttention: boolean, private readonly callOptions: Record<string, Tensor | boolean>) {
    super();
  }

  forward(...inputs: Tensor[]): unknown {
    const tensors = this.selfAttention ? [inputs[0]!, inputs[0]!, inputs[0]!] : inputs;
    return (this.layer.forward as (...args: unknown[]) => unknown)(...tensors, this.callOptions);
  }
}

/** A case's layer with random N(0, 0.25) weights, the call around it, and its inputs and options. */
export function prepareAttentionCase(attentionCase: AttentionCase): {
  layer: Module; model: AttentionCall; inputs: Tensor[]; options: Record<string, Tensor | boolean>;
} {
  const layer = attentionCase.build();
  randomizeWeights(layer);
  const options = attentionCase.options?.() ?? {};
  return { layer, model: new AttentionCall(layer, attentionCase.selfAttention === true, options), inputs: attentionCase.inputs(), options };
}
