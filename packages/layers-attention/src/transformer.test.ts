/**
 * The Transformer layers, stacks and model beyond the PyTorch fixtures: deep
 * copies, the causal mask, initialization, options and exact error messages.
 */
import { noGrad } from '@strata/autograd';
import { LayerNorm } from '@strata/layers-norm';
import { type Module, calculateFanInAndFanOut } from '@strata/module';
import { manualSeed, rand, randn } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer } from './index.js';

/** The state dict as plain arrays, for comparisons. */
function values(module: Module): [string, unknown][] {
  return Object.entries(module.stateDict()).map(([key, value]) => [key, value.tolist()]);
}

describe('TransformerEncoder and TransformerDecoder', () => {
  it("deep-copy their layer under PyTorch's keys: equal values, own parameters, no random numbers drawn", () => {
    manualSeed(0);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const stateBefore = rand([3]).tolist();
    manualSeed(0);
    const again = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const encoder = new TransformerEncoder(again, 2, { norm: new LayerNorm(8) });
    expect(rand([3]).tolist()).toEqual(stateBefore);
    const keys = Object.keys(encoder.stateDict());
    expect(keys.slice(0, 4)).toEqual(['layers.0.self_attn.in_proj_weight', 'layers.0.self_attn.in_proj_bias', 'layers.0.self_attn.out_proj.weight', 'layers.0.self_attn.out_proj.bias']);
    expect(keys.slice(-2)).toEqual(['norm.weight', 'norm.bias']);
    const [first, second] = encoder.layers.children() as TransformerEncoderLayer[];
    expect(values(first!)).toEqual(values(layer));
    expect(values(second!)).toEqual(values(layer));
    expect(first!.getParameter('linear1.weight')).not.toBe(second!.getParameter('linear1.weight'));
    noGrad(() => first!.getParameter('linear1.weight').fill_(0));
    expect(values(second!)).toEqual(values(layer));
  });

  it('keep the dtype of the layer they copy', () => {
    const encoder = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }).double(), 2);
    expect(encoder.getParameter('layers.1.linear1.weight').dtype).toBe('float64');
    expect(encoder.forward(randn([3, 2, 8], { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('keep the mode and gradient flags of the layer they copy', () => {
    const layer = new TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }).eval();
    layer.getParameter('norm1.weight').requiresGrad_(false);
    const decoder = new TransformerDecoder(layer, 2);
    expect(decoder.getSubmodule('layers.1.dropout').training).toBe(false);
    expect(decoder.getParameter('layers.1.norm1.weight').requiresGrad).toBe(false);
    expect(decoder.getParameter('layers.1.norm2.weight').requiresGrad).toBe(true);
  });
});

describe('Transformer', () => {
  it("generateSquareSubsequentMask is PyTorch's causal mask", () => {
    expect(Transformer.generateSquareSubsequentMask(3).tolist()).toEqual([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
    expect(Transformer.generateSquareSubsequentMask(2, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => Transformer.generateSquareSubsequentMask(0)).toThrow('Transformer.generateSquareSubsequentMask: size must be a positive integer, got 0');
  });

  it('re-initializes every matrix Xavier-uniform, as PyTorch does', () => {
    manualSeed(3);
    const model = new Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32 });
    for (const [name, parameter] of model.namedParameters()) {
      if (parameter.ndim < 2) continue;
      const { fanIn, fanOut } = calculateFanInAndFanOut(parameter);
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      expect(Math.max(...Array.from(parameter.contiguousData(), Math.abs)), name).toBeLessThanOrEqual(bound);
    }
    expect(Object.keys(model.stateDict())).toContain('decoder.layers.0.multihead_attn.in_proj_weight');
    expect(Object.keys(model.stateDict()).at(-1)).toBe('decoder.norm.bias');
  });

  it('refuses bad options and inputs with a clear error', () => {
    expect(() => new TransformerEncoderLayer(8, 3)).toThrow('TransformerEncoderLayer: dModel must be divisible by nhead, got dModel 8 and nhead 3');
    expect(() => new TransformerEncoderLayer(8, 2, { activation: 'tanh' as never })).toThrow("TransformerEncoderLayer: activation should be relu/gelu, not 'tanh'");
    expect(() => new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 0 })).toThrow('Transformer: numEncoderLayers must be a positive integer, got 0');
    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
    expect(() => model.forward(randn([5, 2, 8]), randn([3, 3, 8]))).toThrow(
      'Transformer: the batch number of src and tgt must be equal, got src shape [5, 2, 8] and tgt shape [3, 3, 8]');
    expect(() => model.forward(randn([5, 2, 8]), randn([3, 2, 4]))).toThrow('Transformer: the feature number of src and tgt must be equal to dModel (8)');
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect(() => layer.forward(randn([4, 2, 6]))).toThrow('TransformerEncoderLayer: expected src with 8 features (dModel), got shape [4, 2, 6]');
    expect(() => layer.forward(randn([4, 2, 8]), { isCausal: true })).toThrow('MultiheadAttention: need attnMask if specifying the isCausal hint');
    const decoderLayer = new TransformerDecoderLayer(8, 2, { dimFeedforward: 16 });
    expect(() => decoderLayer.forward(randn([3, 2, 8]), randn([5, 3, 8]))).toThrow(
      "TransformerDecoderLayer: expected memory with batch size 2 (tgt's), got shape [5, 3, 8]");
  });
});
