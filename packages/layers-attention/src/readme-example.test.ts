/** The README's example, with its commented results asserted (keep the two in step). */
import '@strata/autograd';
import { manualSeed, randn } from '@strata/tensor';
import { expect, it } from 'vitest';
import { MultiheadAttention, Transformer, TransformerEncoder, TransformerEncoderLayer, scaledDotProductAttention } from './index.js';

it("runs the README's example", () => {
  manualSeed(0);
  const mha = new MultiheadAttention(64, 8, { batchFirst: true });
  const x = randn([2, 10, 64]);
  const [attnOut, attnWeights] = mha.forward(x, x, x, { needWeights: true });
  expect([attnOut.shape, attnWeights?.shape]).toEqual([[2, 10, 64], [2, 10, 10]]);
  expect(Object.keys(mha.stateDict())).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);

  const layer = new TransformerEncoderLayer(64, 8, { dimFeedforward: 256, batchFirst: true });
  const encoder = new TransformerEncoder(layer, 6);
  const mask = Transformer.generateSquareSubsequentMask(10);
  const encoded = encoder.forward(x, { mask, isCausal: true });
  expect(encoded.shape).toEqual([2, 10, 64]);
  encoded.sum().backward();
  expect(encoder.getParameter('layers.5.self_attn.in_proj_weight').grad?.shape).toEqual([192, 64]);

  const q = randn([2, 8, 10, 16]);
  expect(scaledDotProductAttention(q, q, q, { isCausal: true }).shape).toEqual([2, 8, 10, 16]);
});
