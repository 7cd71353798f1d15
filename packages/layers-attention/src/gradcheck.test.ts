/**
 * The gradients of attention against finite differences, in float64, on
 * small cases: the inputs and every parameter, with masks of each kind.
 */
import { gradcheck, gradgradcheck } from '@strata/autograd';
import type { Module } from '@strata/module';
import { type Tensor, manualSeed, randn, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { MultiheadAttention, Transformer, TransformerDecoderLayer, TransformerEncoderLayer, scaledDotProductAttention } from './index.js';

const float64 = { dtype: 'float64', requiresGrad: true } as const;

/** Checks the gradients of `run` with respect to `inputs` and every parameter of `module`. */
function check(module: Module, inputs: Tensor[], run: (...inputs: Tensor[]) => Tensor | Tensor[]): boolean {
  module.double();
  // The module reads its own parameters: gradcheck perturbs these same tensors in place.
  return gradcheck((...all: Tensor[]) => run(...all.slice(0, inputs.length)), [...inputs, ...module.parameters()]);
}

describe('gradcheck', () => {
  it('scaledDotProductAttention with a float mask and a scale', () => {
    manualSeed(1);
    const mask = randn([3, 4], { dtype: 'float64' });
    const inputs: [Tensor, Tensor, Tensor] = [randn([2, 3, 5], float64), randn([2, 4, 5], float64), randn([2, 4, 2], float64)];
    expect(gradcheck((q, k, v) => scaledDotProductAttention(q, k, v, { attnMask: mask, scale: 0.6 }), inputs)).toBe(true);
  });

  it('scaledDotProductAttention with a float mask that requires a gradient (the unfused path)', () => {
    manualSeed(4);
    const inputs: [Tensor, Tensor, Tensor, Tensor] = [
      randn([2, 3, 5], float64), randn([2, 4, 5], float64), randn([2, 4, 2], float64), randn([3, 4], float64),
    ];
    expect(gradcheck((q, k, v, mask) => scaledDotProductAttention(q, k, v, { attnMask: mask, scale: 0.6 }), inputs)).toBe(true);
  });

  it('scaledDotProductAttention, causal', () => {
    manualSeed(2);
    const inputs: [Tensor, Tensor, Tensor] = [randn([2, 2, 4, 3], float64), randn([2, 2, 4, 3], float64), randn([2, 2, 4, 3], float64)];
    expect(gradcheck((q, k, v) => scaledDotProductAttention(q, k, v, { isCausal: true }), inputs)).toBe(true);
  });

  it('MultiheadAttention, self-attention with key padding and a bool mask, output and per-head weights', () => {
    manualSeed(3);
    const mha = new MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true });
    const attnMask = tensor([[false, true, true], [false, false, true], [false, false, false]]);
    const keyPaddingMask = tensor([[false, false, true], [false, false, false]]);
    expect(check(mha, [randn([3, 2, 4], float64)], (x) => {
      const [output, weights] = mha.forward(x!, x!, x!, { attnMask, keyPaddingMask, averageAttnWeights: false });
      return [output, weights!];
    })).toBe(true);
  });

  it('MultiheadAttention with kdim, vdim and batch first', () => {
    manualSeed(4);
    const mha = new MultiheadAttention(4, 2, { kdim: 3, vdim: 2, batchFirst: true });
    const inputs = [randn([2, 3, 4], float64), randn([2, 2, 3], float64), randn([2, 2, 2], float64)];
    const attnMask = randn([2 * 2, 3, 2], { dtype: 'float64' });
    expect(check(mha, inputs, (q, k, v) => mha.forward(q!, k!, v!, { attnMask })[0])).toBe(true);
  });

  it('TransformerEncoderLayer (pre-norm, gelu) and TransformerDecoderLayer (post-norm) with causal masks', () => {
    manualSeed(5);
    const encoder = new TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst: true, activation: 'gelu' });
    const mask = Transformer.generateSquareSubsequentMask(3, { dtype: 'float64' });
    expect(check(encoder, [randn([3, 2, 4], float64)], (x) => encoder.forward(x!, { srcMask: mask }))).toBe(true);
    const decoder = new TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, batchFirst: true });
    expect(check(decoder, [randn([2, 3, 4], float64), randn([2, 2, 4], float64)], (t, m) => decoder.forward(t!, m!, { tgtMask: mask }))).toBe(true);
  });
});

describe('second derivatives (createGraph)', () => {
  it('flow through the fused softmax and the head split and merge', () => {
    manualSeed(6);
    const mha = new MultiheadAttention(4, 2).double();
    const x = randn([3, 2, 4], float64);
    expect(gradgradcheck((input) => mha.forward(input, input, input)[0], [x])).toBe(true);
  });
});
